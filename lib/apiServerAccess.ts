import { z } from "zod";

/**
 * Who may reach a cluster's Kubernetes API server: the `clusterDefaults.apiServerAccess` key, its checks and the
 * `apiServerAccessProfile` every cluster gets from it. A pure decision, tested without Pulumi.
 *
 * - `authorizedRanges` (default): a public API server that answers only the listed IPv4 ranges (the deployers' and
 *   CI's, from config) plus the cluster's own outbound IP, which AKS allows on its own when it creates a cluster with
 *   authorized ranges behind a Standard load balancer (Microsoft Learn, "Secure access to the API server using
 *   authorized IP address ranges", MicrosoftDocs/azure-aks-docs `articles/aks/api-server-authorized-ip-ranges.md`).
 *   An empty list turns the feature off (the same page), which is exactly the open API server this key exists to
 *   prevent, so the mode needs at least one range.
 * - `private`: a private cluster (no public endpoint, AKS's system private DNS zone). Authorized ranges do not apply to
 *   private clusters (same page, "Limitations"), so ranges are refused there; `pulumi up` then has to run from a network
 *   that reaches the VNet and resolves the zone.
 */

/** AKS's upper limit on authorized IP ranges per cluster (the page above: "The upper limit ... is 200"). */
export const MAX_AUTHORIZED_IP_RANGES = 200;

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Why a string is not an IPv4 CIDR AKS accepts as an authorized range, or undefined when it is one (the value is shown by the caller). */
export function authorizedRangeProblem(cidr: string): string | undefined {
    const match = IPV4_CIDR.exec(cidr);
    if (!match) {
        return "expected an IPv4 CIDR such as 203.0.113.0/24";
    }
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some(o => o > 255) || prefix > 32) {
        return "not an IPv4 CIDR (octets 0-255, prefix 0-32)";
    }
    if (prefix === 0) {
        return "authorizes every address on the internet; list the deployers' and CI's ranges instead";
    }
    const address = octets.reduce((value, octet) => value * 256 + octet, 0);
    const size = 2 ** (32 - prefix);
    if (address % size !== 0) {
        // AKS asks for the range's first address ("make sure you specify the first IP address in the range").
        const first = address - (address % size);
        return `does not start at its range's first address; write ${ipv4(first)}/${prefix}`;
    }
    return undefined;
}

function ipv4(value: number): string {
    return [24, 16, 8, 0].map(shift => Math.floor(value / 2 ** shift) % 256).join(".");
}

const rangeList = z.array(
    z.string().superRefine((cidr, ctx) => {
        const problem = authorizedRangeProblem(cidr);
        if (problem !== undefined) {
            ctx.addIssue({ code: "custom", message: problem });
        }
    }),
);

export const apiServerAccessSchema = z
    .strictObject({
        /** `authorizedRanges` (a public endpoint limited to the ranges below) or `private` (a private cluster). */
        mode: z.enum(["authorizedRanges", "private"]).default("authorizedRanges"),
        /** Public IPv4 ranges the deployers run `pulumi up` and `kubectl` from. */
        deployerRanges: rangeList.default([]),
        /** Public IPv4 ranges of the CI runners that run `pulumi up` (the provisioning service's egress included). */
        ciRanges: rangeList.default([]),
    })
    .superRefine((access, ctx) => {
        const ranges = authorizedRanges(access);
        if (access.mode === "private") {
            for (const key of ["deployerRanges", "ciRanges"] as const) {
                if (access[key].length > 0) {
                    ctx.addIssue({
                        code: "custom",
                        path: [key],
                        message:
                            "authorized IP ranges do not apply to a private cluster (AKS refuses them); remove them or use mode authorizedRanges",
                    });
                }
            }
        } else if (ranges.length === 0) {
            ctx.addIssue({
                code: "custom",
                message:
                    "mode authorizedRanges needs at least one range in deployerRanges or ciRanges: without one, AKS leaves the API server open to the internet",
            });
        } else if (ranges.length > MAX_AUTHORIZED_IP_RANGES) {
            ctx.addIssue({
                code: "custom",
                message: `${ranges.length} distinct authorized ranges; AKS allows at most ${MAX_AUTHORIZED_IP_RANGES}: merge neighbouring ranges`,
            });
        }
    });

export type ApiServerAccess = z.output<typeof apiServerAccessSchema>;

/** The ranges a cluster authorizes: deployers' and CI's, each once, in a stable order (so a reordering is no change). */
export function authorizedRanges(access: ApiServerAccess): string[] {
    return [...new Set([...access.deployerRanges, ...access.ciRanges])].sort();
}

/** The `apiServerAccessProfile` of a ManagedCluster (azure-native's `ManagedClusterAPIServerAccessProfileArgs`). */
export type ApiServerAccessProfile =
    | { readonly authorizedIPRanges: string[]; readonly enablePrivateCluster: false }
    | { readonly enablePrivateCluster: true; readonly privateDNSZone: "system"; readonly enablePrivateClusterPublicFQDN: false };

export function apiServerAccessProfile(access: ApiServerAccess): ApiServerAccessProfile {
    return access.mode === "private"
        ? { enablePrivateCluster: true, privateDNSZone: "system", enablePrivateClusterPublicFQDN: false }
        : { authorizedIPRanges: authorizedRanges(access), enablePrivateCluster: false };
}
