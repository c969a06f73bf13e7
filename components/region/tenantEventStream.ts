import * as pulumi from "@pulumi/pulumi";
import * as eventhub from "@pulumi/azure-native/eventhub";
import * as kusto from "@pulumi/azure-native/kusto";
import { ADX_EVENT_SYSTEM_PROPERTIES, tenantMappingName } from "../../lib/adxTenancy";
import { ADX_CONSUMER_GROUP } from "../../lib/naming";
import { TELEMETRY_TABLE } from "../../lib/telemetryTable";
import { DEDICATED_HUB_PARTITIONS, DedicatedStream } from "../../lib/dataPath";
import { TAG_TENANT } from "../../lib/labels";
import { dashedName } from "../common/azureNames";
import { AZURE_ROLES, assignRole, systemPrincipalId } from "../common/azureRoles";
import { EventStreamEndpoints } from "../common/regionServices";
import { COMPONENT_TYPES } from "../../lib/componentTypes";

/** Event Hubs and Service Bus namespaces share this zone in the Azure public cloud. */
export const SERVICE_BUS_DNS_SUFFIX = "servicebus.windows.net";

export interface TenantEventStreamArgs {
    /** The tenant's stream as the data path decides it (`lib/dataPath.ts`). Required. */
    readonly stream: DedicatedStream;
    /** The region's Event Hubs namespace, which holds the hub unless the stream's kind is `namespace`. Required. */
    readonly regionNamespace: eventhub.Namespace;
    /** What a namespace of the tenant's own copies from the region's: its tier, capacity and local-auth setting. Required. */
    readonly namespaceSku: { readonly name: string; readonly capacity: number };
    /** Days the hub keeps each event: the region hub's (`DataPlaneSizing.eventHubRetentionDays`), so both ride out the same outage. Required. */
    readonly retentionDays: number;
    /** The IoT Hub's identity, which sends the tenant's routed messages. Required. */
    readonly iotHubPrincipalId: pulumi.Input<string>;
    readonly subscriptionId: pulumi.Input<string>;
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: pulumi.Input<string>;
    /** Lowercase, dash-separated prefix of Azure names and the random suffix of globally unique ones. Required. */
    readonly namePrefix: string;
    readonly uniqueSuffix: pulumi.Input<string>;
    /** Region tags; the tenant tag is added. Required. */
    readonly tags: Record<string, string>;
    /** Whether the tenant is being decommissioned (policies read it from the component's outputs). Required. */
    readonly decommission: boolean;
}

/** The region's ADX cluster and telemetry database, which every tenant's rows land in. */
export interface AdxTelemetryDatabase {
    readonly cluster: kusto.Cluster;
    readonly database: kusto.ReadWriteDatabase;
}

/**
 * A dedicated tenant's own event stream: an event hub in the region's namespace (medium isolation in Microsoft's
 * multitenant guidance for Event Hubs) or, when a compliance tag asks for it, in a namespace of its own (high). The
 * IoT Hub's identity may send to it, its cluster's ingest and ADX (`ingestIntoAdx`) receive from it: nothing shared
 * carries its messages.
 */
export class TenantEventStream extends pulumi.ComponentResource {
    public readonly endpoints: EventStreamEndpoints;
    private readonly componentName: string;
    private readonly args: TenantEventStreamArgs;
    private readonly hub: eventhub.EventHub;

    constructor(name: string, args: TenantEventStreamArgs, opts?: pulumi.ComponentResourceOptions) {
        const { stream } = args;
        super(COMPONENT_TYPES.tenantEventStream, name, {}, opts);
        this.componentName = name;
        this.args = args;
        const parent = { parent: this };
        const tags = { ...args.tags, [TAG_TENANT]: stream.tenant };
        const namespace =
            stream.kind === "namespace"
                ? new eventhub.Namespace(
                      `${name}-namespace`,
                      {
                          resourceGroupName: args.resourceGroupName,
                          location: args.location,
                          namespaceName: dashedName(args.namePrefix, `eh-${stream.tenant}`, args.uniqueSuffix, 50),
                          sku: { name: args.namespaceSku.name, tier: args.namespaceSku.name, capacity: args.namespaceSku.capacity },
                          disableLocalAuth: true,
                          minimumTlsVersion: eventhub.TlsVersion.TlsVersion_1_2,
                          tags,
                      },
                      parent,
                  )
                : args.regionNamespace;
        const hub = new eventhub.EventHub(
            `${name}-hub`,
            {
                resourceGroupName: args.resourceGroupName,
                namespaceName: namespace.name,
                eventHubName: stream.eventHub,
                partitionCount: DEDICATED_HUB_PARTITIONS,
                messageRetentionInDays: args.retentionDays,
            },
            parent,
        );
        // Before the IoT Hub exists: its routing endpoint is validated on create with this identity.
        assignRole(
            `${name}-iothub-sender`,
            args.iotHubPrincipalId,
            args.subscriptionId,
            { scope: hub.id, roleGuid: AZURE_ROLES.eventHubsDataSender },
            parent,
        );
        this.hub = hub;
        this.endpoints = {
            namespaceName: namespace.name,
            namespaceEndpoint: pulumi.interpolate`${namespace.name}.${SERVICE_BUS_DNS_SUFFIX}`,
            eventHubName: hub.name,
            eventHubId: hub.id,
        };
        this.registerOutputs({
            ...this.endpoints,
            // Stack policies see a component's outputs, not its inputs: they tell whose resources lie below it.
            tenant: stream.tenant,
            decommission: args.decommission,
        });
    }

    /**
     * ADX's Event Hubs data connection on this hub alone: a consumer group of its own (`adx`; with the ingest's and
     * `$Default`, 3 of the tier's 20 or 100), ADX's identity *Azure Event Hubs Data Receiver* on this hub only, and the
     * shared table. The hub carries this tenant's messages only (its route's condition), so the connection's static
     * route is the telemetry table through the tenant's own mapping, which writes its name into `TenantId`: row level
     * security works as for the shared hub's rows. IoT Hub stamps the same routing properties on this endpoint as on
     * the shared one (`ADX_ROUTING_ENRICHMENTS`), naming the same table and mapping. Microsoft documents no limit on
     * Event Hubs data connections per database or cluster (learn.microsoft.com/azure/data-explorer/
     * ingest-data-event-hub-overview); a region has at most 9 (the IoT hub's custom endpoints).
     * `mappings` is what creates the tenants' mappings: ADX validates a connection's static mapping on create.
     */
    public ingestIntoAdx(adx: AdxTelemetryDatabase, mappings: pulumi.Resource): void {
        const { args, hub, componentName: name } = this;
        const parent = { parent: this };
        const consumerGroup = new eventhub.ConsumerGroup(
            `${name}-adx-cg`,
            {
                resourceGroupName: args.resourceGroupName,
                namespaceName: this.endpoints.namespaceName,
                eventHubName: hub.name,
                consumerGroupName: ADX_CONSUMER_GROUP,
            },
            parent,
        );
        const receiver = assignRole(
            `${name}-adx-receiver`,
            systemPrincipalId(adx.cluster),
            args.subscriptionId,
            { scope: hub.id, roleGuid: AZURE_ROLES.eventHubsDataReceiver },
            parent,
        );
        new kusto.EventHubDataConnection(
            `${name}-adx-ingest`,
            {
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                clusterName: adx.cluster.name,
                databaseName: adx.database.name,
                kind: "EventHub",
                eventHubResourceId: hub.id,
                consumerGroup: consumerGroup.name,
                managedIdentityResourceId: adx.cluster.id,
                tableName: TELEMETRY_TABLE,
                mappingRuleName: tenantMappingName(args.stream.tenant),
                dataFormat: kusto.EventHubDataFormat.JSON,
                eventSystemProperties: [...ADX_EVENT_SYSTEM_PROPERTIES],
            },
            { parent: this, dependsOn: [receiver, mappings] },
        );
    }
}
