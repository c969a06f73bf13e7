import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as eventhub from "@pulumi/azure-native/eventhub";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import * as servicebus from "@pulumi/azure-native/servicebus";
import * as storage from "@pulumi/azure-native/storage";
import { DataPath, SHARED_EVENT_HUB } from "../../lib/dataPath";
import { DataPlaneSizing, withDataPlaneDefaults } from "../../lib/dataPlane";
import { alnumName, dashedName } from "../common/azureNames";
import { AZURE_ROLES, assignRole } from "../common/azureRoles";
import { DataPlaneEndpoints } from "../common/regionServices";
import { createIotHub } from "./iotHub";
import { createProvisioningService, DPS_GLOBAL_ENDPOINT } from "./provisioningService";
import { StampHub } from "../../lib/stampPlan";
import { createAdx, createCosmos, EventHubs, regionalScope, StoreScope } from "./telemetryStores";
import { SERVICE_BUS_DNS_SUFFIX, TenantEventStream } from "./tenantEventStream";
import { COMPONENT_TYPES } from "../../lib/componentTypes";

/** Where the data plane goes and how it is named (`StoreScope`), its tenants and its capacity. */
export interface RegionDataPlaneArgs extends StoreScope {
    /** How messages reach each tenant (`dataPath(config, placement)`): the IoT Hub's routes, the dedicated streams, the migration's consumer groups. No default. */
    readonly path: DataPath;
    /** The region's ingest stamps, each with its hub's tier and units (`stampHubsOf`): an IoT hub each, the first the region's original. No default. */
    readonly stamps: readonly StampHub[];
    /** Tenants being decommissioned: their stream component says so to the policies. Default: none. */
    readonly decommissioning?: readonly string[];
    /** Device-state accounts (`shardTenants(...).cosmosAccounts`). Default 1. */
    readonly cosmosAccounts?: number;
    /** Capacity settings (`dataPlaneSizing(config)` for a stack); every field left out takes its default from `DATA_PLANE_DEFAULTS`. Default {}. */
    readonly sizing?: Partial<DataPlaneSizing>;
}

/** IoT Hub -> Event Hubs -> AKS consumers, plus Service Bus fan-out, ADX telemetry and Cosmos device state for one region. */
export class RegionDataPlane extends pulumi.ComponentResource {
    /** Names, ids and endpoints of the data plane, what clusters, tenants and the stack outputs read. */
    public readonly endpoints: DataPlaneEndpoints;
    /** The ADX cluster, its telemetry database and the scripts that create its tables, for what reads them (tiers, rollups). */
    public readonly adx: ReturnType<typeof createAdx>;
    /** The dedicated tenants' own streams, by tenant: ADX connects to each once the tenants' mappings exist. Not an output. */
    public readonly tenantStreams: ReadonlyMap<string, TenantEventStream>;

    constructor(name: string, args: RegionDataPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.regionDataPlane, name, {}, opts);
        const sizing = withDataPlaneDefaults(args.sizing ?? {});

        const { subscriptionId } = authorization.getClientConfigOutput({ parent: this });
        const hubs = createEventHubs(name, args, sizing, this);
        const checkpoints = createCheckpointStore(name, args, sizing, this);
        const iotHub = createRoutedIotHub(name, args, sizing, hubs, subscriptionId, this);
        const dps = createProvisioningService(name, args, Object.values(iotHub.stampHubs), this);
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
        this.tenantStreams = iotHub.streams;
        const cosmos = createCosmos(name, args, sizing, args.cosmosAccounts ?? 1, this);

        const outputs: DataPlaneEndpoints = {
            eventHubsNamespaceName: hubs.namespace.name,
            eventHubsNamespaceId: hubs.namespace.id,
            eventHubsEndpoint: hubs.fullyQualifiedNamespace,
            eventHubName: hubs.hub.name,
            eventHubId: hubs.hub.id,
            dedicatedStreams: iotHub.dedicatedStreams,
            checkpointStorageAccountName: checkpoints.name,
            checkpointStorageAccountId: checkpoints.id,
            checkpointBlobEndpoint: checkpoints.primaryEndpoints.blob,
            serviceBusNamespaceName: serviceBus.name,
            serviceBusNamespaceId: serviceBus.id,
            serviceBusEndpoint: pulumi.interpolate`${serviceBus.name}.${SERVICE_BUS_DNS_SUFFIX}`,
            iotHubName: iotHub.stampHubs[args.stamps[0].name].name,
            iotHubHostName: iotHub.stampHubs[args.stamps[0].name].properties.hostName,
            stampHubs: Object.fromEntries(
                Object.entries(iotHub.stampHubs).map(([stamp, hub]) => [stamp, { name: hub.name, hostName: hub.properties.hostName }]),
            ),
            provisioning: {
                name: dps.name,
                idScope: dps.properties.idScope,
                globalEndpoint: DPS_GLOBAL_ENDPOINT,
                serviceOperationsHostName: dps.properties.serviceOperationsHostName,
            },
            adxClusterName: adx.cluster.name,
            adxClusterUri: adx.cluster.uri,
            adxDatabaseName: adx.database.name,
            cosmosAccountId: cosmos.account.id,
            cosmosAccountName: cosmos.account.name,
            cosmosEndpoint: cosmos.account.documentEndpoint,
            cosmosDatabaseName: cosmos.database.name,
            cosmosContainerName: cosmos.container.name,
            cosmosAccounts: cosmos.accounts.map(({ account, database }) => ({
                id: account.id,
                name: account.name,
                endpoint: account.documentEndpoint,
                databaseName: database.name,
            })),
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
            eventHubName: SHARED_EVENT_HUB,
            partitionCount: sizing.eventHubPartitionCount,
            messageRetentionInDays: sizing.eventHubRetentionDays,
        },
        { parent },
    );
    // Only while a migration keeps them (phase 1): the cursors of the tenants' own ingest before the ingest tier.
    const tenantGroups = Object.fromEntries(
        args.path.legacyConsumerGroups.map(tenant => [
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

/**
 * Every stamp's IoT Hub with their one identity, the dedicated tenants' own streams (each a `TenantEventStream`) and the routes to
 * them and to the shared hub. The identity holds Data Sender on every hub it routes to before the hub is created.
 */
function createRoutedIotHub(
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
    const sender = assignRole(
        `${name}-iothub-eh-sender`,
        identity.principalId,
        subscriptionId,
        { scope: hubs.hub.id, roleGuid: AZURE_ROLES.eventHubsDataSender },
        { parent },
    );
    const streams = args.path.dedicated.map(
        stream =>
            new TenantEventStream(
                `${name}-stream-${stream.tenant}`,
                {
                    stream,
                    regionNamespace: hubs.namespace,
                    namespaceSku: { name: sizing.eventHubsSku, capacity: sizing.eventHubsCapacity },
                    retentionDays: sizing.eventHubRetentionDays,
                    iotHubPrincipalId: identity.principalId,
                    subscriptionId,
                    resourceGroupName: args.resourceGroupName,
                    location: args.location,
                    namePrefix: args.namePrefix,
                    uniqueSuffix: args.uniqueSuffix,
                    tags: args.tags,
                    decommission: (args.decommissioning ?? []).includes(stream.tenant),
                },
                { parent },
            ),
    );
    const dedicatedStreams = Object.fromEntries(args.path.dedicated.map((stream, i) => [stream.tenant, streams[i].endpoints]));
    const stampHub = (stamp: StampHub) =>
        createIotHub(
            name,
            {
                scope: args,
                stamp,
                path: args.path,
                streams: {
                    shared: {
                        namespaceName: hubs.namespace.name,
                        namespaceEndpoint: hubs.fullyQualifiedNamespace,
                        eventHubName: hubs.hub.name,
                        eventHubId: hubs.hub.id,
                    },
                    dedicated: dedicatedStreams,
                },
                identity,
                // The streams' sender roles are their children: waiting for the streams waits for them.
                senders: [sender, ...streams],
            },
            parent,
        );
    const stampHubs = Object.fromEntries(args.stamps.map(stamp => [stamp.name, stampHub(stamp)]));
    return { stampHubs, dedicatedStreams, streams: new Map(args.path.dedicated.map((stream, i) => [stream.tenant, streams[i]])) };
}
