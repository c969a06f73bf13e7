import * as pulumi from "@pulumi/pulumi";
import * as kusto from "@pulumi/azure-native/kusto";
import { COMPONENT_TYPES } from "../../lib/componentTypes";
import { groupPrincipal } from "../../lib/adxTenancy";
import { kustoScript, rollupCommands, ROLLUPS } from "../../lib/telemetryKql";

export interface TelemetryRollupsArgs {
    /** Resource group of the ADX cluster. No default. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** The ADX cluster that holds `Telemetry`. No default. */
    readonly clusterName: pulumi.Input<string>;
    /** Its database that holds `Telemetry`. No default. */
    readonly databaseName: pulumi.Input<string>;
    /** Days the views keep (the hot window, `telemetry.hotDays`). No default. */
    readonly hotDays: number;
    /** The Entra ID group that reads every tenant's rows (the region's cluster admins). No default. */
    readonly adminGroupObjectId: pulumi.Input<string>;
    /** The Entra tenant of those principals. No default. */
    readonly azureTenantId: pulumi.Input<string>;
    /**
     * What must run before: the table's row level security, which defines the tenant-to-principal function the
     * views' policies read, and the database's previous script (one script at a time). No default.
     */
    readonly after: readonly pulumi.Resource[];
}

/**
 * The rollups of a region's telemetry (`ROLLUPS`: per-minute and per-hour counts per device, each device's last
 * message), as ADX materialized views over `Telemetry`, each with the hot window's retention and a row level
 * security policy that shows a tenant's identity its own rows only.
 *
 * The policies read the tenant-to-principal function of the table's own row level security (`lib/adxTenancy.ts`),
 * rewritten whenever a tenant comes or goes, so the views do not change with the tenants. The table's policy is
 * enabled `with (allowMaterializedViewsWithoutRowLevelSecurity=true)`, without which ADX refuses views over it.
 */
export class TelemetryRollups extends pulumi.ComponentResource {
    public readonly views: readonly string[];

    constructor(name: string, args: TelemetryRollupsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.telemetryRollups, name, {}, opts);
        const database = { resourceGroupName: args.resourceGroupName, clusterName: args.clusterName, databaseName: args.databaseName };
        const admins = pulumi.all([args.adminGroupObjectId, args.azureTenantId]).apply(([group, tenant]) => groupPrincipal(group, tenant));
        new kusto.Script(
            `${name}-views`,
            {
                ...database,
                scriptContent: admins.apply(admin => kustoScript(ROLLUPS.flatMap(r => rollupCommands(r, args.hotDays, admin)))),
            },
            { parent: this, dependsOn: [...args.after] },
        );
        this.views = ROLLUPS.map(r => r.view);
        this.registerOutputs({ views: this.views });
    }
}
