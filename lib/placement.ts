/**
 * Tenant placement: which cluster each tenant lives on. A pure function of the tenant list,
 * so that the program, the offline plan and the provisioning service always agree.
 *
 * Moving a tenant deletes its namespace (and what runs in it), so placement is built to be stable:
 * - a pinned `cluster` is always honoured; the provisioning service pins every tenant it onboards;
 * - tenants are placed in one pass in file order, unpinned ones packed first-fit, so adding, growing,
 *   shrinking or removing a tenant never moves a pinned tenant or one before it in the file, and pinning
 *   a tenant where it is moves nobody. Removing or changing a tenant can move unpinned tenants after it;
 * - nothing re-balances: a shared cluster that a grown tenant pushes over capacity stays over it
 *   (reported by the capacity view and the dedicated-threshold policy) until an operator acts.
 */

export type ClusterKind = "shared" | "dedicated";
export type PlacementReason = "pinned" | "isolation" | "compliance" | "threshold" | "packed";

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

export function placeTenants(tenants: readonly PlacementTenant[], settings: PlacementSettings): Placement {
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

    // One pass in file order: where a tenant lands depends only on the tenants before it.
    for (const tenant of tenants) {
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

    const sharedClusters: ClusterPlacement[] = [...shared.entries()]
        .sort(([a], [b]) => a - b)
        .map(([ordinal, load]) => ({ name: sharedClusterName(ordinal), kind: "shared", tenants: load.tenants, devices: load.devices }));
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
    const withRoom = [...shared.entries()]
        .sort(([a], [b]) => a - b)
        .find(
            ([, load]) =>
                load.tenants.length < settings.sharedClusterMaxTenants && load.devices + devices <= settings.sharedClusterMaxDevices,
        )?.[0];
    if (withRoom !== undefined) {
        return withRoom;
    }
    let ordinal = 1;
    while (shared.has(ordinal)) {
        ordinal++;
    }
    return ordinal;
}
