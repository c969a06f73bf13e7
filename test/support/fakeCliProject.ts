import * as fs from "fs";
import * as path from "path";
import { AutomationEngine } from "../../provisioner/automationEngine";
import { Engine } from "../../provisioner/engine";
import { accepted, FIXTURE_STACK, installFakePulumi, makeProject, offlineProvisioner } from "../fixtures/provisioner/support";

/** The last CLI version whose engine events the SDK tails from an `--event-log` file. */
export const FILE_EVENT_LOG_VERSION = "v3.205.0";
/** From here on the SDK serves a gRPC Events service and passes `--event-log tcp://127.0.0.1:<port>`. */
export const GRPC_EVENT_STREAM_VERSION = "v3.206.0";

/** A temp project, and the fake `pulumi` of one version installed in a root that only its engines use. */
export class FakeCliProject {
    readonly dir = makeProject();
    readonly state = path.join(this.dir, ".fake-pulumi");

    constructor(readonly version: string) {
        fs.mkdirSync(path.join(this.state, "stacks"), { recursive: true });
        fs.writeFileSync(path.join(this.state, "stacks", `${FIXTURE_STACK}.json`), JSON.stringify({ outputs: {} }));
        installFakePulumi(this.state, version);
    }

    engine(runTimeoutMs?: number): AutomationEngine {
        return new AutomationEngine({
            projectDir: this.dir,
            pulumiRoot: this.state,
            envVars: { FAKE_PULUMI_STATE: this.state },
            runTimeoutMs,
        });
    }

    /** Every command line the fake was given, but `version` (which the SDK runs without the workspace's environment); none if it never ran. */
    calls(): string[][] {
        const file = path.join(this.state, "calls.jsonl");
        if (!fs.existsSync(file)) {
            return [];
        }
        return fs
            .readFileSync(file, "utf8")
            .trim()
            .split("\n")
            .map(line => JSON.parse(line));
    }

    commandsOf(kind: string): string[][] {
        return this.calls().filter(argv => argv[0] === kind);
    }

    /** Onboards a tenant through the service with the given engine (default: the Automation API engine on this fake). */
    async onboard(name: string, runTimeoutMs?: number, engine: Engine = this.engine(runTimeoutMs)) {
        const { provisioner } = offlineProvisioner(this.dir, { engine });
        const operation = await provisioner.whenFinished(accepted(await provisioner.onboard(FIXTURE_STACK, { name, deviceQuota: 10 })).id);
        return { provisioner, operation };
    }
}
