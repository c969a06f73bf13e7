/**
 * Azure list prices for the fleet's cost model, in EUR per month of 730 hours, dated 2026-11.
 *
 * These figures could NOT be fetched live here (no network to the Azure retail prices API). They are the
 * author's best knowledge of the pay-as-you-go list prices (Linux, no Azure Hybrid Benefit, no EA/MCA
 * discount), converted where only the USD list price was known at the EUR/USD ratio Azure's own EUR
 * price list has tracked (EUR ≈ 0.93 × USD). Treat each as accurate to roughly ±10 %, and refresh them
 * before quoting a number to a customer:
 *   https://prices.azure.com/api/retail/prices?currencyCode='EUR'&$filter=armRegionName eq 'westeurope'
 * Spot prices move with demand every few minutes; the Spot figures are the typical price seen, not a quote.
 */

export type PricedRegion = "westeurope" | "eastus";
export const PRICED_REGIONS: readonly PricedRegion[] = ["westeurope", "eastus"];

/** Hours in Azure's billing month: 365 × 24 / 12. */
export const HOURS_PER_MONTH = 730;
/** Days in an average month, to turn daily volumes into monthly ones. */
export const DAYS_PER_MONTH = 365 / 12;

export interface VmPrice {
    readonly vcpus: number;
    /** Pay-as-you-go, EUR per node-month. */
    readonly onDemand: number;
    /** Typical Spot price, EUR per node-month. */
    readonly spot: number;
    /** 1-year reserved instance, monthly payment, EUR per node-month. */
    readonly reserved1y: number;
}

export interface AdxSkuPrice {
    readonly vcpus: number;
    /** Local SSD the engine uses as hot cache, GB. */
    readonly cacheGB: number;
    /** The VM under the engine, EUR per instance-month. */
    readonly compute: number;
    /** The ADX service markup (per vCore-hour × vCores × 730), EUR per instance-month. */
    readonly markup: number;
}

/** One band of a tiered per-GB price: applies to the GB above the previous band, up to `upToGB`. */
export interface PriceTier {
    readonly upToGB: number;
    readonly perGB: number;
}

export interface RegionPrices {
    readonly vm: Readonly<Record<string, VmPrice>>;
    /** AKS Standard tier (uptime SLA), EUR per cluster-month. */
    readonly aksStandardTier: number;
    /** AKS Premium tier (Standard plus long-term support), EUR per cluster-month. */
    readonly aksPremiumTier: number;
    readonly eventHubs: {
        /** Standard throughput unit, EUR per TU-month. */
        readonly standardThroughputUnit: number;
        /** Standard ingress, EUR per million events (64 KB each). */
        readonly standardIngressPerMillionEvents: number;
        /** Premium processing unit, EUR per PU-month; ingress events and retention up to 1 TB per PU are included. */
        readonly premiumProcessingUnit: number;
    };
    readonly serviceBus: {
        /** Premium messaging unit, EUR per MU-month. */
        readonly premiumMessagingUnit: number;
    };
    /** IoT Hub, EUR per unit-month. */
    readonly iotHub: { readonly S1: number; readonly S2: number; readonly S3: number };
    /** Device Provisioning Service S1, EUR per 1,000 operations (a device registration is one; polling is free). */
    readonly dpsPerThousandOperations: number;
    readonly adx: {
        readonly sku: Readonly<Record<string, AdxSkuPrice>>;
        /** Compressed extents in the cluster's storage account (Standard LRS), EUR per GB-month. */
        readonly storagePerGBMonth: number;
    };
    readonly cosmosServerless: {
        readonly perMillionRU: number;
        readonly storagePerGBMonth: number;
    };
    /** Block blob, LRS, EUR per GB-month. */
    readonly blob: { readonly hot: number; readonly cool: number; readonly archive: number };
    /** Log Analytics, Analytics logs, pay-as-you-go ingestion, EUR per GB (31 days of retention included). */
    readonly logAnalyticsPerGB: number;
    /** Azure Monitor managed Prometheus, EUR per 10 million samples ingested. */
    readonly prometheusPer10MSamples: number;
    /** Advanced Container Networking Services (container network security: FQDN filtering), EUR per node-month. */
    readonly acnsPerNodeMonth: number;
    readonly privateLink: {
        /** A private endpoint, EUR per endpoint-month. */
        readonly endpoint: number;
        /** Data through a private endpoint, each direction, EUR per GB (the first PB's band). */
        readonly processedPerGB: number;
        /** A private DNS zone, EUR per zone-month (the first 25 zones' band; queries not priced). */
        readonly dnsZone: number;
    };
    readonly grafanaStandard: {
        /** EUR per instance-month. */
        readonly instance: number;
        /** EUR per active user-month. */
        readonly activeUser: number;
    };
    /** Application Gateway for Containers with its WAF, EUR (per month unless said). */
    readonly applicationGatewayForContainers: {
        readonly gateway: number;
        readonly frontend: number;
        readonly association: number;
        /** Per capacity unit-month (2,500 persistent connections or 2.22 Mbps). */
        readonly capacityUnit: number;
        /** WAF enablement, billed once per AGC whatever the number of WAF policies. */
        readonly waf: number;
        /** WAF, per million requests and per managed rule set evaluated. */
        readonly wafPerMillionRequestsPerRuleSet: number;
    };
    readonly egress: {
        /** Internet egress (routing preference: Microsoft network), zone 1, tiered per month; the first 100 GB are free. */
        readonly internet: readonly PriceTier[];
        /** Between two regions on the same continent, EUR per GB. */
        readonly interRegionSameContinent: number;
    };
}

export interface PriceTable {
    /** Year and month the prices were last reviewed, `YYYY-MM`. */
    readonly asOf: string;
    readonly currency: "EUR";
    readonly regions: Readonly<Record<PricedRegion, RegionPrices>>;
}

const monthly = (perHour: number): number => Math.round(perHour * HOURS_PER_MONTH * 100) / 100;

/** Spot and 1-year reserved as a fraction of on-demand; the discounts Azure's pricing pages showed for each family. */
function vm(vcpus: number, onDemandPerHour: number, spotDiscount: number, reservedDiscount: number): VmPrice {
    return {
        vcpus,
        onDemand: monthly(onDemandPerHour),
        spot: monthly(onDemandPerHour * (1 - spotDiscount)),
        reserved1y: monthly(onDemandPerHour * (1 - reservedDiscount)),
    };
}

/** Internet egress bands (zone 1) in USD were 0.087 / 0.083 / 0.07 / 0.05 per GB after 100 GB free. */
const INTERNET_EGRESS_TIERS: readonly PriceTier[] = [
    { upToGB: 100, perGB: 0 },
    { upToGB: 10_240, perGB: 0.081 },
    { upToGB: 51_200, perGB: 0.077 },
    { upToGB: 153_600, perGB: 0.065 },
    { upToGB: Infinity, perGB: 0.0465 },
];

/** ADX markup: USD 0.11 per vCore-hour on the Standard tier (azure.microsoft.com/pricing/details/data-explorer, 2026-11). */
const ADX_MARKUP_PER_VCORE_HOUR = 0.102;

/** IoT Hub, EUR per unit-month, the same in every region: azure.microsoft.com/pricing/details/iot-hub, S1 USD 25, S2 USD 250, S3 USD 2,500, 2026-11. */
export const IOT_HUB_UNIT_PRICES = { S1: 23.25, S2: 232.5, S3: 2325 } as const;

/** Prices this table holds the same for westeurope and eastus: the services list one price across both. */
const SAME_IN_EVERY_REGION = {
    // azure.microsoft.com/pricing/details/kubernetes-service: Standard tier USD 0.10, Premium USD 0.60 per cluster-hour, 2026-11.
    aksStandardTier: monthly(0.093),
    aksPremiumTier: monthly(0.558),
    // azure.microsoft.com/pricing/details/event-hubs: Standard TU USD 0.030/h, ingress USD 0.028 per million, Premium PU USD 1.233/h, 2026-11.
    eventHubs: { standardThroughputUnit: monthly(0.0279), standardIngressPerMillionEvents: 0.026, premiumProcessingUnit: monthly(1.147) },
    // azure.microsoft.com/pricing/details/service-bus: Premium MU USD 0.928/h, 2026-11.
    serviceBus: { premiumMessagingUnit: monthly(0.863) },
    iotHub: IOT_HUB_UNIT_PRICES,
    // azure.microsoft.com/pricing/details/iot-hub, "Device Provisioning Service": S1 USD 0.10 per 1,000 operations, 2026-11.
    dpsPerThousandOperations: 0.093,
    // azure.microsoft.com/pricing/details/cosmos-db/serverless: USD 0.25 per million RU, USD 0.25 per GB-month, 2026-11.
    cosmosServerless: { perMillionRU: 0.2325, storagePerGBMonth: 0.2325 },
    // azure.microsoft.com/pricing/details/monitor: managed Prometheus USD 0.16 per 10 M samples ingested, 2026-11.
    prometheusPer10MSamples: 0.149,
    // azure.microsoft.com/pricing/details/kubernetes-service, "Advanced Container Networking Services": USD 0.025 per node-hour, 2026-11.
    acnsPerNodeMonth: monthly(0.02325),
    // azure.microsoft.com/pricing/details/private-link: USD 0.01 per endpoint-hour, USD 0.01 per GB in and out;
    // azure.microsoft.com/pricing/details/dns: private zone USD 0.50 per month, 2026-11.
    privateLink: { endpoint: monthly(0.0093), processedPerGB: 0.0093, dnsZone: 0.465 },
    // azure.microsoft.com/pricing/details/managed-grafana: Standard USD 0.085 per instance-hour, USD 6 per active user, 2026-11.
    grafanaStandard: { instance: monthly(0.079), activeUser: 5.58 },
    // Microsoft Learn, "Understanding pricing - Application Gateway for Containers" (East US 2 example meters, USD): AGC
    // 0.017, frontend 0.01, association 0.12, capacity unit 0.008, WAF 0.068 per hour; WAF 0.75 per million requests per
    // rule set. Listed here for every region: the pricing page showed no regional difference for these meters, 2026-11.
    applicationGatewayForContainers: {
        gateway: monthly(0.0158),
        frontend: monthly(0.0093),
        association: monthly(0.1116),
        capacityUnit: monthly(0.00744),
        waf: monthly(0.0632),
        wafPerMillionRequestsPerRuleSet: 0.6975,
    },
    // azure.microsoft.com/pricing/details/bandwidth, EUR, 2026-11.
    egress: { internet: INTERNET_EGRESS_TIERS, interRegionSameContinent: 0.0186 },
};

export const PRICES: PriceTable = {
    asOf: "2026-11",
    currency: "EUR",
    regions: {
        westeurope: {
            // Azure retail prices API, westeurope, EUR, Linux pay-as-you-go / Spot / 1-year reservation, 2026-11.
            vm: {
                Standard_D4ds_v5: vm(4, 0.2455, 0.75, 0.39),
                Standard_D8ds_v5: vm(8, 0.491, 0.75, 0.39),
                Standard_D4s_v5: vm(4, 0.2139, 0.75, 0.39),
                Standard_D4as_v5: vm(4, 0.1916, 0.75, 0.38),
                Standard_E4ds_v5: vm(4, 0.3088, 0.75, 0.39),
                Standard_F4s_v2: vm(4, 0.1786, 0.75, 0.37),
                Standard_F8s_v2: vm(8, 0.3571, 0.75, 0.37),
                Standard_F16s_v2: vm(16, 0.7142, 0.75, 0.37),
                Standard_F32s_v2: vm(32, 1.4284, 0.75, 0.37),
            },
            ...SAME_IN_EVERY_REGION,
            adx: {
                // azure.microsoft.com/pricing/details/data-explorer, westeurope, EUR, 2026-11; cache is the SKU's local SSD (learn.microsoft.com/azure/data-explorer/manage-cluster-choose-sku).
                sku: {
                    Standard_E2ads_v5: { vcpus: 2, cacheGB: 75, compute: monthly(0.1404), markup: monthly(2 * ADX_MARKUP_PER_VCORE_HOUR) },
                    Standard_E8ads_v5: { vcpus: 8, cacheGB: 300, compute: monthly(0.5616), markup: monthly(8 * ADX_MARKUP_PER_VCORE_HOUR) },
                    Standard_L8as_v3: { vcpus: 8, cacheGB: 1788, compute: monthly(0.6919), markup: monthly(8 * ADX_MARKUP_PER_VCORE_HOUR) },
                },
                // Azure retail prices API, westeurope, EUR, Blob Hot LRS data stored, 2026-11.
                storagePerGBMonth: 0.0184,
            },
            // Azure retail prices API, westeurope, EUR, Block Blob LRS hot / cool / archive data stored, 2026-11.
            blob: { hot: 0.0184, cool: 0.01, archive: 0.0018 },
            // azure.microsoft.com/pricing/details/monitor, westeurope, Analytics logs pay-as-you-go, 2026-11.
            logAnalyticsPerGB: 2.53,
        },
        eastus: {
            // Azure retail prices API, eastus, EUR, Linux pay-as-you-go / Spot / 1-year reservation, 2026-11.
            vm: {
                Standard_D4ds_v5: vm(4, 0.2102, 0.8, 0.39),
                Standard_D8ds_v5: vm(8, 0.4204, 0.8, 0.39),
                Standard_D4s_v5: vm(4, 0.1786, 0.8, 0.39),
                Standard_D4as_v5: vm(4, 0.16, 0.8, 0.38),
                Standard_E4ds_v5: vm(4, 0.2678, 0.8, 0.39),
                Standard_F4s_v2: vm(4, 0.1572, 0.8, 0.37),
                Standard_F8s_v2: vm(8, 0.3143, 0.8, 0.37),
                Standard_F16s_v2: vm(16, 0.6296, 0.8, 0.37),
                Standard_F32s_v2: vm(32, 1.2592, 0.8, 0.37),
            },
            ...SAME_IN_EVERY_REGION,
            adx: {
                // azure.microsoft.com/pricing/details/data-explorer, eastus, EUR, 2026-11.
                sku: {
                    Standard_E2ads_v5: { vcpus: 2, cacheGB: 75, compute: monthly(0.1218), markup: monthly(2 * ADX_MARKUP_PER_VCORE_HOUR) },
                    Standard_E8ads_v5: { vcpus: 8, cacheGB: 300, compute: monthly(0.4873), markup: monthly(8 * ADX_MARKUP_PER_VCORE_HOUR) },
                    Standard_L8as_v3: { vcpus: 8, cacheGB: 1788, compute: monthly(0.5766), markup: monthly(8 * ADX_MARKUP_PER_VCORE_HOUR) },
                },
                // Azure retail prices API, eastus, EUR, Blob Hot LRS data stored, 2026-11.
                storagePerGBMonth: 0.0171,
            },
            // Azure retail prices API, eastus, EUR, Block Blob LRS hot / cool / archive data stored, 2026-11.
            blob: { hot: 0.0171, cool: 0.0093, archive: 0.00092 },
            // azure.microsoft.com/pricing/details/monitor, eastus, Analytics logs pay-as-you-go (USD 2.30/GB), 2026-11.
            logAnalyticsPerGB: 2.14,
        },
    },
};

/** The price of `gb` gigabytes under a tiered per-GB price. */
export function tieredCost(gb: number, tiers: readonly PriceTier[]): number {
    let cost = 0;
    let floor = 0;
    for (const tier of tiers) {
        if (gb <= floor) {
            break;
        }
        cost += (Math.min(gb, tier.upToGB) - floor) * tier.perGB;
        floor = tier.upToGB;
    }
    return cost;
}
