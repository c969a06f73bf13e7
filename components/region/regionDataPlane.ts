import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as eventhub from "@pulumi/azure-native/eventhub";
import * as iothub from "@pulumi/azure-native/iothub";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as servicebus from "@pulumi/azure-native/servicebus";
import * as storage from "@pulumi/azure-native/storage";
import { DataPlaneSizing, withDataPlaneDefaults } from "../../lib/dataPlane";
import { alnumName, dashedName } from "../common/azureNames";
import { AZURE_ROLES, assignRole } from "../common/azureRoles";
import { DataPlaneEndpoints } from "../common/regionServices";
import { createAdx, createCosmos, EventHubs, regionalScope, StoreScope } from "./telemetryStores";
import { COMPONENT_TYPES } from "../../lib/componentTypes";

/** Event Hubs and Service Bus namespaces share this zone in the Azure public cloud. */
const SERVICE_BUS_DNS_SUFFIX = "servicebus.windows.net";
const EVENT_HUB_NAME = "telemetry";

/** Where the data plane goes and how it is named (`StoreScope`), its tenants and its capacity. */
export interface RegionDataPlaneArgs extends StoreScope {
    /** Tenant names, validated by the stack config (DNS labels, unique, not `adx`); each gets an Event Hubs consumer group of the same name. No default. */
    readonly tenants: readonly string[];
    /** Capacity settings (`dataPlaneSizing(config)` for a stack); every field left out takes its default from `DATA_PLANE_DEFAULTS`. Default {}. */
    readonly sizing?: Partial<DataPlaneSizing>;
}

/** IoT Hub -> Event Hubs -> AKS consumers, plus Service Bus fan-out, ADX telemetry and Cosmos device state for one region. */
export class RegionDataPlane extends pulumi.ComponentResource {
    /** Names, ids and endpoints of the data plane, what clusters, tenants and the stack outputs read. */
    public readonly endpoints: DataPlaneEndpoints;
    /** The ADX cluster, its telemetry database and the scripts that create its tables, for what reads them (tiers, rollups). */
    public readonly adx: ReturnType<typeof createAdx>;

    constructor(name: string, args: RegionDataPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.regionDataPlane, name, {}, opts);
        const sizing = withDataPlaneDefaults(args.sizing ?? {});

        const { subscriptionId } = authorization.getClientConfigOutput({ parent: this });
        const hubs = createEventHubs(name, args, sizing, this);
        const checkpoints = createCheckpointStore(name, args, sizing, this);
        const iotHub = createIotHub(name, args, sizing, hubs, subscriptionId, this);
        const serviceBus = new servicebus.Namespace(
            `${name}-servicebus`,
            {
                ...regionalScope(args),
                namespaceName: dashedName(args.namePrefix, "sb", args.uniqueSuffix, 50),
                sku: { name: sizing.serviceBusSku, capacity: sizing.serviceBusSku === "Premium" ? sizing.serviceBusCapacity : undefined },
                disableLocalAuth: true,
                minimumTlsVersion: servicebus.TlsVersion.TlsVersion_1_2,
            },
            { parent: this },
        );
        const adx = createAdx(name, args, sizing, hubs, subscriptionId, this);
        this.adx = adx;
        const cosmos = createCosmos(name, args, sizing, this);

        const outputs: DataPlaneEndpoints = {
            eventHubsNamespaceName: hubs.namespace.name,
            eventHubsNamespaceId: hubs.namespace.id,
            eventHubsEndpoint: hubs.fullyQualifiedNamespace,
            eventHubName: hubs.hub.name,
            eventHubId: hubs.hub.id,
            consumerGroups: Object.fromEntries(Object.entries(hubs.tenantGroups).map(([t, cg]) => [t, cg.name])),
            checkpointStorageAccountName: checkpoints.name,
            checkpointStorageAccountId: checkpoints.id,
            checkpointBlobEndpoint: checkpoints.primaryEndpoints.blob,
            serviceBusNamespaceName: serviceBus.name,
            serviceBusNamespaceId: serviceBus.id,
            serviceBusEndpoint: pulumi.interpolate`${serviceBus.name}.${SERVICE_BUS_DNS_SUFFIX}`,
            iotHubName: iotHub.name,
            iotHubHostName: iotHub.properties.hostName,
            adxClusterName: adx.cluster.name,
            adxClusterUri: adx.cluster.uri,
            adxDatabaseName: adx.database.name,
            cosmosAccountId: cosmos.account.id,
            cosmosAccountName: cosmos.account.name,
            cosmosEndpoint: cosmos.account.documentEndpoint,
            cosmosDatabaseName: cosmos.database.name,
            cosmosContainerName: cosmos.container.name,
        };
        this.endpoints = outputs;
        this.registerOutputs(outputs);
    }
}

function createEventHubs(name: string, args: RegionDataPlaneArgs, sizing: DataPlaneSizing, parent: pulumi.Resource): EventHubs {
    const namespace = new eventhub.Namespace(
        `${name}-eventhubs`,
        {
            ...regionalScope(args),
            namespaceName: dashedName(args.namePrefix, "eh", args.uniqueSuffix, 50),
            // Both tiers size by capacity: throughput units on Standard, processing units on Premium.
            sku: { name: sizing.eventHubsSku, tier: sizing.eventHubsSku, capacity: sizing.eventHubsCapacity },
            disableLocalAuth: true,
            minimumTlsVersion: eventhub.TlsVersion.TlsVersion_1_2,
        },
        { parent },
    );
    const hub = new eventhub.EventHub(
        `${name}-telemetry`,
        {
            resourceGroupName: args.resourceGroupName,
            namespaceName: namespace.name,
            eventHubName: EVENT_HUB_NAME,
            partitionCount: sizing.eventHubPartitionCount,
            messageRetentionInDays: sizing.eventHubRetentionDays,
        },
        { parent },
    );
    const tenantGroups = Object.fromEntries(
        args.tenants.map(tenant => [
            tenant,
            new eventhub.ConsumerGroup(
                `${name}-cg-${tenant}`,
                {
                    resourceGroupName: args.resourceGroupName,
                    namespaceName: namespace.name,
                    eventHubName: hub.name,
                    consumerGroupName: tenant,
                },
                { parent },
            ),
        ]),
    );
    return { namespace, hub, tenantGroups, fullyQualifiedNamespace: pulumi.interpolate`${namespace.name}.${SERVICE_BUS_DNS_SUFFIX}` };
}

/** The account tenants checkpoint into, each in a container of its own (TenantNamespace creates it). */
function createCheckpointStore(
    name: string,
    args: RegionDataPlaneArgs,
    sizing: DataPlaneSizing,
    parent: pulumi.Resource,
): storage.StorageAccount {
    return new storage.StorageAccount(
        `${name}-checkpoints`,
        {
            ...regionalScope(args),
            accountName: alnumName(args.namePrefix, "ck", args.uniqueSuffix, 24),
            kind: storage.Kind.StorageV2,
            sku: { name: sizing.checkpointStorageSku },
            enableHttpsTrafficOnly: true,
            minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
            allowBlobPublicAccess: false,
            // Consumers checkpoint with workload identity; the portal must use Entra ID too once keys are off.
            allowSharedKeyAccess: false,
            defaultToOAuthAuthentication: true,
        },
        { parent },
    );
}

function createIotHub(
    name: string,
    args: RegionDataPlaneArgs,
    sizing: DataPlaneSizing,
    hubs: EventHubs,
    subscriptionId: pulumi.Output<string>,
    parent: pulumi.Resource,
) {
    const identity = new managedidentity.UserAssignedIdentity(
        `${name}-iothub-identity`,
        {
            ...regionalScope(args),
            resourceName: `${args.namePrefix}-iothub-id`,
        },
        { parent },
    );
    // A user-assigned identity can hold the sender role before the hub exists, so the hub's routing endpoint validates on first create.
    const sender = assignRole(
        `${name}-iothub-eh-sender`,
        identity.principalId,
        subscriptionId,
        { scope: hubs.hub.id, roleGuid: AZURE_ROLES.eventHubsDataSender },
        { parent },
    );
    const endpointName = "telemetry-eventhub";
    return new iothub.IotHubResource(
        `${name}-iothub`,
        {
            ...regionalScope(args),
            resourceName: dashedName(args.namePrefix, "iot", args.uniqueSuffix, 50),
            sku: { name: sizing.iotHubSku, capacity: sizing.iotHubUnits },
            identity: { type: iothub.ResourceIdentityType.UserAssigned, userAssignedIdentities: [identity.id] },
            properties: {
                minTlsVersion: "1.2",
                routing: {
                    endpoints: {
                        eventHubs: [
                            {
                                name: endpointName,
                                authenticationType: iothub.AuthenticationType.IdentityBased,
                                identity: { userAssignedIdentity: identity.id },
                                endpointUri: pulumi.interpolate`sb://${hubs.fullyQualifiedNamespace}`,
                                entityPath: hubs.hub.name,
                            },
                        ],
                    },
                    routes: [
                        {
                            name: "telemetry",
                            source: iothub.RoutingSource.DeviceMessages,
                            condition: "true",
                            endpointNames: [endpointName],
                            isEnabled: true,
                        },
                    ],
                    // Keeps the built-in endpoint fed if the telemetry route is ever narrowed or disabled, instead of dropping messages.
                    fallbackRoute: {
                        name: "$fallback",
                        source: iothub.RoutingSource.DeviceMessages,
                        condition: "true",
                        endpointNames: ["events"],
                        isEnabled: true,
                    },
                },
            },
        },
        { parent, dependsOn: [sender] },
    );
}
