import * as pulumi from "@pulumi/pulumi";
import * as kusto from "@pulumi/azure-native/kusto";
import { appPrincipal, groupPrincipal, tenantRowsScript } from "../../lib/adxTenancy";

export interface TelemetryIsolationArgs {
    /** The region's resource group, which holds the ADX cluster. Required. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** The ADX cluster's name. Required. */
    readonly clusterName: pulumi.Input<string>;
    /** The telemetry database's name. Required. */
    readonly databaseName: pulumi.Input<string>;
    /** The Entra ID tenant of every principal named here. Required. */
    readonly entraTenantId: pulumi.Input<string>;
    /** Object id of the platform's admin group: its members read every row, routed or not. Required. */
    readonly platformGroupObjectId: pulumi.Input<string>;
    /** The Kusto principal continuous exports run as (the ADX cluster's identity): it reads every row to export it. Required. */
    readonly exportPrincipal: pulumi.Input<string>;
    /** Each tenant's name and the client id of its identity, in stack-file order. Required. */
    readonly tenants: readonly { readonly tenant: string; readonly clientId: pulumi.Input<string> }[];
    /**
     * What must exist first: the data plane's scripts, which create the telemetry table, and the database's last
     * script before this one (ADX runs one script of a database at a time). Required.
     */
    readonly after: readonly pulumi.Resource[];
}

/**
 * The ADX side of tenant isolation, once per region after its tenants: every tenant's ingestion mapping and the
 * row level security of the telemetry table (`lib/adxTenancy.ts`), and the platform group's read access to all
 * of the database, restricted tables included. Each tenant's own Viewer assignment is the tenant's
 * (`components/tenant/tenantStoreAccess.ts`).
 */
export function isolateTelemetryRows(name: string, args: TelemetryIsolationArgs, parent: pulumi.Resource): kusto.Script {
    const database = { resourceGroupName: args.resourceGroupName, clusterName: args.clusterName, databaseName: args.databaseName };
    // Viewer to query; UnrestrictedViewer to read the tables the restricted view access policy hides from tenants.
    for (const role of [kusto.DatabasePrincipalRole.Viewer, kusto.DatabasePrincipalRole.UnrestrictedViewer]) {
        new kusto.DatabasePrincipalAssignment(
            `${name}-adx-platform-${role.toLowerCase()}`,
            {
                ...database,
                principalAssignmentName: `platform-${role.toLowerCase()}`,
                principalId: args.platformGroupObjectId,
                principalType: kusto.PrincipalType.Group,
                role,
                tenantId: args.entraTenantId,
            },
            { parent },
        );
    }
    const principals = pulumi.all(args.tenants.map(t => t.clientId));
    return new kusto.Script(
        `${name}-adx-tenant-rows`,
        {
            ...database,
            scriptContent: pulumi
                .all([principals, args.entraTenantId, args.platformGroupObjectId, args.exportPrincipal])
                .apply(([clientIds, entraTenantId, groupId, exporter]) =>
                    tenantRowsScript(
                        args.tenants.map((t, i) => ({ tenant: t.tenant, principal: appPrincipal(clientIds[i], entraTenantId) })),
                        [groupPrincipal(groupId, entraTenantId), exporter],
                    ),
                ),
        },
        { parent, dependsOn: [...args.after] },
    );
}
