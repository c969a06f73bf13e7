import { TELEMETRY_COLUMNS as COLUMN, TELEMETRY_TABLE, TELEMETRY_TABLE_SCHEMA } from "./telemetryTable";
import { WarmStore } from "./telemetryTiers";
import { callerRowsFilter, kql } from "./adxTenancy";

/**
 * The Kusto control commands of the warm tier and the rollups, as text: what the `kusto.Script` resources run.
 * A script's commands are separated by a blank line, so no command holds one.
 * Sources: Microsoft Learn, Kusto "Create or alter continuous export", "Use a managed identity to run a continuous
 * export job", "Storage external tables" (partitions and path format), "Materialized views", "Row level security policy".
 */

/** Joins commands into one script. */
export const kustoScript = (commands: readonly string[]): string => commands.join("\n\n");

/**
 * Lets the cluster's system-assigned identity reach storage for external tables and run continuous exports, and read
 * the database it exports from: the export reads `Telemetry` on its behalf, as it must when the table has a row level
 * security policy.
 */
export function exportIdentityCommands(database: string, clusterPrincipal: string): string[] {
    return [
        `.alter-merge database ['${database}'] policy managed_identity \`\`\`[{"ObjectId": "system", "AllowedUsages": "ExternalTable, AutomatedFlows"}]\`\`\``,
        `.add database ['${database}'] viewers ('${clusterPrincipal}') 'continuous export to the warm tier'`,
    ];
}

/**
 * The warm store's external table: Parquet under `tenant=<name>/yyyy/MM/dd/`, so one tenant's files are one prefix
 * (found, exported or deleted alone) and a query on a tenant and a time range reads only its folders.
 */
export function externalTableCommand(store: WarmStore, containerUrl: string): string {
    return [
        `.create-or-alter external table ${store.externalTable} (${TELEMETRY_TABLE_SCHEMA})`,
        "kind = storage",
        `partition by (Tenant: string = ${COLUMN.tenantId}, Day: datetime = startofday(${COLUMN.enqueuedTime}))`,
        `pathformat = ("tenant=" Tenant "/" datetime_pattern("yyyy/MM/dd", Day))`,
        "dataformat = parquet",
        `(h@'${containerUrl};managed_identity=system')`,
        `with (folder = "tiers", docstring = "Telemetry older than the hot window, exported continuously from ${TELEMETRY_TABLE}")`,
    ].join("\n");
}

/** Exports every new row of the store's tenants once, as the cluster's identity. */
export function continuousExportCommand(store: WarmStore, intervalMinutes: number): string {
    const rows =
        "only" in store.rows
            ? ` | where ${COLUMN.tenantId} == ${kql(store.rows.only)}`
            : store.rows.except.length > 0
              ? ` | where ${COLUMN.tenantId} !in (${store.rows.except.map(kql).join(", ")})`
              : "";
    return (
        `.create-or-alter continuous-export ${store.continuousExport} over (${TELEMETRY_TABLE}) to table ${store.externalTable}` +
        ` with (intervalBetweenRuns = ${intervalMinutes}m, managedIdentity = "system")` +
        ` <| ${TELEMETRY_TABLE}${rows}`
    );
}

/** A rollup: a materialized view over `Telemetry`, and how long it keeps its rows. */
export interface Rollup {
    readonly view: string;
    readonly docstring: string;
    readonly query: string;
}

const BY_DEVICE = `${COLUMN.tenantId}, ${COLUMN.deviceId}`;
const countsPer = (bin: string, column: string) =>
    `${TELEMETRY_TABLE} | summarize Messages = count(), FirstEnqueuedTime = min(${COLUMN.enqueuedTime}), LastEnqueuedTime = max(${COLUMN.enqueuedTime}) by ${BY_DEVICE}, ${column} = bin(${COLUMN.enqueuedTime}, ${bin})`;

/** The dashboards' common queries: messages per device per minute and per hour, and each device's last message. */
export const ROLLUPS: readonly Rollup[] = [
    { view: "TelemetryPerMinute", docstring: "Messages per tenant, device and minute", query: countsPer("1m", "Minute") },
    { view: "TelemetryPerHour", docstring: "Messages per tenant, device and hour", query: countsPer("1h", "Hour") },
    {
        view: "DeviceLastValue",
        docstring: "Each device's last message (its body and time)",
        query: `${TELEMETRY_TABLE} | summarize arg_max(${COLUMN.enqueuedTime}, ${COLUMN.body}) by ${BY_DEVICE}`,
    },
];

/** The view, its retention and cache of the hot window, and the row level security that shows a caller its tenants' rows only (all of them to the admins). */
export function rollupCommands(rollup: Rollup, hotDays: number, adminPrincipal: string): string[] {
    const rowFilter = `${rollup.view} | where ${callerRowsFilter([adminPrincipal])}`;
    return [
        `.create-or-alter materialized-view with (folder = "rollups", docstring = ${kql(rollup.docstring)}) ${rollup.view} on table ${TELEMETRY_TABLE}\n{\n    ${rollup.query}\n}`,
        `.alter materialized-view ${rollup.view} policy retention \`\`\`{"SoftDeletePeriod": "${hotDays}.00:00:00", "Recoverability": "Enabled"}\`\`\``,
        `.alter materialized-view ${rollup.view} policy caching hot = ${hotDays}d`,
        `.alter materialized-view ${rollup.view} policy row_level_security enable ${kql(rowFilter)}`,
    ];
}
