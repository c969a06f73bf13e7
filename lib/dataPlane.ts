import { z } from "zod";
import { TelemetryTiers } from "./telemetryTiers";

/**
 * The sizing of a region's data plane (IoT Hub, Event Hubs, Service Bus, ADX, Cosmos DB), in one place for
 * `components/region/regionDataPlane.ts`, which deploys it, and `lib/cost/regionServices.ts` and
 * `lib/cost/shortfalls.ts`, which price it and check it against the load. The stack file sets the capacity that
 * has to grow with the region's devices: IoT Hub and ADX under `iot-fleet:dataPlane`, Event Hubs under
 * `iot-fleet:eventHubs` (next to its tier, which stack files already set).
 */

export const IOT_HUB_SKUS = ["S1", "S2", "S3"] as const;
export type IotHubSku = (typeof IOT_HUB_SKUS)[number];

/** IoT Hub tiers: daily message quota and device-to-cloud send throttle per unit, and the most units one hub takes. */
export const IOT_HUB_TIERS: Readonly<
    Record<IotHubSku, { messagesPerUnitPerDay: number; sendsPerSecondPerUnit: number; maxUnits: number }>
> = {
    S1: { messagesPerUnitPerDay: 400_000, sendsPerSecondPerUnit: 12, maxUnits: 200 },
    S2: { messagesPerUnitPerDay: 6_000_000, sendsPerSecondPerUnit: 120, maxUnits: 200 },
    S3: { messagesPerUnitPerDay: 300_000_000, sendsPerSecondPerUnit: 6_000, maxUnits: 10 },
};

export const EVENT_HUBS_SKUS = ["Standard", "Premium"] as const;
export type EventHubsSku = (typeof EVENT_HUBS_SKUS)[number];

/** The capacity units a namespace of each tier can have: throughput units on Standard, processing units on Premium. */
export const EVENT_HUBS_CAPACITY_STEPS: Readonly<Record<EventHubsSku, readonly number[]>> = {
    Standard: Array.from({ length: 40 }, (_, i) => i + 1),
    Premium: [1, 2, 4, 8, 16],
};
/** What a namespace gets when the stack names only its tier: 2 TUs ride out one unit's worth of burst; 1 PU is Premium's smallest. */
export const DEFAULT_EVENT_HUBS_CAPACITY: Readonly<Record<EventHubsSku, number>> = { Standard: 2, Premium: 1 };

/** The ADX SLA (Standard tier) needs at least 2 instances; a Dev(No SLA) SKU runs exactly 1. */
export const ADX_MIN_STANDARD_INSTANCES = 2;
export const isAdxDevSku = (sku: string): boolean => sku.startsWith("Dev(No SLA)_");

export interface DataPlaneSizing {
    /** IoT Hub tier. Default "S1". */
    readonly iotHubSku: IotHubSku;
    /** IoT Hub units. Default 1. */
    readonly iotHubUnits: number;
    /** Event Hubs tier: Standard (shared, throughput units) or Premium (dedicated, processing units). Default "Standard". */
    readonly eventHubsSku: EventHubsSku;
    /** Throughput units on Standard, processing units on Premium (`EVENT_HUBS_CAPACITY_STEPS`). Default 2 on Standard, 1 on Premium. */
    readonly eventHubsCapacity: number;
    /** Partitions of the telemetry hub; Standard cannot change this after creation. Default 32 (the Standard maximum). */
    readonly eventHubPartitionCount: number;
    /** Days the telemetry hub keeps events (1-7 on Standard); 3 rides out a weekend consumer outage. Default 3. */
    readonly eventHubRetentionDays: number;
    /** Service Bus tier. Default "Premium". */
    readonly serviceBusSku: "Standard" | "Premium";
    /** Premium messaging units (1, 2, 4, 8, 16); not sent on Standard. Default 1. */
    readonly serviceBusCapacity: number;
    /** Checkpoint account replication; use LRS where the region has no zones. Default "Standard_ZRS". */
    readonly checkpointStorageSku: "Standard_ZRS" | "Standard_LRS";
    /** ADX VM SKU (a `kusto.AzureSkuName`). Default "Standard_E2ads_v5". */
    readonly adxSku: string;
    /** ADX instance count. Default 2. */
    readonly adxInstances: number;
    /** Days of telemetry kept in the ADX hot cache: the hot window, `telemetry.hotDays`. Default 30. */
    readonly adxHotCacheDays: number;
    /** Days ADX keeps telemetry before deleting it: the hot window too, since the warm tier holds older data in Parquet. Default 30. */
    readonly adxRetentionDays: number;
    /** Cosmos DB capacity model of the device-state account. Default "serverless". */
    readonly cosmosThroughput: "serverless" | { readonly autoscaleMaxThroughput: number };
}

/** The smallest data plane: one IoT Hub S1 unit, 2 Event Hubs TUs, 2 × Standard_E2ads_v5 for ADX. */
export const DATA_PLANE_DEFAULTS: DataPlaneSizing = {
    iotHubSku: "S1",
    iotHubUnits: 1,
    eventHubsSku: "Standard",
    eventHubsCapacity: DEFAULT_EVENT_HUBS_CAPACITY.Standard,
    eventHubPartitionCount: 32,
    eventHubRetentionDays: 3,
    serviceBusSku: "Premium",
    serviceBusCapacity: 1,
    checkpointStorageSku: "Standard_ZRS",
    adxSku: "Standard_E2ads_v5",
    adxInstances: ADX_MIN_STANDARD_INSTANCES,
    adxHotCacheDays: 30,
    adxRetentionDays: 30,
    cosmosThroughput: "serverless",
};

/** `given` over the defaults; an Event Hubs tier given without a capacity gets that tier's default capacity. */
export function withDataPlaneDefaults(given: Partial<DataPlaneSizing>): DataPlaneSizing {
    const set = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined)) as Partial<DataPlaneSizing>;
    const eventHubsSku = set.eventHubsSku ?? DATA_PLANE_DEFAULTS.eventHubsSku;
    return { ...DATA_PLANE_DEFAULTS, eventHubsCapacity: DEFAULT_EVENT_HUBS_CAPACITY[eventHubsSku], ...set };
}

/** The data plane a validated stack config asks for. */
export function dataPlaneSizing(config: {
    readonly dataPlane: z.output<typeof dataPlaneSchema>;
    readonly eventHubs: z.output<typeof eventHubsSchema>;
    readonly telemetry: TelemetryTiers;
}): DataPlaneSizing {
    const { iotHub, adx, serviceBus } = config.dataPlane;
    return withDataPlaneDefaults({
        iotHubSku: iotHub.sku,
        iotHubUnits: iotHub.units,
        eventHubsSku: config.eventHubs.sku,
        eventHubsCapacity: config.eventHubs.capacity,
        adxSku: adx.sku,
        adxInstances: adx.instances,
        serviceBusCapacity: serviceBus.messagingUnits,
        // ADX holds the hot window only: the warm tier keeps every row in Parquet from the first export on.
        adxHotCacheDays: config.telemetry.hotDays,
        adxRetentionDays: config.telemetry.hotDays,
    });
}

const positiveInt = z.number().int().positive();

/** `iot-fleet:eventHubs`: the telemetry namespace's tier and capacity. */
export const eventHubsSchema = z
    .strictObject({
        /** Standard (throughput units) or Premium (processing units, dedicated capacity). */
        sku: z.enum(EVENT_HUBS_SKUS).default(DATA_PLANE_DEFAULTS.eventHubsSku),
        capacity: positiveInt.optional(),
        /**
         * Compliance tags that give a dedicated tenant an Event Hubs namespace of its own (high isolation in Microsoft's
         * multitenant guidance for Event Hubs); the other dedicated tenants get a hub of their own in the region's namespace.
         */
        ownNamespaceCompliance: z
            .array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "compliance tags are lowercase, such as gxp or itar"))
            .default([]),
    })
    .superRefine(({ sku, capacity }, ctx) => {
        const steps = EVENT_HUBS_CAPACITY_STEPS[sku];
        if (capacity !== undefined && !steps.includes(capacity)) {
            const allowed =
                sku === "Standard" ? `1 to ${steps[steps.length - 1]} throughput units` : `${steps.join(", ")} processing units`;
            ctx.addIssue({ code: "custom", path: ["capacity"], input: capacity, message: `the ${sku} tier takes ${allowed}` });
        }
    })
    .transform(({ sku, capacity, ownNamespaceCompliance }) => ({
        sku,
        capacity: capacity ?? DEFAULT_EVENT_HUBS_CAPACITY[sku],
        ownNamespaceCompliance,
    }));

const iotHubSchema = z
    .strictObject({
        sku: z.enum(IOT_HUB_SKUS).default(DATA_PLANE_DEFAULTS.iotHubSku),
        units: positiveInt.default(DATA_PLANE_DEFAULTS.iotHubUnits),
    })
    .superRefine(({ sku, units }, ctx) => {
        const { maxUnits } = IOT_HUB_TIERS[sku];
        if (units > maxUnits) {
            ctx.addIssue({
                code: "custom",
                path: ["units"],
                input: units,
                message: `an ${sku} hub takes at most ${maxUnits} units; a larger load needs ${sku === "S3" ? "another region stack" : "a higher tier"}`,
            });
        }
    });

const adxSchema = z
    .strictObject({
        sku: z
            .string()
            .regex(/^(Dev\(No SLA\)_)?Standard_[A-Za-z0-9_]+$/, "expected an ADX SKU such as Standard_E8ads_v5")
            .default(DATA_PLANE_DEFAULTS.adxSku),
        instances: positiveInt.default(DATA_PLANE_DEFAULTS.adxInstances),
    })
    .superRefine(({ sku, instances }, ctx) => {
        const dev = isAdxDevSku(sku);
        if (dev ? instances !== 1 : instances < ADX_MIN_STANDARD_INSTANCES) {
            const message = dev
                ? "a Dev(No SLA) ADX SKU runs exactly 1 instance"
                : `an ADX cluster with an SLA needs at least ${ADX_MIN_STANDARD_INSTANCES} instances`;
            ctx.addIssue({ code: "custom", path: ["instances"], input: instances, message });
        }
    });

/** `iot-fleet:dataPlane`: the IoT Hub and ADX capacity the region's devices need. */
/** Messaging units Azure sells a Premium Service Bus namespace in (learn.microsoft.com/azure/service-bus-messaging/service-bus-premium-messaging). */
export const SERVICE_BUS_MESSAGING_UNIT_STEPS = [1, 2, 4, 8, 16] as const;

const serviceBusSchema = z.strictObject({
    /**
     * Premium messaging units of the region's namespace: each holds 1,000 queues, one per tenant, so a region past
     * 1,000 tenants needs 2. Default 1.
     */
    messagingUnits: z
        .number()
        .refine(units => (SERVICE_BUS_MESSAGING_UNIT_STEPS as readonly number[]).includes(units), {
            message: `expected one of ${SERVICE_BUS_MESSAGING_UNIT_STEPS.join(", ")}: the messaging units Azure sells`,
        })
        .default(DATA_PLANE_DEFAULTS.serviceBusCapacity),
});

export const dataPlaneSchema = z.strictObject({
    iotHub: iotHubSchema.prefault({}),
    adx: adxSchema.prefault({}),
    serviceBus: serviceBusSchema.prefault({}),
});
