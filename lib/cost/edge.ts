import { DAYS_PER_MONTH, RegionPrices } from "../prices";
import { ceilOf, SECONDS_PER_DAY } from "./arithmetic";
import { CostAssumptions } from "./assumptions";

/**
 * What one cluster's public edge costs a month: its Application Gateway for Containers (the gateway, one frontend,
 * one association), the capacity units its API traffic takes (2.22 Mbps each; never fewer than 1), the WAF's
 * enablement and the requests it inspects with one managed rule set (Default Rule Set 2.1). Devices talk to IoT Hub,
 * not to the edge: the edge carries the API requests dashboards and apps make about them.
 */

export interface EdgeCost {
    /** Gateway, frontend and association. */
    readonly gateway: number;
    readonly capacityUnits: number;
    readonly capacityUnitCost: number;
    /** WAF enablement and inspected requests. */
    readonly waf: number;
    readonly monthly: number;
}

/** The managed rule sets the edge's WAF policy runs (components/platform/edge.ts: Default Rule Set 2.1 only). */
const WAF_RULE_SETS = 1;
/** Megabits per second one capacity unit carries. */
const CAPACITY_UNIT_MBPS = 2.22;

export function edgeCost(devices: number, region: RegionPrices, a: CostAssumptions): EdgeCost {
    const p = region.applicationGatewayForContainers;
    const requestsPerDay = devices * a.apiRequestsPerDevicePerDay;
    const megabitsPerSecond = (requestsPerDay * a.apiBytesPerRequest * 8) / SECONDS_PER_DAY / 1e6;
    const capacityUnits = Math.max(1, ceilOf(megabitsPerSecond / CAPACITY_UNIT_MBPS));
    const gateway = p.gateway + p.frontend + p.association;
    const capacityUnitCost = capacityUnits * p.capacityUnit;
    const waf = p.waf + ((requestsPerDay * DAYS_PER_MONTH) / 1e6) * WAF_RULE_SETS * p.wafPerMillionRequestsPerRuleSet;
    return { gateway, capacityUnits, capacityUnitCost, waf, monthly: gateway + capacityUnitCost + waf };
}
