import { FleetConfig } from "../config";
import { shardTenants } from "../tenantShards";
import { DataPlaneSizing, dataPlaneSizing } from "../dataPlane";
import { ConfigProblem } from "../errors";
import { systemPoolSpec, workloadPoolSpecs } from "../nodePools";
import { Placement } from "../placement";
import { stampHubsOf, stampPlanOf } from "../stampPlan";
import { dataPath, namespaceEventHubs } from "../dataPath";
import { PRICED_REGIONS, PricedRegion, PriceTable, PRICES, RegionPrices } from "../prices";
import { sum } from "./arithmetic";
import { COST_ASSUMPTIONS, CostAssumptions } from "./assumptions";
import { ClusterCost, clusterCost, PoolCost } from "./clusters";
import { networkCost, NetworkCost } from "./network";
import { regionServicesCost, RegionServicesCost } from "./regionServices";

/**
 * # Cost model
 *
 * The steady-state monthly run-rate (EUR, list prices, 730-hour month) of one region stack, from its
 * config and placement alone: no cloud, no Pulumi. Everything is driven by devices (tenants'
 * `deviceQuota`, assumed fully used) times a per-device traffic profile (`assumptions.ts`). Each cluster is
 * priced in `clusters.ts`, the region's services in `regionServices.ts`, and the data plane is checked against
 * the load in `shortfalls.ts`.
 *
 * Per tenant: a shared cluster's cost is split by device share on that cluster, a dedicated cluster's
 * cost goes to its tenant, regional services and the egress controls (`network.ts`) by device share of the region.
 *
 * Savings: Spot processing nodes against the same nodes on demand; the system pools and processing baselines
 * on 1-year reservations against the same nodes on demand.
 *
 * A region, VM size or ADX SKU the price table lacks leaves the stack unpriced (`UnpricedCost`), not invalid.
 *
 * ## Limits
 * - List prices only (`lib/prices.ts`, not fetched live): no EA/MCA discount, savings plan, Azure Hybrid Benefit
 *   or free grants other than the first 100 GB of egress.
 * - Averages, not a simulation: no diurnal curve beyond a peak-to-average factor for fixed-capacity
 *   services, no Spot eviction (the baseline growing while Spot is gone), no autoscaler lag.
 * - Quotas are taken as active devices; a fleet that uses 60 % of its quotas costs less.
 * - Not priced: disks (OS disks of ephemeral nodes are free), load balancers and public IPs, Key Vault
 *   operations, DNS queries, Application Insights beyond Log Analytics ingestion, Defender,
 *   Fleet Manager, backup, support plans, Cosmos DB or ADX queries beyond the assumed reads.
 * - The single full-stream ingest reader is the reference architecture's design; the stack today gives every
 *   tenant its own Event Hubs consumer group, each of which reads the whole hub (see `eventHubFullStreamReaders`).
 *
 * Its figures (per cluster, and for regions of 1 to 2 million devices) are quoted in the README's "Cost model" and
 * held there by test/cost.test.ts; they are not repeated here.
 */

/** One tenant's share of the bill: of its cluster by device share (all of a dedicated one), and of the region's services by device share. */
export interface TenantCost {
    readonly tenant: string;
    readonly cluster: string;
    readonly devices: number;
    /** The tenant's share of its cluster. */
    readonly clusterShare: number;
    /** The tenant's share of the region's services and network (egress controls). */
    readonly regionShare: number;
    readonly monthly: number;
    readonly perDevice: number;
}

/** What a set of nodes saves against the same nodes on demand. */
export interface Saving {
    /** What the same nodes would cost on demand. */
    readonly onDemand: number;
    readonly actual: number;
    readonly saved: number;
    /** saved / onDemand, 0 when there is nothing to compare. */
    readonly share: number;
}

/** The priced estimate of one region stack. */
export interface CostEstimate {
    readonly priced: true;
    readonly region: PricedRegion;
    readonly pricesAsOf: string;
    readonly devices: number;
    readonly messagesPerDay: number;
    readonly clusters: readonly ClusterCost[];
    readonly regionServices: RegionServicesCost;
    /** Egress controls: ACNS on every node, private endpoints and their traffic, private DNS zones (`network.ts`). */
    readonly network: NetworkCost;
    readonly totals: {
        /** Every cluster: nodes, AKS tier and edge. */
        readonly compute: number;
        /** The clusters' edges (Application Gateway for Containers and its WAF), part of `compute`. */
        readonly edge: number;
        readonly adx: number;
        readonly egress: number;
        readonly regionServices: number;
        readonly network: number;
        readonly monthly: number;
        readonly perDevice: number;
    };
    readonly tenants: readonly TenantCost[];
    readonly savings: {
        readonly spotProcessing: Saving;
        /** The system pools and processing baselines on 1-year reservations. */
        readonly reservedNodes: Saving;
        readonly total: number;
    };
}

/** A valid stack the price table cannot price: its region, or a VM size or ADX SKU it uses, has no price. */
export interface UnpricedCost {
    readonly priced: false;
    readonly region: string;
    readonly pricesAsOf: string;
    /** Each missing price, at the key that asks for it. */
    readonly missing: readonly ConfigProblem[];
}

/** The estimate, or what the price table lacks to make it. */
export type CostResult = CostEstimate | UnpricedCost;

/**
 * The monthly cost of one region stack, or what the price table lacks to price it (a region, VM size or ADX
 * SKU): the stack is valid either way, and its plan does not depend on the price table.
 */
export function estimateCost(
    config: FleetConfig,
    placement: Placement,
    prices: PriceTable = PRICES,
    assumptions: CostAssumptions = COST_ASSUMPTIONS,
): CostResult {
    const sizing = dataPlaneSizing(config);
    const missing = missingPrices(config, sizing, prices);
    if (missing.length > 0) {
        return { priced: false, region: config.region.location, pricesAsOf: prices.asOf, missing };
    }
    const region = prices.regions[config.region.location as PricedRegion];
    const tenantsByName = new Map(config.tenants.map(t => [t.name, t]));
    const clusters = placement.clusters.map(placed =>
        clusterCost(
            placed.name,
            placed.kind,
            placed.tenants.map(name => tenantsByName.get(name)!),
            config,
            region,
            assumptions,
        ),
    );
    const devices = sum(config.tenants.map(t => t.deviceQuota));
    const nodes = sum(clusters.flatMap(c => c.pools.map(p => p.expectedNodes)));
    const services = regionServicesCost(
        {
            devices,
            tenants: config.tenants.length,
            clusters: clusters.length,
            nodes,
            stampHubs: stampHubsOf(config, stampPlanOf(config, placement)),
            eventHubs: namespaceEventHubs(config.tenants, dataPath(config, placement)),
        },
        sizing,
        config.telemetry,
        region,
        assumptions,
    );

    const { cosmosAccounts } = shardTenants(
        config.tenants.map(t => t.name),
        config.quotas.cosmosContainersPerAccount,
    );
    const network = networkCost(
        { nodes, tenants: config.tenants.length, cosmosAccounts, devices, location: config.region.location },
        region,
        assumptions,
    );
    const compute = sum(clusters.map(c => c.monthly));
    const shared = services.monthly + network.monthly;
    const monthly = compute + shared;
    const clusterOf = new Map(clusters.map(c => [c.cluster, c]));
    const tenants = config.tenants.map((tenant): TenantCost => {
        const cluster = clusterOf.get(placement.tenants.get(tenant.name)!.cluster)!;
        const clusterShare = (cluster.monthly * tenant.deviceQuota) / cluster.devices;
        const regionShare = (shared * tenant.deviceQuota) / devices;
        const total = clusterShare + regionShare;
        return {
            tenant: tenant.name,
            cluster: cluster.cluster,
            devices: tenant.deviceQuota,
            clusterShare,
            regionShare,
            monthly: total,
            perDevice: total / tenant.deviceQuota,
        };
    });

    return {
        priced: true,
        region: config.region.location as PricedRegion,
        pricesAsOf: prices.asOf,
        devices,
        messagesPerDay: devices * assumptions.messagesPerDevicePerDay,
        clusters,
        regionServices: services,
        network,
        totals: {
            compute,
            edge: sum(clusters.map(c => c.edge.monthly)),
            adx: services.adx.monthly,
            egress: services.egress.monthly,
            regionServices: services.monthly,
            network: network.monthly,
            monthly,
            perDevice: monthly / devices,
        },
        tenants,
        savings: savingsOf(clusters, region),
    };
}

/** Every price the stack needs that the table lacks: its region's, or those of its VM sizes and ADX SKU there. */
function missingPrices(config: FleetConfig, sizing: DataPlaneSizing, prices: PriceTable): ConfigProblem[] {
    const location = config.region.location;
    if (!(PRICED_REGIONS as readonly string[]).includes(location)) {
        return [
            { path: "iot-fleet:region.location", message: `no prices for '${location}'; lib/prices.ts has ${PRICED_REGIONS.join(", ")}` },
        ];
    }
    const region = prices.regions[location as PricedRegion];
    const problems: ConfigProblem[] = [systemPoolSpec(config.clusterDefaults), ...workloadPoolSpecs(config.clusterDefaults)]
        .filter(pool => region.vm[pool.vmSize] === undefined)
        .map(pool => ({
            path: `iot-fleet:clusterDefaults (${pool.poolName} pool)`,
            message: `no price for ${pool.vmSize} in ${location}; add it to lib/prices.ts or pick one of ${Object.keys(region.vm).join(", ")}`,
        }));
    if (region.adx.sku[sizing.adxSku] === undefined) {
        problems.push({
            path: "iot-fleet:dataPlane.adx.sku",
            message: `no price for ADX ${sizing.adxSku} in ${location}; add it to lib/prices.ts or pick one of ${Object.keys(region.adx.sku).join(", ")}`,
        });
    }
    return problems;
}

function savingsOf(clusters: readonly ClusterCost[], region: RegionPrices): CostEstimate["savings"] {
    const saving = (pools: readonly PoolCost[]): Saving => {
        const onDemand = sum(pools.map(p => p.expectedNodes * region.vm[p.vmSize].onDemand));
        const actual = sum(pools.map(p => p.monthly));
        return { onDemand, actual, saved: onDemand - actual, share: onDemand > 0 ? (onDemand - actual) / onDemand : 0 };
    };
    const pools = clusters.flatMap(c => c.pools);
    const spotProcessing = saving(pools.filter(p => p.pricing === "spot"));
    const reservedNodes = saving(pools.filter(p => p.pricing === "reserved-1y"));
    return { spotProcessing, reservedNodes, total: spotProcessing.saved + reservedNodes.saved };
}
