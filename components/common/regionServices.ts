import * as pulumi from "@pulumi/pulumi";
import { ClusterDefaults } from "../../lib/config";
import { DataPath } from "../../lib/dataPath";
import { KubeloginMode } from "../../lib/kubeconfig";
import { TenantShards } from "../../lib/tenantShards";

/**
 * The contract between a region and what runs in it: the region's services, which its clusters and its tenants'
 * landing zones consume. A leaf: it imports nothing of the component folders, so that region/, cluster/ and
 * tenant/ can all depend on it without depending on each other.
 */

/** Names, ids and endpoints of the region's data plane (`RegionDataPlane`). */
export interface DataPlaneEndpoints {
    readonly eventHubsNamespaceName: pulumi.Output<string>;
    readonly eventHubsNamespaceId: pulumi.Output<string>;
    /** Fully qualified namespace `<ns>.servicebus.windows.net`, what Event Hubs SDK clients take with a token credential. */
    readonly eventHubsEndpoint: pulumi.Output<string>;
    readonly eventHubName: pulumi.Output<string>;
    readonly eventHubId: pulumi.Output<string>;
    /** Dedicated tenant -> the event hub of its own its messages are routed to. */
    readonly dedicatedStreams: Record<string, EventStreamEndpoints>;
    readonly checkpointStorageAccountName: pulumi.Output<string>;
    readonly checkpointStorageAccountId: pulumi.Output<string>;
    readonly checkpointBlobEndpoint: pulumi.Output<string>;
    readonly serviceBusNamespaceName: pulumi.Output<string>;
    readonly serviceBusNamespaceId: pulumi.Output<string>;
    /** Fully qualified namespace `<ns>.servicebus.windows.net`. */
    readonly serviceBusEndpoint: pulumi.Output<string>;
    /** The first stamp's hub, the one the region had before stamps. */
    readonly iotHubName: pulumi.Output<string>;
    readonly iotHubHostName: pulumi.Output<string>;
    /** Stamp -> its IoT hub's name and host name, what devices of the stamp's tenants connect to. */
    readonly stampHubs: Record<string, { readonly name: pulumi.Output<string>; readonly hostName: pulumi.Output<string> }>;
    /** The region's Device Provisioning Service: what devices provision through, and what the provisioning side writes enrollments to. */
    readonly provisioning: {
        readonly name: pulumi.Output<string>;
        readonly idScope: pulumi.Output<string>;
        readonly globalEndpoint: string;
        readonly serviceOperationsHostName: pulumi.Output<string>;
    };
    readonly adxClusterName: pulumi.Output<string>;
    readonly adxClusterUri: pulumi.Output<string>;
    readonly adxDatabaseName: pulumi.Output<string>;
    readonly cosmosAccountId: pulumi.Output<string>;
    readonly cosmosAccountName: pulumi.Output<string>;
    readonly cosmosEndpoint: pulumi.Output<string>;
    readonly cosmosDatabaseName: pulumi.Output<string>;
    readonly cosmosContainerName: pulumi.Output<string>;
    /** Every device-state account, by ordinal: the first is the one above, further ones hold the containers of later tenants. */
    readonly cosmosAccounts: readonly CosmosAccountEndpoints[];
}

/** A device-state account: where its tenants' containers are. */
export interface CosmosAccountEndpoints {
    readonly id: pulumi.Output<string>;
    readonly name: pulumi.Output<string>;
    readonly endpoint: pulumi.Output<string>;
    readonly databaseName: pulumi.Output<string>;
}

/** An event hub a cluster's ingest reads: the shared `telemetry` hub, or a dedicated tenant's own. */
export interface EventStreamEndpoints {
    readonly namespaceName: pulumi.Output<string>;
    /** Fully qualified namespace `<ns>.servicebus.windows.net`. */
    readonly namespaceEndpoint: pulumi.Output<string>;
    readonly eventHubName: pulumi.Output<string>;
    readonly eventHubId: pulumi.Output<string>;
}

/** What the region provides to each of its clusters and tenants. */
export interface RegionServices {
    readonly environment: string;
    readonly regionShortName: string;
    readonly location: string;
    readonly resourceGroupName: pulumi.Output<string>;
    readonly subscriptionId: pulumi.Output<string>;
    readonly azureTenantId: pulumi.Output<string>;
    /** Random suffix of the region's globally unique names. */
    readonly uniqueSuffix: pulumi.Output<string>;
    readonly deployerObjectId: pulumi.Output<string>;
    readonly adminGroupObjectId: pulumi.Output<string>;
    /** The deployer's membership of the admin group, which every Kubernetes provider waits for. */
    readonly deployerAdmin: pulumi.Resource;
    readonly logAnalyticsWorkspaceId: pulumi.Output<string>;
    readonly azureMonitorWorkspaceId: pulumi.Output<string>;
    readonly keyVault: { readonly id: pulumi.Output<string>; readonly name: pulumi.Output<string>; readonly uri: pulumi.Output<string> };
    readonly appInsightsConnectionStringSecret: { readonly id: pulumi.Output<string>; readonly name: string };
    readonly dns: { readonly zoneName: string; readonly zoneId: pulumi.Output<string>; readonly acmeEmail: string };
    readonly gitops: { readonly repositoryUrl: string; readonly branch: string };
    readonly kubeloginMode: KubeloginMode;
    readonly sizing: ClusterDefaults;
    readonly dataPlane: DataPlaneEndpoints;
    /** How messages reach each tenant: routes, streams and each cluster's ingest (`lib/dataPath.ts`). */
    readonly dataPath: DataPath;
    /** The private-endpoint subnets' ranges, by index: the only VNet addresses tenant pods may send to (their services' endpoints). */
    readonly privateEndpointSubnets: readonly string[];
    /** Each tenant's private-endpoint subnet and device-state account (`shardTenants`). */
    readonly shards: TenantShards;
    /** environment and region tags. */
    readonly tags: Record<string, string>;
}
