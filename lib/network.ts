import { fnv1a } from "./naming";
import { ClusterPlacement, dedicatedClusterName, PlacementConfig, PlacementTenant, placeTenants, placementSettings } from "./placement";

/**
 * Address plan of a region. Pods use the Azure CNI overlay, so only nodes take VNet addresses;
 * the overlay and service ranges are the same on every cluster and must stay clear of the VNet.
 */
export const CLUSTER_POD_CIDR = "10.244.0.0/16";
export const CLUSTER_SERVICE_CIDR = "10.245.0.0/16";
export const CLUSTER_DNS_SERVICE_IP = "10.245.0.10";
/**
 * The link-local range: a node's instance metadata (169.254.169.254) and host-local addresses. No wide egress
 * allow may include it: a pod reaching IMDS could take the kubelet identity's tokens.
 */
export const LINK_LOCAL_RANGE = "169.254.0.0/16";

/** True when two CIDR ranges share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
    const [startA, endA] = cidrRange(a);
    const [startB, endB] = cidrRange(b);
    return startA <= endB && startB <= endA;
}

function cidrRange(cidr: string): [number, number] {
    const [base, prefix] = cidr.split("/");
    const size = 2 ** (32 - Number(prefix));
    const start = Math.floor(ipv4ToNumber(base) / size) * size;
    return [start, start + size - 1];
}

const NODE_SUBNET_PREFIX = 24;
const SLOT_SIZE = 2 ** (32 - NODE_SUBNET_PREFIX);

/** A tenant as far as subnets go: its name and its optional `subnet` pin. */
export interface SubnetPinnedTenant {
    readonly name: string;
    /** The /24 its dedicated cluster's nodes use. Default: none, the cluster's name hashed into the upper half. */
    readonly subnet?: string;
}

/** Something that keeps a cluster from its /24, saying why and what to do. */
export interface SubnetProblem {
    readonly cluster: string;
    /** The tenant whose `subnet` pin is missing or wrong; undefined when the address space is what to change. */
    readonly tenant?: string;
    readonly message: string;
}

/** Where each cluster's nodes go in the region's address space, and the clusters that do not fit. */
export interface SubnetPlan {
    /** The /24 node subnet of each cluster that fits, by cluster name. */
    readonly subnets: ReadonlyMap<string, string>;
    /** One per cluster that does not fit or pin that breaks a rule. */
    readonly problems: readonly SubnetProblem[];
}

/**
 * The /24 node subnet of every cluster in the region's address space. Slot 0 and, for a region with
 * `endpointSubnets` of them, the top slots of the lower half are kept for private endpoints
 * (`lib/endpointSubnets.ts`). Shared cluster `shared-n` has slot n. A dedicated cluster takes its tenant's `subnet` pin,
 * or else its name hashed into the upper half: either way its /24 depends on its own entry alone, so
 * adding, removing or reordering other tenants never moves it (Azure refuses to re-address a subnet
 * with nodes in it). That holds because validation refuses what would make two clusters meet: unpinned
 * clusters that hash alike (each needs a pin), and pins that are not unique, outside the upper half,
 * or on an unpinned cluster's hashed /24.
 */
export function planClusterSubnets(
    addressSpace: string,
    clusters: readonly ClusterPlacement[],
    tenants: readonly SubnetPinnedTenant[],
    endpointSubnets = 1,
): SubnetPlan {
    const space = addressSlots(addressSpace);
    const sharedSlots = space.half - endpointSubnets;
    const pins = new Map(tenants.flatMap(t => (t.subnet === undefined ? [] : [[t.name, t.subnet] as const])));
    const slots = new Map<string, number>();
    const problems: SubnetProblem[] = [];

    for (const cluster of clusters.filter(c => c.kind === "shared")) {
        const slot = Number(cluster.name.slice("shared-".length));
        if (slot > sharedSlots) {
            const beside = endpointSubnets > 1 ? ` beside its ${endpointSubnets} private-endpoint subnets` : "";
            problems.push({
                cluster: cluster.name,
                message: `${cluster.name} needs /24 slot ${slot}, but ${addressSpace} has room for shared-1 to shared-${sharedSlots}${beside}`,
            });
        } else {
            slots.set(cluster.name, slot);
        }
        for (const tenant of cluster.tenants.filter(t => pins.has(t))) {
            problems.push({
                cluster: cluster.name,
                tenant,
                message: `'${tenant}' runs on ${cluster.name}, and only a dedicated cluster's /24 is pinned: remove subnet`,
            });
        }
    }
    const dedicated = planDedicatedSlots(
        space,
        clusters
            .filter(c => c.kind === "dedicated")
            .map(c => ({ cluster: c.name, tenant: c.tenants[0], pin: pins.get(c.tenants[0]), hashed: hashedSlot(space, c.name) })),
    );
    dedicated.slots.forEach((slot, cluster) => slots.set(cluster, slot));
    problems.push(...dedicated.problems);
    return { subnets: new Map([...slots].map(([cluster, slot]) => [cluster, subnetAt(space, slot)])), problems };
}

/** The config `dedicatedSubnetPin` reads. */
export type SubnetPinConfig = PlacementConfig & {
    readonly region: { readonly addressSpace: string };
    readonly tenants: readonly (PlacementTenant & SubnetPinnedTenant)[];
};

/**
 * The `subnet` pin the provisioning service writes when it onboards `tenant`, or re-pins it, onto a
 * dedicated cluster, given the stack's config before the change: undefined when the tenant does not land
 * on a dedicated cluster, or its hashed /24 is nobody else's hashed /24 nor a pin (it keeps that one
 * without a pin), or the dedicated half has no /24 left (validation then says so). The pin is the first
 * /24 nobody hashes to. Stricter than validation, which only needs a pin against unpinned clusters: a
 * pinned cluster whose pin an operator removes goes back to its hashed /24, and must find it free.
 */
export function dedicatedSubnetPin(config: SubnetPinConfig, tenant: PlacementTenant): string | undefined {
    const others = config.tenants.filter(t => t.name !== tenant.name);
    const placement = placeTenants([...others, tenant], placementSettings(config));
    if (placement.tenants.get(tenant.name)!.kind !== "dedicated") {
        return undefined;
    }
    const space = addressSlots(config.region.addressSpace);
    const dedicated = others.filter(t => placement.tenants.get(t.name)!.kind === "dedicated");
    const hashed = new Set(dedicated.map(t => hashedSlot(space, dedicatedClusterName(t.name))));
    const pinned = new Set(
        dedicated.map(t => (t.subnet === undefined ? undefined : dedicatedSlotOf(space, t.subnet))).filter(slot => slot !== undefined),
    );
    const own = hashedSlot(space, dedicatedClusterName(tenant.name));
    if (!hashed.has(own) && !pinned.has(own)) {
        return undefined;
    }
    const kept = dedicated.filter(t => t.subnet === undefined).map(t => hashedSlot(space, dedicatedClusterName(t.name)));
    const slot = firstFreeSlot(space, new Set([...pinned, ...kept]), new Set([...hashed, own]));
    return slot === undefined ? undefined : subnetAt(space, slot);
}

/** The /24 slots of a region's address space: the lower half for slot 0 and shared clusters, the upper half dedicated. */
export interface AddressSlots {
    readonly addressSpace: string;
    readonly base: number;
    /** The number of slots in each half, and so the first dedicated slot. */
    readonly half: number;
}

interface DedicatedSlotRequest {
    readonly cluster: string;
    readonly tenant: string;
    readonly pin?: string;
    readonly hashed: number;
}

/** Slots of dedicated clusters in file order, checking the pin rules that keep every cluster's /24 its own. */
function planDedicatedSlots(
    space: AddressSlots,
    requests: readonly DedicatedSlotRequest[],
): { slots: Map<string, number>; problems: SubnetProblem[] } {
    const unpinnedByHash = new Map<number, DedicatedSlotRequest[]>();
    for (const request of requests.filter(r => r.pin === undefined)) {
        unpinnedByHash.set(request.hashed, [...(unpinnedByHash.get(request.hashed) ?? []), request]);
    }
    const pinnedBy = new Map<number, DedicatedSlotRequest>();
    const pinFaults = new Map<DedicatedSlotRequest, (advice: string) => string>();
    for (const request of requests.filter(r => r.pin !== undefined)) {
        const pin = request.pin!;
        const slot = dedicatedSlotOf(space, pin);
        const holder = slot === undefined ? undefined : pinnedBy.get(slot);
        const hashers = slot === undefined ? undefined : unpinnedByHash.get(slot)?.map(r => r.cluster);
        if (slot === undefined) {
            pinFaults.set(
                request,
                advice =>
                    `subnet ${pin} is outside the dedicated half of ${space.addressSpace} (${subnetAt(space, space.half)} to ${subnetAt(space, 2 * space.half - 1)}): ${advice}`,
            );
        } else if (holder) {
            pinFaults.set(request, advice => `subnet ${pin} is already pinned by ${holder.cluster}, and pins are unique: ${advice}`);
        } else if (hashers) {
            pinFaults.set(
                request,
                advice =>
                    `subnet ${pin} is the hashed /24 of ${listed(hashers)}, which ${hashers.length > 1 ? "have" : "has"} no pin and keep${hashers.length > 1 ? "" : "s"} it: ${advice}`,
            );
        } else {
            pinnedBy.set(slot, request);
        }
    }

    const hashed = new Set(requests.map(r => r.hashed));
    const kept = [...unpinnedByHash].filter(([, group]) => group.length === 1).map(([slot]) => slot);
    const taken = new Set([...pinnedBy.keys(), ...kept]);
    // Each piece of advice takes its /24, so that following all the advice of one validation gives distinct ones.
    const nextPin = (): string | undefined => {
        const slot = firstFreeSlot(space, taken, hashed);
        return slot === undefined ? undefined : (taken.add(slot), subnetAt(space, slot));
    };
    const slots = new Map<string, number>();
    const problems: SubnetProblem[] = [];
    for (const request of requests) {
        const { cluster, tenant, pin } = request;
        const fault = pinFaults.get(request);
        const alike =
            pin === undefined
                ? unpinnedByHash
                      .get(request.hashed)!
                      .filter(r => r !== request)
                      .map(r => r.cluster)
                : [];
        if (fault) {
            const advised = nextPin();
            problems.push({
                cluster,
                tenant,
                message: fault(
                    advised === undefined
                        ? "the dedicated half has no /24 left: use a larger address space"
                        : `use subnet: ${advised} instead`,
                ),
            });
        } else if (pin !== undefined) {
            slots.set(cluster, dedicatedSlotOf(space, pin)!);
        } else if (alike.length === 0) {
            slots.set(cluster, request.hashed);
        } else {
            const advised = nextPin();
            problems.push(
                advised === undefined
                    ? {
                          cluster,
                          message: `no /24 left for ${cluster}: ${space.addressSpace} has room for ${space.half} dedicated clusters`,
                      }
                    : {
                          cluster,
                          tenant,
                          message: `${listed([cluster, ...alike])} hash to the same /24, ${subnetAt(space, request.hashed)}, so each needs a pin: add subnet: ${advised} (or, if ${cluster} already runs, the /24 it has now)`,
                      },
            );
        }
    }
    return { slots, problems };
}

/** `a`, `a and b`, `a, b and c`. */
function listed(names: readonly string[]): string {
    return names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}` : names[0];
}

export function addressSlots(addressSpace: string): AddressSlots {
    const [base, prefix] = addressSpace.split("/");
    return { addressSpace, base: ipv4ToNumber(base), half: 2 ** (NODE_SUBNET_PREFIX - Number(prefix)) / 2 };
}

/** A dedicated cluster's /24 unless its tenant pins one: its name hashed into the upper half, so that it depends on nothing else. */
const hashedSlot = (space: AddressSlots, cluster: string): number => space.half + (fnv1a(cluster) % space.half);

/** The slot of a pinned /24, or undefined when it is not a /24 of the upper half. */
function dedicatedSlotOf(space: AddressSlots, subnet: string): number | undefined {
    const slot = (ipv4ToNumber(subnet.split("/")[0]) - space.base) / SLOT_SIZE;
    return Number.isInteger(slot) && slot >= space.half && slot < 2 * space.half ? slot : undefined;
}

/**
 * The lowest dedicated slot not `taken`, preferably one nobody hashes to: a hashed /24 stays free for the
 * cluster it belongs to, to keep when it is already running there or to return to when its pin is removed.
 */
function firstFreeSlot(space: AddressSlots, taken: ReadonlySet<number>, hashed: ReadonlySet<number>): number | undefined {
    const free = Array.from({ length: space.half }, (_, i) => space.half + i).filter(slot => !taken.has(slot));
    return free.find(slot => !hashed.has(slot)) ?? free[0];
}

export const subnetAt = (space: AddressSlots, slot: number): string =>
    `${numberToIpv4(space.base + slot * SLOT_SIZE)}/${NODE_SUBNET_PREFIX}`;

/**
 * The VNet's second range, for the clusters' edge: Application Gateway for Containers needs a /24 of its own,
 * delegated to it, per deployment (Microsoft Learn, AGC "Container networking": "must be a /24 prefix; only one
 * deployment is supported per subnet"). `region.edgeAddressSpace`, or else the block of the address space's size
 * right after it (10.40.0.0/16 gives 10.41.0.0/16).
 */
export function edgeAddressSpace(region: { readonly addressSpace: string; readonly edgeAddressSpace?: string }): string {
    if (region.edgeAddressSpace !== undefined) {
        return region.edgeAddressSpace;
    }
    const [, end] = cidrRange(region.addressSpace);
    return `${numberToIpv4(end + 1)}/${region.addressSpace.split("/")[1]}`;
}

/** A cluster's edge /24: the slot its node /24 has in the address space, in the edge address space. */
export function edgeSubnetOf(addressSpace: string, edgeSpace: string, nodeSubnet: string): string {
    const offset = ipv4ToNumber(nodeSubnet.split("/")[0]) - cidrRange(addressSpace)[0];
    return `${numberToIpv4(cidrRange(edgeSpace)[0] + offset)}/${NODE_SUBNET_PREFIX}`;
}

const ipv4ToNumber = (ip: string): number => ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
const numberToIpv4 = (n: number): string => [24, 16, 8, 0].map(shift => Math.floor(n / 2 ** shift) % 256).join(".");
