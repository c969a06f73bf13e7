import { AzureLimitRow, LIMIT_SOURCES } from "./azureLimitRow";

/**
 * The Azure limits a region's stores meet as tenants are added: every tenant gets a Cosmos DB container of its
 * own and a Cosmos DB SQL role assignment on it, in the region's one device-state account. Pure, so that config
 * validation refuses a region past them before anything registers (they are rows of `configLimitRows`), and `npm start` shows their headroom.
 */

/** Cosmos DB per-account limits, provisioned and serverless alike (`LIMIT_SOURCES.cosmosAccount`, `.cosmosRbac`; 2026-12). */
export const COSMOS_LIMITS = {
    /** Databases and containers together, per account. */
    databasesAndContainersPerAccount: 500,
    /** SQL (data plane) role assignments per account. */
    sqlRoleAssignmentsPerAccount: 2_000,
} as const;

/** What the region's device-state account holds besides its tenants' containers: its database and the shared `devices` container. */
export const COSMOS_PLATFORM_ENTITIES = 2;

/** The store limits a region with `tenantCount` tenants uses, against the account's container quota (raised or not). */
export function storeLimitRows(
    tenantCount: number,
    containersPerAccount: number = COSMOS_LIMITS.databasesAndContainersPerAccount,
): AzureLimitRow[] {
    return [
        {
            limit: "databases and containers per Cosmos DB account",
            scope: "device-state account",
            used: COSMOS_PLATFORM_ENTITIES + tenantCount,
            max: containersPerAccount,
            source: LIMIT_SOURCES.cosmosAccount,
        },
        {
            limit: "SQL role assignments per Cosmos DB account",
            scope: "device-state account",
            used: tenantCount,
            max: COSMOS_LIMITS.sqlRoleAssignmentsPerAccount,
            source: LIMIT_SOURCES.cosmosRbac,
        },
    ];
}
