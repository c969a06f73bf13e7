import * as path from "path";
import { PROJECT_DIR } from "../lib/stackFile";
import { evaluatePolicies } from "../offline/policies";
import { buildServer } from "./app";
import { loadToken, TokenConfigError } from "./auth";
import { AutomationEngine } from "./automationEngine";
import { chooseEngine, Engine, EngineChoice } from "./engine";
import { OfflineEngine } from "./offlineEngine";
import { Provisioner } from "./provisioner";

/**
 * `npm run provisioner`: the provisioning service over this project's stacks. Configured by the
 * environment: PROVISIONER_TOKEN or PROVISIONER_TOKEN_FILE (required), HOST (127.0.0.1), PORT (8080),
 * PROVISIONER_ENGINE (auto: the Automation API when `pulumi` is on the PATH, else offline).
 * A configuration mistake exits with code 2 before anything listens.
 */

const ENGINE_CHOICES: readonly EngineChoice[] = ["auto", "automation", "offline"];

function refuseToStart(message: string): never {
    console.error(`provisioner: ${message}`);
    process.exit(2);
}

function settings(env: NodeJS.ProcessEnv) {
    let token: string;
    try {
        token = loadToken(env);
    } catch (err) {
        refuseToStart(err instanceof TokenConfigError ? err.message : String(err));
    }
    const port = Number(env.PORT ?? 8080);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
        refuseToStart(`PORT must be a port number, got ${JSON.stringify(env.PORT)}`);
    }
    const engine = (env.PROVISIONER_ENGINE ?? "auto") as EngineChoice;
    if (!ENGINE_CHOICES.includes(engine)) {
        refuseToStart(`PROVISIONER_ENGINE must be one of ${ENGINE_CHOICES.join(", ")}, got ${JSON.stringify(engine)}`);
    }
    return { token, port, engine, host: env.HOST ?? "127.0.0.1", projectDir: path.resolve(env.PROVISIONER_PROJECT_DIR ?? PROJECT_DIR) };
}

async function main(): Promise<void> {
    const { token, port, host, engine: choice, projectDir } = settings(process.env);
    const dryRunEngine = new OfflineEngine({ projectDir, policies: evaluatePolicies });
    const engine: Engine = chooseEngine(choice) === "automation" ? new AutomationEngine({ projectDir }) : dryRunEngine;
    const provisioner = new Provisioner({ projectDir, engine, dryRunEngine });
    const app = buildServer({ provisioner, token, logger: true });

    // Stop taking requests, then let queued runs finish: killing a CLI mid-update leaves the stack locked.
    const shutdown = async () => {
        await app.close();
        await provisioner.drained();
        process.exit(0);
    };
    process.once("SIGTERM", shutdown);
    process.once("SIGINT", shutdown);

    await app.listen({ host, port });
    app.log.info(`engine: ${engine.name}; project: ${projectDir}; stacks: ${provisioner.stacks().join(", ")}`);
}

main().catch(err => {
    console.error(err);
    process.exit(1);
});
