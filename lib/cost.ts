import { FleetConfig, quantityValue, TenantSpec } from "./config";
import { ADX_MIN_STANDARD_INSTANCES, DataPlaneSizing, dataPlaneSizing, EVENT_HUBS_CAPACITY_STEPS, EventHubsSku, IOT_HUB_SKUS, IOT_HUB_TIERS, IotHubSku } from "./dataPlane";
import { ConfigProblem } from "./errors";
import { NodePoolSpec, systemPoolSpec, workloadPoolSpecs, Workload } from "./nodePools";
import { ClusterKind, Placement } from "./placement";
import { DAYS_PER_MONTH, PRICED_REGIONS, PricedRegion, PriceTable, PRICES, RegionPrices, tieredCost, VmPrice } from "./prices";

/**
 * # Cost model
 *
 * The steady-state monthly run-rate (EUR, list prices, 730-hour month) of one region stack, from its
 * config and placement alone: no cloud, no Pulumi. Everything is driven by devices (tenants'
 * `deviceQuota`, assumed fully used) times a per-device traffic profile (`COST_ASSUMPTIONS`).
 *
 * Per cluster:
 * - system pool: its fixed count, at the 1-year reserved price;
 * - ingest, processing and api pools: an expected steady-state node count between the pool's min and
 *   max: the CPU the tenants need (their telemetry rate over the per-vCPU throughput at the target
 *   utilisation, but never less than their minimum replicas × the per-replica CPU request of their
 *   LimitRange), or the pods they need (minimum replicas over the pods a node takes), whichever is more;
 *   clamped to [min, max] and flagged `saturated` when the demand is above max;
 * - processing: the on-demand baseline keeps its `baselineCount` nodes (1-year reserved price) and takes
 *   load first; only the rest lands on Spot nodes;
 * - AKS Standard tier.
 *
 * Per region, from the region's devices × messages per device per day. IoT Hub, Event Hubs and ADX have fixed
 * capacity, which the stack sets (`dataPlaneSizing`): each is priced as configured, and flagged in `shortfalls`,
 * like a `saturated` pool, where it is below what the load needs, with the cheapest setting that carries it:
 * - IoT Hub: the configured tier and units; the load needs the units whose daily quota and send throttle cover
 *   it (4 KB billing blocks);
 * - Event Hubs: Standard TUs plus ingress events, or Premium PUs (ingress included); the load needs capacity
 *   for peak ingress and the egress of each full-stream reader;
 * - Service Bus Premium: MUs for the peak of batched queue messages and for 1,000 queues per MU, from the
 *   deployed 1 MU up (no stack key sets it: 1 MU carries a region up to ~6 M devices);
 * - ADX: the configured SKU and instances, plus compressed storage for the retention; the load needs the
 *   instances whose SSD holds the hot-cache window at 80 %; ingestion CPU is not modelled (the cache binds first);
 * - Cosmos DB serverless: device-state writes and reads in RU, plus storage;
 * - blob telemetry archive (Parquet): hot 30 days, cool to 1 year, archive to 3 years, with a DR copy of
 *   the archive tier in the paired region (inter-region transfer);
 * - Log Analytics, managed Prometheus, Managed Grafana Standard;
 * - internet egress (tiered): device downlink (MQTT acks and keep-alives), firmware, delivery of
 *   telemetry to tenants' own systems.
 *
 * Per tenant: a shared cluster's cost is split by device share on that cluster, a dedicated cluster's
 * cost goes to its tenant, regional services are split by device share of the region.
 *
 * Savings: Spot processing nodes against the same nodes on demand; the system pools and processing baselines
 * on 1-year reservations against the same nodes on demand.
 *
 * A region, VM size or ADX SKU the price table lacks leaves the stack unpriced (`UnpricedCost`), not invalid.
 *
 * ## Limits
 * - List prices only (`lib/prices.ts`, reviewed 2026-11, not fetched live): no EA/MCA discount, savings
 *   plan, Azure Hybrid Benefit or free grants other than the first 100 GB of egress.
 * - Averages, not a simulation: no diurnal curve beyond a peak-to-average factor for fixed-capacity
 *   services, no Spot eviction (the baseline growing while Spot is gone), no autoscaler lag.
 * - Quotas are taken as active devices; a fleet that uses 60 % of its quotas costs less.
 * - Workloads are assumed to request the CPU they use at the target utilisation; the tenant LimitRange's
 *   default request only sets the floor per minimum replica.
 * - A data plane below its load is priced as configured: the bill once its shortfalls are fixed is higher.
 * - Event Hubs Premium throughput per PU is Microsoft's range's low end (5 MB/s in, 10 MB/s out), not a quota.
 * - Not priced: disks (OS disks of ephemeral nodes are free), load balancers and public IPs, private
 *   endpoints, Key Vault operations, DNS, Application Insights beyond Log Analytics ingestion, Defender,
 *   Fleet Manager, backup, support plans, Cosmos DB or ADX queries beyond the assumed reads.
 * - Egress tiers apply per billing account: several region stacks on one account pay slightly less than
 *   the sum of their estimates.
 * - The blob telemetry archive and the single full-stream ingest reader are the reference architecture's
 *   design; the stack does not provision an archive account yet, and today gives every tenant its own
 *   Event Hubs consumer group, each of which reads the whole hub (see `eventHubFullStreamReaders`).
 * - Inter-region transfer is only the archive's DR copy; nothing else in the stack crosses regions.
 *
 * ## Calibration (prices 2026-11, default assumptions, at the time of writing)
 * Generated westeurope regions (bench/stacks.ts) of 3 dedicated tenants (500,000 devices) and 80 long-tail
 * tenants on one shared cluster (4 clusters, 85 consumer groups: Event Hubs Premium, whose limit is 100), each
 * with the data plane its load needs (test/cost.test.ts):
 * - 1.0 M devices: ~16,500 EUR/month (1 × S3, 1 PU, 2 × Standard_L8as_v3); 1.5 M: ~18,300 (2 PUs);
 *   2.0 M: ~21,700 (2 × S3, 2 PUs): inside the reference architecture's 12,000-22,000 for 1 to 2 M devices.
 * - Compute (7,730-7,910) leads. Of the services, ADX (2,440-2,690: 2 × Standard_L8as_v3 hold a 30-day hot
 *   window of up to ~2.8 TB) comes first at 1 and 1.5 M devices, just ahead of IoT Hub (2,325 per S3 unit);
 *   at 2 M the second S3 unit puts IoT Hub (4,650) first. Then egress (1,000-2,000) and Event Hubs Premium
 *   (837 per PU). The reference architecture sees ADX and egress ahead of compute: the ordering is an outcome
 *   of the assumptions, not a fixed fact.
 * - Every cluster costs 1,933 EUR/month in westeurope (1,694 in eastus) before any load (3 reserved system
 *   nodes, 2 ingest, 2 reserved processing baseline, 2 api, AKS Standard), so the cluster count, not the device
 *   count, sets the compute bill up to ~2 M devices per cluster; a second region repeats IoT Hub, Service Bus
 *   Premium and Grafana.
 */

export interface CostAssumptions {
    /** Telemetry messages a device sends per day. */
    readonly messagesPerDevicePerDay: number;
    /** Bytes of one telemetry message as ADX stores it (JSON body and the properties kept). */
    readonly messageBytes: number;
    /** Peak over average message rate, for the services whose capacity is fixed (IoT Hub throttle, Event Hubs, Service Bus). */
    readonly peakToAverage: number;
    /** Device messages one ingest vCPU forwards per second (read from Event Hubs, route to the tenant queue in batches). */
    readonly ingestMessagesPerVcpuSecond: number;
    /** Device messages one processing vCPU handles per second (decode, validate, enrich, rules, state). */
    readonly processingMessagesPerVcpuSecond: number;
    /** API requests a device causes per day (dashboards and apps reading its state and history). */
    readonly apiRequestsPerDevicePerDay: number;
    readonly apiRequestsPerVcpuSecond: number;
    /** Share of a node's CPU the autoscaled workloads are sized to use: headroom for bursts and scale-out lag. */
    readonly targetCpuUtilisation: number;
    /** Share of a node's vCPUs left to workloads after kubelet reservations and daemonsets. */
    readonly nodeCpuForWorkloads: number;
    /** Pods a node takes for workloads: AKS maxPods (110 in components/aksCluster.ts) minus the daemonset pods. */
    readonly workloadPodsPerNode: number;
    /** Consumers that read the whole telemetry hub (Event Hubs egress). */
    readonly eventHubFullStreamReaders: number;
    /** Ingress one Event Hubs Premium processing unit sustains, bytes per second. */
    readonly premiumIngressBytesPerSecondPerProcessingUnit: number;
    /** Egress one Event Hubs Premium processing unit sustains, bytes per second. */
    readonly premiumEgressBytesPerSecondPerProcessingUnit: number;
    /** Device messages the ingest tier packs into one Service Bus message. */
    readonly deviceMessagesPerQueueMessage: number;
    /** Queue messages per second one Service Bus Premium MU sustains. */
    readonly queueMessagesPerSecondPerMessagingUnit: number;
    /** Raw JSON bytes per byte ADX keeps (compressed columns and indexes). */
    readonly adxCompressionRatio: number;
    /** Share of the SSD cache the hot window may fill: merges and cold-data queries need the rest. */
    readonly adxCacheUtilisation: number;
    /** Device-state writes (upserts) per device per day, coalesced by processing to state changes. */
    readonly stateWritesPerDevicePerDay: number;
    readonly stateWriteRU: number;
    /** Device-state point reads per device per day (API and rules). */
    readonly stateReadsPerDevicePerDay: number;
    readonly stateReadRU: number;
    readonly stateBytesPerDevice: number;
    /** Raw JSON bytes per byte of the Parquet archive. */
    readonly parquetCompressionRatio: number;
    readonly archiveHotDays: number;
    readonly archiveCoolUntilDays: number;
    readonly archiveRetentionDays: number;
    readonly logGBPerNodePerDay: number;
    readonly logGBPerClusterPerDay: number;
    /** Application log bytes per telemetry message (sampled: batch summaries and errors, not a line per message). */
    readonly logBytesPerMessage: number;
    readonly prometheusSeriesPerNode: number;
    readonly prometheusSeriesPerTenant: number;
    readonly prometheusScrapeIntervalSeconds: number;
    readonly grafanaActiveUsers: number;
    /** Bytes a connected device receives per day: MQTT keep-alive responses, PUBACKs, twin and C2D, with TLS/TCP/IP framing. */
    readonly deviceDownlinkBytesPerDay: number;
    readonly firmwareBytesPerDevicePerYear: number;
    /** Bytes delivered to tenants' own systems (webhooks, exports, API) per byte of device telemetry. */
    readonly tenantDeliveryFactor: number;
}

/** The traffic profile of the fleet and the engineering rules of thumb the model rests on. */
export const COST_ASSUMPTIONS: CostAssumptions = {
    // One message every 10 minutes, batching ten 1-minute readings: IoT Hub bills per message in 4 KB
    // blocks, so devices batch rather than send each reading.
    messagesPerDevicePerDay: 144,
    // Ten readings of ~100 bytes of JSON plus the device id, timestamps and the IoT Hub properties ADX keeps.
    messageBytes: 1_500,
    // Diurnal swing and reconnect storms after an outage; fixed-capacity services must absorb them.
    peakToAverage: 2,
    // Forwarding is I/O-bound: batched receive, envelope parse, batched send.
    ingestMessagesPerVcpuSecond: 1_000,
    // ~5 ms of CPU per message for decode, validation, enrichment from a cached registry, rules and state.
    processingMessagesPerVcpuSecond: 200,
    // About one dashboard or app read per device per hour.
    apiRequestsPerDevicePerDay: 24,
    apiRequestsPerVcpuSecond: 100,
    targetCpuUtilisation: 0.6,
    // kube-reserved, eviction threshold and ~0.6 vCPU of daemonsets (Cilium, CSI, monitoring agents) per node.
    nodeCpuForWorkloads: 0.85,
    // 110 maxPods minus ~12 daemonset and system pods on every node.
    workloadPodsPerNode: 98,
    // The ADX data connection and the ingest tier, which reads once and routes per tenant.
    eventHubFullStreamReaders: 2,
    // Microsoft quotes 5-10 MB/s in and 10-20 MB/s out per PU, depending on the workload; the low end, as for the other fixed-capacity services.
    premiumIngressBytesPerSecondPerProcessingUnit: 5e6,
    premiumEgressBytesPerSecondPerProcessingUnit: 10e6,
    // One queue message per tenant per receive batch keeps Service Bus operations per device low.
    deviceMessagesPerQueueMessage: 20,
    // Microsoft's sizing guidance for 1 KB messages on one MU, conservatively.
    queueMessagesPerSecondPerMessagingUnit: 1_000,
    // JSON telemetry in a dynamic column compresses less than typed columns, and ADX adds term indexes.
    adxCompressionRatio: 6,
    adxCacheUtilisation: 0.8,
    // Connectivity, configuration and alarm changes; per-message writes would cost ~35x more RU.
    stateWritesPerDevicePerDay: 4,
    // A ~2 KB document upserted with the default indexing policy.
    stateWriteRU: 10,
    stateReadsPerDevicePerDay: 12,
    stateReadRU: 1,
    stateBytesPerDevice: 2_000,
    // Typed, columnar, zstd-compressed readings.
    parquetCompressionRatio: 8,
    // The reference architecture's tiers: hot 30 days, cool to 1 year, archive beyond (kept 3 years).
    archiveHotDays: 30,
    archiveCoolUntilDays: 365,
    archiveRetentionDays: 3 * 365,
    // Container Insights at its cost-optimised collection profile: system pods, events, inventory.
    logGBPerNodePerDay: 0.2,
    // Control-plane and platform (ingress, cert-manager, Flux, KEDA) logs.
    logGBPerClusterPerDay: 0.5,
    logBytesPerMessage: 10,
    // The managed Prometheus minimal ingestion profile: node, kubelet and cAdvisor series.
    prometheusSeriesPerNode: 1_000,
    // kube-state-metrics of the namespace's objects, KEDA and the tenant's own service metrics.
    prometheusSeriesPerTenant: 300,
    prometheusScrapeIntervalSeconds: 30,
    // The platform team and on-call; tenants see their data through the API, not Grafana.
    grafanaActiveUsers: 10,
    // ~100 bytes on the wire per MQTT keep-alive (every 300 s) and per PUBACK, plus ~15 KB of twin and commands.
    deviceDownlinkBytesPerDay: 60_000,
    // A 2 MB firmware image (or delta) four times a year.
    firmwareBytesPerDevicePerYear: 8_000_000,
    // Each message is delivered once to the tenant's systems as enriched JSON over HTTPS (~1.5x its size).
    tenantDeliveryFactor: 1.5,
};

/** Every hub may send at least this rate whatever its units (the throttle's floor on S1 and S2). */
const IOT_HUB_SEND_FLOOR_PER_SECOND = 100;
/** IoT Hub meters messages in 4 KB blocks. */
const IOT_HUB_BILLING_BLOCK_BYTES = 4_096;
/** Event Hubs Standard, per TU: 1 MB/s or 1,000 events/s in, 2 MB/s or 4,096 events/s out. */
const EVENT_HUBS_TU = { ingressEventsPerSecond: 1_000, ingressBytesPerSecond: 1e6, egressEventsPerSecond: 4_096, egressBytesPerSecond: 2e6 };
/** Service Bus Premium: MU counts Azure accepts, and queues per MU. */
const SERVICE_BUS_MU_STEPS = [1, 2, 4, 8, 16];
const SERVICE_BUS_QUEUES_PER_MU = 1_000;
const SECONDS_PER_DAY = 86_400;
const GB = 1e9;

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
    readonly monthly: number;
}

/** An IoT Hub tier and unit count, and what it costs a month. */
export interface IotHubOption {
    readonly tier: IotHubSku;
    readonly units: number;
    readonly monthly: number;
}

/** An ADX SKU and instance count, and what its compute costs a month. */
export interface AdxOption {
    readonly sku: string;
    readonly instances: number;
    readonly monthly: number;
}

/**
 * Data-plane capacity the stack configures below what the load needs: IoT Hub rejects messages over its daily
 * quota and throttles sends, Event Hubs throttles ingress and egress, ADX evicts the hot window from its cache.
 */
export interface CapacityShortfall {
    readonly service: "IoT Hub" | "Event Hubs" | "ADX";
    /** The stack-file key that sets the capacity. */
    readonly key: string;
    /** What the stack configures, e.g. `1 × S1`. */
    readonly configured: string;
    /** What the load needs of the configured tier or SKU, e.g. `121 × S1`, or why it cannot carry the load. */
    readonly needed: string;
    /** What to configure instead: the cheapest option that carries the load. */
    readonly fix: string;
}

export interface RegionServicesCost {
    /** The configured tier and units, priced; `neededUnits` of that tier carry the load (above the tier's maximum when none do). */
    readonly iotHub: IotHubOption & { readonly billedMessagesPerDay: number; readonly neededUnits: number; readonly cheapest: IotHubOption };
    /** The configured tier and capacity (TUs on Standard, PUs on Premium), priced; `neededCapacity` of that tier carries the load. */
    readonly eventHubs: { readonly sku: EventHubsSku; readonly capacity: number; readonly neededCapacity: number; readonly monthly: number };
    readonly serviceBus: { readonly messagingUnits: number; readonly monthly: number };
    /** The configured SKU and instances, priced with the stored retention; `neededInstances` of that SKU hold the hot window. */
    readonly adx: AdxOption & { readonly neededInstances: number; readonly cheapest: AdxOption; readonly hotCacheGB: number; readonly storedGB: number };
    readonly cosmos: { readonly millionRUPerMonth: number; readonly storageGB: number; readonly monthly: number };
    readonly storage: { readonly hotGB: number; readonly coolGB: number; readonly archiveGB: number; readonly monthly: number };
    readonly logAnalytics: { readonly gbPerMonth: number; readonly monthly: number };
    readonly prometheus: { readonly millionSamplesPerMonth: number; readonly monthly: number };
    readonly grafana: { readonly monthly: number };
    readonly egress: { readonly internetGB: number; readonly interRegionGB: number; readonly monthly: number };
    /** Where the configured IoT Hub, Event Hubs or ADX capacity is below the load; empty when it carries it. */
    readonly shortfalls: readonly CapacityShortfall[];
    readonly monthly: number;
}

export interface TenantCost {
    readonly tenant: string;
    readonly cluster: string;
    readonly devices: number;
    /** The tenant's share of its cluster. */
    readonly clusterShare: number;
    /** The tenant's share of the region's services. */
    readonly regionShare: number;
    readonly monthly: number;
    readonly perDevice: number;
}

export interface Saving {
    /** What the same nodes would cost on demand. */
    readonly onDemand: number;
    readonly actual: number;
    readonly saved: number;
    /** saved / onDemand, 0 when there is nothing to compare. */
    readonly share: number;
}

export interface CostEstimate {
    readonly priced: true;
    readonly region: PricedRegion;
    readonly pricesAsOf: string;
    readonly devices: number;
    readonly messagesPerDay: number;
    readonly clusters: readonly ClusterCost[];
    readonly regionServices: RegionServicesCost;
    readonly totals: {
        /** Every cluster: nodes and AKS tier. */
        readonly compute: number;
        readonly adx: number;
        readonly egress: number;
        readonly regionServices: number;
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

export type CostResult = CostEstimate | UnpricedCost;

/**
 * The monthly cost of one region stack, or what the price table lacks to price it (a region, VM size or ADX
 * SKU): the stack is valid either way, and its plan does not depend on the price table.
 */
export function estimateCost(config: FleetConfig, placement: Placement, prices: PriceTable = PRICES,
    assumptions: CostAssumptions = COST_ASSUMPTIONS): CostResult {
    const sizing = dataPlaneSizing(config);
    const missing = missingPrices(config, sizing, prices);
    if (missing.length > 0) {
        return { priced: false, region: config.region.location, pricesAsOf: prices.asOf, missing };
    }
    const region = prices.regions[config.region.location as PricedRegion];
    const tenantsByName = new Map(config.tenants.map(t => [t.name, t]));
    const clusters = placement.clusters.map(placed =>
        clusterCost(placed.name, placed.kind, placed.tenants.map(name => tenantsByName.get(name)!), config, region, assumptions));
    const devices = sum(config.tenants.map(t => t.deviceQuota));
    const nodes = sum(clusters.flatMap(c => c.pools.map(p => p.expectedNodes)));
    const services = regionServicesCost({ devices, tenants: config.tenants.length, clusters: clusters.length, nodes }, sizing, region, assumptions);

    const compute = sum(clusters.map(c => c.monthly));
    const monthly = compute + services.monthly;
    const clusterOf = new Map(clusters.map(c => [c.cluster, c]));
    const tenants = config.tenants.map((tenant): TenantCost => {
        const cluster = clusterOf.get(placement.tenants.get(tenant.name)!.cluster)!;
        const clusterShare = cluster.monthly * tenant.deviceQuota / cluster.devices;
        const regionShare = services.monthly * tenant.deviceQuota / devices;
        const total = clusterShare + regionShare;
        return { tenant: tenant.name, cluster: cluster.cluster, devices: tenant.deviceQuota, clusterShare, regionShare, monthly: total, perDevice: total / tenant.deviceQuota };
    });

    return {
        priced: true,
        region: config.region.location as PricedRegion,
        pricesAsOf: prices.asOf,
        devices,
        messagesPerDay: devices * assumptions.messagesPerDevicePerDay,
        clusters,
        regionServices: services,
        totals: { compute, adx: services.adx.monthly, egress: services.egress.monthly, regionServices: services.monthly, monthly, perDevice: monthly / devices },
        tenants,
        savings: savingsOf(clusters, region),
    };
}

/** Every price the stack needs that the table lacks: its region's, or those of its VM sizes and ADX SKU there. */
function missingPrices(config: FleetConfig, sizing: DataPlaneSizing, prices: PriceTable): ConfigProblem[] {
    const location = config.region.location;
    if (!(PRICED_REGIONS as readonly string[]).includes(location)) {
        return [{ path: "iot-fleet:region.location", message: `no prices for '${location}'; lib/prices.ts has ${PRICED_REGIONS.join(", ")}` }];
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

/** What the cluster's tenants ask of one tier: vCPU (load or replica floor, whichever is more) and minimum pods. */
interface TierDemand {
    readonly vcpus: number;
    readonly pods: number;
}

function clusterCost(cluster: string, kind: ClusterKind, tenants: readonly TenantSpec[], config: FleetConfig,
    region: RegionPrices, a: CostAssumptions): ClusterCost {
    const sizing = config.clusterDefaults;
    const messagesPerSecond = (t: TenantSpec) => t.deviceQuota * a.messagesPerDevicePerDay / SECONDS_PER_DAY;
    const demand = (tier: "ingest" | "processing", perVcpuSecond: number): TierDemand => {
        const perTenant = tenants.map(t => {
            const settings = t.settings;
            const floor = settings[tier].minReplicas * quantityValue(settings.limits.defaultRequestCpu);
            return { vcpus: Math.max(floor, messagesPerSecond(t) / (perVcpuSecond * a.targetCpuUtilisation)), pods: settings[tier].minReplicas };
        });
        return { vcpus: sum(perTenant.map(d => d.vcpus)), pods: sum(perTenant.map(d => d.pods)) };
    };
    const devices = sum(tenants.map(t => t.deviceQuota));
    const apiVcpus = devices * a.apiRequestsPerDevicePerDay / SECONDS_PER_DAY / (a.apiRequestsPerVcpuSecond * a.targetCpuUtilisation);
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
    return { cluster, kind, tenants: tenants.map(t => t.name), devices, pools, aksTier, monthly: aksTier + sum(pools.map(p => p.monthly)) };
}

function poolCost(pool: NodePoolSpec, nodes: number, saturated: boolean, pricing: Pricing, region: RegionPrices): PoolCost {
    const pricePerNode = priceOf(region.vm[pool.vmSize], pricing);
    return {
        pool: pool.poolName, workload: pool.workload, vmSize: pool.vmSize, pricing, minCount: pool.minCount, maxCount: pool.maxCount,
        expectedNodes: nodes, saturated, pricePerNode, monthly: nodes * pricePerNode,
    };
}

const priceOf = (vm: VmPrice, pricing: Pricing): number =>
    pricing === "spot" ? vm.spot : pricing === "reserved-1y" ? vm.reserved1y : vm.onDemand;

/** What a region puts through its data plane besides its devices' messages. */
interface RegionLoad {
    readonly devices: number;
    readonly tenants: number;
    readonly clusters: number;
    readonly nodes: number;
}

function regionServicesCost(load: RegionLoad, sizing: DataPlaneSizing, p: RegionPrices, a: CostAssumptions): RegionServicesCost {
    const { devices, tenants, clusters, nodes } = load;
    const messagesPerDay = devices * a.messagesPerDevicePerDay;
    const peakPerSecond = messagesPerDay / SECONDS_PER_DAY * a.peakToAverage;
    const peakBytesPerSecond = peakPerSecond * a.messageBytes;
    const rawGBPerDay = messagesPerDay * a.messageBytes / GB;

    const billedMessagesPerDay = messagesPerDay * Math.ceil(a.messageBytes / IOT_HUB_BILLING_BLOCK_BYTES);
    // Highest tier first, so that of two options at one price the one with more headroom wins.
    const iotHubOptions = [...IOT_HUB_SKUS].reverse().map((tier): IotHubOption => {
        const units = iotHubUnitsNeeded(tier, billedMessagesPerDay, peakPerSecond);
        return { tier, units, monthly: units * p.iotHub[tier] };
    });
    const optionOf = (tier: IotHubSku) => iotHubOptions.find(o => o.tier === tier)!;
    const iotHub = {
        tier: sizing.iotHubSku, units: sizing.iotHubUnits, monthly: sizing.iotHubUnits * p.iotHub[sizing.iotHubSku], billedMessagesPerDay,
        neededUnits: optionOf(sizing.iotHubSku).units,
        // S3 beyond what any tier carries in one hub.
        cheapest: cheapest(iotHubOptions.filter(o => o.units <= IOT_HUB_TIERS[o.tier].maxUnits)) ?? optionOf("S3"),
    };

    const eventHubsNeeds = (sku: EventHubsSku) => eventHubsCapacityNeeded(sku, peakPerSecond, peakBytesPerSecond, a);
    const eventHubs = {
        sku: sizing.eventHubsSku,
        capacity: sizing.eventHubsCapacity,
        neededCapacity: eventHubsNeeds(sizing.eventHubsSku),
        monthly: sizing.eventHubsSku === "Premium"
            ? sizing.eventHubsCapacity * p.eventHubs.premiumProcessingUnit
            : sizing.eventHubsCapacity * p.eventHubs.standardThroughputUnit + messagesPerDay * DAYS_PER_MONTH / 1e6 * p.eventHubs.standardIngressPerMillionEvents,
    };

    const wantedMessagingUnits = Math.max(sizing.serviceBusCapacity,
        Math.ceil(peakPerSecond / a.deviceMessagesPerQueueMessage / a.queueMessagesPerSecondPerMessagingUnit),
        Math.ceil(tenants / SERVICE_BUS_QUEUES_PER_MU));
    const messagingUnits = SERVICE_BUS_MU_STEPS.find(step => step >= wantedMessagingUnits) ?? wantedMessagingUnits;
    const serviceBus = { messagingUnits, monthly: messagingUnits * p.serviceBus.premiumMessagingUnit };

    const storedGBPerDay = rawGBPerDay / a.adxCompressionRatio;
    const hotCacheGB = storedGBPerDay * sizing.adxHotCacheDays;
    const storedGB = storedGBPerDay * sizing.adxRetentionDays;
    const adxOptions = Object.entries(p.adx.sku).map(([sku, price]): AdxOption => {
        const instances = Math.max(ADX_MIN_STANDARD_INSTANCES, ceilOf(hotCacheGB / (price.cacheGB * a.adxCacheUtilisation)));
        return { sku, instances, monthly: instances * (price.compute + price.markup) };
    });
    const adxPrice = p.adx.sku[sizing.adxSku];
    const adx = {
        sku: sizing.adxSku, instances: sizing.adxInstances,
        monthly: sizing.adxInstances * (adxPrice.compute + adxPrice.markup) + storedGB * p.adx.storagePerGBMonth,
        neededInstances: adxOptions.find(o => o.sku === sizing.adxSku)!.instances,
        // Compute-optimised SKUs for a small region, storage-optimised ones once the hot data outgrows a few of their caches.
        cheapest: cheapest(adxOptions)!,
        hotCacheGB, storedGB,
    };

    const millionRUPerMonth = devices * DAYS_PER_MONTH / 1e6
        * (a.stateWritesPerDevicePerDay * a.stateWriteRU + a.stateReadsPerDevicePerDay * a.stateReadRU);
    const stateGB = devices * a.stateBytesPerDevice / GB;
    const cosmos = { millionRUPerMonth, storageGB: stateGB, monthly: millionRUPerMonth * p.cosmosServerless.perMillionRU + stateGB * p.cosmosServerless.storagePerGBMonth };

    const parquetGBPerDay = rawGBPerDay / a.parquetCompressionRatio;
    const hotGB = parquetGBPerDay * a.archiveHotDays;
    const coolGB = parquetGBPerDay * (a.archiveCoolUntilDays - a.archiveHotDays);
    // The archive tier has a disaster-recovery copy in the paired region: stored twice, written across regions once.
    const archiveGB = 2 * parquetGBPerDay * (a.archiveRetentionDays - a.archiveCoolUntilDays);
    const storage = { hotGB, coolGB, archiveGB, monthly: hotGB * p.blob.hot + coolGB * p.blob.cool + archiveGB * p.blob.archive };

    const logGBPerMonth = DAYS_PER_MONTH * (nodes * a.logGBPerNodePerDay + clusters * a.logGBPerClusterPerDay + messagesPerDay * a.logBytesPerMessage / GB);
    const logAnalytics = { gbPerMonth: logGBPerMonth, monthly: logGBPerMonth * p.logAnalyticsPerGB };

    const series = nodes * a.prometheusSeriesPerNode + tenants * a.prometheusSeriesPerTenant;
    const millionSamplesPerMonth = series * SECONDS_PER_DAY / a.prometheusScrapeIntervalSeconds * DAYS_PER_MONTH / 1e6;
    const prometheus = { millionSamplesPerMonth, monthly: millionSamplesPerMonth / 10 * p.prometheusPer10MSamples };
    const grafana = { monthly: p.grafanaStandard.instance + a.grafanaActiveUsers * p.grafanaStandard.activeUser };

    const internetGB = DAYS_PER_MONTH * devices * a.deviceDownlinkBytesPerDay / GB
        + devices * a.firmwareBytesPerDevicePerYear / 12 / GB
        + DAYS_PER_MONTH * rawGBPerDay * a.tenantDeliveryFactor;
    const interRegionGB = DAYS_PER_MONTH * parquetGBPerDay;
    const egress = { internetGB, interRegionGB, monthly: tieredCost(internetGB, p.egress.internet) + interRegionGB * p.egress.interRegionSameContinent };

    const shortfalls = [iotHubShortfall(iotHub), eventHubsShortfall(eventHubs, eventHubsNeeds("Premium")), adxShortfall(adx)]
        .filter((shortfall): shortfall is CapacityShortfall => shortfall !== undefined);
    const monthly = iotHub.monthly + eventHubs.monthly + serviceBus.monthly + adx.monthly + cosmos.monthly + storage.monthly
        + logAnalytics.monthly + prometheus.monthly + grafana.monthly + egress.monthly;
    return { iotHub, eventHubs, serviceBus, adx, cosmos, storage, logAnalytics, prometheus, grafana, egress, shortfalls, monthly };
}

const cheapest = <T extends { readonly monthly: number }>(options: readonly T[]): T | undefined =>
    [...options].sort((x, y) => x.monthly - y.monthly)[0];

/** Units of an IoT Hub tier whose daily quota and send throttle carry the load; above the tier's maximum when it cannot. */
function iotHubUnitsNeeded(tier: IotHubSku, billedMessagesPerDay: number, peakPerSecond: number): number {
    const limits = IOT_HUB_TIERS[tier];
    const forThrottle = peakPerSecond <= IOT_HUB_SEND_FLOOR_PER_SECOND ? 1 : Math.ceil(peakPerSecond / limits.sendsPerSecondPerUnit);
    return Math.max(1, Math.ceil(billedMessagesPerDay / limits.messagesPerUnitPerDay), forThrottle);
}

/**
 * The capacity an Event Hubs tier needs for the peak ingress and the full-stream readers' egress: TUs on Standard
 * (events and bytes per TU), PUs on Premium (bytes per PU, in the steps Azure sells); above the tier's maximum when it cannot.
 */
function eventHubsCapacityNeeded(sku: EventHubsSku, peakPerSecond: number, peakBytesPerSecond: number, a: CostAssumptions): number {
    const readers = a.eventHubFullStreamReaders;
    const wanted = sku === "Premium"
        ? Math.max(ceilOf(peakBytesPerSecond / a.premiumIngressBytesPerSecondPerProcessingUnit),
            ceilOf(readers * peakBytesPerSecond / a.premiumEgressBytesPerSecondPerProcessingUnit))
        : Math.max(ceilOf(peakPerSecond / EVENT_HUBS_TU.ingressEventsPerSecond), ceilOf(peakBytesPerSecond / EVENT_HUBS_TU.ingressBytesPerSecond),
            ceilOf(readers * peakPerSecond / EVENT_HUBS_TU.egressEventsPerSecond), ceilOf(readers * peakBytesPerSecond / EVENT_HUBS_TU.egressBytesPerSecond));
    return EVENT_HUBS_CAPACITY_STEPS[sku].find(step => step >= wanted) ?? wanted;
}

const IOT_HUB_KEY = "iot-fleet:dataPlane.iotHub";
const EVENT_HUBS_KEY = "iot-fleet:eventHubs";
const ADX_KEY = "iot-fleet:dataPlane.adx";
const SPLIT_THE_REGION = "more than one namespace or hub carries: split the region's tenants across another stack";

function iotHubShortfall(iotHub: RegionServicesCost["iotHub"]): CapacityShortfall | undefined {
    if (iotHub.units >= iotHub.neededUnits) {
        return undefined;
    }
    const { maxUnits } = IOT_HUB_TIERS[iotHub.tier];
    const best = iotHub.cheapest;
    return {
        service: "IoT Hub", key: IOT_HUB_KEY, configured: `${iotHub.units} × ${iotHub.tier}`,
        needed: iotHub.neededUnits > maxUnits ? `more than ${maxUnits} × ${iotHub.tier}, the most one ${iotHub.tier} hub takes` : `${iotHub.neededUnits} × ${iotHub.tier}`,
        fix: best.units > IOT_HUB_TIERS[best.tier].maxUnits ? SPLIT_THE_REGION : `sku: ${best.tier}, units: ${best.units}`,
    };
}

function eventHubsShortfall(eventHubs: RegionServicesCost["eventHubs"], premiumNeeded: number): CapacityShortfall | undefined {
    if (eventHubs.capacity >= eventHubs.neededCapacity) {
        return undefined;
    }
    const unit = eventHubs.sku === "Premium" ? "PU" : "TU";
    const fits = (sku: EventHubsSku, capacity: number) => EVENT_HUBS_CAPACITY_STEPS[sku].includes(capacity);
    const fix = fits(eventHubs.sku, eventHubs.neededCapacity) ? `sku: ${eventHubs.sku}, capacity: ${eventHubs.neededCapacity}`
        : fits("Premium", premiumNeeded) ? `sku: Premium, capacity: ${premiumNeeded}` : SPLIT_THE_REGION;
    return {
        service: "Event Hubs", key: EVENT_HUBS_KEY, configured: `${eventHubs.capacity} ${unit} (${eventHubs.sku})`,
        needed: `${eventHubs.neededCapacity} ${unit}${fits(eventHubs.sku, eventHubs.neededCapacity) ? "" : `, above the ${eventHubs.sku} maximum`}`, fix,
    };
}

function adxShortfall(adx: RegionServicesCost["adx"]): CapacityShortfall | undefined {
    if (adx.instances >= adx.neededInstances) {
        return undefined;
    }
    return {
        service: "ADX", key: ADX_KEY, configured: `${adx.instances} × ${adx.sku}`,
        needed: `${adx.neededInstances} × ${adx.sku} to cache ${Math.round(adx.hotCacheGB)} GB of hot data`,
        fix: `sku: ${adx.cheapest.sku}, instances: ${adx.cheapest.instances}`,
    };
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

const sum = (values: readonly number[]): number => values.reduce((total, v) => total + v, 0);
/** Math.ceil that ignores floating-point dust, so that exactly 2 nodes' worth of demand is 2 nodes, not 3. */
const ceilOf = (value: number): number => Math.ceil(value - 1e-9);
