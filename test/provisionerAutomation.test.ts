import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EngineEvent, LocalWorkspace, PreviewOptions, UpOptions } from "@pulumi/pulumi/automation";
import { AutomationEngine, AutomationStack } from "../provisioner/automationEngine";
import { chooseEngine, EngineError, pulumiOnPath } from "../provisioner/engine";
import {
    accepted,
    fileBackendEnv,
    FIXTURE_STACK,
    linesOf,
    makeProject,
    offlineProvisioner,
    projectSnapshot,
    removeProject,
    stackText,
    tenantsInFile,
} from "./fixtures/provisioner/support";

// The SDK's own classification of a failed CLI call (internal, so not in its typings): the stderr the
// CLI prints gives the same error class here as in production.
/* eslint-disable @typescript-eslint/no-require-imports */
const { createCommandError } = require("@pulumi/pulumi/automation/errors");
const { CommandResult } = require("@pulumi/pulumi/automation/cmd");
/* eslint-enable @typescript-eslint/no-require-imports */
const cliFailure = (stderr: string): Error => createCommandError(new CommandResult("", stderr, 255));

const policyEvent = (policyName: string, enforcementLevel: "mandatory" | "warning"): EngineEvent => ({
    sequence: 1,
    timestamp: 0,
    policyEvent: {
        resourceUrn: "urn:pulumi:test-weu::iot-fleet::kubernetes:core/v1:Namespace::ns",
        message: `${policyName} says no`,
        color: "never",
        policyName,
        policyPackName: "iot-fleet",
        policyPackVersion: "1",
        policyPackVersionTag: "v1",
        enforcementLevel,
    },
});

/** A fake Automation API stack: records what it was asked and plays a script. */
function fakeStack(
    script: {
        preview?: (o: PreviewOptions) => Promise<unknown>;
        up?: (o: UpOptions) => Promise<{ outputs: Record<string, { value: unknown; secret: boolean }> }>;
    } = {},
) {
    const calls: { method: string; options: PreviewOptions | UpOptions }[] = [];
    const stack: AutomationStack = {
        preview: async options => {
            calls.push({ method: "preview", options });
            return script.preview?.(options);
        },
        up: async options => {
            calls.push({ method: "up", options });
            return script.up ? script.up(options) : { outputs: {} };
        },
        outputs: async () => ({}),
    };
    return { stack, calls };
}

describe("provisioner: the Automation API engine, with fake stacks", () => {
    let projectDir: string;
    before(() => {
        projectDir = makeProject();
    });
    after(() => removeProject(projectDir));
    const engineWith = (stack: AutomationStack) => new AutomationEngine({ projectDir, openStack: async () => stack });

    it("maps a stack the backend does not know to 404", async () => {
        const engine = new AutomationEngine({
            projectDir,
            openStack: async () => {
                throw cliFailure("error: no stack named 'test-weu' found");
            },
        });
        await assert.rejects(
            engine.preview(FIXTURE_STACK),
            (err: unknown) => err instanceof EngineError && err.status === 404 && /does not exist in the Pulumi backend/.test(err.message),
        );
    });

    it("maps an update holding the stack's lock to 409", async () => {
        const { stack } = fakeStack({
            preview: async () => {
                throw cliFailure("error: the stack is currently locked by 1 lock(s).");
            },
        });
        await assert.rejects(
            engineWith(stack).preview(FIXTURE_STACK),
            (err: unknown) => err instanceof EngineError && err.status === 409 && /lock is held/.test(err.message),
        );
    });

    it("maps a stack created by someone else at the same time to 409", async () => {
        const engine = new AutomationEngine({
            projectDir,
            openStack: async () => {
                throw cliFailure("error: stack 'test-weu' already exists");
            },
        });
        await assert.rejects(engine.up(FIXTURE_STACK), (err: unknown) => err instanceof EngineError && err.status === 409);
    });

    it("answers a preview the policy pack fails with ok: false, its violations and the CLI's output", async () => {
        const { stack } = fakeStack({
            preview: async options => {
                options.onOutput!("Previewing update (test-weu)\nPolicies:\n");
                options.onEvent!(policyEvent("tenant-guardrails", "mandatory"));
                options.onEvent!(policyEvent("dedicated-threshold", "warning"));
                throw cliFailure("error: preview failed");
            },
        });
        const events: EngineEvent[] = [];
        const result = await engineWith(stack).preview(FIXTURE_STACK, { onEvent: e => events.push(e) });
        assert.deepStrictEqual([result.ok, result.failure], [false, "policy"]);
        assert.deepStrictEqual(
            result.policyViolations.map(v => [v.policyName, v.enforcementLevel]),
            [
                ["tenant-guardrails", "mandatory"],
                ["dedicated-threshold", "advisory"],
            ],
        );
        assert.strictEqual(result.policyViolations[0].urn, "urn:pulumi:test-weu::iot-fleet::kubernetes:core/v1:Namespace::ns");
        assert.deepStrictEqual(result.log.slice(0, 2), ["Previewing update (test-weu)", "Policies:"]);
        assert.ok(result.log.some(line => /preview failed/.test(line)));
        assert.strictEqual(events.length, 2, "every engine event is passed on");
    });

    it("takes a failed preview without a mandatory violation for a preview error, and any failed up for a deploy error", async () => {
        const { stack } = fakeStack({
            preview: async options => {
                options.onEvent!(policyEvent("dedicated-threshold", "warning"));
                throw cliFailure("error: could not load plugin for policy pack: not logged in");
            },
            up: async options => {
                options.onEvent!(policyEvent("tenant-guardrails", "mandatory"));
                throw cliFailure("error: update failed");
            },
        });
        const engine = engineWith(stack);
        const preview = await engine.preview(FIXTURE_STACK);
        assert.deepStrictEqual([preview.ok, preview.failure, preview.policyViolations.length], [false, "preview-error", 1]);
        const up = await engine.up(FIXTURE_STACK);
        assert.deepStrictEqual(
            [up.ok, up.failure],
            [false, "deploy-error"],
            "an up that fails may have deployed part of the change, whatever the cause",
        );
    });

    it("maps a CLI that cannot select the stack (not logged in) to 502", async () => {
        const engine = new AutomationEngine({
            projectDir,
            openStack: async () => {
                throw cliFailure("error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions");
            },
        });
        await assert.rejects(
            engine.preview(FIXTURE_STACK),
            (err: unknown) => err instanceof EngineError && err.status === 502 && /PULUMI_ACCESS_TOKEN/.test(err.message),
        );
    });

    it("lets a preview with advisory violations only pass", async () => {
        const { stack } = fakeStack({
            preview: async options => {
                options.onEvent!(policyEvent("dedicated-threshold", "warning"));
            },
        });
        const result = await engineWith(stack).preview(FIXTURE_STACK);
        assert.deepStrictEqual([result.ok, result.policyViolations.length], [true, 1]);
    });

    it("runs with the policy pack by absolute path and a timeout, and returns the tenants' outputs only", async () => {
        const { stack, calls } = fakeStack({
            up: async () => ({
                outputs: {
                    tenants: { value: { contoso: { cluster: "shared-1" } }, secret: false },
                    kubeconfig: { value: "apiVersion: v1", secret: true },
                },
            }),
        });
        const relative = path.relative(process.cwd(), projectDir);
        const engine = new AutomationEngine({ projectDir: relative, openStack: async () => stack });
        await engine.preview(FIXTURE_STACK);
        const up = await engine.up(FIXTURE_STACK);
        assert.deepStrictEqual(up.outputs, { tenants: { contoso: { cluster: "shared-1" } } });
        for (const { options } of calls) {
            assert.ok(options.signal instanceof AbortSignal && !options.signal.aborted, "every run can be interrupted");
            assert.deepStrictEqual(options.policyPacks, [path.resolve(relative, "policy")]);
            assert.ok(path.isAbsolute(options.policyPacks![0]));
            assert.strictEqual(options.color, "never");
        }
        assert.deepStrictEqual(
            calls.map(c => [c.method, (c.options as PreviewOptions).diff]),
            [
                ["preview", true],
                ["up", undefined],
            ],
        );
    });

    it("gives the pack the stack's own dedicated threshold and DNS zone as policy config, in a file removed after the run", async () => {
        const stackFile = path.join(projectDir, `Pulumi.${FIXTURE_STACK}.yaml`);
        fs.writeFileSync(
            stackFile,
            stackText(projectDir).replace("iot-fleet:dedicatedDeviceThreshold: 50000", "iot-fleet:dedicatedDeviceThreshold: 80000"),
        );
        const seen: { file: string; config: unknown }[] = [];
        const { stack } = fakeStack({
            preview: async options => {
                const file = options.policyPackConfigs![0];
                seen.push({ file, config: JSON.parse(fs.readFileSync(file, "utf8")) });
            },
        });
        try {
            await engineWith(stack).preview(FIXTURE_STACK);
        } finally {
            fs.writeFileSync(
                stackFile,
                stackText(projectDir).replace("iot-fleet:dedicatedDeviceThreshold: 80000", "iot-fleet:dedicatedDeviceThreshold: 50000"),
            );
        }
        assert.deepStrictEqual(
            seen.map(s => s.config),
            [{ "dedicated-threshold": { dedicatedDeviceThreshold: 80000 }, "tenant-hostnames": { zoneName: "weu.iot.example.com" } }],
        );
        assert.ok(path.isAbsolute(seen[0].file) && !fs.existsSync(seen[0].file), "the config file is absolute and removed after the run");
    });

    it("opens each stack once, and one at a time per project directory (pulumi/pulumi #8186)", async () => {
        let open = 0;
        let most = 0;
        const opened: string[] = [];
        const threeStacks = makeProject(["a", "b", "c"]);
        const engine = new AutomationEngine({
            projectDir: threeStacks,
            openStack: async name => {
                most = Math.max(most, ++open);
                await new Promise(resolve => setTimeout(resolve, 20));
                open--;
                opened.push(name);
                return fakeStack().stack;
            },
        });
        try {
            await Promise.all(["a", "b", "a", "c", "b"].map(name => engine.preview(name)));
        } finally {
            removeProject(threeStacks);
        }
        assert.deepStrictEqual(opened, ["a", "b", "c"]);
        assert.strictEqual(most, 1);
    });

    it("tries to open a stack again after a failed attempt, and rethrows errors that are not the CLI's", async () => {
        let attempts = 0;
        const engine = new AutomationEngine({
            projectDir,
            openStack: async () => {
                if (++attempts === 1) {
                    throw new Error("spawn pulumi ENOENT");
                }
                return fakeStack().stack;
            },
        });
        await assert.rejects(engine.preview(FIXTURE_STACK), /spawn pulumi ENOENT/);
        assert.strictEqual((await engine.preview(FIXTURE_STACK)).ok, true);
    });

    it("fails a whole batch with the engine's 409 and rolls the stack file back, without looking for a culprit", async () => {
        const dir = makeProject();
        try {
            const { stack, calls } = fakeStack({
                preview: async () => {
                    throw cliFailure("error: [409] Conflict: Another update is currently in progress.");
                },
            });
            const { provisioner } = offlineProvisioner(dir, {
                engine: new AutomationEngine({ projectDir: dir, openStack: async () => stack }),
            });
            const before = stackText(dir);
            const operation = await provisioner.whenFinished(
                accepted(await provisioner.onboard(FIXTURE_STACK, { name: "tailspin", deviceQuota: 1 })).id,
            );
            assert.strictEqual(operation.status, "failed");
            assert.strictEqual(operation.error?.status, 409);
            assert.strictEqual(stackText(dir), before);
            assert.strictEqual(calls.length, 1);
        } finally {
            removeProject(dir);
        }
    });

    it("rolls the stack file back when up finds the lock held (nothing ran), and marks nothing", async () => {
        const dir = makeProject();
        try {
            const { stack } = fakeStack({
                up: async () => {
                    throw cliFailure("error: [409] Conflict: Another update is currently in progress.");
                },
            });
            const { provisioner } = offlineProvisioner(dir, {
                engine: new AutomationEngine({ projectDir: dir, openStack: async () => stack }),
            });
            const before = projectSnapshot(dir);
            const operation = await provisioner.whenFinished(
                accepted(await provisioner.onboard(FIXTURE_STACK, { name: "tailspin", deviceQuota: 1 })).id,
            );
            assert.strictEqual(operation.error?.status, 409);
            assert.deepStrictEqual(
                projectSnapshot(dir),
                before,
                "the file is rolled back and the stack is not marked as needing attention",
            );
        } finally {
            removeProject(dir);
        }
    });

    it("is chosen whenever an executable pulumi is on the PATH", () => {
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "provisioner-path-"));
        try {
            fs.writeFileSync(path.join(bin, "pulumi"), "#!/bin/sh\n", { mode: 0o644 });
            assert.strictEqual(pulumiOnPath(`/nonexistent${path.delimiter}${bin}`), false, "not executable");
            fs.chmodSync(path.join(bin, "pulumi"), 0o755);
            assert.strictEqual(pulumiOnPath(`/nonexistent${path.delimiter}${bin}`), true);
            assert.deepStrictEqual(
                [chooseEngine("auto", true), chooseEngine("auto", false), chooseEngine("offline", true), chooseEngine("automation", false)],
                ["automation", "offline", "offline", "automation"],
            );
        } finally {
            fs.rmSync(bin, { recursive: true, force: true });
        }
    });
});

/**
 * The Automation API engine for real: the CLI runs a tiny program (the project's would need Azure
 * credentials to preview) with a one-policy pack, against a local file backend.
 */
describe("provisioner: the Automation API engine through the pulumi CLI", function () {
    let dir: string;
    let envVars: Record<string, string>;
    before(async function () {
        if (!pulumiOnPath()) {
            console.log("      skipped: the pulumi CLI is not on PATH");
            this.skip();
        }
        dir = makeProject();
        const nodeModules = path.join(__dirname, "..", "node_modules");
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: iot-fleet\nruntime:\n  name: nodejs\nmain: program.js\n");
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "cli-test", version: "0.0.0", main: "program.js" }));
        fs.symlinkSync(nodeModules, path.join(dir, "node_modules"));
        fs.writeFileSync(path.join(dir, "program.js"), CLI_TEST_PROGRAM);
        fs.mkdirSync(path.join(dir, "policy"));
        fs.writeFileSync(path.join(dir, "policy", "PulumiPolicy.yaml"), "runtime: nodejs\n");
        fs.writeFileSync(
            path.join(dir, "policy", "package.json"),
            JSON.stringify({ name: "cli-test-policies", version: "0.0.1", main: "index.js" }),
        );
        fs.symlinkSync(nodeModules, path.join(dir, "policy", "node_modules"));
        fs.writeFileSync(path.join(dir, "policy", "index.js"), CLI_TEST_POLICY_PACK);
        envVars = fileBackendEnv(dir);
        // The engine only selects stacks (a stack the backend does not know is a 404): the backend must know this one first.
        await LocalWorkspace.createStack({ stackName: FIXTURE_STACK, workDir: dir }, { envVars });
    });
    after(() => dir && removeProject(dir));

    const cliEngine = () => new AutomationEngine({ projectDir: dir, envVars });

    it("onboards a tenant through preview and up, and reports its outputs", async () => {
        const { provisioner } = offlineProvisioner(dir, { engine: cliEngine() });
        const operation = await provisioner.whenFinished(
            accepted(await provisioner.onboard(FIXTURE_STACK, { name: "tailspin", deviceQuota: 4200 })).id,
        );
        assert.strictEqual(operation.status, "succeeded", JSON.stringify(operation.error) + "\n" + linesOf(operation).join("\n"));
        assert.deepStrictEqual(operation.outputs, { cluster: "shared-1", deviceQuota: 4200 });
        assert.ok(
            operation.runs[0].events.some(e => e.summaryEvent !== undefined),
            "the CLI's engine events are kept",
        );
    });

    it("refuses a change the policy pack violates, and rolls the stack file back", async () => {
        const { provisioner } = offlineProvisioner(dir, { engine: cliEngine() });
        const before = tenantsInFile(dir);
        const operation = await provisioner.whenFinished(
            accepted(await provisioner.onboard(FIXTURE_STACK, { name: "refused-cli", deviceQuota: 1 })).id,
        );
        assert.strictEqual(operation.status, "failed", linesOf(operation).join("\n"));
        assert.strictEqual(operation.error?.status, 422, JSON.stringify(operation.error) + "\n" + linesOf(operation).join("\n"));
        assert.deepStrictEqual(
            operation.error?.policyViolations?.map(v => v.policyName),
            ["test-refused-tenants"],
            JSON.stringify(operation.error),
        );
        assert.deepStrictEqual(tenantsInFile(dir), before);
    });
});

const CLI_TEST_PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const tenants = new pulumi.Config("iot-fleet").requireObject("tenants");
const outputs = {};
for (const tenant of tenants) {
    new pulumi.ComponentResource("iot-fleet:test:Tenant", tenant.name, {}, {}).registerOutputs({});
    outputs[tenant.name] = { cluster: tenant.cluster, deviceQuota: tenant.deviceQuota };
}
exports.tenants = outputs;
`;

const CLI_TEST_POLICY_PACK = `
const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("cli-test", {
    policies: [{
        name: "test-refused-tenants",
        description: "Test only: refuses tenants named refused-*.",
        enforcementLevel: "mandatory",
        validateStack: (args, reportViolation) => {
            for (const r of args.resources.filter(r => r.type === "iot-fleet:test:Tenant" && r.name.startsWith("refused-"))) {
                reportViolation("tenant " + r.name + " is refused by the test policy", r.urn);
            }
        },
    }],
});
`;
