import * as fs from "fs";
import * as path from "path";
import { MAX_LISTENERS_PER_GATEWAY } from "../lib/edge";
import { readStackConfig, stackFilePath } from "../lib/stackFile";
import { DPS_LIMITS } from "../lib/stamps";
import { configLimitRows } from "../lib/azureLimits";
import { parseFleetConfig } from "../lib/config";
import { EVENT_HUBS_CAPACITY_STEPS, SERVICE_BUS_MESSAGING_UNIT_STEPS } from "../lib/dataPlane";
import { projectKeys } from "../lib/stackFile";

/**
 * Stack configs generated in memory for the benchmark and the cost scenarios: the prod-weu stack with
 * its tenants replaced by three dedicated tenants (one per placement reason) and a long tail, on a Premium
 * Event Hubs namespace, the largest tier a stack configures. `benchStackConfig` is the one place a benchmark size
 * becomes a region: what makes each size deployable (stamps, tiers sized for it) goes there; until then the
 * benchmark's table counts the mandatory violations and Azure limit problems of each size.
 */

export const BASE_STACK = "prod-weu";
/** As many tenants as a shared cluster's edge Gateway holds listeners (lib/edge.ts): a long-tail tenant is small, so the listeners bind first. */
export const GENERATED_SHARED_CLUSTER_CAPACITY = { maxTenants: MAX_LISTENERS_PER_GATEWAY, maxDevices: 2_000_000 };
/** Pinned, as the provisioning service pins them; one per way of getting a dedicated cluster. */
export const DEDICATED_TENANTS = [
    { name: "acme", deviceQuota: 250_000, cluster: "dedicated-acme" },
    { name: "medica", deviceQuota: 150_000, compliance: ["hipaa"], cluster: "dedicated-medica" },
    { name: "woodgrove", deviceQuota: 100_000, isolation: "dedicated", cluster: "dedicated-woodgrove" },
];
/** Long-tail quotas spread over 200-1,999 devices, deterministically, so every run sees the same stack. */
const LONG_TAIL_MIN_DEVICES = 200;
const LONG_TAIL_DEVICE_SPREAD = 1_800;
const SPREAD_STEP = 373;

export interface GeneratedStackOptions {
    readonly longTailTenants: number;
    /** Every long-tail tenant's quota. Default: spread over 200-1,999 devices. */
    readonly devicesPerLongTailTenant?: number;
    /** Event Hubs Premium processing units. Default 1. */
    readonly eventHubsProcessingUnits?: number;
    /** `iot-fleet:dataPlane` (IoT Hub and ADX sizing). Default: prod-weu's. */
    readonly dataPlane?: Readonly<Record<string, unknown>>;
    /** `region.highScalePrivateEndpoints`. Default: prod-weu's. */
    readonly highScalePrivateEndpoints?: boolean;
    /** `iot-fleet:quotas`: Azure quotas a support request raised (a region past 1 M devices needs `dpsRegistrations`). Default: none. */
    readonly quotas?: Readonly<Record<string, unknown>>;
}

/** Devices per long-tail tenant in the benchmark: 1,000 of them and the 3 dedicated tenants (500,000) make 2 M devices. */
export const BENCH_DEVICES_PER_LONG_TAIL_TENANT = 1_500;

/**
 * The region the benchmark measures at a size (long-tail tenants, plus the 3 dedicated ones), sized for its own limit
 * rows: the Event Hubs processing units and Service Bus messaging units its load and queues need, High Scale Private
 * Endpoints once its endpoints pass one VNet's 1,000, and the key-vault quota a support request raises. What no
 * setting raises (role assignments per subscription) stays, and the bench table counts it.
 */
export function benchStackConfig(longTailTenants: number): Record<string, unknown> {
    const generated = (sizing: BenchSizing) => ({
        ...generatedStackConfig({
            longTailTenants,
            devicesPerLongTailTenant: BENCH_DEVICES_PER_LONG_TAIL_TENANT,
            eventHubsProcessingUnits: sizing.processingUnits,
            dataPlane: { serviceBus: { messagingUnits: sizing.messagingUnits } },
            highScalePrivateEndpoints: sizing.highScalePrivateEndpoints,
            quotas: { keyVaultsWithPrivateEndpoints: sizing.keyVaults },
        }),
        // A region this size takes a subscription of its own (README, "How many tenants a region holds").
        "iot-fleet:subscription": { group: `bench-${longTailTenants}`, otherRoleAssignments: 0 },
    });
    const first: BenchSizing = { processingUnits: 1, messagingUnits: 1, highScalePrivateEndpoints: false, keyVaults: 400 };
    const rows = configLimitRows(parseFleetConfig(projectKeys(generated(first)), "bench", { azureLimits: false }));
    const used = (limit: string) => Math.max(0, ...rows.filter(row => row.limit.startsWith(limit)).map(row => row.used));
    const step = (steps: readonly number[], wanted: number) => steps.find(s => s >= wanted) ?? wanted;
    return generated({
        // At most the tier's largest: a region past it keeps its limit problem, which the bench table counts.
        processingUnits: Math.min(used("processing units per Event Hubs namespace"), Math.max(...EVENT_HUBS_CAPACITY_STEPS.Premium)),
        messagingUnits: step(SERVICE_BUS_MESSAGING_UNIT_STEPS, Math.ceil(used("queues and topics per Service Bus namespace") / 1_000)),
        highScalePrivateEndpoints: used("private endpoints per virtual network") > 1_000,
        keyVaults: Math.max(400, used("key vaults with private endpoints per subscription")),
    });
}

interface BenchSizing {
    readonly processingUnits: number;
    readonly messagingUnits: number;
    readonly highScalePrivateEndpoints: boolean;
    readonly keyVaults: number;
}

/** The folder with Pulumi.yaml above this file, whether it runs from bench/ (ts-node) or from bin/bench/bench/ (compiled). */
function projectDir(from = __dirname): string {
    for (let dir = from; ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) {
            return dir;
        }
        if (dir === path.dirname(dir)) {
            throw new Error(`no Pulumi.yaml above ${from}`);
        }
    }
}

/**
 * The provisioning side gives each tenant an X.509 enrollment group on the region's DPS (README, "Device Provisioning
 * Service"), which holds 100 unless a support request raises it, and one registration per device, 1,000,000 unless
 * raised: a generated region past either assumes it was raised.
 */
function raisedDpsQuotas(tenants: readonly { readonly deviceQuota: number }[]): Record<string, number> {
    const devices = tenants.reduce((total, t) => total + t.deviceQuota, 0);
    return {
        ...(tenants.length > DPS_LIMITS.enrollmentGroups ? { dpsEnrollmentGroups: tenants.length } : {}),
        ...(devices > DPS_LIMITS.registrations ? { dpsRegistrations: devices } : {}),
    };
}

export const longTailTenantName = (i: number): string => `tenant-${String(i + 1).padStart(5, "0")}`;

/** The full `config:` map of a generated stack, as `readStackConfig` returns a stack file's. */
export function generatedStackConfig(options: GeneratedStackOptions): Record<string, unknown> {
    const longTail = Array.from({ length: options.longTailTenants }, (_, i) => ({
        name: longTailTenantName(i),
        deviceQuota: options.devicesPerLongTailTenant ?? LONG_TAIL_MIN_DEVICES + ((i * SPREAD_STEP) % LONG_TAIL_DEVICE_SPREAD),
    }));
    const base = readStackConfig(stackFilePath(BASE_STACK, projectDir()));
    return {
        ...base,
        "iot-fleet:eventHubs": { sku: "Premium", capacity: options.eventHubsProcessingUnits ?? 1 },
        "iot-fleet:dataPlane": options.dataPlane ?? base["iot-fleet:dataPlane"],
        ...(options.highScalePrivateEndpoints === undefined
            ? {}
            : {
                  "iot-fleet:region": {
                      ...(base["iot-fleet:region"] as object),
                      highScalePrivateEndpoints: options.highScalePrivateEndpoints,
                  },
              }),
        "iot-fleet:sharedClusterCapacity": GENERATED_SHARED_CLUSTER_CAPACITY,
        // Each stamp's IoT hub sized for its own devices: a region of several stamps pays for what each carries.
        "iot-fleet:stamps": { iotHubSizing: "load" },
        "iot-fleet:quotas": { ...raisedDpsQuotas([...DEDICATED_TENANTS, ...longTail]), ...options.quotas },
        "iot-fleet:tenants": [...DEDICATED_TENANTS, ...longTail],
    };
}
