import { lowestNumberedWithRoom, previousTenantField } from "./placement";

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

/**
 * Device Provisioning Service limits per instance (Microsoft Learn, "Azure IoT Hub Device Provisioning Service quotas
 * and limits", MicrosoftDocs/azure-docs `includes/iot-dps-limits.md`): registrations and enrollment groups are adjustable
 * by support request (`quotas.dpsRegistrations`, `quotas.dpsEnrollmentGroups`), linked hubs are not.
 */
export const DPS_LIMITS = {
    perSubscription: 10,
    registrations: 1_000_000,
    enrollmentGroups: 100,
    linkedIotHubs: 50,
} as const;
/** IoT hubs per subscription (Microsoft Learn, "IoT Hub quotas and throttling"). */
export const IOT_HUBS_PER_SUBSCRIPTION = 50;

const STAMP_PREFIX = "stamp-";
/** A stamp's name as a tenant pins it. */
export const STAMP_PIN = /^stamp-[1-9]\d*$/;
export const stampName = (ordinal: number): string => `${STAMP_PREFIX}${ordinal}`;
/** The stamp whose hub is the one the region had before stamps: it keeps that hub's URN and Azure name. */
export const FIRST_STAMP = stampName(1);
/** The stamp's number, as its hub's Azure name carries it. */
export const stampOrdinal = (stamp: string): number => Number(stamp.slice(STAMP_PREFIX.length));

export interface StampTenant {
    readonly name: string;
    readonly deviceQuota: number;
    /** Pins the tenant to a stamp (`stamp-<n>`); an operator's way to move a tenant on purpose. */
    readonly stamp?: string;
    /** A dedicated tenant takes a custom endpoint and a route of its stamp's hub. Default false. */
    readonly dedicated?: boolean;
}

export interface StampSettings {
    /** The most devices one stamp takes: at most `IOT_HUB_MAX_DEVICES`; lower keeps room for tenants that grow. */
    readonly maxDevicesPerStamp: number;
    /** The most dedicated tenants one stamp's hub routes to (its custom endpoints less the shared one). Default: no limit. */
    readonly maxDedicatedPerStamp?: number;
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
    /** Its dedicated tenants, in file order: each has a route and an endpoint on the stamp's hub. */
    readonly dedicated: readonly string[];
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
    const loads = new Map<number, StampLoad & { tenants: string[]; dedicated: string[]; devices: number }>();
    // Every stamp up to the highest one the stack has had stays, empty or not: an emptied stamp's hub is kept (its host
    // name is in devices' DPS registrations and the outputs) and fills again before a new stamp opens.
    const highest = Math.max(
        1,
        ...[...previous.values(), ...tenants.flatMap(t => (t.stamp === undefined ? [] : [t.stamp]))].map(stampOrdinal),
    );
    for (let ordinal = 1; ordinal <= highest; ordinal++) {
        loads.set(ordinal, { name: stampName(ordinal), tenants: [], dedicated: [], devices: 0 });
    }
    const assigned = new Map<string, StampAssignment>();
    const assign = (tenant: StampTenant, stamp: string, reason: StampReason) => {
        const ordinal = stampOrdinal(stamp);
        const load = loads.get(ordinal) ?? { name: stamp, tenants: [], dedicated: [], devices: 0 };
        loads.set(ordinal, load);
        load.tenants.push(tenant.name);
        if (tenant.dedicated === true) {
            load.dedicated.push(tenant.name);
        }
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
        assign(tenant, stampName(firstStampWithRoom(loads, tenant, settings)), "packed");
    }

    const order = new Map(tenants.map((t, index) => [t.name, index]));
    const inFileOrder = (names: readonly string[]) => [...names].sort((a, b) => order.get(a)! - order.get(b)!);
    const stamps = [...loads.entries()]
        .sort(([a], [b]) => a - b)
        .map(([ordinal, load]) => ({
            name: stampName(ordinal),
            tenants: inFileOrder(load.tenants),
            devices: load.devices,
            dedicated: inFileOrder(load.dedicated),
        }));
    return { stamps, tenants: assigned, problems: stampProblems(tenants, stamps, assigned, settings) };
}

function firstStampWithRoom(loads: ReadonlyMap<number, StampLoad>, tenant: StampTenant, settings: StampSettings): number {
    const dedicatedRoom = (load: StampLoad) =>
        tenant.dedicated !== true || load.dedicated.length < (settings.maxDedicatedPerStamp ?? Number.POSITIVE_INFINITY);
    // An empty stamp takes any tenant, as a new one would: one larger than a hub is reported, wherever it lands.
    return lowestNumberedWithRoom(
        loads,
        load => load.tenants.length === 0 || (load.devices + tenant.deviceQuota <= settings.maxDevicesPerStamp && dedicatedRoom(load)),
    );
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
    const maxDedicated = settings.maxDedicatedPerStamp ?? Number.POSITIVE_INFINITY;
    const endpointsFull = stamps
        .filter(s => s.dedicated.length > maxDedicated)
        .map(s => ({
            stamp: s.name,
            message:
                `${s.name} routes to ${s.dedicated.length} dedicated tenants (${s.dedicated.join(", ")}), over the ${maxDedicated} its ` +
                `hub's custom endpoints leave beside the shared route: pin one to another stamp (its devices are then re-provisioned)`,
        }));
    return [...tooLarge, ...overfull, ...endpointsFull];
}

/**
 * Where the stack last put each tenant: `tenants.<name>.stamp` of its own outputs, as placement reads `cluster`. A
 * tenant the stack deployed before stamps existed (its entry has a `cluster` and no stamp) is on the region's
 * original hub, `stamp-1`: its devices are registered there.
 */
export function previousStampsOf(tenantsOutput: unknown): ReadonlyMap<string, string> {
    const recorded = previousTenantField(tenantsOutput, "stamp");
    const stamps = new Map([...recorded].filter(([, stamp]) => STAMP_PIN.test(stamp)));
    const deployedBeforeStamps = [...previousTenantField(tenantsOutput, "cluster").keys()].filter(tenant => !recorded.has(tenant));
    return new Map([...stamps, ...deployedBeforeStamps.map((tenant): [string, string] => [tenant, FIRST_STAMP])]);
}
