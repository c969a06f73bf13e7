import { ClusterPlacement } from "./placement";
import { fnv1a } from "./naming";

/**
 * Address plan of a region. Pods use the Azure CNI overlay, so only nodes take VNet addresses;
 * the overlay and service ranges are the same on every cluster and must stay clear of the VNet.
 */
export const CLUSTER_POD_CIDR = "10.244.0.0/16";
export const CLUSTER_SERVICE_CIDR = "10.245.0.0/16";
export const CLUSTER_DNS_SERVICE_IP = "10.245.0.10";

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

/** Where each cluster's nodes go in the region's address space, and the clusters that do not fit. */
export interface SubnetPlan {
    /** The /24 node subnet of each cluster that fits, by cluster name. */
    readonly subnets: ReadonlyMap<string, string>;
    /** One per cluster that does not fit, saying why and what to do. */
    readonly problems: readonly { readonly cluster: string; readonly message: string }[];
}

/**
 * The /24 node subnet of every cluster in the region's address space. Slot 0 is kept for private
 * endpoints. Shared cluster `shared-n` has slot n. A dedicated cluster hashes its name into the upper
 * half and probes past slots already taken, in file order, so adding a tenant never renumbers another.
 */
export function planClusterSubnets(addressSpace: string, clusters: readonly ClusterPlacement[]): SubnetPlan {
    const [base, prefixText] = addressSpace.split("/");
    const slotCount = 2 ** (NODE_SUBNET_PREFIX - Number(prefixText));
    const half = slotCount / 2;
    const taken = new Map<number, string>();
    const problems: { cluster: string; message: string }[] = [];

    for (const cluster of clusters.filter(c => c.kind === "shared")) {
        const slot = Number(cluster.name.slice("shared-".length));
        if (slot >= half) {
            problems.push({ cluster: cluster.name, message: `${cluster.name} needs /24 slot ${slot}, but ${addressSpace} has room for shared-1 to shared-${half - 1}` });
            continue;
        }
        taken.set(slot, cluster.name);
    }
    for (const cluster of clusters.filter(c => c.kind === "dedicated")) {
        const start = half + (fnv1a(cluster.name) % half);
        const free = Array.from({ length: half }, (_, i) => half + ((start - half + i) % half)).find(slot => !taken.has(slot));
        if (free === undefined) {
            problems.push({ cluster: cluster.name, message: `no /24 left for ${cluster.name}: ${addressSpace} has room for ${half} dedicated clusters` });
            continue;
        }
        taken.set(free, cluster.name);
    }
    const baseNumber = ipv4ToNumber(base);
    const subnets = new Map([...taken.entries()].map(([slot, name]) => [name, `${numberToIpv4(baseNumber + slot * 256)}/${NODE_SUBNET_PREFIX}`]));
    return { subnets, problems };
}

/** The subnet reserved for private endpoints (slot 0). */
export function privateEndpointSubnet(addressSpace: string): string {
    return `${addressSpace.split("/")[0]}/${NODE_SUBNET_PREFIX}`;
}

const ipv4ToNumber = (ip: string): number => ip.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);
const numberToIpv4 = (n: number): string => [24, 16, 8, 0].map(shift => Math.floor(n / 2 ** shift) % 256).join(".");
