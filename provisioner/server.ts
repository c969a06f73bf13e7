import * as path from "path";
import { PROJECT_DIR } from "../lib/stackFile";
import { buildServer } from "./app";
import { AutomationEngine, policyPackProblem } from "./automationEngine";
import { chooseEngine, Engine } from "./engine";
import { EvaluationThreads } from "./evaluationThreads";
import { ExposureSettings, exposureSettings } from "./exposure";
import { OfflineEngine } from "./offlineEngine";
import { TargetedEngine } from "./targetedEngine";
import { Provisioner } from "./provisioner";
import { ServiceSettings, serviceSettings, SettingsError } from "./settings";

/**
 * `npm run provisioner`: the provisioning service over this project's stacks, configured by the
 * environment (settings.ts). A configuration mistake, or a policy pack the Automation API engine
 * cannot run, exits with code 2 before anything listens, naming every problem.
 */

function refuseToStart(problems: readonly string[]): never {
    console.error(problems.map(problem => `provisioner: ${problem}`).join("\n"));
    process.exit(2);
}

/** Both halves of the settings, every problem of either named at once. */
function settings(env: NodeJS.ProcessEnv): ServiceSettings & ExposureSettings {
    const exposure = exposureSettings(env, path.resolve(env.PROVISIONER_PROJECT_DIR ?? PROJECT_DIR), env.HOST ?? "127.0.0.1");
    try {
        const service = serviceSettings(env);
        if (exposure.problems.length > 0) {
            refuseToStart(exposure.problems);
        }
        return { ...service, ...exposure.settings };
    } catch (err) {
        if (err instanceof SettingsError) {
            refuseToStart([...err.problems, ...exposure.problems]);
        }
        throw err;
    }
}

/** The Automation API engine, once its policy pack can run: a pack that cannot would fail every preview. */
function automationEngine(projectDir: string, runTimeoutMs: number): AutomationEngine {
    const engine = new AutomationEngine({ projectDir, runTimeoutMs });
    const problem = policyPackProblem(engine.policyPackDir);
    if (problem) {
        refuseToStart([problem]);
    }
    return engine;
}

const onThreadsOnly = async (): Promise<never> => {
    throw new Error("offline evaluations run on the evaluation threads");
};

async function main(): Promise<void> {
    const config = settings(process.env);
    const { token, port, host, engine: choice, projectDir, runTimeoutMs } = config;
    if (config.plaintextWarning) {
        console.error(`provisioner: ${config.plaintextWarning}`);
    }
    const threads = new EvaluationThreads(config.evaluationThreads);
    // The threads run the pack's policies themselves: the program and the pack are never loaded on the service's thread.
    const dryRunEngine = new OfflineEngine({ projectDir, policies: onThreadsOnly, threads });
    // With the CLI, each change is planned offline (policy gate on the whole region, the URNs it touches) and deployed targeted.
    const engine: Engine =
        chooseEngine(choice) === "automation"
            ? new TargetedEngine({ projectDir, deployer: automationEngine(projectDir, runTimeoutMs), planner: dryRunEngine })
            : dryRunEngine;
    const provisioner = new Provisioner({ projectDir, engine, dryRunEngine, stateDir: config.stateDir });
    // Before listening: what a crash left is settled before anyone can ask about it.
    const recovered = await provisioner.recover();
    const app = buildServer({ provisioner, token, logger: true, limits: config.limits, tls: config.tls });
    app.log.info({ recovered }, "recovered the operations of the previous run");

    // Stop taking requests, then let queued runs finish: killing a CLI mid-update leaves the stack locked.
    const shutdown = async () => {
        await app.close();
        await provisioner.drained();
        await threads.close();
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
