import { EnforcementLevel, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { TENANT_LABEL } from "./labels";
import { inTenantNamespaces, known, knownEntries, namespaceKey, TenantNamespace, tenantNamespaces, TYPES } from "./resources";

/** The policy's name, under which `--policy-pack-config` sets its `zoneName`. */
export const TENANT_HOSTNAMES_POLICY = "tenant-hostnames";
/** The label Kubernetes puts on every namespace with its own name. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * Whether a hostname (a wildcard included) lies under a tenant's prefix: `<tenant>.<zone>` or below it. Without the
 * zone, only whether the tenant's name is one of its labels, which cannot tell `a.contoso.<zone>` from `contoso.a.<zone>`.
 */
export function ownsHostname(tenant: string, hostname: string, zoneName: string | undefined): boolean {
    const host = hostname.toLowerCase().replace(/\.$/, "");
    if (zoneName === undefined) {
        return host.split(".").includes(tenant);
    }
    const prefix = `${tenant}.${zoneName.toLowerCase()}`;
    return host === prefix || host.endsWith(`.${prefix}`);
}

/** Known strings of a list (hostnames a preview does not know yet are left out: they cannot be judged yet). */
const knownStrings = (list: unknown): string[] =>
    [...knownEntries(list ?? [])].map(([, v]) => v).filter((v): v is string => typeof v === "string");

/** The hostnames a tenant's own routing object claims: an HTTPRoute's or GRPCRoute's hostnames, an Ingress's hosts and TLS hosts. */
function claimedHostnames(resource: PolicyResource): string[] {
    const spec = resource.props.spec ?? {};
    if (resource.type === TYPES.httpRoute || resource.type === TYPES.grpcRoute) {
        return knownStrings(known(spec, "hostnames"));
    }
    return [
        ...[...knownEntries(known(spec, "rules") ?? [])].map(([, rule]) => known(rule, "host")),
        ...[...knownEntries(known(spec, "tls") ?? [])].flatMap(([, tls]) => knownStrings(known(tls, "hosts"))),
    ].filter((h): h is string => typeof h === "string");
}

/**
 * The tenant namespace a Gateway listener admits routes from, "every namespace" when any namespace (or every one
 * a selector matches without naming a tenant) may bind it, or undefined when only platform namespaces may.
 */
function listenerAudience(
    gateway: PolicyResource,
    listener: unknown,
    namespaces: Map<string, TenantNamespace>,
): TenantNamespace | "every namespace" | undefined {
    const allowed = known(known(listener, "allowedRoutes"), "namespaces");
    const from = known(allowed, "from") ?? "Same";
    if (from === "All") {
        return "every namespace";
    }
    if (from === "Same") {
        return namespaces.get(namespaceKey(gateway, gateway.props.metadata?.namespace));
    }
    const labels = (known(known(allowed, "selector"), "matchLabels") ?? {}) as Record<string, unknown>;
    const tenants = [...namespaces.values()];
    const match =
        tenants.find(n => n.resource.provider?.urn === gateway.provider?.urn && n.name === labels[NAMESPACE_NAME_LABEL]) ??
        tenants.find(n => n.resource.provider?.urn === gateway.provider?.urn && n.tenant === labels[TENANT_LABEL]);
    return match ?? (Object.keys(labels).length === 0 ? "every namespace" : undefined);
}

export const tenantHostnames = (enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy => ({
    name: TENANT_HOSTNAMES_POLICY,
    description:
        "A tenant serves only hostnames under its own prefix, <tenant>.<zone> and below: every HTTPRoute and GRPCRoute (gateway.networking.k8s.io/v1) and Ingress in a tenant namespace names only such hosts, and every Gateway listener admits routes from one tenant's namespace at most, with a hostname under that tenant's prefix, so that no tenant can bind another's listener, add paths to its hosts or have a certificate or DNS record issued for them. Fix: name the route's hostnames under <tenant>.<zone>; give each tenant its own listener with allowedRoutes selecting its namespace alone.",
    enforcementLevel,
    configSchema: {
        properties: {
            zoneName: {
                type: "string",
                description: "The DNS zone tenant prefixes lie under; keep equal to iot-fleet:dns.zoneName.",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const zoneName = args.getConfig<{ zoneName?: string }>().zoneName;
        const namespaces = tenantNamespaces(args.resources, TENANT_LABEL);
        const prefixOf = (tenant: string) => (zoneName === undefined ? `${tenant}.<zone>` : `${tenant}.${zoneName}`);
        for (const type of [TYPES.httpRoute, TYPES.grpcRoute, TYPES.ingress]) {
            for (const { resource, namespace } of inTenantNamespaces(args.resources, namespaces, type)) {
                for (const hostname of claimedHostnames(resource).filter(h => !ownsHostname(namespace.tenant, h, zoneName))) {
                    reportViolation(
                        `${type.split(":").pop()} '${resource.props.metadata?.name ?? resource.name}' of tenant ${namespace.tenant} claims ${hostname}, outside its prefix ${prefixOf(namespace.tenant)}.`,
                        resource.urn,
                    );
                }
            }
        }
        for (const gateway of args.resources.filter(r => r.type === TYPES.gateway)) {
            for (const [, listener] of knownEntries(gateway.props.spec?.listeners ?? [])) {
                const audience = listenerAudience(gateway, listener, namespaces);
                const hostname = known(listener, "hostname");
                const where = `Gateway '${gateway.props.metadata?.name ?? gateway.name}' listener '${known(listener, "name")}'`;
                if (audience === "every namespace") {
                    reportViolation(`${where} admits routes from every namespace.`, gateway.urn);
                } else if (audience !== undefined && !(typeof hostname === "string" && ownsHostname(audience.tenant, hostname, zoneName))) {
                    reportViolation(
                        `${where} admits routes of tenant ${audience.tenant} for ${typeof hostname === "string" ? hostname : "any hostname"}, outside its prefix ${prefixOf(audience.tenant)}.`,
                        gateway.urn,
                    );
                }
            }
        }
    },
});
