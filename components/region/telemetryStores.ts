import * as pulumi from "@pulumi/pulumi";
import * as cosmosdb from "@pulumi/azure-native/cosmosdb";
import * as eventhub from "@pulumi/azure-native/eventhub";
import * as kusto from "@pulumi/azure-native/kusto";
import { DataPlaneSizing, isAdxDevSku } from "../../lib/dataPlane";
import { ADX_EVENT_SYSTEM_PROPERTIES, telemetryTablesScript, UNROUTED_MAPPING, UNROUTED_TABLE } from "../../lib/adxTenancy";
import { ADX_CONSUMER_GROUP } from "../../lib/naming";
import { alnumName, dashedName } from "../common/azureNames";
import { AZURE_ROLES, assignRole, systemPrincipalId } from "../common/azureRoles";

/** Where a region's telemetry and device state are stored: ADX, fed from the telemetry hub, and Cosmos DB. */

const ADX_DATABASE = "telemetry";
const COSMOS_DATABASE = "device-state";
const COSMOS_CONTAINER = "devices";

/** Where the data plane's resources go, how they are tagged and how they are named (the base of `RegionDataPlaneArgs`). */
export interface StoreScope {
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
}

/** Where every data-plane resource goes and how it is tagged: the region's resource group, location and tags. */
export function regionalScope(args: StoreScope) {
    return { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags };
}

/** The region's telemetry hub, which ADX ingests from. */
export interface EventHubs {
    readonly namespace: eventhub.Namespace;
    readonly fullyQualifiedNamespace: pulumi.Output<string>;
    readonly hub: eventhub.EventHub;
    readonly tenantGroups: Record<string, eventhub.ConsumerGroup>;
}

export function createAdx(
    name: string,
    args: StoreScope,
    sizing: DataPlaneSizing,
    hubs: EventHubs,
    subscriptionId: pulumi.Output<string>,
    parent: pulumi.Resource,
) {
    const cluster = new kusto.Cluster(
        `${name}-adx`,
        {
            ...regionalScope(args),
            clusterName: alnumName(args.namePrefix, "dx", args.uniqueSuffix, 22),
            // Dev(No SLA) SKUs exist only in the Basic tier.
            sku: {
                name: sizing.adxSku,
                tier: isAdxDevSku(sizing.adxSku) ? kusto.AzureSkuTier.Basic : kusto.AzureSkuTier.Standard,
                capacity: sizing.adxInstances,
            },
            identity: { type: kusto.IdentityType.SystemAssigned },
            enableStreamingIngest: true,
        },
        { parent },
    );
    const database = new kusto.ReadWriteDatabase(
        `${name}-adx-telemetry`,
        {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            clusterName: cluster.name,
            databaseName: ADX_DATABASE,
            kind: "ReadWrite",
            hotCachePeriod: `P${sizing.adxHotCacheDays}D`,
            softDeletePeriod: `P${sizing.adxRetentionDays}D`,
        },
        { parent },
    );
    // The data connection is validated against an existing table and mapping. The resource keeps the name it had
    // when it created the first (raw) landing table, so that the tenant-keyed tables replace its content in place.
    const landing = new kusto.Script(
        `${name}-adx-landing-table`,
        {
            resourceGroupName: args.resourceGroupName,
            clusterName: cluster.name,
            databaseName: database.name,
            scriptContent: telemetryTablesScript(),
        },
        { parent },
    );
    const consumerGroup = new eventhub.ConsumerGroup(
        `${name}-adx-cg`,
        {
            resourceGroupName: args.resourceGroupName,
            namespaceName: hubs.namespace.name,
            eventHubName: hubs.hub.name,
            consumerGroupName: ADX_CONSUMER_GROUP,
        },
        { parent },
    );
    const receiver = assignRole(
        `${name}-adx-eh-receiver`,
        systemPrincipalId(cluster),
        subscriptionId,
        { scope: hubs.hub.id, roleGuid: AZURE_ROLES.eventHubsDataReceiver },
        { parent },
    );
    new kusto.EventHubDataConnection(
        `${name}-adx-ingest`,
        {
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            clusterName: cluster.name,
            databaseName: database.name,
            kind: "EventHub",
            eventHubResourceId: hubs.hub.id,
            consumerGroup: consumerGroup.name,
            // A system-assigned identity is addressed by the id of the resource that owns it.
            managedIdentityResourceId: cluster.id,
            // The static route, for events without routing properties; IoT Hub's enrichments route the rest to each
            // tenant's mapping (lib/adxTenancy.ts). System properties are embedded in single-record JSON only.
            tableName: UNROUTED_TABLE,
            mappingRuleName: UNROUTED_MAPPING,
            dataFormat: kusto.EventHubDataFormat.JSON,
            eventSystemProperties: [...ADX_EVENT_SYSTEM_PROPERTIES],
        },
        { parent, dependsOn: [receiver, landing] },
    );
    return { cluster, database, schema: [landing] };
}

/** A device-state account and its `device-state` database; `role` names both (`cosmos`, `cosmos-2`, …). */
function createCosmosAccount(name: string, role: string, args: StoreScope, sizing: DataPlaneSizing, parent: pulumi.Resource) {
    const serverless = sizing.cosmosThroughput === "serverless";
    const account = new cosmosdb.DatabaseAccount(
        `${name}-${role}`,
        {
            ...regionalScope(args),
            accountName: dashedName(args.namePrefix, role.replace(/-/g, ""), args.uniqueSuffix, 44),
            kind: cosmosdb.DatabaseAccountKind.GlobalDocumentDB,
            databaseAccountOfferType: cosmosdb.DatabaseAccountOfferType.Standard,
            consistencyPolicy: { defaultConsistencyLevel: cosmosdb.DefaultConsistencyLevel.Session },
            locations: [{ locationName: args.location, failoverPriority: 0 }],
            capabilities: serverless ? [{ name: "EnableServerless" }] : [],
            disableLocalAuth: true,
            minimalTlsVersion: cosmosdb.MinimalTlsVersion.Tls12,
        },
        { parent },
    );
    const database = new cosmosdb.SqlResourceSqlDatabase(
        `${name}-${role}-device-state`,
        {
            ...regionalScope(args),
            accountName: account.name,
            databaseName: COSMOS_DATABASE,
            resource: { id: COSMOS_DATABASE },
        },
        { parent },
    );
    return { account, database };
}

/**
 * The region's device-state accounts: the first, with the shared `devices` container of the first data plane, and
 * `accounts - 1` more (`cosmos-2`, …) when its tenants' containers outgrow one account (`lib/tenantShards.ts`).
 */
export function createCosmos(name: string, args: StoreScope, sizing: DataPlaneSizing, accounts: number, parent: pulumi.Resource) {
    const { account, database } = createCosmosAccount(name, "cosmos", args, sizing, parent);
    const more = Array.from({ length: accounts - 1 }, (_, i) => createCosmosAccount(name, `cosmos-${i + 2}`, args, sizing, parent));
    const container = new cosmosdb.SqlResourceSqlContainer(
        `${name}-cosmos-devices`,
        {
            ...regionalScope(args),
            accountName: account.name,
            databaseName: database.name,
            containerName: COSMOS_CONTAINER,
            resource: { id: COSMOS_CONTAINER, partitionKey: { paths: ["/tenantId"], kind: cosmosdb.PartitionKind.Hash, version: 2 } },
            options:
                typeof sizing.cosmosThroughput === "object"
                    ? { autoscaleSettings: { maxThroughput: sizing.cosmosThroughput.autoscaleMaxThroughput } }
                    : undefined,
        },
        { parent },
    );
    return { account, database, container, accounts: [{ account, database }, ...more] };
}
