import { EnforcementLevel, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { TENANT_LABEL } from "./labels";
import { inTenantNamespaces, known, knownEntries, tenantNamespaces, TYPES } from "./resources";

/** The link-local range: the node's instance metadata service (IMDS) and Azure's wire server answer there. */
export const NODE_METADATA_RANGE = "169.254.0.0/16";
/** Ports of Azure PaaS endpoints (HTTPS, AMQP over TLS) that tenants reach through private endpoints, never the internet. */
export const AZURE_SERVICE_PORTS = [443, 5671] as const;

/** An IPv4 CIDR as its network address (a 32-bit number) and prefix length; undefined for anything else. */
function parseCidr(cidr: unknown): { readonly network: number; readonly prefix: number } | undefined {
    const m = typeof cidr === "string" ? /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr) : null;
    if (!m) {
        return undefined;
    }
    const [a, b, c, d, prefix] = m.slice(1).map(Number);
    return { network: ((a << 24) | (b << 16) | (c << 8) | d) >>> 0, prefix };
}

/** Whether CIDR `outer` holds every address of CIDR `inner`. */
export function cidrCovers(outer: unknown, inner: unknown): boolean {
    const [o, i] = [parseCidr(outer), parseCidr(inner)];
    if (o === undefined || i === undefined || o.prefix > i.prefix) {
        return false;
    }
    const mask = o.prefix === 0 ? 0 : (~0 << (32 - o.prefix)) >>> 0;
    return (o.network & mask) >>> 0 === (i.network & mask) >>> 0;
}

/**
 * The `ipBlock`s of every egress rule, with the rule's ports. A value a preview does not know yet (a private
 * endpoint's address, known after create) is skipped: the CLI sees it as unknown, and an address Azure assigns
 * to a private endpoint is a /32 that can be neither the internet nor the metadata range.
 */
function* egressBlocks(policy: PolicyResource): Generator<{ cidr: string; except: unknown[]; ports: unknown[] }> {
    for (const [, rule] of knownEntries(policy.props.spec?.egress ?? [])) {
        const ports = [...knownEntries(known(rule, "ports") ?? [])].map(([, port]) => known(port, "port"));
        for (const [, peer] of knownEntries(known(rule, "to") ?? [])) {
            const block = known(peer, "ipBlock");
            const cidr = known(block, "cidr");
            if (typeof cidr === "string") {
                yield { cidr, except: [...knownEntries(known(block, "except") ?? [])].map(([, e]) => e), ports };
            }
        }
    }
}

const egressPolicies = (resources: PolicyResource[]) =>
    inTenantNamespaces(resources, tenantNamespaces(resources, TENANT_LABEL), TYPES.networkPolicy);

export const tenantEgress = (enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy => ({
    name: "tenant-egress",
    description: `No NetworkPolicy of a tenant namespace lets its pods reach the node metadata range ${NODE_METADATA_RANGE} (the instance metadata service hands out the node's managed identity tokens): any ipBlock that holds it excepts it explicitly. Fix: add ${NODE_METADATA_RANGE} to the except list of every wide ipBlock.`,
    enforcementLevel,
    validateStack: (args, reportViolation) => {
        for (const { resource, namespace } of egressPolicies(args.resources)) {
            for (const { cidr, except } of egressBlocks(resource)) {
                if (cidrCovers(cidr, NODE_METADATA_RANGE) && !except.some(e => cidrCovers(e, NODE_METADATA_RANGE))) {
                    reportViolation(
                        `NetworkPolicy '${resource.props.metadata?.name ?? resource.name}' in tenant namespace '${namespace.name}' allows egress to ${cidr} without excepting the node metadata range ${NODE_METADATA_RANGE}.`,
                        resource.urn,
                    );
                }
            }
        }
    },
});

/**
 * Egress from tenant namespaces to the whole internet on Azure's service ports: tenants reach the region's Azure
 * services through its private-endpoint subnet and Entra ID by name (`components/common/namespaceGuardrails.ts`).
 */
export const tenantInternetEgress = (enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy => ({
    name: "tenant-internet-egress",
    description: `No NetworkPolicy of a tenant namespace opens egress to the whole internet (an ipBlock of 0.0.0.0/0) on ${AZURE_SERVICE_PORTS.join(" or ")} or on every port: tenants reach the region's Azure services through private endpoints and Entra ID by name, and nothing else. Fix: allow the private endpoints' addresses (or the egress firewall) instead of 0.0.0.0/0.`,
    enforcementLevel,
    validateStack: (args, reportViolation) => {
        for (const { resource, namespace } of egressPolicies(args.resources)) {
            for (const { cidr, ports } of egressBlocks(resource)) {
                const open = ports.length === 0 ? ["every port"] : AZURE_SERVICE_PORTS.filter(p => ports.includes(p));
                if (cidrCovers(cidr, "0.0.0.0/0") && open.length > 0) {
                    reportViolation(
                        `NetworkPolicy '${resource.props.metadata?.name ?? resource.name}' in tenant namespace '${namespace.name}' allows egress to ${cidr} on ${open.join(", ")}.`,
                        resource.urn,
                    );
                }
            }
        }
    },
});

export const serviceExposure = (enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy => ({
    name: "service-exposure",
    description: `No Service is of type ExternalName or lists externalIPs (both let a Service, and the edge routing to it, stand for any address: another tenant's pods, kube-system, CVE-2020-8554), and no tenant Service (labelled ${TENANT_LABEL}) is a LoadBalancer or NodePort, which would expose its pods outside the edge. In-cluster admission refuses the same for what tenants apply through Flux. Fix: use a ClusterIP Service and expose it through the edge.`,
    enforcementLevel,
    validateResource: (args, reportViolation) => {
        if (args.type !== TYPES.service) {
            return;
        }
        const name = args.props.metadata?.name ?? args.name;
        const spec = args.props.spec ?? {};
        if (spec.type === "ExternalName") {
            reportViolation(`Service '${name}' is of type ExternalName (${spec.externalName ?? "no name"}).`);
        }
        if ((spec.externalIPs ?? []).length > 0) {
            reportViolation(`Service '${name}' lists externalIPs ${spec.externalIPs.join(", ")}.`);
        }
        if (args.props.metadata?.labels?.[TENANT_LABEL] !== undefined && (spec.type === "LoadBalancer" || spec.type === "NodePort")) {
            reportViolation(`Tenant Service '${name}' is of type ${spec.type}; tenants are reached through the edge only.`);
        }
    },
});
