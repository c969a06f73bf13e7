import { z } from "zod";
import { DATA_PLANE_DEFAULTS } from "./dataPlane";
import { QUANTITY } from "./quantity";

/**
 * Every per-tenant setting, in one table: each row is a setting's schema and its built-in default (none for a
 * setting that Azure defaults when it is left out). The fields, the built-in defaults, the `tenantDefaults`
 * schema, the `tenants[].overrides` schema and the merge of a tenant's overrides over the defaults are all
 * derived from it: a new setting is one row here, read where it is applied.
 */

const quantity = z.string().regex(QUANTITY, "expected a Kubernetes quantity such as 500m, 4 or 8Gi");
const positiveInt = z.number().int().positive();

/**
 * Queue sizes Azure allows, in megabytes, per Service Bus tier: 1 to 5 GB, and on Premium also 10, 20, 40 and
 * 80 GB (Microsoft Learn, "Service Bus quotas": queue or topic size).
 */
export const SERVICE_BUS_QUEUE_SIZES_MB = {
    Standard: [1024, 2048, 3072, 4096, 5120],
    Premium: [1024, 2048, 3072, 4096, 5120, 10240, 20480, 40960, 81920],
} as const;
const queueTier = DATA_PLANE_DEFAULTS.serviceBusSku;
const queueSizes: readonly number[] = SERVICE_BUS_QUEUE_SIZES_MB[queueTier];

interface Setting<T extends z.ZodType> {
    readonly schema: T;
    /** The built-in default; undefined leaves the setting out, so that Azure applies its own default. */
    readonly builtIn: z.output<T> | undefined;
}
const setting = <T extends z.ZodType>(schema: T, builtIn: z.output<T>): Setting<T> => ({ schema, builtIn });
const azureDefault = <T extends z.ZodType>(schema: T): Setting<T> => ({ schema, builtIn: undefined });

export const TENANT_SETTING_TABLE = {
    processing: {
        /** KEDA's per-replica target: queue messages one processor replica handles at steady state. */
        targetMessageCount: setting(positiveInt, 500),
        minReplicas: setting(z.number().int().min(1, "processing keeps at least 1 replica so the queue is always drained"), 1),
        maxReplicas: setting(positiveInt, 20),
    },
    ingest: {
        /** KEDA's per-replica target of unprocessed events (consumer lag) per partition. */
        unprocessedEventThreshold: setting(positiveInt, 64),
        minReplicas: setting(z.number().int().min(1, "ingest keeps at least 1 consumer per region"), 1),
        maxReplicas: setting(positiveInt, 8),
    },
    // 16 CPU and 16Gi hold the 28 replicas KEDA may start at the default limits (14 CPU, 14Gi) plus a rolling-update surge.
    quota: {
        cpu: setting(quantity, "16"),
        memory: setting(quantity, "16Gi"),
        pods: setting(positiveInt, 100),
        /** PersistentVolumeClaims the namespace may hold; telemetry workloads are stateless, so few. */
        persistentVolumeClaims: setting(z.number().int().min(0), 4),
        /** Storage all the namespace's claims may request together. */
        storage: setting(quantity, "64Gi"),
    },
    limits: {
        defaultCpu: setting(quantity, "500m"),
        defaultMemory: setting(quantity, "512Mi"),
        defaultRequestCpu: setting(quantity, "100m"),
        defaultRequestMemory: setting(quantity, "128Mi"),
    },
    podSecurity: setting(z.enum(["restricted", "baseline"]), "restricted"),
    edge: {
        /** The container ports of the tenant's pods the edge (its Application Gateway for Containers) may reach: those its routes' backends listen on. */
        ports: setting(
            z
                .array(z.number().int().min(1).max(65535))
                .min(1, "at least one port: the edge needs a port to reach the tenant's routes' backends")
                .refine(ports => new Set(ports).size === ports.length, "each port once"),
            [8080],
        ),
    },
    queue: {
        /** Size of the tenant's Service Bus queue; Azure's default (1024) when unset. */
        maxSizeInMegabytes: azureDefault(
            z
                .number()
                .refine(
                    size => queueSizes.includes(size),
                    `expected one of the queue sizes Service Bus ${queueTier} allows: ${queueSizes.join(", ")} (MB)`,
                ),
        ),
    },
};

type AnySetting = Setting<z.ZodType>;
type SettingGroup = Readonly<Record<string, AnySetting>>;
type ValueOf<S> = S extends Setting<infer T> ? (S["builtIn"] extends undefined ? z.output<T> | undefined : z.output<T>) : never;
type SettingsOf<Table> = {
    readonly [K in keyof Table]: Table[K] extends AnySetting ? ValueOf<Table[K]> : { readonly [F in keyof Table[K]]: ValueOf<Table[K][F]> };
};
type OverridesOf<Table> = {
    readonly [K in keyof Table]?: Table[K] extends AnySetting
        ? ValueOf<Table[K]>
        : { readonly [F in keyof Table[K]]?: ValueOf<Table[K][F]> };
};

/** A tenant's effective settings: every row of the table, valued. */
export type TenantSettings = SettingsOf<typeof TENANT_SETTING_TABLE>;
/** What a tenant's `overrides` may set: any row of the table. */
export type TenantOverrides = OverridesOf<typeof TENANT_SETTING_TABLE>;

const isSetting = (entry: AnySetting | SettingGroup): entry is AnySetting => entry.schema instanceof z.ZodType;
const rows = Object.entries(TENANT_SETTING_TABLE) as [string, AnySetting | SettingGroup][];
const mapGroup = <T>(group: SettingGroup, map: (row: AnySetting) => T) =>
    Object.fromEntries(Object.entries(group).map(([key, row]) => [key, map(row)]));
const withoutUndefined = <T extends object>(value: T): Partial<T> =>
    Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;

/** The built-in tenant settings, used where a stack's `tenantDefaults` is silent. */
export const BUILT_IN_TENANT_DEFAULTS = Object.fromEntries(
    rows.map(([key, entry]) => [key, isSetting(entry) ? entry.builtIn : withoutUndefined(mapGroup(entry, row => row.builtIn))]),
) as unknown as TenantSettings;
const builtInOf = (key: string): unknown => (BUILT_IN_TENANT_DEFAULTS as Record<string, unknown>)[key];

/** A group of settings of which any may be given, and none unknown. */
const partialGroup = (group: SettingGroup) => z.strictObject(mapGroup(group, row => row.schema.optional())).optional();

/** `tenantDefaults`: every key optional, the built-in defaults filling what a stack leaves out. */
export const tenantDefaultsSchema = z.strictObject(
    Object.fromEntries(
        rows.map(([key, entry]) => [
            key,
            isSetting(entry)
                ? entry.builtIn === undefined
                    ? entry.schema.optional()
                    : entry.schema.default(entry.builtIn)
                : partialGroup(entry).transform(given => ({ ...(builtInOf(key) as object), ...withoutUndefined(given ?? {}) })),
        ]),
    ),
) as unknown as z.ZodType<TenantSettings, unknown>;

/** `tenants[].overrides`: the keys of `tenantDefaults`, none required and none unknown. */
export const tenantOverridesSchema = z.strictObject(
    Object.fromEntries(rows.map(([key, entry]) => [key, isSetting(entry) ? entry.schema.optional() : partialGroup(entry)])),
) as unknown as z.ZodType<TenantOverrides, unknown>;

/** Effective settings of one tenant: the defaults with its overrides laid over them, row by row. */
export function resolveTenantSettings(defaults: TenantSettings, overrides: TenantOverrides): TenantSettings {
    return Object.fromEntries(
        rows.map(([key, entry]) => {
            const base = (defaults as Record<string, unknown>)[key];
            const given = (overrides as Record<string, unknown>)[key];
            return [key, isSetting(entry) ? (given ?? base) : { ...(base as object), ...withoutUndefined((given ?? {}) as object) }];
        }),
    ) as unknown as TenantSettings;
}
