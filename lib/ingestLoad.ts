import { EVENT_HUBS_CAPACITY_STEPS, EventHubsSku, IOT_HUB_SKUS, IOT_HUB_TIERS, IotHubSku } from "./dataPlane";
import { RegionPrices } from "./prices";

/**
 * The load a number of devices puts on the ingest (IoT Hub, Event Hubs), by the fleet's traffic profile, and the
 * capacity each service needs for it. Pure: the limits check (`stampLimits.ts`), the stamps' sizing (`stampPlan.ts`)
 * and the cost model (`cost/`) all read it.
 */

export const SECONDS_PER_DAY = 86_400;
/** Math.ceil that ignores floating-point dust, so that exactly 2 nodes' worth of demand is 2 nodes, not 3. */
export const ceilOf = (value: number): number => Math.ceil(value - 1e-9);

/** What a device sends, and what the ingest's fixed-capacity services carry of it. */
export interface TrafficProfile {
    /** Telemetry messages a device sends per day. */
    readonly messagesPerDevicePerDay: number;
    /** Bytes of one telemetry message as ADX stores it (JSON body and the properties kept). */
    readonly messageBytes: number;
    /** Peak over average message rate, for the services whose capacity is fixed (IoT Hub throttle, Event Hubs, Service Bus). */
    readonly peakToAverage: number;
    /** Consumers that read the whole telemetry hub (Event Hubs egress). */
    readonly eventHubFullStreamReaders: number;
    /** Ingress one Event Hubs Premium processing unit sustains, bytes per second. */
    readonly premiumIngressBytesPerSecondPerProcessingUnit: number;
    /** Egress one Event Hubs Premium processing unit sustains, bytes per second. */
    readonly premiumEgressBytesPerSecondPerProcessingUnit: number;
}

/** The fleet's traffic profile (the cost model's `COST_ASSUMPTIONS` start from it). */
export const TRAFFIC_PROFILE: TrafficProfile = {
    // One message every 10 minutes, batching ten 1-minute readings: IoT Hub bills per message in 4 KB
    // blocks, so devices batch rather than send each reading.
    messagesPerDevicePerDay: 144,
    // Ten readings of ~100 bytes of JSON plus the device id, timestamps and the IoT Hub properties ADX keeps.
    messageBytes: 1_500,
    // Diurnal swing and reconnect storms after an outage; fixed-capacity services must absorb them.
    peakToAverage: 2,
    // The ADX data connection and the ingest tier, which reads once and routes per tenant.
    eventHubFullStreamReaders: 2,
    // Microsoft quotes 5-10 MB/s in and 10-20 MB/s out per PU, depending on the workload; the low end, as for the other fixed-capacity services.
    premiumIngressBytesPerSecondPerProcessingUnit: 5e6,
    premiumEgressBytesPerSecondPerProcessingUnit: 10e6,
};

/** Every hub may send at least this rate whatever its units (the throttle's floor on S1 and S2). */
const IOT_HUB_SEND_FLOOR_PER_SECOND = 100;
/** Event Hubs Standard, per TU: 1 MB/s or 1,000 events/s in, 2 MB/s or 4,096 events/s out. */
const EVENT_HUBS_TU = {
    ingressEventsPerSecond: 1_000,
    ingressBytesPerSecond: 1e6,
    egressEventsPerSecond: 4_096,
    egressBytesPerSecond: 2e6,
};

/** IoT Hub meters messages in 4 KB blocks. */
const IOT_HUB_BILLING_BLOCK_BYTES = 4_096;

/** What a number of devices sends, on average a day and at peak a second, by the traffic profile. */
export interface DeviceLoad {
    readonly messagesPerDay: number;
    /** Messages as IoT Hub counts them against its daily quota (4 KB blocks). */
    readonly billedMessagesPerDay: number;
    readonly peakPerSecond: number;
    readonly peakBytesPerSecond: number;
}

export function deviceLoad(devices: number, a: TrafficProfile): DeviceLoad {
    const messagesPerDay = devices * a.messagesPerDevicePerDay;
    const peakPerSecond = (messagesPerDay / SECONDS_PER_DAY) * a.peakToAverage;
    return {
        messagesPerDay,
        billedMessagesPerDay: messagesPerDay * Math.ceil(a.messageBytes / IOT_HUB_BILLING_BLOCK_BYTES),
        peakPerSecond,
        peakBytesPerSecond: peakPerSecond * a.messageBytes,
    };
}

/** Units of an IoT Hub tier whose daily quota and send throttle carry the load; above the tier's maximum when it cannot. */
export function iotHubUnitsNeeded(tier: IotHubSku, billedMessagesPerDay: number, peakPerSecond: number): number {
    const limits = IOT_HUB_TIERS[tier];
    const forThrottle = peakPerSecond <= IOT_HUB_SEND_FLOOR_PER_SECOND ? 1 : Math.ceil(peakPerSecond / limits.sendsPerSecondPerUnit);
    return Math.max(1, Math.ceil(billedMessagesPerDay / limits.messagesPerUnitPerDay), forThrottle);
}

/** An event hub of the namespace: its peak load and how many consumers read all of it. */
export interface EventHubStream {
    readonly load: Pick<DeviceLoad, "peakPerSecond" | "peakBytesPerSecond">;
    readonly fullReaders: number;
}

/**
 * The capacity an Event Hubs namespace needs for the peak ingress of its hubs and the egress to each hub's full
 * readers, summed over its hubs: TUs on Standard (events and bytes per TU), PUs on Premium (bytes per PU, in the steps
 * Azure sells); above the tier's maximum when it cannot.
 */
export function namespaceCapacityNeeded(sku: EventHubsSku, streams: readonly EventHubStream[], a: TrafficProfile): number {
    const sum = (of: (stream: EventHubStream) => number) => streams.reduce((total, stream) => total + of(stream), 0);
    const ingressEvents = sum(s => s.load.peakPerSecond);
    const ingressBytes = sum(s => s.load.peakBytesPerSecond);
    const egressEvents = sum(s => s.fullReaders * s.load.peakPerSecond);
    const egressBytes = sum(s => s.fullReaders * s.load.peakBytesPerSecond);
    const wanted =
        sku === "Premium"
            ? Math.max(
                  ceilOf(ingressBytes / a.premiumIngressBytesPerSecondPerProcessingUnit),
                  ceilOf(egressBytes / a.premiumEgressBytesPerSecondPerProcessingUnit),
              )
            : Math.max(
                  ceilOf(ingressEvents / EVENT_HUBS_TU.ingressEventsPerSecond),
                  ceilOf(ingressBytes / EVENT_HUBS_TU.ingressBytesPerSecond),
                  ceilOf(egressEvents / EVENT_HUBS_TU.egressEventsPerSecond),
                  ceilOf(egressBytes / EVENT_HUBS_TU.egressBytesPerSecond),
              );
    return EVENT_HUBS_CAPACITY_STEPS[sku].find(step => step >= wanted) ?? wanted;
}

/** An IoT Hub tier and unit count, and what it costs a month. */
export interface IotHubOption {
    readonly tier: IotHubSku;
    readonly units: number;
    readonly monthly: number;
}

/** The units of the configured IoT Hub tier the load needs, and the cheapest tier and units that carry it. */
export function iotHubNeeds(
    tier: IotHubSku,
    billedMessagesPerDay: number,
    peakPerSecond: number,
    prices: RegionPrices["iotHub"],
): { neededUnits: number; cheapest: IotHubOption } {
    // Highest tier first, so that of two options at one price the one with more headroom wins.
    const options = [...IOT_HUB_SKUS].reverse().map((option): IotHubOption => {
        const units = iotHubUnitsNeeded(option, billedMessagesPerDay, peakPerSecond);
        return { tier: option, units, monthly: units * prices[option] };
    });
    const optionOf = (sku: IotHubSku) => options.find(o => o.tier === sku)!;
    return {
        neededUnits: optionOf(tier).units,
        // S3 beyond what any tier carries in one hub.
        cheapest: cheapest(options.filter(o => o.units <= IOT_HUB_TIERS[o.tier].maxUnits)) ?? optionOf("S3"),
    };
}

/** The cheapest of several priced options; of two at one price the first. */
export const cheapest = <T extends { readonly monthly: number }>(options: readonly T[]): T | undefined =>
    [...options].sort((x, y) => x.monthly - y.monthly)[0];
