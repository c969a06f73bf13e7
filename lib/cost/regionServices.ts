import { DataPlaneSizing, EventHubsSku, IotHubSku, SERVICE_BUS_MESSAGING_UNIT_STEPS } from "../dataPlane";
import { NamespaceEventHub } from "../dataPath";
import { TelemetryTiers } from "../telemetryTiers";
import { DAYS_PER_MONTH, RegionPrices, tieredCost } from "../prices";
import { GB, SECONDS_PER_DAY } from "./arithmetic";
import { CostAssumptions } from "./assumptions";
import { adxNeeds, AdxOption, CapacityShortfall, dataPlaneShortfalls, iotHubNeeds, IotHubOption } from "./shortfalls";
import { deviceLoad, namespaceCapacityNeeded } from "../ingestLoad";
import { telemetryTiersCost, TelemetryTiersCost } from "./telemetryTiers";

/**
 * What a region's services cost a month, from the region's devices × messages per device per day:
 * - IoT Hub: the configured tier and units on every stamp's hub;
 * - Device Provisioning Service: its operations (a registration per device boot);
 * - Event Hubs: Standard TUs plus ingress events, or Premium PUs (ingress included);
 * - Service Bus Premium: MUs for the peak of batched queue messages and for 1,000 queues per MU, from the
 *   deployed 1 MU up (no stack key sets it: 1 MU carries a region up to ~6 M devices);
 * - ADX: the configured SKU and instances, plus compressed storage for the hot window (the hot tier);
 * - Cosmos DB serverless: device-state writes and reads in RU, plus storage;
 * - the warm and cold tiers (`telemetryTiers.ts`): Parquet in Cool, then Archive blobs, on GRS, whose copy in the
 *   paired region is the only traffic that crosses regions;
 * - Log Analytics, managed Prometheus, Managed Grafana Standard;
 * - internet egress (tiered): device downlink (MQTT acks and keep-alives), firmware, delivery of
 *   telemetry to tenants' own systems. The tiers apply per billing account: several region stacks on one account
 *   pay slightly less than the sum of their estimates.
 * IoT Hub, Event Hubs and ADX are checked against the load in `shortfalls.ts`.
 */

/** Service Bus Premium: queues per MU. */
const SERVICE_BUS_QUEUES_PER_MU = 1_000;

/** Each region service's monthly cost and what it is made of, and where the data plane is short of the load. */
export interface RegionServicesCost {
    /**
     * The busiest stamp's hub (`tier`, `units`) and every stamp's hubs together (`stamps`, `monthly`); `neededUnits` of
     * that tier carry the busiest stamp's load (above the tier's maximum when none do), `cheapest` is per hub.
     */
    readonly iotHub: IotHubOption & {
        readonly stamps: number;
        readonly billedMessagesPerDay: number;
        readonly neededUnits: number;
        readonly cheapest: IotHubOption;
    };
    /** The configured tier and capacity (TUs on Standard, PUs on Premium), priced; `neededCapacity` of that tier carries the load. */
    readonly eventHubs: {
        readonly sku: EventHubsSku;
        readonly capacity: number;
        readonly neededCapacity: number;
        readonly monthly: number;
    };
    readonly serviceBus: { readonly messagingUnits: number; readonly monthly: number };
    /** The region's Device Provisioning Service: its operations (device registrations) a month. */
    readonly provisioning: { readonly operationsPerMonth: number; readonly monthly: number };
    /** The configured SKU and instances, priced with the stored retention; `neededInstances` of that SKU hold the hot window. */
    readonly adx: AdxOption & {
        readonly neededInstances: number;
        readonly cheapest: AdxOption;
        readonly hotCacheGB: number;
        readonly storedGB: number;
    };
    readonly cosmos: { readonly millionRUPerMonth: number; readonly storageGB: number; readonly monthly: number };
    /** Every tier of the telemetry, and ADX alone keeping it; the hot tier is `adx` above, warm and cold are blob storage. */
    readonly telemetryTiers: TelemetryTiersCost;
    readonly logAnalytics: { readonly gbPerMonth: number; readonly monthly: number };
    readonly prometheus: { readonly millionSamplesPerMonth: number; readonly monthly: number };
    readonly grafana: { readonly monthly: number };
    readonly egress: { readonly internetGB: number; readonly interRegionGB: number; readonly monthly: number };
    /** Where the configured IoT Hub, Event Hubs or ADX capacity is below the load; empty when it carries it. */
    readonly shortfalls: readonly CapacityShortfall[];
    readonly monthly: number;
}

/** What a region puts through its data plane besides its devices' messages. */
export interface RegionLoad {
    readonly devices: number;
    readonly tenants: number;
    readonly clusters: number;
    readonly nodes: number;
    /** Each ingest stamp's devices and its IoT hub's tier and units (`stampHubsOf`). */
    readonly stampHubs: readonly { readonly devices: number; readonly sku: IotHubSku; readonly units: number }[];
    /** The event hubs of the region's namespace and their full readers (`namespaceEventHubs`): what its capacity carries. */
    readonly eventHubs: readonly NamespaceEventHub[];
}

/** The monthly cost of a region's services for its load, with the data plane as the stack sizes it. */
export function regionServicesCost(
    load: RegionLoad,
    sizing: DataPlaneSizing,
    tiers: TelemetryTiers,
    p: RegionPrices,
    a: CostAssumptions,
): RegionServicesCost {
    const { devices, tenants, clusters, nodes } = load;
    const { messagesPerDay, peakPerSecond } = deviceLoad(devices, a);
    const rawGBPerDay = (messagesPerDay * a.messageBytes) / GB;

    // The busiest stamp's hub decides whether the hubs carry their load (a stamp's hub is at least as large as a smaller one's).
    const busiest = [...load.stampHubs].sort((x, y) => y.devices - x.devices)[0];
    const busiestLoad = deviceLoad(busiest.devices, a);
    const { billedMessagesPerDay } = busiestLoad;
    const iotHubNeed = iotHubNeeds(busiest.sku, billedMessagesPerDay, busiestLoad.peakPerSecond, p.iotHub);
    const iotHub = {
        tier: busiest.sku,
        units: busiest.units,
        stamps: load.stampHubs.length,
        monthly: load.stampHubs.reduce((total, hub) => total + hub.units * p.iotHub[hub.sku], 0),
        billedMessagesPerDay,
        neededUnits: iotHubNeed.neededUnits,
        cheapest: iotHubNeed.cheapest,
    };

    const streams = load.eventHubs.map(hub => ({ load: deviceLoad(hub.devices, a), fullReaders: hub.fullReaders }));
    const eventHubsNeeds = (sku: EventHubsSku) => namespaceCapacityNeeded(sku, streams, a);
    const eventHubs = {
        sku: sizing.eventHubsSku,
        capacity: sizing.eventHubsCapacity,
        neededCapacity: eventHubsNeeds(sizing.eventHubsSku),
        monthly:
            sizing.eventHubsSku === "Premium"
                ? sizing.eventHubsCapacity * p.eventHubs.premiumProcessingUnit
                : sizing.eventHubsCapacity * p.eventHubs.standardThroughputUnit +
                  ((messagesPerDay * DAYS_PER_MONTH) / 1e6) * p.eventHubs.standardIngressPerMillionEvents,
    };

    const wantedMessagingUnits = Math.max(
        sizing.serviceBusCapacity,
        Math.ceil(peakPerSecond / a.deviceMessagesPerQueueMessage / a.queueMessagesPerSecondPerMessagingUnit),
        Math.ceil(tenants / SERVICE_BUS_QUEUES_PER_MU),
    );
    const messagingUnits = SERVICE_BUS_MESSAGING_UNIT_STEPS.find(step => step >= wantedMessagingUnits) ?? wantedMessagingUnits;
    const serviceBus = { messagingUnits, monthly: messagingUnits * p.serviceBus.premiumMessagingUnit };

    const operationsPerMonth = devices * a.dpsOperationsPerDevicePerMonth;
    const provisioning = { operationsPerMonth, monthly: (operationsPerMonth / 1_000) * p.dpsPerThousandOperations };

    const storedGBPerDay = rawGBPerDay / a.adxCompressionRatio;
    const hotCacheGB = storedGBPerDay * sizing.adxHotCacheDays;
    const storedGB = storedGBPerDay * sizing.adxRetentionDays;
    const adxNeed = adxNeeds(sizing.adxSku, hotCacheGB, p.adx.sku, a);
    const adxPrice = p.adx.sku[sizing.adxSku];
    const adx = {
        sku: sizing.adxSku,
        instances: sizing.adxInstances,
        monthly: sizing.adxInstances * (adxPrice.compute + adxPrice.markup) + storedGB * p.adx.storagePerGBMonth,
        neededInstances: adxNeed.neededInstances,
        cheapest: adxNeed.cheapest,
        hotCacheGB,
        storedGB,
    };

    const millionRUPerMonth =
        ((devices * DAYS_PER_MONTH) / 1e6) * (a.stateWritesPerDevicePerDay * a.stateWriteRU + a.stateReadsPerDevicePerDay * a.stateReadRU);
    const stateGB = (devices * a.stateBytesPerDevice) / GB;
    const cosmos = {
        millionRUPerMonth,
        storageGB: stateGB,
        monthly: millionRUPerMonth * p.cosmosServerless.perMillionRU + stateGB * p.cosmosServerless.storagePerGBMonth,
    };

    const telemetryTiers = telemetryTiersCost(rawGBPerDay, tiers, sizing, p, a);
    const parquetGBPerDay = rawGBPerDay / a.parquetCompressionRatio;

    const logGBPerMonth =
        DAYS_PER_MONTH * (nodes * a.logGBPerNodePerDay + clusters * a.logGBPerClusterPerDay + (messagesPerDay * a.logBytesPerMessage) / GB);
    const logAnalytics = { gbPerMonth: logGBPerMonth, monthly: logGBPerMonth * p.logAnalyticsPerGB };

    const series = nodes * a.prometheusSeriesPerNode + tenants * a.prometheusSeriesPerTenant;
    const millionSamplesPerMonth = (((series * SECONDS_PER_DAY) / a.prometheusScrapeIntervalSeconds) * DAYS_PER_MONTH) / 1e6;
    const prometheus = { millionSamplesPerMonth, monthly: (millionSamplesPerMonth / 10) * p.prometheusPer10MSamples };
    const grafana = { monthly: p.grafanaStandard.instance + a.grafanaActiveUsers * p.grafanaStandard.activeUser };

    const internetGB =
        (DAYS_PER_MONTH * devices * a.deviceDownlinkBytesPerDay) / GB +
        (devices * a.firmwareBytesPerDevicePerYear) / 12 / GB +
        DAYS_PER_MONTH * rawGBPerDay * a.tenantDeliveryFactor;
    // GRS copies each Parquet byte written to the paired region once.
    const interRegionGB = DAYS_PER_MONTH * parquetGBPerDay;
    const egress = {
        internetGB,
        interRegionGB,
        monthly: tieredCost(internetGB, p.egress.internet) + interRegionGB * p.egress.interRegionSameContinent,
    };

    const shortfalls = dataPlaneShortfalls(iotHub, eventHubs, eventHubsNeeds("Premium"), adx);
    const monthly =
        iotHub.monthly +
        provisioning.monthly +
        eventHubs.monthly +
        serviceBus.monthly +
        adx.monthly +
        cosmos.monthly +
        telemetryTiers.warm.monthly +
        telemetryTiers.cold.monthly +
        logAnalytics.monthly +
        prometheus.monthly +
        grafana.monthly +
        egress.monthly;
    return {
        iotHub,
        provisioning,
        eventHubs,
        serviceBus,
        adx,
        cosmos,
        telemetryTiers,
        logAnalytics,
        prometheus,
        grafana,
        egress,
        shortfalls,
        monthly,
    };
}
