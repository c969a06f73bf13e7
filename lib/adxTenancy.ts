import { TELEMETRY_COLUMNS, TELEMETRY_TABLE, TELEMETRY_TABLE_SCHEMA } from "./telemetryTable";

/**
 * How device telemetry lands in ADX with its tenant, and how each tenant reads only its own rows: the Kusto
 * commands, as text, that `components/region/telemetryStores.ts` and `components/region/telemetryIsolation.ts`
 * run through `kusto.Script`.
 *
 * Landing. An ADX Event Hubs data connection cannot ingest an event's custom (application) properties, so the
 * IoT Hub enrichment `tenant` cannot be mapped to a column (learn.microsoft.com/azure/data-explorer/
 * ingest-data-event-hub-overview, "Event Hubs properties"). It does read three routing properties from every
 * event's application properties: `Table`, `Format` and `IngestionMappingReference` (same page, "Events
 * routing"). So IoT Hub stamps, besides `tenant`, `Table` = the telemetry table and `IngestionMappingReference`
 * = `$twin.tags.tenant` (`ADX_ROUTING_ENRICHMENTS`), and each tenant has a JSON mapping named after it that fills
 * `TenantId` with the tenant's name as a constant (`ConstValue`; learn.microsoft.com/azure/data-explorer/kusto/
 * management/json-mapping, which warns that each distinct constant batches apart: ingestion batches per tenant). `DeviceId` comes from the event's partition key
 * (IoT Hub partitions by device id: Azure/azure-iot-sdk-c#1145) and `EnqueuedTime` from `x-opt-enqueued-time`,
 * both event system properties the data connection embeds in each JSON record (MicrosoftDocs/dataexplorer-docs
 * kusto/management/data-ingestion/eventhub.md, "Event system properties mapping").
 *
 * Untagged devices. IoT Hub stamps the literal `$twin.tags.tenant`; no mapping has that name (mappings are
 * named after tenants, whose names are DNS labels), so ADX refuses the event with a mapping-not-found ingestion failure: it lands in no
 * table. The design relies on an enrichment replacing a same-named property a device sets (unverified: README).
 * Events that arrive without routing properties (sent before the enrichments exist, or through another
 * route) take the connection's static route into `UNROUTED_TABLE`, which only the platform can read.
 *
 * Isolation. One shared table keyed by `TenantId`, protected by a row level security policy, as Microsoft's ADX
 * multitenancy guidance suggests for many small tenants that query directly (learn.microsoft.com/azure/
 * data-explorer/multi-tenant). Tables without RLS that hold several tenants' rows carry the restricted view
 * access policy: Database Viewers, every tenant identity, cannot read them.
 */

/** Where events without routing properties land: every tenant's rows, so only the platform reads it. */
export const UNROUTED_TABLE = "TelemetryUnrouted";
/** The mapping of `UNROUTED_TABLE`, the data connection's static mapping. */
export const UNROUTED_MAPPING = "TelemetryUnroutedMapping";
/** The landing table of the first data plane (one dynamic column): kept, unreadable by tenants, until its rows are copied. */
export const LEGACY_LANDING_TABLE = "TelemetryRaw";
/** The stored function the telemetry table's row level security policy runs. */
export const TENANT_ROWS_FUNCTION = "TelemetryRowsOfCaller";

/** The event system properties the data connection embeds in each record (single-record JSON only). */
export const ADX_EVENT_SYSTEM_PROPERTIES = ["x-opt-enqueued-time", "x-opt-partition-key"] as const;

/**
 * Application properties IoT Hub must stamp on every message routed to the telemetry hub, next to `tenant`,
 * so that ADX routes each event to the telemetry table through its tenant's mapping.
 */
export const ADX_ROUTING_ENRICHMENTS: readonly { readonly key: string; readonly value: string }[] = [
    { key: "Table", value: TELEMETRY_TABLE },
    { key: "IngestionMappingReference", value: "$twin.tags.tenant" },
];

/** The ingestion mapping of a tenant's rows: IoT Hub names it in `IngestionMappingReference`, so it is the tenant's name. */
export const tenantMappingName = (tenant: string): string => tenant;

/** A Kusto string literal: double-quoted, with backslash escapes, which JSON's string syntax also is. */
export const kql = (text: string): string => JSON.stringify(text);

type MappingColumn = { readonly column: string; readonly Properties: Record<string, string> };

/**
 * The columns every mapping fills from the event: device, enqueued time and payload. System properties are
 * addressed by name, as in dataexplorer-docs' Event Hubs mapping example; the mapping sits in a single-quoted
 * Kusto literal, so its paths hold no single quote.
 */
const EVENT_COLUMNS: readonly MappingColumn[] = [
    { column: TELEMETRY_COLUMNS.deviceId, Properties: { Path: "$.x-opt-partition-key" } },
    { column: TELEMETRY_COLUMNS.enqueuedTime, Properties: { Path: "$.x-opt-enqueued-time" } },
    { column: TELEMETRY_COLUMNS.body, Properties: { Path: "$" } },
];

function jsonMapping(table: string, mapping: string, columns: readonly MappingColumn[]): string {
    return `.create-or-alter table ${table} ingestion json mapping ${kql(mapping)} '${JSON.stringify(columns)}'`;
}

/**
 * The tables the data connection lands in, created before it (ADX validates a connection's static table and
 * mapping): the tenant-keyed telemetry table, the unrouted table, and the legacy landing table, the last two
 * hidden from tenants by the restricted view access policy.
 */
export function telemetryTablesScript(): string {
    return [
        `.create-merge table ${TELEMETRY_TABLE} (${TELEMETRY_TABLE_SCHEMA})`,
        `.create-merge table ${UNROUTED_TABLE} (${TELEMETRY_TABLE_SCHEMA})`,
        jsonMapping(UNROUTED_TABLE, UNROUTED_MAPPING, EVENT_COLUMNS),
        `.alter table ${UNROUTED_TABLE} policy restricted_view_access true`,
        `.create-merge table ${LEGACY_LANDING_TABLE} (Record: dynamic)`,
        `.alter table ${LEGACY_LANDING_TABLE} policy restricted_view_access true`,
    ].join("\n\n");
}

/** A tenant and the Kusto FQN of its identity, `aadapp=<client id>;<Entra tenant id>`. */
export interface TenantPrincipal {
    readonly tenant: string;
    readonly principal: string;
}

/** The Kusto FQN of an Entra application (a managed identity's client id). */
export const appPrincipal = (clientId: string, entraTenantId: string): string => `aadapp=${clientId};${entraTenantId}`;
/** The Kusto FQN of an Entra security group. */
export const groupPrincipal = (objectId: string, entraTenantId: string): string => `aadgroup=${objectId};${entraTenantId}`;

/** The stored function that names the tenants whose rows the caller may read: every row level security policy reads it. */
export const TENANTS_OF_CALLER_FUNCTION = "TenantsOfCaller";

/**
 * The filter of every row level security policy over tenant rows (the telemetry table's and each rollup's): the
 * `allRows` principals (the platform group; for the table, also the identity continuous export runs as) see every
 * row, a tenant's identity the rows of its tenant, anyone else none.
 * Single-quoted, so that a policy can hold it in a double-quoted literal; principals hold no quote.
 */
export const callerRowsFilter = (allRows: readonly string[]): string =>
    `current_principal_is_member_of(${allRows.map(p => `'${p}'`).join(", ")}) or ${TELEMETRY_COLUMNS.tenantId} in (${TENANTS_OF_CALLER_FUNCTION}())`;

/**
 * Each tenant's mapping, the tenant-to-principal function, and the row level security on the telemetry table.
 * The function names the principals rather than reading a table of them: a table holding the map would itself
 * need protecting from the tenants that query through it. The table's policy lets the rollups (materialized
 * views over it) exist, since each view carries the same filter as a policy of its own (telemetryRollups.ts).
 */
export function tenantRowsScript(tenants: readonly TenantPrincipal[], allRows: readonly string[]): string {
    const mappings = tenants.map(({ tenant }) =>
        jsonMapping(TELEMETRY_TABLE, tenantMappingName(tenant), [
            { column: TELEMETRY_COLUMNS.tenantId, Properties: { ConstValue: tenant } },
            ...EVENT_COLUMNS,
        ]),
    );
    const rows = tenants.map(({ tenant, principal }) => `\n        ${kql(principal)}, ${kql(tenant)}`).join(",");
    return [
        ...mappings,
        [
            `.create-or-alter function with (folder = "isolation", docstring = "Tenants whose rows the caller may read") ${TENANTS_OF_CALLER_FUNCTION}() {`,
            `    datatable(Principal: string, ${TELEMETRY_COLUMNS.tenantId}: string) [${rows}${rows ? "\n    " : ""}]`,
            `    | where Principal == current_principal()`,
            `    | project ${TELEMETRY_COLUMNS.tenantId}`,
            `}`,
        ].join("\n"),
        [
            `.create-or-alter function with (folder = "isolation", docstring = "Row level security of ${TELEMETRY_TABLE}") ${TENANT_ROWS_FUNCTION}() {`,
            `    ${TELEMETRY_TABLE}`,
            `    | where ${callerRowsFilter(allRows)}`,
            `}`,
        ].join("\n"),
        `.alter table ${TELEMETRY_TABLE} policy row_level_security enable with (allowMaterializedViewsWithoutRowLevelSecurity=true) ${kql(TENANT_ROWS_FUNCTION)}`,
    ].join("\n\n");
}
