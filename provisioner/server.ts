import { evaluatePolicies } from "../offline/policies";
import { buildServer } from "./app";
import { AutomationEngine, policyPackProblem } from "./automationEngine";
import { chooseEngine, Engine } from "./engine";
import { OfflineEngine } from "./offlineEngine";
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

function settings(env: NodeJS.ProcessEnv): ServiceSettings {
    try {
        return serviceSettings(env);
    } catch (err) {
        if (err instanceof SettingsError) {
            refuseToStart(err.problems);
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
