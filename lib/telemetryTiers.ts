import { z } from "zod";

/**
 * Where a region's telemetry lives as it ages, decided from `iot-fleet:telemetry` alone:
 * - hot: the ADX `Telemetry` table keeps `hotDays` in its SSD cache and deletes rows after them;
 * - warm: ADX continuously exports every row to Parquet on a storage account of the region's own, where blobs
 *   land in the Cool tier and stay queryable from ADX through an external table until `warmDays` of age;
 * - cold: a blob lifecycle rule moves them to the Archive tier then, and deletes them at `retentionDays` ("never": kept).
 * A tenant with a compliance tag on a dedicated cluster gets a storage account of its own, exported alone.
 */

/** The reference architecture's seed: 30 days hot, Parquet queryable to 1 year, archived to 3 years. */
export const TELEMETRY_TIER_DEFAULTS = { hotDays: 30, warmDays: 365, retentionDays: 3 * 365 } as const;
/** Blob Archive bills at least 180 days per blob; deleting earlier still pays them (Microsoft Learn, "Access tiers for blob data"). */
export const ARCHIVE_MINIMUM_DAYS = 180;
/** Blob Cool bills at least 30 days per blob: a warm period below that pays for days it does not keep. */
export const COOL_MINIMUM_DAYS = 30;
/** The longest a blob lifecycle rule counts days (the management policy's `daysAfter…` values). */
const LIFECYCLE_MAX_DAYS = 36_500;

const days = z.number().int().positive();

/** `iot-fleet:telemetry`: how long each tier keeps a region's telemetry. */
export const telemetryTiersSchema = z
    .strictObject({
        /** Days ADX keeps telemetry at full speed (hot cache and retention of the table and the rollups). */
        hotDays: days.default(TELEMETRY_TIER_DEFAULTS.hotDays),
        /** Age in days at which the Parquet copy moves from Cool to Archive, no longer queryable from ADX. */
        warmDays: days.max(LIFECYCLE_MAX_DAYS).default(TELEMETRY_TIER_DEFAULTS.warmDays),
        /** Age in days at which archived telemetry is deleted, or "never". */
        retentionDays: z.union([days.max(LIFECYCLE_MAX_DAYS), z.literal("never")]).default(TELEMETRY_TIER_DEFAULTS.retentionDays),
    })
    .superRefine(({ hotDays, warmDays, retentionDays }, ctx) => {
        if (warmDays < hotDays) {
            ctx.addIssue({
                code: "custom",
                path: ["warmDays"],
                input: warmDays,
                message: `the warm tier (${warmDays} days) must last at least the hot window (hotDays: ${hotDays}), or queries lose the days between them`,
            });
        }
        if (warmDays < COOL_MINIMUM_DAYS) {
            ctx.addIssue({
                code: "custom",
                path: ["warmDays"],
                input: warmDays,
                message: `Cool blobs are billed at least ${COOL_MINIMUM_DAYS} days: use warmDays >= ${COOL_MINIMUM_DAYS}`,
            });
        }
        if (retentionDays !== "never" && retentionDays < warmDays + ARCHIVE_MINIMUM_DAYS) {
            ctx.addIssue({
                code: "custom",
                path: ["retentionDays"],
                input: retentionDays,
                message:
                    `archived blobs are billed at least ${ARCHIVE_MINIMUM_DAYS} days: retentionDays must be at least warmDays + ${ARCHIVE_MINIMUM_DAYS} ` +
                    `(${warmDays + ARCHIVE_MINIMUM_DAYS}), or "never"`,
            });
        }
    });

export type TelemetryTiers = z.output<typeof telemetryTiersSchema>;

/** What one storage account of the warm tier holds: every tenant of the shared store, or one compliance tenant. */
export interface WarmStore {
    /** `shared`, or the tenant's name for a store of its own. */
    readonly key: string;
    /** The tenant a store of its own holds; absent on the shared store. */
    readonly tenant?: string;
    /** The ADX external table over the store's Parquet files. */
    readonly externalTable: string;
    /** The ADX continuous export that fills it. */
    readonly continuousExport: string;
    /** Tenants whose rows this store receives: `{ only }` for a tenant's own store, `{ except }` for the shared one. */
    readonly rows: { readonly only: string } | { readonly except: readonly string[] };
}

/** The tenant facts the warm tier reads: its compliance tags and whether it runs on a dedicated cluster. */
export interface TieredTenant {
    readonly name: string;
    readonly compliance: readonly string[];
    readonly dedicated: boolean;
}

export const SHARED_WARM_STORE = "shared";
const WARM_TABLE = "TelemetryWarm";
const WARM_EXPORT = "TelemetryToWarm";

/** Kusto entity names are letters, digits and underscores here: a tenant's DNS label with `-` as `_`. */
export const kustoNamePart = (tenant: string): string => tenant.replace(/-/g, "_");

/** The tenants whose exported telemetry goes to a storage account of their own: a compliance tag and a dedicated cluster. */
export function ownStoreTenants(tenants: readonly TieredTenant[]): string[] {
    return tenants.filter(t => t.dedicated && t.compliance.length > 0).map(t => t.name);
}

/** The warm stores of a region: the shared one (every other tenant), then one per tenant with a store of its own, in file order. */
export function warmStores(tenants: readonly TieredTenant[]): WarmStore[] {
    const own = ownStoreTenants(tenants);
    return [
        { key: SHARED_WARM_STORE, externalTable: WARM_TABLE, continuousExport: WARM_EXPORT, rows: { except: own } },
        ...own.map(tenant => ({
            key: tenant,
            tenant,
            externalTable: `${WARM_TABLE}_${kustoNamePart(tenant)}`,
            continuousExport: `${WARM_EXPORT}_${kustoNamePart(tenant)}`,
            rows: { only: tenant },
        })),
    ];
}

/** The blob lifecycle of the warm tier's Parquet files: archive at `warmDays` of age, delete at `retentionDays` unless never. */
export function lifecycleDays(tiers: TelemetryTiers): { readonly archiveAfterDays: number; readonly deleteAfterDays?: number } {
    return {
        archiveAfterDays: tiers.warmDays,
        ...(tiers.retentionDays === "never" ? {} : { deleteAfterDays: tiers.retentionDays }),
    };
}
