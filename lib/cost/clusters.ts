import { FleetConfig, quantityValue, TenantSpec } from "../config";
import { NodePoolSpec, systemPoolSpec, workloadPoolSpecs, Workload } from "../nodePools";
import { ClusterKind } from "../placement";
import { RegionPrices, VmPrice } from "../prices";
import { ceilOf, SECONDS_PER_DAY, sum } from "./arithmetic";
import { CostAssumptions } from "./assumptions";
import { EdgeCost, edgeCost } from "./edge";

/**
 * What one cluster costs a month, pool by pool:
 * - system pool: its fixed count, at the 1-year reserved price;
 * - ingest, processing and api pools: an expected steady-state node count between the pool's min and
 *   max: the CPU the tenants need (their telemetry rate over the per-vCPU throughput at the target
 *   utilisation, but never less than their minimum replicas × the per-replica CPU request of their
 *   LimitRange), or the pods they need (minimum replicas over the pods a node takes), whichever is more;
 *   clamped to [min, max] and flagged `saturated` when the demand is above max;
 * - processing: the on-demand baseline keeps its `baselineCount` nodes (1-year reserved price) and takes
 *   load first; only the rest lands on Spot nodes;
 * - plus the AKS tier and the cluster's edge (`edge.ts`).
 * Workloads are assumed to request the CPU they use at the target utilisation; the tenant LimitRange's default
 * request only sets the floor per minimum replica.
 */

/** How a pool's nodes are bought. */
export type Pricing = "on-demand" | "spot" | "reserved-1y";

export interface PoolCost {
    readonly pool: string;
    readonly workload: Workload;
    readonly vmSize: string;
    readonly pricing: Pricing;
    readonly minCount: number;
    readonly maxCount: number;
    readonly expectedNodes: number;
    /** The tenants need more than maxCount nodes: the pool runs at max and lags its load. */
    readonly saturated: boolean;
    readonly pricePerNode: number;
    readonly monthly: number;
}

export interface ClusterCost {
    readonly cluster: string;
    readonly kind: ClusterKind;
    readonly tenants: readonly string[];
    readonly devices: number;
    readonly pools: readonly PoolCost[];
    readonly aksTier: number;
    readonly edge: EdgeCost;
    readonly monthly: number;
}

/** What the cluster's tenants ask of one tier: vCPU (load or replica floor, whichever is more) and minimum pods. */
interface TierDemand {
    readonly vcpus: number;
    readonly pods: number;
}

/** One placed cluster's monthly cost: each pool at the nodes its tenants' load needs (see above), plus the AKS tier and the edge. */
export function clusterCost(
    cluster: string,
    kind: ClusterKind,
    tenants: readonly TenantSpec[],
    config: FleetConfig,
    region: RegionPrices,
    a: CostAssumptions,
): ClusterCost {
    const sizing = config.clusterDefaults;
    const messagesPerSecond = (t: TenantSpec) => (t.deviceQuota * a.messagesPerDevicePerDay) / SECONDS_PER_DAY;
    const demand = (tier: "ingest" | "processing", perVcpuSecond: number): TierDemand => {
        const perTenant = tenants.map(t => {
            const settings = t.settings;
            const floor = settings[tier].minReplicas * quantityValue(settings.limits.defaultRequestCpu);
            return {
                vcpus: Math.max(floor, messagesPerSecond(t) / (perVcpuSecond * a.targetCpuUtilisation)),
                pods: settings[tier].minReplicas,
            };
        });
        return { vcpus: sum(perTenant.map(d => d.vcpus)), pods: sum(perTenant.map(d => d.pods)) };
    };
    const devices = sum(tenants.map(t => t.deviceQuota));
    const apiVcpus = (devices * a.apiRequestsPerDevicePerDay) / SECONDS_PER_DAY / (a.apiRequestsPerVcpuSecond * a.targetCpuUtilisation);
    const tierDemand: Record<Exclude<Workload, "system">, TierDemand> = {
        ingest: demand("ingest", a.ingestMessagesPerVcpuSecond),
        processing: demand("processing", a.processingMessagesPerVcpuSecond),
        api: { vcpus: apiVcpus, pods: 0 },
    };

    const system = systemPoolSpec(sizing);
    const pools: PoolCost[] = [poolCost(system, system.minCount, false, "reserved-1y", region)];
    const workloadPools = workloadPoolSpecs(sizing);
    // With Spot on, the on-demand baseline (procbase) takes processing load first and Spot (procspot) the rest.
    const baseline = workloadPools.some(p => p.spot) ? workloadPools.find(p => p.workload === "processing" && !p.spot) : undefined;
    for (const pool of workloadPools) {
        if (pool === baseline) {
            pools.push(poolCost(pool, pool.minCount, false, "reserved-1y", region));
            continue;
        }
        let wanted = tierDemand[pool.workload as Exclude<Workload, "system">];
        if (pool.spot && baseline) {
            const baselineVm = region.vm[baseline.vmSize];
            wanted = {
                vcpus: Math.max(0, wanted.vcpus - baseline.minCount * baselineVm.vcpus * a.nodeCpuForWorkloads),
                pods: Math.max(0, wanted.pods - baseline.minCount * a.workloadPodsPerNode),
            };
        }
        const vm = region.vm[pool.vmSize];
        const needed = Math.max(ceilOf(wanted.vcpus / (vm.vcpus * a.nodeCpuForWorkloads)), ceilOf(wanted.pods / a.workloadPodsPerNode));
        const nodes = Math.min(Math.max(needed, pool.minCount), pool.maxCount);
        pools.push(poolCost(pool, nodes, needed > pool.maxCount, pool.spot ? "spot" : "on-demand", region));
    }
    const aksTier = { Free: 0, Standard: region.aksStandardTier, Premium: region.aksPremiumTier }[sizing.tier];
    const edge = edgeCost(devices, region, a);
    const monthly = aksTier + edge.monthly + sum(pools.map(p => p.monthly));
    return { cluster, kind, tenants: tenants.map(t => t.name), devices, pools, aksTier, edge, monthly };
}

function poolCost(pool: NodePoolSpec, nodes: number, saturated: boolean, pricing: Pricing, region: RegionPrices): PoolCost {
    const pricePerNode = priceOf(region.vm[pool.vmSize], pricing);
    return {
        pool: pool.poolName,
        workload: pool.workload,
        vmSize: pool.vmSize,
        pricing,
        minCount: pool.minCount,
        maxCount: pool.maxCount,
        expectedNodes: nodes,
        saturated,
        pricePerNode,
        monthly: nodes * pricePerNode,
    };
}

const priceOf = (vm: VmPrice, pricing: Pricing): number =>
    pricing === "spot" ? vm.spot : pricing === "reserved-1y" ? vm.reserved1y : vm.onDemand;
