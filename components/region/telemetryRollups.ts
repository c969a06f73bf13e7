import * as pulumi from "@pulumi/pulumi";
import * as kusto from "@pulumi/azure-native/kusto";
import { COMPONENT_TYPES } from "../../lib/componentTypes";
import { kustoApp, kustoGroup, kustoScript, rollupCommands, ROLLUPS, tenantsOfCallerFunction } from "../../lib/telemetryKql";

export interface TelemetryRollupsArgs {
    /** Resource group of the ADX cluster. No default. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** The ADX cluster that holds `Telemetry`. No default. */
    readonly clusterName: pulumi.Input<string>;
    /** Its database that holds `Telemetry`. No default. */
    readonly databaseName: pulumi.Input<string>;
    /** Days the views keep (the hot window, `telemetry.hotDays`). No default. */
    readonly hotDays: number;
    /** Each tenant's workload identity (client id): the principal that reads that tenant's rows. No default. */
    readonly tenantIdentities: Readonly<Record<string, pulumi.Input<string>>>;
    /** The Entra ID group that reads every tenant's rows (the region's cluster admins). No default. */
    readonly adminGroupObjectId: pulumi.Input<string>;
    /** The Entra tenant of those principals. No default. */
    readonly azureTenantId: pulumi.Input<string>;
    /** What must run before: the table's creation, and the database's previous script (one script at a time). No default. */
    readonly after: readonly pulumi.Resource[];
}

/**
 * The rollups of a region's telemetry (`ROLLUPS`: per-minute and per-hour counts per device, each device's last
 * message), as ADX materialized views over `Telemetry`, each with the hot window's retention and a row level
 * security policy that shows a tenant's identity its own rows only.
 *
 * The tenant-to-principal mapping is a stored function of its own (`RollupTenantsOfCaller`), rewritten whenever a
 * tenant comes or goes; the views' policies read it, so they do not change with the tenants. A row level security
 * policy on `Telemetry` itself must be enabled `with (allowMaterializedViewsWithoutRowLevelSecurity=true)` for these
 * views to be created over it.
 */
export class TelemetryRollups extends pulumi.ComponentResource {
    public readonly views: readonly string[];

    constructor(name: string, args: TelemetryRollupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.telemetryRollups, name, {}, opts);
        const database = { resourceGroupName: args.resourceGroupName, clusterName: args.clusterName, databaseName: args.databaseName };
        const tenants = Object.keys(args.tenantIdentities);
        const mapping = pulumi
            .all([pulumi.all(tenants.map(t => args.tenantIdentities[t])), args.azureTenantId])
            .apply(([clientIds, azureTenant]) => tenants.map((tenant, i) => ({ tenant, principal: kustoApp(clientIds[i], azureTenant) })));
        const scopes = new kusto.Script(
            `${name}-tenant-scopes`,
            { ...database, scriptContent: mapping.apply(m => kustoScript([tenantsOfCallerFunction(m)])) },
            { parent: this, dependsOn: [...args.after] },
        );
        const admins = pulumi.all([args.adminGroupObjectId, args.azureTenantId]).apply(([group, tenant]) => kustoGroup(group, tenant));
        new kusto.Script(
            `${name}-views`,
            {
                ...database,
                scriptContent: admins.apply(admin => kustoScript(ROLLUPS.flatMap(r => rollupCommands(r, args.hotDays, admin)))),
            },
            { parent: this, dependsOn: [scopes] },
        );
        this.views = ROLLUPS.map(r => r.view);
        this.registerOutputs({ views: this.views });
    }
}
