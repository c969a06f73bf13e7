/**
 * Ingest stamps: which IoT Hub each tenant's devices connect to. A region has one or more stamps, each one IoT
 * Hub with what it routes to. A pure function of the tenant list and of where the stack last put each tenant,
 * so that the program, the offline plan and the provisioning service agree.
 *
 * Moving a tenant to another stamp re-provisions every one of its devices (their hub changes), so the
 * assignment is sticky: a pinned `stamp` is always honoured, a tenant keeps the stamp it was last given, and only
 * tenants that have none yet are packed first-fit. Nothing re-balances: a stamp that grown tenants push over its
 * device limit is reported, and an operator moves a tenant on purpose by pinning it elsewhere.
 */

/** IoT Hub holds at most this many device identities, whatever its tier (https://learn.microsoft.com/azure/iot-hub/iot-hub-devguide-quotas-throttling). */
export const IOT_HUB_MAX_DEVICES = 1_000_000;

const STAMP_PREFIX = "stamp-";
export const stampName = (ordinal: number): string => `${STAMP_PREFIX}${ordinal}`;
const stampOrdinal = (stamp: string): number => Number(stamp.slice(STAMP_PREFIX.length));

export interface StampTenant {
    readonly name: string;
    readonly deviceQuota: number;
    /** Pins the tenant to a stamp (`stamp-<n>`); an operator's way to move a tenant on purpose. */
    readonly stamp?: string;
}

export interface StampSettings {
    /** The most devices one stamp takes: at most `IOT_HUB_MAX_DEVICES`; lower keeps room for tenants that grow. */
    readonly maxDevicesPerStamp: number;
}

export type StampReason = "pinned" | "kept" | "packed";

export interface StampAssignment {
    readonly tenant: string;
    readonly stamp: string;
    readonly reason: StampReason;
}

export interface StampLoad {
    readonly name: string;
    /** Tenants on the stamp, in file order. */
    readonly tenants: readonly string[];
    readonly devices: number;
}

/** A tenant or stamp the limits refuse, saying what to do. */
export interface StampProblem {
    readonly tenant?: string;
    readonly stamp: string;
    readonly message: string;
}

export interface StampPlacement {
    /** Stamps by number. */
    readonly stamps: readonly StampLoad[];
    readonly tenants: ReadonlyMap<string, StampAssignment>;
    readonly problems: readonly StampProblem[];
}

/**
 * Assigns every tenant a stamp: pinned, else the one `previous` names, else the lowest-numbered stamp with room
 * (a new one, lowest free number, when none has). `previous` is where the stack last put each tenant.
 */
export function placeOnStamps(
    tenants: readonly StampTenant[],
    settings: StampSettings,
    previous: ReadonlyMap<string, string> = new Map(),
): StampPlacement {
    const loads = new Map<number, { tenants: string[]; devices: number }>();
    const assigned = new Map<string, StampAssignment>();
    const assign = (tenant: StampTenant, stamp: string, reason: StampReason) => {
        const ordinal = stampOrdinal(stamp);
        const load = loads.get(ordinal) ?? { tenants: [], devices: 0 };
        loads.set(ordinal, load);
        load.tenants.push(tenant.name);
        load.devices += tenant.deviceQuota;
        assigned.set(tenant.name, { tenant: tenant.name, stamp, reason });
    };

    // Settled tenants first, so that a new tenant earlier in the file never takes room a settled one holds.
    for (const tenant of tenants) {
        const settled = tenant.stamp ?? previous.get(tenant.name);
        if (settled !== undefined) {
            assign(tenant, settled, tenant.stamp !== undefined ? "pinned" : "kept");
        }
    }
    for (const tenant of tenants.filter(t => !assigned.has(t.name))) {
        assign(tenant, stampName(firstStampWithRoom(loads, tenant.deviceQuota, settings)), "packed");
    }

    const order = new Map(tenants.map((t, index) => [t.name, index]));
    const stamps = [...loads.entries()]
        .sort(([a], [b]) => a - b)
        .map(([ordinal, load]) => ({
            name: stampName(ordinal),
            tenants: [...load.tenants].sort((a, b) => order.get(a)! - order.get(b)!),
            devices: load.devices,
        }));
    return { stamps, tenants: assigned, problems: stampProblems(tenants, stamps, assigned, settings) };
}

function firstStampWithRoom(loads: ReadonlyMap<number, { devices: number }>, devices: number, settings: StampSettings): number {
    const withRoom = [...loads.entries()]
        .sort(([a], [b]) => a - b)
        .find(([, load]) => load.devices + devices <= settings.maxDevicesPerStamp)?.[0];
    if (withRoom !== undefined) {
        return withRoom;
    }
    let ordinal = 1;
    while (loads.has(ordinal)) {
        ordinal++;
    }
    return ordinal;
}

function stampProblems(
    tenants: readonly StampTenant[],
    stamps: readonly StampLoad[],
    assigned: ReadonlyMap<string, StampAssignment>,
    settings: StampSettings,
): StampProblem[] {
    const limit = settings.maxDevicesPerStamp.toLocaleString("en-US");
    const tooLarge = tenants
        .filter(t => t.deviceQuota > settings.maxDevicesPerStamp)
        .map(t => ({
            tenant: t.name,
            stamp: assigned.get(t.name)!.stamp,
            message:
                `tenant ${t.name} declares ${t.deviceQuota.toLocaleString("en-US")} devices, more than one IoT Hub stamp takes ` +
                `(${limit}): split its devices across tenants, or across regions`,
        }));
    const oversized = new Set(tooLarge.map(p => p.tenant));
    const overfull = stamps
        .filter(s => s.devices > settings.maxDevicesPerStamp && !s.tenants.some(t => oversized.has(t)))
        .map(s => ({
            stamp: s.name,
            message:
                `${s.name} holds ${s.devices.toLocaleString("en-US")} devices of quota, over its ${limit}: move a tenant to another ` +
                `stamp by pinning its \`stamp\` (its devices are then re-provisioned)`,
        }));
    return [...tooLarge, ...overfull];
}
