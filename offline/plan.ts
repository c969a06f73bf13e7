import { PolicyPackConfig } from "@pulumi/policy";
import { capacityReport } from "../lib/capacity";
import { FleetConfig, parseFleetConfig } from "../lib/config";
import { estimateCost } from "../lib/cost";
import { placeTenants, placementSettings } from "../lib/placement";
import { projectKeys } from "../lib/stackFile";
import { buildPlanReport, PlanReport } from "../cli/report";
import { evaluateStack } from "./evaluate";
import { evaluatePolicies } from "./policies";

export interface PlanOptions {
    readonly stack: string;
    /** The full `config:` map of the stack file. */
    readonly stackConfig: Record<string, unknown>;
    /** Default: the fleet program. */
    readonly program?: (config: FleetConfig) => unknown;
    readonly policyConfig?: PolicyPackConfig;
    readonly onResource?: (count: number) => void;
}

/**
 * What a stack would build, whether it passes policy, how full it is and what it costs, with no cloud and
 * no CLI. Throws a ConfigError listing every problem of a bad stack file before anything registers.
 */
export async function planStack(options: PlanOptions): Promise<PlanReport> {
    const config = parseFleetConfig(projectKeys(options.stackConfig), `stack ${options.stack}`);
    const placement = placeTenants(config.tenants, placementSettings(config));
    const cost = estimateCost(config, placement);
    const evaluation = await evaluateStack(options);
    const policies = await evaluatePolicies(evaluation, { config: options.policyConfig });
    return buildPlanReport(config, placement, evaluation, policies, capacityReport(config, placement), cost);
}
