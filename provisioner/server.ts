import * as path from "path";
import { PROJECT_DIR } from "../lib/stackFile";
import { evaluatePolicies } from "../offline/policies";
import { buildServer } from "./app";
import { loadToken, TokenConfigError } from "./auth";
import { AutomationEngine, DEFAULT_RUN_TIMEOUT_MS, policyPackProblem } from "./automationEngine";
import { chooseEngine, Engine, EngineChoice } from "./engine";
import { OfflineEngine } from "./offlineEngine";
import { Provisioner } from "./provisioner";

/**
 * `npm run provisioner`: the provisioning service over this project's stacks. Configured by the
 * environment: PROVISIONER_TOKEN or PROVISIONER_TOKEN_FILE (required), HOST (127.0.0.1), PORT (8080),
 * PROVISIONER_ENGINE (auto: the Automation API when `pulumi` is on the PATH, else offline),
 * PROVISIONER_RUN_TIMEOUT_MINUTES (60: how long one preview or up may run).
 * A configuration mistake, or a policy pack the Automation API engine cannot run, exits with code 2 before anything listens.
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
    const runTimeoutMinutes = Number(env.PROVISIONER_RUN_TIMEOUT_MINUTES ?? DEFAULT_RUN_TIMEOUT_MS / 60_000);
    if (!Number.isFinite(runTimeoutMinutes) || runTimeoutMinutes <= 0) {
        refuseToStart(`PROVISIONER_RUN_TIMEOUT_MINUTES must be a positive number of minutes, got ${JSON.stringify(env.PROVISIONER_RUN_TIMEOUT_MINUTES)}`);
    }
    return {
        token, port, engine, host: env.HOST ?? "127.0.0.1", projectDir: path.resolve(env.PROVISIONER_PROJECT_DIR ?? PROJECT_DIR),
        runTimeoutMs: runTimeoutMinutes * 60_000,
    };
}

/** The Automation API engine, once its policy pack can run: a pack that cannot would fail every preview. */
function automationEngine(projectDir: string, runTimeoutMs: number): AutomationEngine {
    const engine = new AutomationEngine({ projectDir, runTimeoutMs });
    const problem = policyPackProblem(engine.policyPackDir);
    if (problem) {
        refuseToStart(problem);
    }
    return engine;
}

async function main(): Promise<void> {
    const { token, port, host, engine: choice, projectDir, runTimeoutMs } = settings(process.env);
    const dryRunEngine = new OfflineEngine({ projectDir, policies: evaluatePolicies });
    const engine: Engine = chooseEngine(choice) === "automation" ? automationEngine(projectDir, runTimeoutMs) : dryRunEngine;
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
