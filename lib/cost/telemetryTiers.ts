import { DataPlaneSizing } from "../dataPlane";
import { RegionPrices } from "../prices";
import { TelemetryTiers } from "../telemetryTiers";
import { CostAssumptions } from "./assumptions";
import { adxNeeds } from "./shortfalls";

/**
 * What a region pays a month to keep its telemetry, tier by tier, against keeping all of it in ADX:
 * - hot: the ADX cluster (its instances hold the hot window in their SSD cache) and ADX storage for `hotDays`;
 * - warm: the Parquet copy in Cool blobs until `warmDays`, on GRS (twice LRS's price: the copy in the paired region);
 * - cold: the Parquet copy in Archive blobs from `warmDays` to `retentionDays`, GRS too;
 * - hot-only: ADX alone keeping the same queryable period at full speed (the warm period in its cache, on the
 *   cheapest SKU and count that hold it) and storing everything until the retention.
 * A retention of "never" grows without end; it is priced at `neverRetentionHorizonDays` of age.
 * Not priced: the export's and lifecycle's blob operations (a few files per tenant and export run) and Archive
 * rehydration, which a query of archived data pays when it happens.
 */

/** One tier: days of telemetry it holds, the GB stored (both copies on GRS) and its monthly cost. */
export interface TierCost {
    readonly days: number;
    readonly storedGB: number;
    readonly monthly: number;
}

export interface TelemetryTiersCost {
    readonly hot: TierCost & { readonly adxInstances: number; readonly adxCompute: number };
    readonly warm: TierCost;
    readonly cold: TierCost;
    readonly tiered: number;
    /** ADX alone: the instances that cache the warm period, and storage for the whole retention. */
    readonly hotOnly: TierCost & { readonly adxSku: string; readonly adxInstances: number; readonly adxCompute: number };
    /** hotOnly.monthly - tiered */
    readonly saving: number;
}

/** GRS keeps every byte in the region and in its pair, at about twice LRS's price. */
const GRS_COPIES = 2;

export function telemetryTiersCost(
    rawGBPerDay: number,
    tiers: TelemetryTiers,
    sizing: DataPlaneSizing,
    p: RegionPrices,
    a: CostAssumptions,
): TelemetryTiersCost {
    const adxGBPerDay = rawGBPerDay / a.adxCompressionRatio;
    const parquetGBPerDay = rawGBPerDay / a.parquetCompressionRatio;
    const retentionDays = tiers.retentionDays === "never" ? a.neverRetentionHorizonDays : tiers.retentionDays;
    const instancePrice = p.adx.sku[sizing.adxSku].compute + p.adx.sku[sizing.adxSku].markup;

    const hotGB = adxGBPerDay * tiers.hotDays;
    const hotCompute = sizing.adxInstances * instancePrice;
    const hot = {
        days: tiers.hotDays,
        storedGB: hotGB,
        adxInstances: sizing.adxInstances,
        adxCompute: hotCompute,
        monthly: hotCompute + hotGB * p.adx.storagePerGBMonth,
    };
    const warmGB = GRS_COPIES * parquetGBPerDay * tiers.warmDays;
    const warm = { days: tiers.warmDays, storedGB: warmGB, monthly: warmGB * p.blob.cool };
    const coldDays = Math.max(0, retentionDays - tiers.warmDays);
    const coldGB = GRS_COPIES * parquetGBPerDay * coldDays;
    const cold = { days: coldDays, storedGB: coldGB, monthly: coldGB * p.blob.archive };

    const { cheapest } = adxNeeds(sizing.adxSku, adxGBPerDay * tiers.warmDays, p.adx.sku, a);
    const hotOnlyGB = adxGBPerDay * retentionDays;
    const hotOnly = {
        days: retentionDays,
        storedGB: hotOnlyGB,
        adxSku: cheapest.sku,
        adxInstances: cheapest.instances,
        adxCompute: cheapest.monthly,
        monthly: cheapest.monthly + hotOnlyGB * p.adx.storagePerGBMonth,
    };
    const tiered = hot.monthly + warm.monthly + cold.monthly;
    return { hot, warm, cold, tiered, hotOnly, saving: hotOnly.monthly - tiered };
}
