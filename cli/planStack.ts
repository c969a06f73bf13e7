import { PolicyPackConfig } from "@pulumi/policy";
import { capacityReport } from "../lib/capacity";
import { FleetConfig, otherStacksUsage, parseFleetConfig } from "../lib/config";
import { estimateCost } from "../lib/cost/estimate";
import { placeTenants, placementSettings } from "../lib/placement";
import { otherStackConfigs, projectKeys } from "../lib/stackFile";
import { buildPlanReport, PlanReport } from "./report";
import { evaluateStack } from "../offline/evaluate";
import { runPolicies } from "../offline/policies";
import { configureStackPolicies } from "../offline/policyConfig";

export interface PlanOptions {
    /** The stack name (for URNs and `pulumi.getStack()`). Required. */
    readonly stack: string;
    /** The full `config:` map of the stack file. Required. */
    readonly stackConfig: Record<string, unknown>;
    /** The program to run. Default: the fleet program. */
    readonly program?: (config: FleetConfig) => unknown;
    /**
     * As `pulumi --policy-pack-config` takes it: levels and settings, over the stack's own settings (its
     * dedicated threshold). Default: none.
     */
    readonly policyConfig?: PolicyPackConfig;
    /** Called as resources register, with the count so far. Default: none. */
    readonly onResource?: (count: number) => void;
}

/**
 * What a stack would build, whether it passes policy, how full it is and what it costs, with no cloud and
 * no CLI. Throws a ConfigError listing every problem of a bad stack file or policy config before anything
 * registers: the evaluation takes seconds, minutes on a large stack, and its work would be thrown away.
 */
export async function planStack(options: PlanOptions): Promise<PlanReport> {
    const otherStacks = otherStackConfigs(options.stack);
    const config = parseFleetConfig(projectKeys(options.stackConfig), `stack ${options.stack}`, { otherStacks });
    const configuredPolicies = configureStackPolicies(config, { config: options.policyConfig });
    const placement = placeTenants(config.tenants, placementSettings(config));
    const cost = estimateCost(config, placement);
    const evaluation = await evaluateStack(options);
    const policies = await runPolicies(evaluation, configuredPolicies);
    return buildPlanReport(
        config,
        placement,
        evaluation,
        policies,
        capacityReport(config, placement, otherStacksUsage(config, otherStacks)),
        cost,
    );
}
