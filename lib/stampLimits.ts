import { IOT_HUB_LIMITS } from "../policy/dataPlaneLimits";
import { ADX_ROUTING_ENRICHMENTS } from "./adxTenancy";
import { AzureLimitRow, LIMIT_SOURCES } from "./azureLimitRow";
import { NamespaceEventHub } from "./dataPath";
import { deviceLoad, iotHubUnitsNeeded, namespaceCapacityNeeded, TRAFFIC_PROFILE, TrafficProfile } from "./ingestLoad";
import { EVENT_HUBS_CAPACITY_STEPS, EventHubsSku, IOT_HUB_TIERS } from "./dataPlane";
import { StampHub } from "./stampPlan";
import { DPS_LIMITS, IOT_HUB_MAX_DEVICES, IOT_HUBS_PER_SUBSCRIPTION } from "./stamps";

/**
 * The Azure limits a region's ingest meets, per stamp and for the region: what one IoT hub holds (devices, units of its
 * tier for the stamp's messages, custom endpoints, routes, enrichments), IoT hubs and Device Provisioning Services per
 * subscription, what one DPS holds (linked hubs, registrations, enrollment groups), and what the region's one Event
 * Hubs namespace carries (capacity units for the ingress and every full reader's egress, partitions per hub). Rows of
 * `configLimitRows`, so validation refuses a region past any and `npm start` shows each with its headroom.
 */

/** Partitions per event hub (Microsoft Learn, "Azure Event Hubs quotas and limits"). */
export const PARTITIONS_PER_EVENT_HUB: Readonly<Record<EventHubsSku, number>> = { Standard: 32, Premium: 100 };

export interface StampLimitInputs {
    /** Every stamp with its hub's tier (`stampHubsOf`). */
    readonly stamps: readonly StampHub[];
    readonly eventHubsSku: EventHubsSku;
    readonly eventHubPartitionCount: number;
    /**
     * The event hubs of the region's namespace, each with the devices whose messages it carries and the consumers that
     * read all of it: the shared hub (the long tail; ADX and every shared cluster's ingest) and each dedicated tenant's
     * hub kept in the namespace (its tenant; ADX and its cluster's ingest).
     */
    readonly namespaceHubs: readonly NamespaceEventHub[];
    readonly devices: number;
    readonly tenants: number;
    /** IoT hubs and Device Provisioning Services of the other stacks of the subscription group. */
    readonly otherStacks: { readonly iotHubs: number; readonly provisioningServices: number };
    /** Raised DPS quotas (`quotas.dpsRegistrations`, `quotas.dpsEnrollmentGroups`). */
    readonly quotas: { readonly dpsRegistrations: number; readonly dpsEnrollmentGroups: number };
    readonly subscription: string;
}

export function stampLimitRows(inputs: StampLimitInputs, a: TrafficProfile = TRAFFIC_PROFILE): AzureLimitRow[] {
    const perStamp = inputs.stamps.flatMap(stamp => {
        const { sku } = stamp;
        const load = deviceLoad(stamp.devices, a);
        const hub = `IoT hub of ${stamp.name}`;
        return [
            { limit: "devices per IoT hub", scope: hub, used: stamp.devices, max: IOT_HUB_MAX_DEVICES, source: LIMIT_SOURCES.iotHub },
            {
                limit: `${sku} units per IoT hub (for ${a.messagesPerDevicePerDay} messages a device a day, ${IOT_HUB_TIERS[sku].messagesPerUnitPerDay.toLocaleString("en-US")} a unit)`,
                scope: hub,
                used: iotHubUnitsNeeded(sku, load.billedMessagesPerDay, load.peakPerSecond),
                max: IOT_HUB_TIERS[sku].maxUnits,
                source: LIMIT_SOURCES.iotHub,
            },
            {
                limit: "custom endpoints per IoT hub",
                scope: hub,
                used: 1 + stamp.dedicated.length,
                max: IOT_HUB_LIMITS.customEndpoints,
                source: LIMIT_SOURCES.iotHub,
            },
            {
                limit: "routes per IoT hub",
                scope: hub,
                used: 1 + stamp.dedicated.length,
                max: IOT_HUB_LIMITS.routes,
                source: LIMIT_SOURCES.iotHub,
            },
            {
                limit: "message enrichments per IoT hub",
                scope: hub,
                used: 1 + ADX_ROUTING_ENRICHMENTS.length,
                max: IOT_HUB_LIMITS.enrichments,
                source: LIMIT_SOURCES.iotHub,
            },
        ];
    });
    const stampCount = inputs.stamps.length;
    const capacity = namespaceCapacityNeeded(
        inputs.eventHubsSku,
        inputs.namespaceHubs.map(hub => ({ load: deviceLoad(hub.devices, a), fullReaders: hub.fullReaders })),
        a,
    );
    const steps = EVENT_HUBS_CAPACITY_STEPS[inputs.eventHubsSku];
    return [
        ...perStamp,
        {
            limit: "IoT hubs per subscription",
            scope: `subscription ${inputs.subscription}`,
            used: stampCount + inputs.otherStacks.iotHubs,
            max: IOT_HUBS_PER_SUBSCRIPTION,
            source: LIMIT_SOURCES.iotHub,
        },
        {
            limit: "Device Provisioning Services per subscription",
            scope: `subscription ${inputs.subscription}`,
            used: 1 + inputs.otherStacks.provisioningServices,
            max: DPS_LIMITS.perSubscription,
            source: LIMIT_SOURCES.dps,
        },
        {
            limit: "linked IoT hubs per DPS",
            scope: "the region's DPS",
            used: stampCount,
            max: DPS_LIMITS.linkedIotHubs,
            source: LIMIT_SOURCES.dps,
        },
        {
            limit: "registrations per DPS (quotas.dpsRegistrations)",
            scope: "the region's DPS",
            used: inputs.devices,
            max: inputs.quotas.dpsRegistrations,
            source: LIMIT_SOURCES.dps,
        },
        {
            limit: "enrollment groups per DPS, one per tenant (quotas.dpsEnrollmentGroups)",
            scope: "the region's DPS",
            used: inputs.tenants,
            max: inputs.quotas.dpsEnrollmentGroups,
            source: LIMIT_SOURCES.dps,
        },
        {
            limit: `${inputs.eventHubsSku === "Premium" ? "processing" : "throughput"} units per Event Hubs namespace (peak ingress, and egress to ${inputs.namespaceHubs[0]?.fullReaders ?? 0} full readers of the shared hub, 2 of each dedicated one)`,
            scope: "the region's Event Hubs namespace",
            used: capacity,
            max: steps[steps.length - 1],
            source: LIMIT_SOURCES.eventHubs,
        },
        {
            limit: "partitions per event hub",
            scope: "event hub telemetry",
            used: inputs.eventHubPartitionCount,
            max: PARTITIONS_PER_EVENT_HUB[inputs.eventHubsSku],
            source: LIMIT_SOURCES.eventHubs,
        },
    ];
}
