import { ConfigProblem, FleetConfig } from "../lib/config";

/**
 * The most devices one tenant can have: its devices register with one IoT Hub, which holds 1,000,000
 * devices (https://learn.microsoft.com/azure/iot-hub/iot-hub-devguide-quotas-throttling: 1,000,000 devices
 * per hub; the Azure Architecture Center's application stamps are a hub with its processing, from a
 * thousand to a million devices). A tenant
 * above it needs a stamp of its own, which this service does not create.
 */
export const MAX_DEVICES_PER_STAMP = 1_000_000;

/**
 * The problems of a requested deviceQuota beyond what can hold it: a shared tenant must fit in a shared
 * cluster (`sharedClusterCapacity.maxDevices`), any tenant in one stamp. Checked before the program's
 * schema, whose "whole number" would be a puzzling answer to 1e308 (a whole number, but no safe one).
 */
export function deviceQuotaProblems(quota: unknown, isolation: unknown, config: FleetConfig): ConfigProblem[] {
    if (typeof quota !== "number" || quota <= 0) {
        return [];
    }
    const shared = isolation === "shared";
    const limit = shared ? Math.min(config.sharedClusterCapacity.maxDevices, MAX_DEVICES_PER_STAMP) : MAX_DEVICES_PER_STAMP;
    if (Number.isSafeInteger(quota) && quota <= limit) {
        return [];
    }
    const why = shared
        ? "the devices a shared cluster holds (sharedClusterCapacity.maxDevices); a larger tenant needs isolation auto or dedicated"
        : "the devices one IoT Hub holds; a larger tenant needs a stamp of its own";
    return [
        {
            path: "body.deviceQuota",
            message: `deviceQuota must be a whole number of devices from 1 to ${limit} (${why}), got ${quota > 1e15 ? quota.toExponential() : quota}`,
        },
    ];
}
