import { IOT_HUB_LIMITS } from "../policy/dataPlaneLimits";
import { ConfigProblem, keyPath } from "./errors";
import { Placement } from "./placement";
import { IotHubSku } from "./dataPlane";
import { deviceLoad, iotHubNeeds, TRAFFIC_PROFILE, TrafficProfile } from "./ingestLoad";
import { IOT_HUB_UNIT_PRICES } from "./prices";
import { placeOnStamps, StampLoad, StampPlacement } from "./stamps";

/**
 * A region's ingest stamps from its validated config and cluster placement: the config's tenants (with their `stamp`
 * pins) on stamps of at most `stamps.maxDevices` devices, each dedicated tenant counted against its stamp hub's custom
 * endpoints (one is the shared route's). The program, the limits check, the cost model and the plan all read this.
 */

/** The keys of a stack's config stamp placement reads. */
export interface StampPlanConfig {
    readonly stamps: { readonly maxDevices: number };
    readonly tenants: readonly { readonly name: string; readonly deviceQuota: number; readonly stamp?: string }[];
}

/** The custom endpoints of one IoT hub left for dedicated tenants once the shared route has its own. */
export const DEDICATED_TENANTS_PER_STAMP = IOT_HUB_LIMITS.customEndpoints - 1;

/** `previous`: where the stack last put each tenant (`previousStampsOf` of its `tenants` output); none in a plan. */
export function stampPlanOf(config: StampPlanConfig, placement: Placement, previous?: ReadonlyMap<string, string>): StampPlacement {
    return placeOnStamps(
        config.tenants.map(t => ({
            name: t.name,
            deviceQuota: t.deviceQuota,
            stamp: t.stamp,
            dedicated: placement.tenants.get(t.name)?.kind === "dedicated",
        })),
        { maxDevicesPerStamp: config.stamps.maxDevices, maxDedicatedPerStamp: DEDICATED_TENANTS_PER_STAMP },
        previous,
    );
}

/**
 * A tenant larger than one stamp, or a stamp its pinned or kept tenants overfill (devices, or dedicated tenants past
 * its hub's custom endpoints), at the key path to change: the tenant's `deviceQuota`, the pin of a tenant on the stamp,
 * else `stamps.maxDevices`.
 */
export function stampPlanProblems(config: StampPlanConfig, placement: Placement, previous?: ReadonlyMap<string, string>): ConfigProblem[] {
    const indexOf = (tenant: string) => config.tenants.findIndex(t => t.name === tenant);
    return stampPlanOf(config, placement, previous).problems.map(problem => {
        const pinned = config.tenants.find(t => t.stamp === problem.stamp);
        const path =
            problem.tenant !== undefined
                ? ["tenants", indexOf(problem.tenant), "deviceQuota"]
                : pinned !== undefined
                  ? ["tenants", indexOf(pinned.name), "stamp"]
                  : ["stamps", "maxDevices"];
        return { path: keyPath(path), message: problem.message };
    });
}

/** How each stamp's hub is sized: all as `dataPlane.iotHub` says, or each for its own devices' messages. */
export type StampHubSizing = "configured" | "load";

/** A stamp with its hub's tier and units. */
export interface StampHub extends StampLoad {
    readonly sku: IotHubSku;
    readonly units: number;
}

/** The keys of a stack's config the stamps' hub sizes read. */
export interface StampHubConfig {
    readonly stamps: { readonly iotHubSizing: StampHubSizing };
    readonly dataPlane: { readonly iotHub: { readonly sku: IotHubSku; readonly units: number } };
}

/**
 * Each stamp's hub: `configured` gives every one `dataPlane.iotHub` (the plan flags a stamp it does not carry);
 * `load` gives each the cheapest tier and units whose daily quota and send throttle carry its own devices' messages,
 * by the traffic profile, so that a small last stamp is not priced as a full one.
 */
export function stampHubsOf(config: StampHubConfig, stamps: StampPlacement, a: TrafficProfile = TRAFFIC_PROFILE): StampHub[] {
    return stamps.stamps.map(stamp => {
        if (config.stamps.iotHubSizing === "configured") {
            return { ...stamp, ...config.dataPlane.iotHub };
        }
        const load = deviceLoad(stamp.devices, a);
        const { tier, units } = iotHubNeeds("S3", load.billedMessagesPerDay, load.peakPerSecond, IOT_HUB_UNIT_PRICES).cheapest;
        return { ...stamp, sku: tier, units };
    });
}
