import { ClusterDefaults } from "./config";
import { POOL_LABEL, SPOT_TAINT, SYSTEM_POOL_TAINT, WORKLOAD_LABEL } from "./labels";

/**
 * The node pools of every cluster, as data. The system pool keeps system pods apart from tenants;
 * ingest, processing and API each get their own pool so one tier cannot starve another; processing
 * runs on Spot with an on-demand baseline that survives an eviction wave.
 */

export type Workload = "system" | "ingest" | "processing" | "api";

/** The baseline may grow to this share of the Spot pool's peak while Spot capacity is gone. */
const BASELINE_SHARE_OF_PEAK = 0.25;

export interface NodePoolSpec {
    /** The AKS agent pool name: lowercase, at most 12 characters. */
    readonly poolName: string;
    readonly workload: Workload;
    readonly mode: "System" | "User";
    readonly vmSize: string;
    readonly minCount: number;
    readonly maxCount: number;
    readonly spot: boolean;
    readonly spotMaxPrice?: number;
    readonly taints: readonly string[];
    readonly labels: Readonly<Record<string, string>>;
}

const labelsFor = (poolName: string, workload: Workload) => ({ [POOL_LABEL]: poolName, [WORKLOAD_LABEL]: workload });

/** The system pool, declared inline on the cluster (AKS needs one at creation). */
export function systemPoolSpec(sizing: ClusterDefaults): NodePoolSpec {
    return {
        poolName: "system",
        workload: "system",
        mode: "System",
        vmSize: sizing.systemPool.vmSize,
        minCount: sizing.systemPool.count,
        maxCount: sizing.systemPool.count,
        spot: false,
        taints: [SYSTEM_POOL_TAINT],
        labels: labelsFor("system", "system"),
    };
}

/** The workload pools, each a separate AgentPool resource. */
export function workloadPoolSpecs(sizing: ClusterDefaults): NodePoolSpec[] {
    const user = (poolName: string, workload: Workload, vmSize: string, minCount: number, maxCount: number): NodePoolSpec => ({
        poolName,
        workload,
        mode: "User",
        vmSize,
        minCount,
        maxCount,
        spot: false,
        taints: [],
        labels: labelsFor(poolName, workload),
    });
    const processing = sizing.processingPool;
    const pools = [user("ingest", "ingest", sizing.ingestPool.vmSize, sizing.ingestPool.minCount, sizing.ingestPool.maxCount)];
    if (processing.spot) {
        pools.push({
            ...user("procspot", "processing", processing.vmSize, processing.minCount, processing.maxCount),
            spot: true,
            spotMaxPrice: processing.spotMaxPrice,
            taints: [SPOT_TAINT],
        });
        const baselineMax = Math.max(processing.baselineCount, Math.ceil(processing.maxCount * BASELINE_SHARE_OF_PEAK));
        pools.push(user("procbase", "processing", processing.baselineVmSize ?? processing.vmSize, processing.baselineCount, baselineMax));
    } else {
        pools.push(user("proc", "processing", processing.vmSize, processing.minCount, processing.maxCount));
    }
    pools.push(user("api", "api", sizing.apiPool.vmSize, sizing.apiPool.minCount, sizing.apiPool.maxCount));
    return pools;
}
