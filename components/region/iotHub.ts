import * as pulumi from "@pulumi/pulumi";
import { ADX_ROUTING_ENRICHMENTS } from "../../lib/adxTenancy";
import * as iothub from "@pulumi/azure-native/iothub";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { DataPath, BUILT_IN_ENDPOINT, TENANT_MESSAGE_PROPERTY, TENANT_TWIN_TAG } from "../../lib/dataPath";
import { StampHub } from "../../lib/stampPlan";
import { FIRST_STAMP, stampOrdinal } from "../../lib/stamps";
import { dashedName } from "../common/azureNames";
import { EventStreamEndpoints } from "../common/regionServices";
import { regionalScope, StoreScope } from "./telemetryStores";

/** The IoT Hub's routing endpoints: the shared hub's and each dedicated tenant's, by endpoint name. */
export interface RoutedStreams {
    readonly shared: EventStreamEndpoints;
    /** Dedicated tenant -> its own stream. */
    readonly dedicated: Readonly<Record<string, EventStreamEndpoints>>;
}

export interface IotHubArgs {
    readonly scope: StoreScope;
    /** The stamp this hub is, with its tier and units: its tenants' devices connect to it, and it routes its dedicated tenants' streams. */
    readonly stamp: StampHub;
    readonly path: DataPath;
    readonly streams: RoutedStreams;
    /** The user-assigned identity the hub sends to its endpoints with; it holds Data Sender on each. */
    readonly identity: managedidentity.UserAssignedIdentity;
    /** The identity's sender roles: the endpoints are validated on create. */
    readonly senders: readonly pulumi.Resource[];
}

/**
 * One ingest stamp's IoT Hub. The first stamp's is the hub the region had before stamps (same URN and Azure name), so
 * existing stacks keep it; the others are named after their stamp. Each routes every tagged message of a tenant that
 * is not dedicated to the region's one shared hub, and its own dedicated tenants' messages to their streams. The
 * shared route's condition leaves out every dedicated tenant of the region, wherever its stamp: a dedicated tenant's
 * device registered on the wrong stamp falls back to the built-in endpoint instead of reaching the shared hub.
 * It keeps IoT Hub's local (SAS) authentication: the Device Provisioning Service links it by connection string
 * (`provisioningService.ts`). Every message is stamped with its device's tenant (`tags.tenant` of the twin) as the
 * application property `tenant` on every endpoint, built-in included; each dedicated tenant's messages are routed to
 * its own hub, every other tagged message to the shared hub; an untagged message matches no route and goes to the
 * built-in endpoint through the fallback route (`lib/dataPath.ts`). Enrichments: at most 10 per hub, each applied to
 * the endpoints it names (Microsoft Learn, "Message enrichments for device-to-cloud IoT Hub messages").
 */
export function createIotHub(name: string, args: IotHubArgs, parent: pulumi.Resource): iothub.IotHubResource {
    const { path, streams, identity } = args;
    const eventHubEndpoint = (endpointName: string, stream: EventStreamEndpoints) => ({
        name: endpointName,
        authenticationType: iothub.AuthenticationType.IdentityBased,
        identity: { userAssignedIdentity: identity.id },
        endpointUri: pulumi.interpolate`sb://${stream.namespaceEndpoint}`,
        entityPath: stream.eventHubName,
    });
    const route = (routeName: string, condition: string, endpoint: string) => ({
        name: routeName,
        source: iothub.RoutingSource.DeviceMessages,
        condition,
        endpointNames: [endpoint],
        isEnabled: true,
    });
    const onStamp = new Set(args.stamp.dedicated);
    const dedicated = path.dedicated.filter(d => onStamp.has(d.tenant));
    const customEndpoints = [path.sharedRoute.endpoint, ...dedicated.map(d => d.endpoint)];
    const first = args.stamp.name === FIRST_STAMP;
    return new iothub.IotHubResource(
        first ? `${name}-iothub` : `${name}-iothub-${args.stamp.name}`,
        {
            ...regionalScope(args.scope),
            resourceName: dashedName(
                args.scope.namePrefix,
                first ? "iot" : `iot${stampOrdinal(args.stamp.name)}`,
                args.scope.uniqueSuffix,
                50,
            ),
            sku: { name: args.stamp.sku, capacity: args.stamp.units },
            identity: { type: iothub.ResourceIdentityType.UserAssigned, userAssignedIdentities: [identity.id] },
            properties: {
                minTlsVersion: "1.2",
                routing: {
                    endpoints: {
                        eventHubs: [
                            eventHubEndpoint(path.sharedRoute.endpoint, streams.shared),
                            ...dedicated.map(d => eventHubEndpoint(d.endpoint, streams.dedicated[d.tenant])),
                        ],
                    },
                    enrichments: [
                        { key: TENANT_MESSAGE_PROPERTY, value: TENANT_TWIN_TAG, endpointNames: [...customEndpoints, BUILT_IN_ENDPOINT] },
                        // ADX reads the shared hub and each dedicated tenant's: these route each event to the tenant-keyed
                        // table through its tenant's mapping.
                        ...ADX_ROUTING_ENRICHMENTS.map(({ key, value }) => ({ key, value, endpointNames: customEndpoints })),
                    ],
                    routes: [
                        route(path.sharedRoute.name, path.sharedRoute.condition, path.sharedRoute.endpoint),
                        ...dedicated.map(d => route(d.route, d.condition, d.endpoint)),
                    ],
                    // Messages no route takes (devices without `tags.tenant`) wait in the built-in endpoint, which no
                    // tenant principal can read, instead of being dropped: the platform team finds and tags their devices.
                    fallbackRoute: {
                        name: "$fallback",
                        source: iothub.RoutingSource.DeviceMessages,
                        condition: "true",
                        endpointNames: [BUILT_IN_ENDPOINT],
                        isEnabled: true,
                    },
                },
            },
        },
        { parent, dependsOn: [...args.senders] },
    );
}
