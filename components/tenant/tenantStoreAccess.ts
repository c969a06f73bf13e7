import * as pulumi from "@pulumi/pulumi";
import * as cosmosdb from "@pulumi/azure-native/cosmosdb";
import * as kusto from "@pulumi/azure-native/kusto";
import { roleAssignmentGuid, tenantCosmosContainer } from "../../lib/naming";
import { CosmosAccountEndpoints, RegionServices } from "../common/regionServices";

/** Cosmos DB's built-in Data Contributor: reads and writes items and runs queries, no management operations. */
export const COSMOS_DATA_CONTRIBUTOR = "00000000-0000-0000-0000-000000000002";

export interface TenantStoreAccessArgs {
    /** The tenant's name. Required. */
    readonly tenant: string;
    /** The tenant identity's object (principal) id, what Cosmos DB SQL role assignments name. Required. */
    readonly principalId: pulumi.Input<string>;
    /** The tenant identity's client (application) id, what ADX principal assignments name. Required. */
    readonly clientId: pulumi.Input<string>;
    /** The region's services (data plane, resource group, Entra tenant). Required. */
    readonly services: RegionServices;
    /** The device-state account that holds the tenant's container (`shardTenants`). Required. */
    readonly cosmosAccount: CosmosAccountEndpoints;
    /** Tags of the tenant's resources (environment, region, tenant, cluster). Required. */
    readonly tags: Record<string, string>;
    /** Whether the container holding the tenant's device state is protected from deletion. Required. */
    readonly protect: boolean;
}

/** What a tenant reads and writes in the region's stores. */
export interface TenantStores {
    /** The tenant's own Cosmos DB container in the device-state database. */
    readonly cosmosContainerName: pulumi.Output<string>;
    /** The endpoint of the account that holds it. */
    readonly cosmosEndpoint: pulumi.Output<string>;
}

/**
 * A tenant's access to the region's stores, each scoped to what holds only its data: a Cosmos DB container of
 * its own (in its device-state account) with Data Contributor on that container alone (Cosmos RBAC scopes stop at the container:
 * learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac), and Viewer on the telemetry database, where the
 * telemetry table's row level security shows it its own rows and every other table holding tenants' rows is
 * hidden by the restricted view access policy (`lib/adxTenancy.ts`).
 */
export function grantTenantStoreAccess(name: string, args: TenantStoreAccessArgs, parent: pulumi.Resource): TenantStores {
    const data = args.services.dataPlane;
    const account = args.cosmosAccount;
    const resourceGroupName = args.services.resourceGroupName;
    const containerName = tenantCosmosContainer(args.tenant);
    const container = new cosmosdb.SqlResourceSqlContainer(
        `${name}-cosmos`,
        {
            resourceGroupName,
            location: args.services.location,
            accountName: account.name,
            databaseName: account.databaseName,
            containerName,
            // A tenant's devices spread its state over partitions; the container is the tenant's, so no tenant key.
            resource: { id: containerName, partitionKey: { paths: ["/deviceId"], kind: cosmosdb.PartitionKind.Hash, version: 2 } },
            tags: args.tags,
        },
        { parent, protect: args.protect },
    );
    const scope = pulumi.interpolate`${account.id}/dbs/${account.databaseName}/colls/${container.name}`;
    const roleDefinitionId = pulumi.interpolate`${account.id}/sqlRoleDefinitions/${COSMOS_DATA_CONTRIBUTOR}`;
    new cosmosdb.SqlResourceSqlRoleAssignment(
        `${name}-cosmos-contributor`,
        {
            resourceGroupName,
            accountName: account.name,
            // Named from scope, principal and role, like every Azure role assignment of the fleet: a re-run finds it.
            roleAssignmentId: pulumi
                .all([scope, args.principalId, roleDefinitionId])
                .apply(([s, principal, role]) => roleAssignmentGuid(s, principal, role)),
            roleDefinitionId,
            principalId: args.principalId,
            scope,
        },
        { parent },
    );
    new kusto.DatabasePrincipalAssignment(
        `${name}-adx-viewer`,
        {
            resourceGroupName,
            clusterName: data.adxClusterName,
            databaseName: data.adxDatabaseName,
            principalAssignmentName: `tenant-${args.tenant}`,
            principalId: args.clientId,
            principalType: kusto.PrincipalType.App,
            role: kusto.DatabasePrincipalRole.Viewer,
            tenantId: args.services.azureTenantId,
        },
        { parent },
    );
    return { cosmosContainerName: container.name, cosmosEndpoint: account.endpoint };
}
