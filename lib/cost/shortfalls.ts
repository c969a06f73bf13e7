import { ADX_MIN_STANDARD_INSTANCES, EVENT_HUBS_CAPACITY_STEPS, EventHubsSku, IOT_HUB_TIERS } from "../dataPlane";
import { RegionPrices } from "../prices";
import { cheapest, IotHubOption } from "../ingestLoad";
export { iotHubNeeds, IotHubOption } from "../ingestLoad";
import { ceilOf } from "./arithmetic";
import { CostAssumptions } from "./assumptions";

/**
 * IoT Hub, Event Hubs and ADX have fixed capacity, which the stack sets (`dataPlaneSizing`): the estimate prices
 * them as configured, and this file works out what the load needs of each and flags, like a `saturated` pool,
 * where the configuration is below it, with the cheapest setting that carries it:
 * - IoT Hub: the units whose daily quota and send throttle cover the load (4 KB billing blocks);
 * - Event Hubs: capacity for the peak ingress and the egress of each full-stream reader (TUs on Standard, PUs on
 *   Premium, where Microsoft's range's low end is taken as the throughput of a PU);
 * - ADX: the instances whose SSD holds the hot-cache window at the assumed utilisation; ingestion CPU is not
 *   modelled (the cache binds first).
 * A data plane below its load is priced as configured: the bill once its shortfalls are fixed is higher.
 */

const IOT_HUB_KEY = "iot-fleet:dataPlane.iotHub";
const EVENT_HUBS_KEY = "iot-fleet:eventHubs";
const ADX_KEY = "iot-fleet:dataPlane.adx";
const SPLIT_THE_REGION = "more than one namespace or hub carries: split the region's tenants across another stack";

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

/** The instances of the configured ADX SKU whose cache holds the hot window, and the cheapest SKU and instances that do. */
export function adxNeeds(
    sku: string,
    hotCacheGB: number,
    prices: RegionPrices["adx"]["sku"],
    a: CostAssumptions,
): { neededInstances: number; cheapest: AdxOption } {
    const options = Object.entries(prices).map(([option, price]): AdxOption => {
        const instances = Math.max(ADX_MIN_STANDARD_INSTANCES, ceilOf(hotCacheGB / (price.cacheGB * a.adxCacheUtilisation)));
        return { sku: option, instances, monthly: instances * (price.compute + price.markup) };
    });
    return {
        neededInstances: options.find(o => o.sku === sku)!.instances,
        // Compute-optimised SKUs for a small region, storage-optimised ones once the hot data outgrows a few of their caches.
        cheapest: cheapest(options)!,
    };
}

/** The configured IoT Hub beside what the load needs. */
type IotHubCapacity = Pick<IotHubOption, "tier" | "units"> & { readonly neededUnits: number; readonly cheapest: IotHubOption };
/** The configured Event Hubs tier and capacity beside what the load needs of that tier. */
interface EventHubsCapacity {
    readonly sku: EventHubsSku;
    readonly capacity: number;
    readonly neededCapacity: number;
}
/** The configured ADX beside what the load needs. */
type AdxCapacity = Pick<AdxOption, "sku" | "instances"> & {
    readonly neededInstances: number;
    readonly cheapest: AdxOption;
    readonly hotCacheGB: number;
};

/**
 * Where the configured IoT Hub, Event Hubs or ADX capacity is below the load, in that order; empty when it carries
 * it. `premiumNeeded` is the Event Hubs Premium capacity the load needs, the fix when Standard cannot carry it.
 */
export function dataPlaneShortfalls(
    iotHub: IotHubCapacity,
    eventHubs: EventHubsCapacity,
    premiumNeeded: number,
    adx: AdxCapacity,
): CapacityShortfall[] {
    return [iotHubShortfall(iotHub), eventHubsShortfall(eventHubs, premiumNeeded), adxShortfall(adx)].filter(
        (shortfall): shortfall is CapacityShortfall => shortfall !== undefined,
    );
}

function iotHubShortfall(iotHub: IotHubCapacity): CapacityShortfall | undefined {
    if (iotHub.units >= iotHub.neededUnits) {
        return undefined;
    }
    const { maxUnits } = IOT_HUB_TIERS[iotHub.tier];
    const best = iotHub.cheapest;
    return {
        service: "IoT Hub",
        key: IOT_HUB_KEY,
        configured: `${iotHub.units} × ${iotHub.tier}`,
        needed:
            iotHub.neededUnits > maxUnits
                ? `more than ${maxUnits} × ${iotHub.tier}, the most one ${iotHub.tier} hub takes`
                : `${iotHub.neededUnits} × ${iotHub.tier}`,
        fix: best.units > IOT_HUB_TIERS[best.tier].maxUnits ? SPLIT_THE_REGION : `sku: ${best.tier}, units: ${best.units}`,
    };
}

function eventHubsShortfall(eventHubs: EventHubsCapacity, premiumNeeded: number): CapacityShortfall | undefined {
    if (eventHubs.capacity >= eventHubs.neededCapacity) {
        return undefined;
    }
    const unit = eventHubs.sku === "Premium" ? "PU" : "TU";
    const fits = (sku: EventHubsSku, capacity: number) => EVENT_HUBS_CAPACITY_STEPS[sku].includes(capacity);
    const fix = fits(eventHubs.sku, eventHubs.neededCapacity)
        ? `sku: ${eventHubs.sku}, capacity: ${eventHubs.neededCapacity}`
        : fits("Premium", premiumNeeded)
          ? `sku: Premium, capacity: ${premiumNeeded}`
          : SPLIT_THE_REGION;
    return {
        service: "Event Hubs",
        key: EVENT_HUBS_KEY,
        configured: `${eventHubs.capacity} ${unit} (${eventHubs.sku})`,
        needed: `${eventHubs.neededCapacity} ${unit}${fits(eventHubs.sku, eventHubs.neededCapacity) ? "" : `, above the ${eventHubs.sku} maximum`}`,
        fix,
    };
}

function adxShortfall(adx: AdxCapacity): CapacityShortfall | undefined {
    if (adx.instances >= adx.neededInstances) {
        return undefined;
    }
    return {
        service: "ADX",
        key: ADX_KEY,
        configured: `${adx.instances} × ${adx.sku}`,
        needed: `${adx.neededInstances} × ${adx.sku} to cache ${Math.round(adx.hotCacheGB)} GB of hot data`,
        fix: `sku: ${adx.cheapest.sku}, instances: ${adx.cheapest.instances}`,
    };
}
