import { AzureLimitRow, configLimitRows, NO_OTHER_STACKS, OtherStacksUsage } from "./azureLimits";
import { FleetConfig } from "./config";
import { Placement, PlacementReason } from "./placement";
import { stampPlanOf } from "./stampPlan";
import { IOT_HUB_MAX_DEVICES } from "./stamps";

/**
 * How full each cluster of a region is. Placement never re-balances (lib/placement.ts), so a shared
 * cluster that grown tenants push past `sharedClusterCapacity` stays there until an operator acts:
 * this view is where that shows.
 */

export interface Headroom {
    readonly used: number;
    readonly max: number;
    /** max - used; negative when over capacity. */
    readonly free: number;
    /** free / max × 100; negative when over capacity. */
    readonly freePercent: number;
}

export interface SharedClusterCapacity {
    readonly cluster: string;
    readonly tenants: Headroom;
    readonly devices: Headroom;
    /** More tenants or devices than `sharedClusterCapacity` allows. */
    readonly overCapacity: boolean;
}

export interface DedicatedClusterCapacity {
    readonly cluster: string;
    readonly tenant: string;
    readonly devices: number;
}

/** One ingest stamp: its IoT hub's tenants and devices against the hub's device limit. */
export interface StampCapacity {
    readonly stamp: string;
    readonly tenants: number;
    readonly devices: Headroom;
    /** Its dedicated tenants, each with a route and an endpoint on the stamp's hub. */
    readonly dedicated: readonly string[];
}

export interface UnpinnedTenant {
    readonly tenant: string;
    readonly cluster: string;
    readonly reason: PlacementReason;
}

export interface CapacityReport {
    /** Every Azure limit the region's design touches, with its count (`lib/azureLimits.ts`). */
    readonly limits: readonly AzureLimitRow[];
    readonly shared: readonly SharedClusterCapacity[];
    readonly dedicated: readonly DedicatedClusterCapacity[];
    /** Every ingest stamp, as a plan without the stack's state places tenants on them. */
    readonly stamps: readonly StampCapacity[];
    /**
     * Tenants without a `cluster` pin, where placement put them this time. A packed tenant moves (and its
     * namespace is recreated) when an earlier tenant is removed or resized; a threshold tenant moves when its
     * quota drops below the threshold. Pin each one to the cluster shown to keep it there.
     */
    readonly unpinned: readonly UnpinnedTenant[];
}

export function headroom(used: number, max: number): Headroom {
    const free = max - used;
    return { used, max, free, freePercent: (free / max) * 100 };
}

/** `others`: what the other stacks of the config's subscription group use (`otherStacksUsage`). Default: nothing. */
export function capacityReport(config: FleetConfig, placement: Placement, others: OtherStacksUsage = NO_OTHER_STACKS): CapacityReport {
    const { maxTenants, maxDevices } = config.sharedClusterCapacity;
    const shared = placement.clusters
        .filter(c => c.kind === "shared")
        .map((c): SharedClusterCapacity => {
            const tenants = headroom(c.tenants.length, maxTenants);
            const devices = headroom(c.devices, maxDevices);
            return { cluster: c.name, tenants, devices, overCapacity: tenants.free < 0 || devices.free < 0 };
        });
    const dedicated = placement.clusters
        .filter(c => c.kind === "dedicated")
        .map((c): DedicatedClusterCapacity => ({ cluster: c.name, tenant: c.tenants[0], devices: c.devices }));
    const unpinned = config.tenants
        .filter(t => t.cluster === undefined)
        .map((t): UnpinnedTenant => {
            const placed = placement.tenants.get(t.name)!;
            return { tenant: t.name, cluster: placed.cluster, reason: placed.reason };
        });
    const stamps = stampPlanOf(config, placement).stamps.map((s): StampCapacity => ({
        stamp: s.name,
        tenants: s.tenants.length,
        devices: headroom(s.devices, IOT_HUB_MAX_DEVICES),
        dedicated: s.dedicated,
    }));
    return { limits: configLimitRows(config, others), shared, dedicated, stamps, unpinned };
}
