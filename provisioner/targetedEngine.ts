import { readStackConfig, stackFilePath } from "../lib/stackFile";
import { Engine, RunOptions, RunResult } from "./engine";
import type { OfflineEngine } from "./offlineEngine";
import { StackDocument, stackFileName } from "./stackDocument";

export interface TargetedEngineOptions {
    /** The Pulumi project directory: where the stack files are. Required. */
    readonly projectDir: string;
    /** The engine that deploys (the Automation API engine); it receives the plan's URNs as `targets`. Required. */
    readonly deployer: Engine;
    /** Plans each change offline: the policy gate on the whole region and the URNs it changes. Required. */
    readonly planner: Pick<OfflineEngine, "planTargets">;
}

/**
 * Deploys a change to one tenant without a whole-region update. Before the deploying engine previews a candidate
 * stack file, the offline engine evaluates the region as the stack file is and as the candidate makes it, runs the
 * policy pack on the whole region after (a mandatory violation refuses the change there, as a preview would), and
 * diffs the two registered graphs (offline/registrationDiff.ts). The deploying engine's preview and `up` are then
 * limited to the URNs the change creates, updates or deletes: onboarding one tenant into a 1,000-tenant region
 * previews and deploys its landing zone and the region resources that list it, not 37,000 resources.
 *
 * An `up` whose stack file is not the one planned last (no plan: a restart between preview and up) is a whole-stack update.
 */
export class TargetedEngine implements Engine {
    readonly name: Engine["name"];
    /** The last plan per stack, keyed by the candidate's config, for the `up` that follows its preview. */
    private readonly plans = new Map<string, { readonly key: string; readonly targets: readonly string[] }>();

    constructor(private readonly options: TargetedEngineOptions) {
        this.name = options.deployer.name;
    }

    async preview(stack: string, options: RunOptions = {}): Promise<RunResult> {
        const before = this.readConfig(stack);
        const after =
            options.stackFileText === undefined ? before : StackDocument.parse(options.stackFileText, stackFileName(stack)).config();
        // Planned on the placement the update will make: the program keeps tenants where the last update put them.
        const previousOutputs = await this.options.deployer.deployedOutputs?.(stack);
        const plan = await this.options.planner.planTargets(stack, before, after, { ...options, previousOutputs });
        if (!plan.ok || plan.targets === undefined) {
            return plan;
        }
        this.plans.set(stack, { key: JSON.stringify(after), targets: plan.targets });
        options.onOutput?.(`the preview and the update are limited to the ${plan.targets.length} URNs the change touches`);
        return this.options.deployer.preview(stack, { ...options, targets: plan.targets });
    }

    up(stack: string, options: RunOptions = {}): Promise<RunResult> {
        const plan = this.plans.get(stack);
        this.plans.delete(stack);
        if (plan?.key !== JSON.stringify(this.readConfig(stack))) {
            options.onOutput?.(`no offline plan for ${stack} as its stack file is: updating the whole stack`);
            return this.options.deployer.up(stack, options);
        }
        return this.options.deployer.up(stack, { ...options, targets: plan.targets });
    }

    private readConfig(stack: string): Record<string, unknown> {
        return readStackConfig(stackFilePath(stack, this.options.projectDir));
    }
}
