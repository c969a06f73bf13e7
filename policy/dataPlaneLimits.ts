import { EnforcementLevel, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { dependencyOf, TYPES } from "./resources";

/**
 * Azure's per-resource limits of the data plane, as registered: what Azure would refuse halfway through an update.
 * The subscription-wide ones (role assignments) need every stack of the subscription and are checked before the
 * program runs (lib/azureLimits.ts, which reads these constants).
 */

/** Consumer groups per event hub, `$Default` included (Microsoft Learn, "Azure Event Hubs quotas and limits"). */
export const CONSUMER_GROUP_LIMITS: Readonly<Record<string, number>> = { Basic: 1, Standard: 20, Premium: 100, Dedicated: 1000 };
/** Event hubs per namespace: 10 on Basic and Standard, 100 per processing unit on Premium (same page). */
export const EVENT_HUBS_PER_NAMESPACE = { Standard: 10, Premium: 100 } as const;
/** Paid IoT Hub tiers (Microsoft Learn, "IoT Hub quotas and throttling"). */
export const IOT_HUB_LIMITS = { customEndpoints: 10, routes: 100, enrichments: 10 } as const;
/** Queues and topics per namespace (Microsoft Learn, "Service Bus quotas"). */
export const SERVICE_BUS_ENTITY_LIMITS = { standard: 10_000, premiumPerMessagingUnit: 1_000 } as const;
/** Azure creates it with every event hub, and it counts against the limit. */
const DEFAULT_CONSUMER_GROUP = "$Default";

/** A resource's Azure name: its `<type>Name` input (outputs keep it offline), else the `name` Azure returns. */
const azureName = (resource: PolicyResource, nameProperty: string): string | undefined =>
    resource.props[nameProperty] ?? resource.props.name;

/** The resources of a type whose `property` came from `parent` (by property dependency, else by Azure name). */
function childrenOf(
    resources: PolicyResource[],
    type: string,
    property: string,
    parent: PolicyResource,
    parentName: string,
): PolicyResource[] {
    return resources.filter(r => {
        if (r.type !== type) {
            return false;
        }
        const source = dependencyOf(r, property, parent.type);
        return source ? source === parent : r.props[property] === azureName(parent, parentName);
    });
}

interface LimitCheck {
    readonly what: string;
    readonly used: number;
    readonly max: number | undefined;
    readonly fix: string;
}

export const dataPlaneLimits = (enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy => ({
    name: "data-plane-limits",
    description:
        "The data plane keeps within Azure's per-resource limits: consumer groups per event hub (Standard 20, Premium 100, $Default counted), event hubs per namespace (Standard 10, Premium 100 per PU), custom endpoints (10) and routes (100) per IoT hub, queues per Service Bus namespace (Standard 10,000, Premium 1,000 per MU). Past one, Azure refuses the next resource halfway through an update. Fix: move dedicated tenants' streams to namespaces of their own (eventHubs.ownNamespaceCompliance), raise the tier or its units, or split the region's tenants across another stack.",
    enforcementLevel,
    validateStack: (args, reportViolation) => {
        const { resources } = args;
        const report = (resource: PolicyResource, check: LimitCheck) => {
            if (check.max !== undefined && check.used > check.max) {
                reportViolation(`${check.what}: ${check.used}, above Azure's limit of ${check.max}. Fix: ${check.fix}`, resource.urn);
            }
        };
        for (const namespace of resources.filter(r => r.type === TYPES.eventHubsNamespace)) {
            const tier: string | undefined = namespace.props.sku?.name;
            const hubs = childrenOf(resources, TYPES.eventHub, "namespaceName", namespace, "namespaceName");
            const perNamespace =
                tier === "Premium"
                    ? EVENT_HUBS_PER_NAMESPACE.Premium * (namespace.props.sku?.capacity ?? 1)
                    : tier === "Standard"
                      ? EVENT_HUBS_PER_NAMESPACE.Standard
                      : undefined;
            report(namespace, {
                what: `Event Hubs namespace ${azureName(namespace, "namespaceName")} (${tier}) has ${hubs.length} event hubs`,
                used: hubs.length,
                max: perNamespace,
                fix: "give dedicated tenants namespaces of their own or raise the tier.",
            });
            for (const hub of hubs) {
                const groups = childrenOf(resources, TYPES.consumerGroup, "eventHubName", hub, "eventHubName");
                const names = new Set([DEFAULT_CONSUMER_GROUP, ...groups.map(g => azureName(g, "consumerGroupName"))]);
                report(hub, {
                    what: `event hub '${azureName(hub, "eventHubName")}' consumer groups ($Default included)`,
                    used: names.size,
                    max: tier === undefined ? undefined : CONSUMER_GROUP_LIMITS[tier],
                    fix: "one consumer group per shared cluster's ingest; end a migration's phase 1 (migration.keepTenantConsumerGroups: false) or raise the tier.",
                });
            }
        }
        for (const hub of resources.filter(r => r.type === TYPES.iotHub)) {
            const routing = hub.props.properties?.routing ?? {};
            const endpoints = Object.values(routing.endpoints ?? {}).reduce(
                (n: number, list) => n + (Array.isArray(list) ? list.length : 0),
                0,
            );
            report(hub, {
                what: `IoT hub custom endpoints`,
                used: endpoints,
                max: IOT_HUB_LIMITS.customEndpoints,
                fix: "fewer dedicated tenants per region (one endpoint each).",
            });
            report(hub, {
                what: `IoT hub routes`,
                used: (routing.routes ?? []).length,
                max: IOT_HUB_LIMITS.routes,
                fix: "fewer dedicated tenants per region (one route each).",
            });
            report(hub, {
                what: `IoT hub message enrichments`,
                used: (routing.enrichments ?? []).length,
                max: IOT_HUB_LIMITS.enrichments,
                fix: "stamp fewer properties.",
            });
        }
        for (const namespace of resources.filter(r => r.type === TYPES.serviceBusNamespace)) {
            const premium = namespace.props.sku?.name === "Premium";
            const queues = childrenOf(resources, TYPES.serviceBusQueue, "namespaceName", namespace, "namespaceName");
            report(namespace, {
                what: `Service Bus namespace ${azureName(namespace, "namespaceName")} queues`,
                used: queues.length,
                max: premium
                    ? SERVICE_BUS_ENTITY_LIMITS.premiumPerMessagingUnit * (namespace.props.sku?.capacity ?? 1)
                    : SERVICE_BUS_ENTITY_LIMITS.standard,
                fix: "raise the namespace's messaging units or split the region's tenants across another stack.",
            });
        }
    },
});
