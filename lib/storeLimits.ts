import { AzureLimitRow, LIMIT_SOURCES } from "./azureLimitRow";

/**
 * The Azure limits a region's stores meet as tenants are added: every tenant gets a Cosmos DB container of its
 * own and a Cosmos DB SQL role assignment on it, in one of the region's device-state accounts (`lib/tenantShards.ts`).
 * Pure, so that config validation refuses a region past them before anything registers (they are rows of
 * `configLimitRows`), and `npm start` shows their headroom.
 */

/** Cosmos DB per-account limits, provisioned and serverless alike (`LIMIT_SOURCES.cosmosAccount`, `.cosmosRbac`; 2026-12). */
export const COSMOS_LIMITS = {
    /** Databases and containers together, per account. */
    databasesAndContainersPerAccount: 500,
    /** SQL (data plane) role assignments per account. */
    sqlRoleAssignmentsPerAccount: 2_000,
} as const;

/** What the region's first device-state account holds besides its tenants' containers: its database and the shared `devices` container. */
export const COSMOS_PLATFORM_ENTITIES = 2;

/** The account's name in a limit row: the first keeps the name it always had. */
const accountScope = (account: number): string => (account === 0 ? "device-state account" : `device-state account ${account + 1}`);

/**
 * The store limits of a region whose device-state accounts hold `tenantsPerAccount` tenants each (the first also its
 * shared container, every one its database), against the account's container quota (raised or not).
 */
export function storeLimitRows(
    tenantsPerAccount: readonly number[],
    containersPerAccount: number = COSMOS_LIMITS.databasesAndContainersPerAccount,
): AzureLimitRow[] {
    return tenantsPerAccount.flatMap((tenants, account): AzureLimitRow[] => [
        {
            limit: "databases and containers per Cosmos DB account",
            scope: accountScope(account),
            used: (account === 0 ? COSMOS_PLATFORM_ENTITIES : 1) + tenants,
            max: containersPerAccount,
            source: LIMIT_SOURCES.cosmosAccount,
        },
        {
            limit: "SQL role assignments per Cosmos DB account",
            scope: accountScope(account),
            used: tenants,
            max: COSMOS_LIMITS.sqlRoleAssignmentsPerAccount,
            source: LIMIT_SOURCES.cosmosRbac,
        },
    ]);
}
