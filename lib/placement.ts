/**
 * Tenant placement: which cluster each tenant lives on. A pure function of the tenant list,
 * so that the program, the offline plan and the provisioning service always agree.
 *
 * Moving a tenant deletes its namespace (and what runs in it), so placement is built to be stable:
 * - a pinned `cluster` is always honoured; the provisioning service pins every tenant it onboards;
 * - a tenant the stack placed before stays where it was (`previous`, read from the stack's own outputs), unless
 *   its own entry now forbids that cluster (see `keptCluster`), so only new tenants are packed: adding, growing,
 *   shrinking or removing a tenant never moves another, pinned or not;
 * - new tenants are packed first-fit in file order, counting every kept tenant's load first; without `previous`
 *   (the first run) a tenant's cluster depends only on the tenants before it in the file;
 * - nothing re-balances: a shared cluster that a grown tenant pushes over capacity stays over it
 *   (reported by the capacity view and the dedicated-threshold policy) until an operator acts.
 */

export type ClusterKind = "shared" | "dedicated";
/** `kept`: where this stack placed the tenant before (its outputs); the others say why a new tenant went where it did. */
export type PlacementReason = "pinned" | "kept" | "isolation" | "compliance" | "threshold" | "packed";

export interface PlacementTenant {
    readonly name: string;
    readonly deviceQuota: number;
    readonly isolation: "auto" | "shared" | "dedicated";
    readonly compliance: readonly string[];
    readonly cluster?: string;
}

export interface PlacementSettings {
    /** Tenants at or above this many devices get their own cluster (unless `isolation: shared`). */
    readonly dedicatedDeviceThreshold: number;
    readonly sharedClusterMaxTenants: number;
    readonly sharedClusterMaxDevices: number;
}

export interface TenantPlacement {
    readonly tenant: string;
    readonly cluster: string;
    readonly kind: ClusterKind;
    readonly reason: PlacementReason;
}

export interface ClusterPlacement {
    readonly name: string;
    readonly kind: ClusterKind;
    /** Tenants on the cluster, in file order. */
    readonly tenants: readonly string[];
    readonly devices: number;
}

export interface Placement {
    /** Shared clusters by number, then dedicated clusters in file order. */
    readonly clusters: readonly ClusterPlacement[];
    readonly tenants: ReadonlyMap<string, TenantPlacement>;
}

/** The keys of a stack's config that placement reads (`FleetConfig` has them). */
export interface PlacementConfig {
    readonly dedicatedDeviceThreshold: number;
    readonly sharedClusterCapacity: { readonly maxTenants: number; readonly maxDevices: number };
}

/** The placement settings of a stack's config. */
export const placementSettings = (config: PlacementConfig): PlacementSettings => ({
    dedicatedDeviceThreshold: config.dedicatedDeviceThreshold,
    sharedClusterMaxTenants: config.sharedClusterCapacity.maxTenants,
    sharedClusterMaxDevices: config.sharedClusterCapacity.maxDevices,
});

const SHARED_PREFIX = "shared-";
const DEDICATED_PREFIX = "dedicated-";

export const sharedClusterName = (ordinal: number): string => `${SHARED_PREFIX}${ordinal}`;
export const dedicatedClusterName = (tenant: string): string => `${DEDICATED_PREFIX}${tenant}`;
export const clusterKindOf = (cluster: string): ClusterKind => (cluster.startsWith(DEDICATED_PREFIX) ? "dedicated" : "shared");

/** Why a tenant needs a cluster of its own, or undefined when it belongs on a shared one. */
export function dedicatedReason(tenant: PlacementTenant, settings: PlacementSettings): PlacementReason | undefined {
    if (tenant.compliance.length > 0) {
        return "compliance";
    }
    if (tenant.isolation === "dedicated") {
        return "isolation";
    }
    if (tenant.isolation === "auto" && tenant.deviceQuota >= settings.dedicatedDeviceThreshold) {
        return "threshold";
    }
    return undefined;
}

/** Each tenant's cluster as this stack last placed it (tenant name to cluster name); empty on the first run. */
export type PreviousPlacement = ReadonlyMap<string, string>;

const SHARED_CLUSTER = /^shared-[1-9]\d*$/;

/**
 * The cluster an unpinned tenant keeps from its previous placement, or undefined when it is packed anew: when it had
 * none, when the record names no cluster this tenant may be on (another tenant's dedicated cluster, a malformed name),
 * when it ran on a shared cluster and now needs its own (compliance tags or `isolation: dedicated`), or when it ran on
 * its own cluster and now asks for `isolation: shared`. Growing past the threshold alone keeps a shared tenant where it
 * is, as a pinned one stays (the dedicated-threshold policy flags it).
 */
export function keptCluster(tenant: PlacementTenant, previous: string | undefined, settings: PlacementSettings): string | undefined {
    if (previous === undefined) {
        return undefined;
    }
    if (SHARED_CLUSTER.test(previous)) {
        const reason = dedicatedReason(tenant, settings);
        return reason === "compliance" || reason === "isolation" ? undefined : previous;
    }
    return previous === dedicatedClusterName(tenant.name) && tenant.isolation !== "shared" ? previous : undefined;
}

export function placeTenants(
    tenants: readonly PlacementTenant[],
    settings: PlacementSettings,
    previous: PreviousPlacement = new Map(),
): Placement {
    const placed = new Map<string, TenantPlacement>();
    const shared = new Map<number, { tenants: string[]; devices: number }>();
    const sharedLoad = (ordinal: number) => {
        let load = shared.get(ordinal);
        if (!load) {
            load = { tenants: [], devices: 0 };
            shared.set(ordinal, load);
        }
        return load;
    };

    // Kept tenants are where they are whatever their place in the file: their load counts before any new tenant is packed.
    const kept = new Map<string, string>();
    for (const tenant of tenants) {
        const cluster = tenant.cluster === undefined ? keptCluster(tenant, previous.get(tenant.name), settings) : undefined;
        if (cluster !== undefined) {
            kept.set(tenant.name, cluster);
            if (clusterKindOf(cluster) === "shared") {
                const load = sharedLoad(Number(cluster.slice(SHARED_PREFIX.length)));
                load.tenants.push(tenant.name);
                load.devices += tenant.deviceQuota;
            }
        }
    }

    // Then one pass in file order: where a new tenant lands depends only on the kept tenants and the tenants before it.
    for (const tenant of tenants) {
        const keptOn = kept.get(tenant.name);
        if (keptOn !== undefined) {
            placed.set(tenant.name, { tenant: tenant.name, cluster: keptOn, kind: clusterKindOf(keptOn), reason: "kept" });
            continue;
        }
        if (tenant.cluster !== undefined) {
            const kind = clusterKindOf(tenant.cluster);
            placed.set(tenant.name, { tenant: tenant.name, cluster: tenant.cluster, kind, reason: "pinned" });
            if (kind === "shared") {
                const load = sharedLoad(Number(tenant.cluster.slice(SHARED_PREFIX.length)));
                load.tenants.push(tenant.name);
                load.devices += tenant.deviceQuota;
            }
            continue;
        }
        const reason = dedicatedReason(tenant, settings);
        if (reason !== undefined) {
            placed.set(tenant.name, { tenant: tenant.name, cluster: dedicatedClusterName(tenant.name), kind: "dedicated", reason });
            continue;
        }
        const ordinal = firstSharedClusterWithRoom(shared, tenant.deviceQuota, settings);
        const load = sharedLoad(ordinal);
        load.tenants.push(tenant.name);
        load.devices += tenant.deviceQuota;
        placed.set(tenant.name, { tenant: tenant.name, cluster: sharedClusterName(ordinal), kind: "shared", reason: "packed" });
    }

    const position = new Map(tenants.map((t, i) => [t.name, i]));
    const inFileOrder = (names: readonly string[]) => [...names].sort((a, b) => position.get(a)! - position.get(b)!);
    const sharedClusters: ClusterPlacement[] = [...shared.entries()]
        .sort(([a], [b]) => a - b)
        .map(([ordinal, load]) => ({
            name: sharedClusterName(ordinal),
            kind: "shared",
            tenants: inFileOrder(load.tenants),
            devices: load.devices,
        }));
    const dedicatedClusters: ClusterPlacement[] = tenants
        .filter(t => placed.get(t.name)!.kind === "dedicated")
        .map(t => ({ name: placed.get(t.name)!.cluster, kind: "dedicated", tenants: [t.name], devices: t.deviceQuota }));

    return { clusters: [...sharedClusters, ...dedicatedClusters], tenants: placed };
}

/** The lowest-numbered shared cluster that still fits the tenant; a new one (lowest free number) when none does. */
function firstSharedClusterWithRoom(
    shared: ReadonlyMap<number, { tenants: string[]; devices: number }>,
    devices: number,
    settings: PlacementSettings,
): number {
    return lowestNumberedWithRoom(
        shared,
        load => load.tenants.length < settings.sharedClusterMaxTenants && load.devices + devices <= settings.sharedClusterMaxDevices,
    );
}

/** The lowest-numbered of `loads` that `hasRoom`; when none has, the lowest number not taken (a new one). */
export function lowestNumberedWithRoom<T>(loads: ReadonlyMap<number, T>, hasRoom: (load: T) => boolean): number {
    const withRoom = [...loads.entries()].sort(([a], [b]) => a - b).find(([, load]) => hasRoom(load))?.[0];
    if (withRoom !== undefined) {
        return withRoom;
    }
    let ordinal = 1;
    while (loads.has(ordinal)) {
        ordinal++;
    }
    return ordinal;
}

/**
 * The previous placement a stack recorded in its `tenants` output (`{ <tenant>: { cluster: <name>, ... } }`, which
 * `program.ts` exports and every program version since the first has): tenant name to cluster name. No output (a
 * stack's first run) or an entry without a string `cluster` reads as no previous placement for that tenant.
 */
export function previousPlacementOf(tenantsOutput: unknown): PreviousPlacement {
    return previousTenantField(tenantsOutput, "cluster");
}

/** One string field of every tenant's entry in the stack's `tenants` output; an entry without it reads as none. */
export function previousTenantField(tenantsOutput: unknown, field: string): Map<string, string> {
    const previous = new Map<string, string>();
    if (typeof tenantsOutput === "object" && tenantsOutput !== null) {
        for (const [tenant, entry] of Object.entries(tenantsOutput)) {
            const value: unknown = typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>)[field] : undefined;
            if (typeof value === "string") {
                previous.set(tenant, value);
            }
        }
    }
    return previous;
}
