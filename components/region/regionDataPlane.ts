import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as cosmosdb from "@pulumi/azure-native/cosmosdb";
import * as eventhub from "@pulumi/azure-native/eventhub";
import * as iothub from "@pulumi/azure-native/iothub";
import * as kusto from "@pulumi/azure-native/kusto";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as servicebus from "@pulumi/azure-native/servicebus";
import * as storage from "@pulumi/azure-native/storage";
import { DataPlaneSizing, isAdxDevSku, withDataPlaneDefaults } from "../../lib/dataPlane";
import { ADX_CONSUMER_GROUP } from "../../lib/naming";
import { alnumName, dashedName } from "../common/azureNames";
import { AZURE_ROLES, assignRole, systemPrincipalId } from "../common/azureRoles";
import { DataPlaneEndpoints } from "../common/regionServices";
import { COMPONENT_TYPES } from "../../lib/componentTypes";

/** Event Hubs and Service Bus namespaces share this zone in the Azure public cloud. */
const SERVICE_BUS_DNS_SUFFIX = "servicebus.windows.net";
const EVENT_HUB_NAME = "telemetry";
const ADX_DATABASE = "telemetry";
const ADX_LANDING_TABLE = "TelemetryRaw";
const ADX_LANDING_MAPPING = "TelemetryRawMapping";
const COSMOS_DATABASE = "device-state";
const COSMOS_CONTAINER = "devices";

export interface RegionDataPlaneArgs {
    /** Resource group that holds every resource of the data plane. No default. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Azure region of every resource. No default. */
    readonly location: pulumi.Input<string>;
    /** Environment/region tags put on every resource that accepts tags. No default. */
    readonly tags: Record<string, string>;
    /** Lowercase alphanumeric 6-char random suffix for globally unique names. No default. */
    readonly uniqueSuffix: pulumi.Input<string>;
    /** Lowercase, dash-separated prefix of every Azure name, e.g. "iotfleet-prod-weu"; trimmed to fit each name limit. No default. */
    readonly namePrefix: string;
    /** Tenant names, validated by the stack config (DNS labels, unique, not `adx`); each gets an Event Hubs consumer group of the same name. No default. */
    readonly tenants: readonly string[];
    /** Capacity settings (`dataPlaneSizing(config)` for a stack); every field left out takes its default from `DATA_PLANE_DEFAULTS`. Default {}. */
    readonly sizing?: Partial<DataPlaneSizing>;
}



/** IoT Hub -> Event Hubs -> AKS consumers, plus Service Bus fan-out, ADX telemetry and Cosmos device state for one region. */
export class RegionDataPlane extends pulumi.ComponentResource {
    /** Names, ids and endpoints of the data plane, what clusters, tenants and the stack outputs read. */
    public readonly endpoints: DataPlaneEndpoints;

    constructor(name: string, args: RegionDataPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.regionDataPlane, name, {}, opts);
        const sizing = withDataPlaneDefaults(args.sizing ?? {});

        const { subscriptionId } = authorization.getClientConfigOutput({ parent: this });
        const hubs = createEventHubs(name, args, sizing, this);
        const checkpoints = createCheckpointStore(name, args, sizing, this);
        const iotHub = createIotHub(name, args, sizing, hubs, subscriptionId, this);
        const serviceBus = new servicebus.Namespace(`${name}-servicebus`, {
            ...regionalScope(args),
            namespaceName: dashedName(args.namePrefix, "sb", args.uniqueSuffix, 50),
            sku: { name: sizing.serviceBusSku, capacity: sizing.serviceBusSku === "Premium" ? sizing.serviceBusCapacity : undefined },
            disableLocalAuth: true,
            minimumTlsVersion: servicebus.TlsVersion.TlsVersion_1_2,
        }, { parent: this });
        const adx = createAdx(name, args, sizing, hubs, subscriptionId, this);
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

/** Where every data-plane resource goes and how it is tagged: the region's resource group, location and tags. */
function regionalScope(args: RegionDataPlaneArgs) {
    return { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags };
}

interface EventHubs {
    readonly namespace: eventhub.Namespace;
    readonly fullyQualifiedNamespace: pulumi.Output<string>;
    readonly hub: eventhub.EventHub;
    readonly tenantGroups: Record<string, eventhub.ConsumerGroup>;
}

function createEventHubs(name: string, args: RegionDataPlaneArgs, sizing: DataPlaneSizing, parent: pulumi.Resource): EventHubs {
    const namespace = new eventhub.Namespace(`${name}-eventhubs`, {
        ...regionalScope(args),
        namespaceName: dashedName(args.namePrefix, "eh", args.uniqueSuffix, 50),
        // Both tiers size by capacity: throughput units on Standard, processing units on Premium.
        sku: { name: sizing.eventHubsSku, tier: sizing.eventHubsSku, capacity: sizing.eventHubsCapacity },
        disableLocalAuth: true,
        minimumTlsVersion: eventhub.TlsVersion.TlsVersion_1_2,
    }, { parent });
    const hub = new eventhub.EventHub(`${name}-telemetry`, {
        resourceGroupName: args.resourceGroupName,
        namespaceName: namespace.name,
        eventHubName: EVENT_HUB_NAME,
        partitionCount: sizing.eventHubPartitionCount,
        messageRetentionInDays: sizing.eventHubRetentionDays,
    }, { parent });
    const tenantGroups = Object.fromEntries(args.tenants.map(tenant => [tenant, new eventhub.ConsumerGroup(`${name}-cg-${tenant}`, {
        resourceGroupName: args.resourceGroupName,
        namespaceName: namespace.name,
        eventHubName: hub.name,
        consumerGroupName: tenant,
    }, { parent })]));
    return { namespace, hub, tenantGroups, fullyQualifiedNamespace: pulumi.interpolate`${namespace.name}.${SERVICE_BUS_DNS_SUFFIX}` };
}

/** The account tenants checkpoint into, each in a container of its own (TenantNamespace creates it). */
function createCheckpointStore(name: string, args: RegionDataPlaneArgs, sizing: DataPlaneSizing, parent: pulumi.Resource): storage.StorageAccount {
    return new storage.StorageAccount(`${name}-checkpoints`, {
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
    }, { parent });
}

function createIotHub(name: string, args: RegionDataPlaneArgs, sizing: DataPlaneSizing, hubs: EventHubs, subscriptionId: pulumi.Output<string>,
    parent: pulumi.Resource) {
    const identity = new managedidentity.UserAssignedIdentity(`${name}-iothub-identity`, {
        ...regionalScope(args),
        resourceName: `${args.namePrefix}-iothub-id`,
    }, { parent });
    // A user-assigned identity can hold the sender role before the hub exists, so the hub's routing endpoint validates on first create.
    const sender = assignRole(`${name}-iothub-eh-sender`, identity.principalId, subscriptionId,
        { scope: hubs.hub.id, roleGuid: AZURE_ROLES.eventHubsDataSender }, { parent });
    const endpointName = "telemetry-eventhub";
    return new iothub.IotHubResource(`${name}-iothub`, {
        ...regionalScope(args),
        resourceName: dashedName(args.namePrefix, "iot", args.uniqueSuffix, 50),
        sku: { name: sizing.iotHubSku, capacity: sizing.iotHubUnits },
        identity: { type: iothub.ResourceIdentityType.UserAssigned, userAssignedIdentities: [identity.id] },
        properties: {
            minTlsVersion: "1.2",
            routing: {
                endpoints: {
                    eventHubs: [{
                        name: endpointName,
                        authenticationType: iothub.AuthenticationType.IdentityBased,
                        identity: { userAssignedIdentity: identity.id },
                        endpointUri: pulumi.interpolate`sb://${hubs.fullyQualifiedNamespace}`,
                        entityPath: hubs.hub.name,
                    }],
                },
                routes: [{ name: "telemetry", source: iothub.RoutingSource.DeviceMessages, condition: "true", endpointNames: [endpointName], isEnabled: true }],
                // Keeps the built-in endpoint fed if the telemetry route is ever narrowed or disabled, instead of dropping messages.
                fallbackRoute: { name: "$fallback", source: iothub.RoutingSource.DeviceMessages, condition: "true", endpointNames: ["events"], isEnabled: true },
            },
        },
    }, { parent, dependsOn: [sender] });
}

function createAdx(name: string, args: RegionDataPlaneArgs, sizing: DataPlaneSizing, hubs: EventHubs, subscriptionId: pulumi.Output<string>,
    parent: pulumi.Resource) {
    const cluster = new kusto.Cluster(`${name}-adx`, {
        ...regionalScope(args),
        clusterName: alnumName(args.namePrefix, "dx", args.uniqueSuffix, 22),
        // Dev(No SLA) SKUs exist only in the Basic tier.
        sku: { name: sizing.adxSku, tier: isAdxDevSku(sizing.adxSku) ? kusto.AzureSkuTier.Basic : kusto.AzureSkuTier.Standard, capacity: sizing.adxInstances },
        identity: { type: kusto.IdentityType.SystemAssigned },
        enableStreamingIngest: true,
    }, { parent });
    const database = new kusto.ReadWriteDatabase(`${name}-adx-telemetry`, {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        clusterName: cluster.name,
        databaseName: ADX_DATABASE,
        kind: "ReadWrite",
        hotCachePeriod: `P${sizing.adxHotCacheDays}D`,
        softDeletePeriod: `P${sizing.adxRetentionDays}D`,
    }, { parent });
    // The data connection is validated against an existing table and mapping; the raw landing table lets update policies reshape later.
    const landing = new kusto.Script(`${name}-adx-landing-table`, {
        resourceGroupName: args.resourceGroupName,
        clusterName: cluster.name,
        databaseName: database.name,
        scriptContent: [
            `.create-merge table ${ADX_LANDING_TABLE} (Record: dynamic)`,
            `.create-or-alter table ${ADX_LANDING_TABLE} ingestion json mapping "${ADX_LANDING_MAPPING}" '[{"column":"Record","Properties":{"Path":"$"}}]'`,
        ].join("\n\n"),
    }, { parent });
    const consumerGroup = new eventhub.ConsumerGroup(`${name}-adx-cg`, {
        resourceGroupName: args.resourceGroupName,
        namespaceName: hubs.namespace.name,
        eventHubName: hubs.hub.name,
        consumerGroupName: ADX_CONSUMER_GROUP,
    }, { parent });
    const receiver = assignRole(`${name}-adx-eh-receiver`, systemPrincipalId(cluster), subscriptionId,
        { scope: hubs.hub.id, roleGuid: AZURE_ROLES.eventHubsDataReceiver }, { parent });
    new kusto.EventHubDataConnection(`${name}-adx-ingest`, {
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        clusterName: cluster.name,
        databaseName: database.name,
        kind: "EventHub",
        eventHubResourceId: hubs.hub.id,
        consumerGroup: consumerGroup.name,
        // A system-assigned identity is addressed by the id of the resource that owns it.
        managedIdentityResourceId: cluster.id,
        tableName: ADX_LANDING_TABLE,
        mappingRuleName: ADX_LANDING_MAPPING,
        dataFormat: kusto.EventHubDataFormat.MULTIJSON,
    }, { parent, dependsOn: [receiver, landing] });
    return { cluster, database };
}

function createCosmos(name: string, args: RegionDataPlaneArgs, sizing: DataPlaneSizing, parent: pulumi.Resource) {
    const serverless = sizing.cosmosThroughput === "serverless";
    const account = new cosmosdb.DatabaseAccount(`${name}-cosmos`, {
        ...regionalScope(args),
        accountName: dashedName(args.namePrefix, "cosmos", args.uniqueSuffix, 44),
        kind: cosmosdb.DatabaseAccountKind.GlobalDocumentDB,
        databaseAccountOfferType: cosmosdb.DatabaseAccountOfferType.Standard,
        consistencyPolicy: { defaultConsistencyLevel: cosmosdb.DefaultConsistencyLevel.Session },
        locations: [{ locationName: args.location, failoverPriority: 0 }],
        capabilities: serverless ? [{ name: "EnableServerless" }] : [],
        disableLocalAuth: true,
        minimalTlsVersion: cosmosdb.MinimalTlsVersion.Tls12,
    }, { parent });
    const database = new cosmosdb.SqlResourceSqlDatabase(`${name}-cosmos-device-state`, {
        ...regionalScope(args),
        accountName: account.name,
        databaseName: COSMOS_DATABASE,
        resource: { id: COSMOS_DATABASE },
    }, { parent });
    const container = new cosmosdb.SqlResourceSqlContainer(`${name}-cosmos-devices`, {
        ...regionalScope(args),
        accountName: account.name,
        databaseName: database.name,
        containerName: COSMOS_CONTAINER,
        resource: { id: COSMOS_CONTAINER, partitionKey: { paths: ["/tenantId"], kind: cosmosdb.PartitionKind.Hash, version: 2 } },
        options: typeof sizing.cosmosThroughput === "object" ? { autoscaleSettings: { maxThroughput: sizing.cosmosThroughput.autoscaleMaxThroughput } } : undefined,
    }, { parent });
    return { account, database, container };
}
