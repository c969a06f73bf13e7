import * as assert from "assert";
import { FleetConfig, parseFleetConfig } from "../lib/config";
import { CostAssumptions } from "../lib/cost/assumptions";
import { CostEstimate, CostResult, estimateCost } from "../lib/cost/estimate";
import { placeTenants, Placement } from "../lib/placement";
import { DAYS_PER_MONTH, IOT_HUB_UNIT_PRICES, PriceTable, RegionPrices, VmPrice } from "../lib/prices";
import { projectKeys, readStackConfig, stackFilePath } from "../lib/stackFile";
import { generatedStackConfig, GeneratedStackOptions } from "../bench/stacks";
import { stampHubsOf, stampPlanOf } from "../lib/stampPlan";
import { sum } from "../lib/cost/arithmetic";
import { renderCost } from "../cli/report";
import { capacityReport } from "../lib/capacity";

/** Round prices, so that every expected number below can be checked with a pencil. */
const vm = (vcpus: number, onDemand: number, spot: number, reserved1y: number): VmPrice => ({ vcpus, onDemand, spot, reserved1y });
const TINY_REGION: RegionPrices = {
    vm: { Standard_D4ds_v5: vm(4, 100, 30, 60), Standard_F8s_v2: vm(8, 200, 50, 130), Standard_F16s_v2: vm(16, 400, 100, 250) },
    aksStandardTier: 70,
    aksPremiumTier: 400,
    eventHubs: { standardThroughputUnit: 20, standardIngressPerMillionEvents: 0.05, premiumProcessingUnit: 800 },
    serviceBus: { premiumMessagingUnit: 500 },
    iotHub: { S1: 10, S2: 100, S3: 1_000 },
    dpsPerThousandOperations: 0.1,
    adx: {
        sku: {
            Standard_E2ads_v5: { vcpus: 2, cacheGB: 100, compute: 100, markup: 100 },
            Standard_L8as_v3: { vcpus: 8, cacheGB: 1_000, compute: 500, markup: 400 },
        },
        storagePerGBMonth: 0.02,
    },
    cosmosServerless: { perMillionRU: 1, storagePerGBMonth: 1 },
    blob: { hot: 0.02, cool: 0.01, archive: 0.001 },
    logAnalyticsPerGB: 2,
    prometheusPer10MSamples: 0.1,
    acnsPerNodeMonth: 10,
    privateLink: { endpoint: 5, processedPerGB: 0.01, dnsZone: 0.5 },
    grafanaStandard: { instance: 50, activeUser: 5 },
    // Free here, so that the hand-checked cluster totals below stay pencil sums; the edge is priced in its own test.
    applicationGatewayForContainers: {
        gateway: 0,
        frontend: 0,
        association: 0,
        capacityUnit: 0,
        waf: 0,
        wafPerMillionRequestsPerRuleSet: 0,
    },
    egress: {
        internet: [
            { upToGB: 100, perGB: 0 },
            { upToGB: Infinity, perGB: 0.1 },
        ],
        interRegionSameContinent: 0.02,
    },
};
const TINY_PRICES: PriceTable = { asOf: "test", currency: "EUR", regions: { westeurope: TINY_REGION, eastus: TINY_REGION } };

/** 864 messages a day is 0.01 per second per device; 86.4 API requests a day, 0.001 per second. */
const TINY_ASSUMPTIONS: CostAssumptions = {
    messagesPerDevicePerDay: 864,
    messageBytes: 1_000,
    peakToAverage: 2,
    ingestMessagesPerVcpuSecond: 100,
    processingMessagesPerVcpuSecond: 25,
    apiRequestsPerDevicePerDay: 86.4,
    apiRequestsPerVcpuSecond: 10,
    apiBytesPerRequest: 11_100,
    targetCpuUtilisation: 0.5,
    nodeCpuForWorkloads: 0.5,
    workloadPodsPerNode: 100,
    eventHubFullStreamReaders: 2,
    premiumIngressBytesPerSecondPerProcessingUnit: 2e6,
    premiumEgressBytesPerSecondPerProcessingUnit: 4e6,
    deviceMessagesPerQueueMessage: 20,
    queueMessagesPerSecondPerMessagingUnit: 1_000,
    adxCompressionRatio: 4,
    adxCacheUtilisation: 0.9,
    stateWritesPerDevicePerDay: 4,
    stateWriteRU: 10,
    stateReadsPerDevicePerDay: 10,
    stateReadRU: 1,
    stateBytesPerDevice: 2_000,
    parquetCompressionRatio: 8,
    neverRetentionHorizonDays: 1_825,
    logGBPerNodePerDay: 0.5,
    logGBPerClusterPerDay: 1,
    logBytesPerMessage: 10,
    prometheusSeriesPerNode: 1_000,
    prometheusSeriesPerTenant: 100,
    prometheusScrapeIntervalSeconds: 30,
    grafanaActiveUsers: 10,
    deviceDownlinkBytesPerDay: 50_000,
    firmwareBytesPerDevicePerYear: 12_000_000,
    dpsOperationsPerDevicePerMonth: 2,
    tenantDeliveryFactor: 1,
};

/** A documentation range (RFC 5737): the API server access the schema requires. */
const DOCUMENTATION_RANGES = { deployerRanges: ["203.0.113.0/28"] };
const REGION = { shortName: "weu", location: "westeurope", addressSpace: "10.40.0.0/16" };
const SMALL_REGION_TENANTS = [
    { name: "alpha", deviceQuota: 40_000 },
    { name: "beta", deviceQuota: 10_000 },
    { name: "gamma", deviceQuota: 100_000 },
];
/** What the small region's 129.6 M messages a day need (Event Hubs: 3 TUs). */
const SMALL_REGION_DATA_PLANE = { iotHub: { sku: "S3", units: 1 }, adx: { sku: "Standard_L8as_v3", instances: 2 } };
/** Every other key at its schema default: D4ds_v5 system ×3, F8s_v2 ingest 2-10, F16s_v2 Spot 0-40 + 2 baseline, D4ds_v5 api 2-6. */
function fleetConfig(tenants: object[], extra: { clusterDefaults?: object; [key: string]: unknown } = {}): FleetConfig {
    return parseFleetConfig({
        region: REGION,
        gitops: { repositoryUrl: "https://github.com/example/fleet" },
        dns: { zoneName: "weu.iot.example.com", acmeEmail: "ops@example.com" },
        tenants,
        ...extra,
        clusterDefaults: { apiServerAccess: DOCUMENTATION_RANGES, ...extra.clusterDefaults },
    });
}
const placementOf = (config: FleetConfig): Placement =>
    placeTenants(config.tenants, {
        dedicatedDeviceThreshold: config.dedicatedDeviceThreshold,
        sharedClusterMaxTenants: config.sharedClusterCapacity.maxTenants,
        sharedClusterMaxDevices: config.sharedClusterCapacity.maxDevices,
    });
const costOf = (config: FleetConfig, prices?: PriceTable, assumptions?: CostAssumptions): CostResult =>
    estimateCost(config, placementOf(config), prices, assumptions);
function estimate(config: FleetConfig, prices?: PriceTable, assumptions?: CostAssumptions): CostEstimate {
    const cost = costOf(config, prices, assumptions);
    assert.ok(cost.priced, `expected a priced estimate, got ${JSON.stringify(cost)}`);
    return cost;
}
const stackConfig = (raw: Record<string, unknown>) => parseFleetConfig(projectKeys(raw));

const near = (actual: number, expected: number, what: string) =>
    assert.ok(Math.abs(actual - expected) < 1e-6 * Math.max(1, Math.abs(expected)), `${what}: expected ${expected}, got ${actual}`);
const nodesByPool = (e: CostEstimate, cluster: string) =>
    Object.fromEntries(e.clusters.find(c => c.cluster === cluster)!.pools.map(p => [p.pool, p.expectedNodes]));

describe("cost model", () => {
    describe("on a small hand-checked region (alpha 40k and beta 10k devices shared, gamma 100k dedicated)", () => {
        const config = fleetConfig(SMALL_REGION_TENANTS, { eventHubs: { capacity: 3 }, dataPlane: SMALL_REGION_DATA_PLANE });
        const e = estimate(config, TINY_PRICES, TINY_ASSUMPTIONS);

        it("sizes each pool from the tenants' message rate between its min and max", () => {
            // Shared: 500 msg/s. Ingest 500 / (100 × 0.5) = 10 vCPU on 4-vCPU-usable F8s_v2 → 3 nodes.
            // Processing 500 / (25 × 0.5) = 40 vCPU; the baseline's 2 × 8 usable take 16, Spot 24 / 8 → 3 nodes.
            // API 50 req/s / (10 × 0.5) = 10 vCPU on 2-vCPU-usable D4ds_v5 → 5 nodes.
            assert.deepStrictEqual(nodesByPool(e, "shared-1"), { system: 3, ingest: 3, procspot: 3, procbase: 2, api: 5 });
            // Dedicated: 1,000 msg/s → ingest 20 vCPU, 5 nodes; processing 80 - 16 = 64 vCPU, 8 Spot nodes; API 20 vCPU → 10, capped at 6.
            assert.deepStrictEqual(nodesByPool(e, "dedicated-gamma"), { system: 3, ingest: 5, procspot: 8, procbase: 2, api: 6 });
        });

        it("flags a pool whose demand is above its max as saturated", () => {
            const saturated = e.clusters.flatMap(c => c.pools.filter(p => p.saturated).map(p => `${c.cluster}/${p.pool}`));
            assert.deepStrictEqual(saturated, ["dedicated-gamma/api"]);
        });

        it("prices the system pool and the processing baseline reserved, Spot at Spot, the rest on demand, plus the AKS tier", () => {
            const shared = e.clusters.find(c => c.cluster === "shared-1")!;
            assert.deepStrictEqual(
                shared.pools.map(p => [p.pool, p.pricing, p.monthly]),
                [
                    ["system", "reserved-1y", 3 * 60],
                    ["ingest", "on-demand", 3 * 200],
                    ["procspot", "spot", 3 * 100],
                    ["procbase", "reserved-1y", 2 * 250],
                    ["api", "on-demand", 5 * 100],
                ],
            );
            assert.strictEqual(shared.monthly, 180 + 600 + 300 + 500 + 500 + 70);
            assert.strictEqual(e.clusters.find(c => c.cluster === "dedicated-gamma")!.monthly, 180 + 1_000 + 800 + 500 + 600 + 70);
            assert.strictEqual(e.totals.compute, 2_150 + 3_150);
        });

        it("prices the data plane the stack configures, which carries the 129.6 M messages a day", () => {
            const s = e.regionServices;
            const messagesPerDay = 150_000 * 864;
            // 3,000 msg/s at peak: S1 needs 324 units for the daily quota (over its 200), S2 25 for its throttle (2,500), S3 1 (1,000).
            assert.deepStrictEqual(s.iotHub, {
                tier: "S3",
                units: 1,
                stamps: 1,
                monthly: 1_000,
                billedMessagesPerDay: messagesPerDay,
                neededUnits: 1,
                cheapest: { tier: "S3", units: 1, monthly: 1_000 },
            });
            // 3,000 events/s and 3 MB/s in → 3 TUs; out, 2 readers × 3 MB/s / 2 MB/s → 3 TUs.
            assert.deepStrictEqual([s.eventHubs.sku, s.eventHubs.capacity, s.eventHubs.neededCapacity], ["Standard", 3, 3]);
            near(s.eventHubs.monthly, 3 * 20 + ((messagesPerDay * DAYS_PER_MONTH) / 1e6) * 0.05, "event hubs");
            assert.deepStrictEqual(s.serviceBus, { messagingUnits: 1, monthly: 500 });
            // 150,000 devices register through DPS twice a month: 300,000 operations at 0.1 per 1,000.
            assert.deepStrictEqual(s.provisioning, { operationsPerMonth: 300_000, monthly: 30 });
            // 129.6 GB/day raw, /4 → 32.4 GB/day; 30 days hot = 972 GB: 11 E2 instances (90 GB usable each) cost
            // 2,200, the 2-instance minimum of L8 (900 GB usable each) 1,800.
            assert.deepStrictEqual(
                [s.adx.sku, s.adx.instances, s.adx.neededInstances, s.adx.cheapest],
                ["Standard_L8as_v3", 2, 2, { sku: "Standard_L8as_v3", instances: 2, monthly: 1_800 }],
            );
            // ADX keeps the 30-day hot window only: older telemetry is in the warm tier.
            near(s.adx.monthly, 2 * 900 + 32.4 * 30 * 0.02, "adx");
            near(s.cosmos.monthly, ((150_000 * (4 * 10 + 10 * 1) * DAYS_PER_MONTH) / 1e6) * 1 + 0.3 * 1, "cosmos");
            // Parquet: 16.2 GB/day on GRS (two copies); Cool to 365 days, Archive the 730 days after.
            near(s.telemetryTiers.warm.monthly, 2 * 16.2 * 365 * 0.01, "warm");
            near(s.telemetryTiers.cold.monthly, 2 * 16.2 * 730 * 0.001, "cold");
            // 40 nodes × 0.5 GB + 2 clusters × 1 GB + 1.296 GB of application logs, per day.
            near(s.logAnalytics.monthly, (40 * 0.5 + 2 * 1 + 1.296) * DAYS_PER_MONTH * 2, "log analytics");
            near(s.prometheus.monthly, (((40 * 1_000 + 3 * 100) * 2_880 * DAYS_PER_MONTH) / 1e7) * 0.1, "prometheus");
            assert.strictEqual(s.grafana.monthly, 50 + 10 * 5);
            // Downlink 7.5 GB/day, firmware 150 GB/month, delivery 129.6 GB/day; the first 100 GB free. DR copy 16.2 GB/day.
            const internetGB = 7.5 * DAYS_PER_MONTH + 150 + 129.6 * DAYS_PER_MONTH;
            near(s.egress.internetGB, internetGB, "internet GB");
            near(s.egress.monthly, (internetGB - 100) * 0.1 + 16.2 * DAYS_PER_MONTH * 0.02, "egress");
            near(
                s.monthly,
                s.iotHub.monthly +
                    s.provisioning.monthly +
                    s.eventHubs.monthly +
                    s.serviceBus.monthly +
                    s.adx.monthly +
                    s.cosmos.monthly +
                    s.telemetryTiers.warm.monthly +
                    s.telemetryTiers.cold.monthly +
                    s.logAnalytics.monthly +
                    s.prometheus.monthly +
                    s.grafana.monthly +
                    s.egress.monthly,
                "services",
            );
            assert.deepStrictEqual(s.shortfalls, []);
            near(e.totals.monthly, 5_300 + s.monthly + e.network.monthly, "total");
            near(e.totals.perDevice, e.totals.monthly / 150_000, "per device");
        });

        it("prices the egress controls: ACNS on every node, an endpoint per region service and tenant vault with the stream through them, seven DNS zones", () => {
            const nodes = e.clusters.flatMap(c => c.pools).reduce((total, p) => total + p.expectedNodes, 0);
            // 129.6 GB a day of telemetry, read by 2 full-stream readers and queued in and out: 4 streams through endpoints.
            const processedGB = 129.6 * DAYS_PER_MONTH * 4;
            assert.deepStrictEqual(e.network.acns, { nodes, monthly: nodes * 10 });
            assert.strictEqual(e.network.privateEndpoints.count, 6 + 3);
            near(e.network.privateEndpoints.processedGB, processedGB, "GB through endpoints");
            near(e.network.privateEndpoints.monthly, 9 * 5 + processedGB * 0.01, "endpoints");
            assert.deepStrictEqual(e.network.privateDnsZones, { count: 7, monthly: 3.5 });
            near(e.network.monthly, nodes * 10 + 9 * 5 + processedGB * 0.01 + 3.5, "egress controls");
            assert.match(
                renderCost(e),
                /^ {2}egress controls +€[\d,]+ {2}\(ACNS FQDN filtering on \d+ nodes €[\d,]+, 9 private endpoints €[\d,]+ with 15,768 GB through them, 7 private DNS zones €3\.5\)$/m,
            );
        });

        it("charges a shared cluster by device share, a dedicated cluster to its tenant, and regional services by device share", () => {
            const services = e.regionServices.monthly + e.network.monthly;
            const byTenant = Object.fromEntries(e.tenants.map(t => [t.tenant, t]));
            near(byTenant.alpha.clusterShare, 2_150 * 0.8, "alpha cluster share");
            near(byTenant.beta.clusterShare, 2_150 * 0.2, "beta cluster share");
            near(byTenant.gamma.clusterShare, 3_150, "gamma cluster share");
            near(byTenant.gamma.regionShare, (services * 100) / 150, "gamma region share");
            near(byTenant.beta.perDevice, (430 + services / 15) / 10_000, "beta per device");
        });

        it("reports what Spot and reservations save against the same nodes on demand", () => {
            // Spot: 11 F16s_v2 nodes at 100 instead of 400. Reserved: 6 D4ds_v5 at 60 instead of 100, 4 F16s_v2 at 250 instead of 400.
            assert.deepStrictEqual(e.savings.spotProcessing, { onDemand: 4_400, actual: 1_100, saved: 3_300, share: 0.75 });
            assert.deepStrictEqual(e.savings.reservedNodes, { onDemand: 2_200, actual: 1_360, saved: 840, share: 840 / 2_200 });
            assert.strictEqual(e.savings.total, 4_140);
        });
    });

    describe("on the same region with the edge priced (gateway 10, frontend 5, association 50, CU 5, WAF 40, 1 per million requests)", () => {
        const edgePrices = { gateway: 10, frontend: 5, association: 50, capacityUnit: 5, waf: 40, wafPerMillionRequestsPerRuleSet: 1 };
        const region = { ...TINY_REGION, applicationGatewayForContainers: edgePrices };
        const config = fleetConfig(SMALL_REGION_TENANTS, { eventHubs: { capacity: 3 }, dataPlane: SMALL_REGION_DATA_PLANE });
        const priced = estimate(config, { ...TINY_PRICES, regions: { westeurope: region, eastus: region } }, TINY_ASSUMPTIONS);
        const free = estimate(config, TINY_PRICES, TINY_ASSUMPTIONS);

        it("adds each cluster's gateway, its capacity units for the API traffic and the WAF's requests to the cluster", () => {
            // Shared: 50 API req/s × 11,100 B = 4.44 Mbps, 2 CU; 4.32 M requests a day inspected by one rule set.
            // Dedicated: 100 req/s, 8.88 Mbps, 4 CU; 8.64 M requests a day.
            const edges = Object.fromEntries(priced.clusters.map(c => [c.cluster, c.edge]));
            assert.deepStrictEqual(
                [edges["shared-1"].gateway, edges["shared-1"].capacityUnits, edges["dedicated-gamma"].capacityUnits],
                [65, 2, 4],
            );
            near(edges["shared-1"].waf, 40 + 4.32 * DAYS_PER_MONTH, "shared waf");
            near(edges["dedicated-gamma"].monthly, 65 + 4 * 5 + 40 + 8.64 * DAYS_PER_MONTH, "dedicated edge");
            for (const cluster of priced.clusters) {
                const withoutEdge = free.clusters.find(c => c.cluster === cluster.cluster)!.monthly;
                near(cluster.monthly, withoutEdge + cluster.edge.monthly, `${cluster.cluster} total`);
            }
        });
    });

    describe("on the same region with the default data plane (1 IoT Hub S1 unit, 2 TUs, 2 × Standard_E2ads_v5)", () => {
        const e = estimate(fleetConfig(SMALL_REGION_TENANTS), TINY_PRICES, TINY_ASSUMPTIONS);

        it("prices what the stack configures, not what the load needs", () => {
            const s = e.regionServices;
            assert.deepStrictEqual([s.iotHub.tier, s.iotHub.units, s.iotHub.monthly], ["S1", 1, 10]);
            near(s.eventHubs.monthly, 2 * 20 + ((150_000 * 864 * DAYS_PER_MONTH) / 1e6) * 0.05, "event hubs");
            near(s.adx.monthly, 2 * 200 + 32.4 * 30 * 0.02, "adx");
        });

        it("flags each data-plane service below its load, with the cheapest setting that carries it", () => {
            assert.deepStrictEqual(e.regionServices.shortfalls, [
                {
                    service: "IoT Hub",
                    key: "iot-fleet:dataPlane.iotHub",
                    configured: "1 × S1",
                    needed: "more than 200 × S1, the most one S1 hub takes",
                    fix: "sku: S3, units: 1",
                },
                {
                    service: "Event Hubs",
                    key: "iot-fleet:eventHubs",
                    configured: "2 TU (Standard)",
                    needed: "3 TU",
                    fix: "sku: Standard, capacity: 3",
                },
                {
                    service: "ADX",
                    key: "iot-fleet:dataPlane.adx",
                    configured: "2 × Standard_E2ads_v5",
                    needed: "11 × Standard_E2ads_v5 to cache 972 GB of hot data",
                    fix: "sku: Standard_L8as_v3, instances: 2",
                },
            ]);
        });

        it("shows saturated pools, data-plane shortfalls and what the reservations cover in the plan's text", () => {
            const text = renderCost(e);
            assert.match(text, /cluster dedicated-gamma .*api 6×on-demand SATURATED \(max 6\), edge €0 \(4 CU, WAF €0\)\)$/m);
            assert.doesNotMatch(text, /cluster shared-1 .*SATURATED/);
            assert.match(
                text,
                /^ {2}SHORT IoT Hub: 1 × S1 configured, the load needs more than 200 × S1, the most one S1 hub takes; set iot-fleet:dataPlane\.iotHub to sku: S3, units: 1$/m,
            );
            assert.match(
                text,
                /^ {2}SHORT Event Hubs: 2 TU \(Standard\) configured, the load needs 3 TU; set iot-fleet:eventHubs to sku: Standard, capacity: 3$/m,
            );
            assert.match(
                text,
                /^ {2}SHORT ADX: 2 × Standard_E2ads_v5 configured, .* set iot-fleet:dataPlane\.adx to sku: Standard_L8as_v3, instances: 2$/m,
            );
            assert.match(text, /reserved system and processing-baseline nodes €840 \(38%\)/);
            assert.doesNotMatch(text, /data plane: .* carry every tenant/);
        });
    });

    it("picks the cheapest IoT Hub tier that carries the load", () => {
        // 8.64 M messages a day, 200/s at peak: S1 needs 22 units (220), S2 2 units (200), S3 1 unit (1,000).
        const e = estimate(fleetConfig([{ name: "small", deviceQuota: 10_000 }]), TINY_PRICES, TINY_ASSUMPTIONS);
        assert.deepStrictEqual(e.regionServices.iotHub.cheapest, { tier: "S2", units: 2, monthly: 200 });
    });

    it("prices Event Hubs Premium in processing units, with no ingress charge, and sizes them from bytes", () => {
        // 3,000 msg/s of 1 KB at peak: 3 MB/s in over 2 MB/s per PU, 6 MB/s out over 4 MB/s per PU: 2 PUs.
        const premium = (capacity: number) =>
            estimate(
                fleetConfig(SMALL_REGION_TENANTS, { eventHubs: { sku: "Premium", capacity }, dataPlane: SMALL_REGION_DATA_PLANE }),
                TINY_PRICES,
                TINY_ASSUMPTIONS,
            ).regionServices;
        assert.deepStrictEqual(premium(2).eventHubs, { sku: "Premium", capacity: 2, neededCapacity: 2, monthly: 1_600 });
        assert.deepStrictEqual(premium(2).shortfalls, []);
        assert.deepStrictEqual(
            premium(1).shortfalls.map(f => [f.configured, f.needed, f.fix]),
            [["1 PU (Premium)", "2 PU", "sku: Premium, capacity: 2"]],
        );
    });

    it("advises Premium when the load needs more throughput units than Standard sells, and another stack beyond Premium", () => {
        // 3,000 messages/s at peak; with PUs of 5 MB/s in and 10 MB/s out. 10 KB messages: 30 MB/s in, 60 MB/s out → 30 TUs.
        // 16 KB: 48 TUs, past Standard's 40; Premium needs 48 / 5 → 10 PUs, sold as 16. 40 KB: 120 MB/s in, 24 PUs, past Premium's 16.
        const eventHubsShortfalls = (messageBytes: number) =>
            estimate(fleetConfig(SMALL_REGION_TENANTS, { eventHubs: { capacity: 40 }, dataPlane: SMALL_REGION_DATA_PLANE }), TINY_PRICES, {
                ...TINY_ASSUMPTIONS,
                messageBytes,
                premiumIngressBytesPerSecondPerProcessingUnit: 5e6,
                premiumEgressBytesPerSecondPerProcessingUnit: 10e6,
            })
                .regionServices.shortfalls.filter(f => f.service === "Event Hubs")
                .map(f => [f.needed, f.fix]);
        assert.deepStrictEqual(eventHubsShortfalls(10_000), []);
        assert.deepStrictEqual(eventHubsShortfalls(16_000), [["48 TU, above the Standard maximum", "sku: Premium, capacity: 16"]]);
        assert.deepStrictEqual(eventHubsShortfalls(40_000), [
            [
                "120 TU, above the Standard maximum",
                "more than one namespace or hub carries: split the region's tenants across another stack",
            ],
        ]);
    });

    it("runs processing on demand, and saves nothing on Spot, when the stack turns Spot off", () => {
        const config = fleetConfig([{ name: "alpha", deviceQuota: 40_000 }], { clusterDefaults: { processingPool: { spot: false } } });
        const e = estimate(config, TINY_PRICES, TINY_ASSUMPTIONS);
        const proc = e.clusters[0].pools.find(p => p.workload === "processing")!;
        // 400 msg/s → 32 vCPU on 8-usable F16s_v2: 4 nodes, on demand.
        assert.deepStrictEqual([proc.pool, proc.pricing, proc.expectedNodes, proc.monthly], ["proc", "on-demand", 4, 1_600]);
        assert.strictEqual(e.savings.spotProcessing.saved, 0);
    });

    it("adds nodes for the pods the tenants' minimum replicas need, even without traffic", () => {
        // 64 tenants × 4 minimum ingest replicas of 10m CPU: 2.56 vCPU fit one node, 256 pods at 100 per node need 3.
        const tenants = Array.from({ length: 64 }, (_, i) => ({ name: `t${i}`, deviceQuota: 1 }));
        const config = fleetConfig(tenants, {
            sharedClusterCapacity: { maxTenants: 64 },
            tenantDefaults: { limits: { defaultRequestCpu: "10m" }, ingest: { minReplicas: 4 } },
        });
        assert.strictEqual(nodesByPool(estimate(config, TINY_PRICES, TINY_ASSUMPTIONS), "shared-1").ingest, 3);
    });

    it("names every VM size and ADX SKU the price table lacks instead of an estimate, and the plan says so", () => {
        const config = fleetConfig([{ name: "alpha", deviceQuota: 1_000 }], {
            clusterDefaults: { ingestPool: { vmSize: "Standard_X8_v9" }, apiPool: { vmSize: "Standard_Y4_v9" } },
            dataPlane: { adx: { sku: "Standard_Z8_v9" } },
        });
        const cost = costOf(config);
        assert.ok(!cost.priced);
        assert.deepStrictEqual(
            cost.missing.map(m => m.path),
            ["iot-fleet:clusterDefaults (ingest pool)", "iot-fleet:clusterDefaults (api pool)", "iot-fleet:dataPlane.adx.sku"],
        );
        assert.match(
            cost.missing[2].message,
            /^no price for ADX Standard_Z8_v9 in westeurope; add it to lib\/prices\.ts or pick one of Standard_E2ads_v5, /,
        );
        assert.match(
            renderCost(cost),
            /^Cost estimate: not priced: iot-fleet:clusterDefaults \(ingest pool\): no price for Standard_X8_v9 in westeurope; .*; iot-fleet:dataPlane\.adx\.sku: no price for ADX Standard_Z8_v9/,
        );
    });

    it("leaves a region the price table does not have unpriced", () => {
        const cost = costOf(fleetConfig([{ name: "alpha", deviceQuota: 1_000 }], { region: { ...REGION, location: "norwayeast" } }));
        assert.deepStrictEqual(cost, {
            priced: false,
            region: "norwayeast",
            pricesAsOf: "2026-11",
            missing: [{ path: "iot-fleet:region.location", message: "no prices for 'norwayeast'; lib/prices.ts has westeurope, eastus" }],
        });
        assert.strictEqual(
            renderCost(cost),
            "Cost estimate: not priced: iot-fleet:region.location: no prices for 'norwayeast'; lib/prices.ts has westeurope, eastus",
        );
    });

    for (const stack of ["prod-weu", "prod-eus"]) {
        it(`splits the whole ${stack} bill over its tenants, saves on reserved nodes but not on Spot, and configures the data plane its quotas need`, () => {
            const e = estimate(stackConfig(readStackConfig(stackFilePath(stack))));
            near(
                e.tenants.reduce((total, t) => total + t.monthly, 0),
                e.totals.monthly,
                "sum of tenants",
            );
            assert.strictEqual(e.savings.spotProcessing.saved, 0, "the processing load fits in the on-demand baseline, as the README says");
            assert.ok(e.savings.reservedNodes.saved > 0);
            assert.ok(e.savings.reservedNodes.share >= 0.3 && e.savings.reservedNodes.share <= 0.4);
            assert.deepStrictEqual(e.regionServices.shortfalls, []);
            assert.match(
                renderCost(e),
                /^ {2}data plane: IoT Hub, Event Hubs and ADX as configured carry every tenant at its full quota$/m,
            );
        });
    }

    /**
     * The calibration the README's "Cost model" quotes, to its rounding: 3 dedicated tenants (500,000 devices) and 80
     * long-tail ones on two shared clusters (a shared cluster's edge holds 64 tenants: 5 clusters, 85 consumer groups on
     * a Premium namespace, whose limit is 100),
     * each data plane sized as the model's shortfalls ask for that load. A change of price, assumption or model that
     * moves a figure fails here, and the README has to move with it.
     */
    const SCENARIOS: {
        devices: number;
        options: GeneratedStackOptions;
        monthly: number;
        compute: number;
        adx: number;
        egress: number;
        /** ACNS, private endpoints and private DNS zones. */
        network: number;
        biggestService: "ADX" | "IoT Hub";
        /** Each ingest stamp's IoT hub, sized for its own devices: a hub holds 1,000,000 at most. */
        stampHubs: string[];
        /** Within the reference architecture's 12,000-22,000 EUR a month. */
        inReferenceRange: boolean;
    }[] = [
        {
            devices: 1_000_000,
            options: scenario(6_250, 2),
            monthly: 22_300,
            compute: 10_900,
            adx: 2_200,
            egress: 1_000,
            network: 1_600,
            biggestService: "IoT Hub",
            stampHubs: ["1×S3"],
            inReferenceRange: true,
        },
        {
            devices: 1_500_000,
            options: scenario(12_500, 4),
            monthly: 27_600,
            compute: 11_200,
            adx: 2_200,
            egress: 1_500,
            network: 1_700,
            biggestService: "IoT Hub",
            stampHubs: ["1×S3", "1×S3"],
            inReferenceRange: false,
        },
        {
            devices: 2_000_000,
            options: scenario(18_750, 4),
            monthly: 29_100,
            compute: 11_500,
            adx: 2_200,
            egress: 2_000,
            network: 1_900,
            biggestService: "IoT Hub",
            stampHubs: ["1×S3", "1×S3", "7×S1"],
            inReferenceRange: false,
        },
    ];
    const hundreds = (value: number) => Math.round(value / 100) * 100;
    for (const { devices, options, monthly, compute, adx, egress, network, biggestService, stampHubs, inReferenceRange } of SCENARIOS) {
        it(`puts a ${devices / 1e6} M-device region within every Azure limit at ${monthly.toLocaleString("en-US")} EUR a month, ${network.toLocaleString("en-US")} of it egress controls, the rest ${inReferenceRange ? "inside" : "above"} the reference architecture's 12,000-22,000, ${biggestService} ahead of the other services`, () => {
            const config = stackConfig(generatedStackConfig(options));
            const e = estimate(config);
            assert.strictEqual(e.devices, devices);
            assert.strictEqual(e.clusters.length, 5);
            const overLimits = capacityReport(config, placementOf(config)).limits.filter(row => row.used > row.max);
            assert.deepStrictEqual(overLimits, []);
            assert.deepStrictEqual(e.regionServices.shortfalls, []);
            assert.strictEqual(hundreds(e.totals.monthly), monthly, `total ${e.totals.monthly}`);
            assert.strictEqual(hundreds(e.totals.network), network, `egress controls ${e.totals.network}`);
            // The reference architecture's range has no FQDN filtering nor an endpoint per tenant vault: compared without them.
            const withoutEgressControls = e.totals.monthly - e.totals.network;
            assert.strictEqual(
                withoutEgressControls >= 12_000 && withoutEgressControls <= 22_000,
                inReferenceRange,
                `total without egress controls ${withoutEgressControls}`,
            );
            near(
                e.tenants.reduce((total, t) => total + t.monthly, 0),
                e.totals.monthly,
                "sum of tenants",
            );
            const { iotHub, eventHubs, serviceBus, adx: adxCost, egress: egressCost } = e.regionServices;
            assert.deepStrictEqual(
                [hundreds(e.totals.compute), hundreds(adxCost.monthly), hundreds(egressCost.monthly)],
                [compute, adx, egress],
                "compute, ADX, egress",
            );
            const hubs = stampHubsOf(config, stampPlanOf(config, placementOf(config)));
            assert.deepStrictEqual(
                hubs.map(hub => `${hub.units}×${hub.sku}`),
                stampHubs,
                "a hub per stamp",
            );
            near(iotHub.monthly, sum(hubs.map(hub => hub.units * IOT_HUB_UNIT_PRICES[hub.sku])), "IoT Hub");
            assert.deepStrictEqual(
                [eventHubs.sku, Math.round(eventHubs.monthly / eventHubs.capacity)],
                ["Premium", 837],
                "Event Hubs per PU",
            );
            const services = Object.entries({
                "IoT Hub": iotHub,
                "Event Hubs": eventHubs,
                "Service Bus": serviceBus,
                ADX: adxCost,
                egress: egressCost,
            }).sort(([, x], [, y]) => y.monthly - x.monthly);
            assert.strictEqual(services[0][0], biggestService);
            assert.ok(e.totals.compute > services[0][1].monthly, "compute leads");
        });
    }

    for (const [location, monthly] of [
        ["westeurope", 2_084],
        ["eastus", 1_845],
    ] as const) {
        it(`costs ${monthly.toLocaleString("en-US")} EUR a month per cluster in ${location} before any load, as the README quotes`, () => {
            const e = estimate(fleetConfig([{ name: "alpha", deviceQuota: 1 }], { region: { ...REGION, location } }));
            assert.deepStrictEqual(
                e.clusters.map(c => Math.round(c.monthly)),
                [monthly],
            );
        });
    }

    it("recommends compute-optimised ADX instances for a small region and storage-optimised ones for a large one", () => {
        const small = estimate(stackConfig(readStackConfig(stackFilePath("prod-weu"))));
        const large = estimate(stackConfig(generatedStackConfig(SCENARIOS[2].options)));
        assert.match(small.regionServices.adx.cheapest.sku, /^Standard_E/);
        assert.strictEqual(large.regionServices.adx.cheapest.sku, "Standard_L8as_v3");
    });
});

/** A calibration stack: 80 long-tail tenants of `devicesPerTenant`, Event Hubs Premium PUs, IoT Hub S3 units, 2 × Standard_L8as_v3. */
function scenario(devicesPerTenant: number, processingUnits: number): GeneratedStackOptions {
    const devices = 500_000 + 80 * devicesPerTenant;
    return {
        longTailTenants: 80,
        devicesPerLongTailTenant: devicesPerTenant,
        eventHubsProcessingUnits: processingUnits,
        dataPlane: { adx: { sku: "Standard_L8as_v3", instances: 2 } },
        // One DPS registration per device: past 1 M the region's DPS needs its adjustable quota raised.
        ...(devices > 1_000_000 ? { quotas: { dpsRegistrations: devices } } : {}),
    };
}
