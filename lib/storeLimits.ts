import { ConfigProblem } from "./errors";

/**
 * The Azure limits a region's stores meet as tenants are added: every tenant gets a Cosmos DB container of its
 * own and a Cosmos DB SQL role assignment on it, in the region's one device-state account. Pure, so that config
 * validation refuses a region past them before anything registers, and `npm start` shows their headroom.
 */

const COSMOS_ACCOUNT_LIMITS_PAGE = "https://learn.microsoft.com/azure/cosmos-db/concepts-limits#per-account-limits";
const COSMOS_RBAC_LIMITS_PAGE = "https://learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac#limits";

/** Cosmos DB per-account limits, provisioned and serverless alike (pages above, 2026-12). */
export const COSMOS_LIMITS = {
    /** Databases and containers together, per account. */
    databasesAndContainersPerAccount: 500,
    /** SQL (data plane) role assignments per account. */
    sqlRoleAssignmentsPerAccount: 2_000,
} as const;

/** What the region's device-state account holds besides its tenants' containers: its database and the shared `devices` container. */
export const COSMOS_PLATFORM_ENTITIES = 2;

/** One Azure limit as a region uses it: the generic row every limit check of the program returns. */
export interface LimitRow {
    /** What is limited, in Microsoft's words. */
    readonly limit: string;
    /** The resource the limit applies to. */
    readonly scope: string;
    readonly used: number;
    readonly max: number;
    /** Microsoft's page for the limit. */
    readonly source: string;
}

/** The store limits a region with `tenantCount` tenants uses. */
export function storeLimitRows(tenantCount: number): LimitRow[] {
    return [
        {
            limit: "databases and containers per Cosmos DB account",
            scope: "device-state account",
            used: COSMOS_PLATFORM_ENTITIES + tenantCount,
            max: COSMOS_LIMITS.databasesAndContainersPerAccount,
            source: COSMOS_ACCOUNT_LIMITS_PAGE,
        },
        {
            limit: "SQL role assignments per Cosmos DB account",
            scope: "device-state account",
            used: tenantCount,
            max: COSMOS_LIMITS.sqlRoleAssignmentsPerAccount,
            source: COSMOS_RBAC_LIMITS_PAGE,
        },
    ];
}

/** A refusal for each row past its limit, naming the limit, the count and the page; reported at `path`. */
export function limitProblems(rows: readonly LimitRow[], path: string, advice: string): ConfigProblem[] {
    return rows
        .filter(row => row.used > row.max)
        .map(row => ({
            path,
            message: `${row.used} ${row.limit} in the ${row.scope} exceed Azure's limit of ${row.max} (${row.source}); ${advice}`,
        }));
}

/** The store limits of the `tenants` of a raw stack config, as config problems (each tenant name counted once). */
export function storeLimitProblems(raw: Record<string, unknown>, tenantsPath: string): ConfigProblem[] {
    const tenants = Array.isArray(raw.tenants) ? raw.tenants : [];
    const names = new Set(tenants.map((tenant: unknown) => (isNamed(tenant) ? tenant.name : undefined)).filter(name => name !== undefined));
    return limitProblems(
        storeLimitRows(names.size),
        tenantsPath,
        "each tenant holds a container of its own: move tenants to another region stack",
    );
}

function isNamed(value: unknown): value is { name: string } {
    return typeof value === "object" && value !== null && typeof (value as { name?: unknown }).name === "string";
}
