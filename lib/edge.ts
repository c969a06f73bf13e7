/**
 * The public edge of every cluster, as pure decisions: Application Gateway for Containers (AGC) with its WAF,
 * driven by the ALB controller through the Gateway API. One Gateway per cluster holds one HTTPS listener per
 * tenant, for `*.<tenant>.<zone>` only, which admits routes from that tenant's namespace only: no other
 * namespace can bind a tenant's names, and a tenant's routes bind no other names.
 *
 * Limits (Microsoft Learn, "Application Gateway for Containers limits", includes/application-gateway-for-containers-limits.md):
 * 64 listeners per Gateway (enforced by the Gateway API CRD, `spec.listeners` maxItems 64), 200 listeners,
 * 200 routes, 100 certificate references and 100 services per AGC, 5 frontends per AGC, 1 association.
 * One listener and one certificate per tenant: a cluster's edge holds at most 64 tenants on one Gateway
 * (one frontend), which the config check holds `sharedClusterCapacity.maxTenants` to.
 */

/** The GatewayClass the ALB controller creates for internet-facing AGC frontends. */
export const EDGE_GATEWAY_CLASS = "azure-alb-external";
/** The platform namespace of the Gateway, its WAF attachment and the tenants' certificates (their private keys stay here). */
export const EDGE_NAMESPACE = "edge";
export const EDGE_GATEWAY_NAME = "edge";
/** The ALB controller's namespace (the chart's `albController.namespace`). */
export const ALB_CONTROLLER_NAMESPACE = "azure-alb-system";
/** The ALB controller's ServiceAccount, named in its federated credential (the chart's fixed name). */
export const ALB_CONTROLLER_SERVICE_ACCOUNT = "alb-controller-sa";
/** Listeners per Gateway: the Gateway API CRD's maxItems, which AGC's limits page repeats. */
export const MAX_LISTENERS_PER_GATEWAY = 64;
/** AGC accepts listeners on 80 and 443 only; tenants get HTTPS alone (certificates come through DNS-01, no HTTP-01 listener). */
export const EDGE_HTTPS_PORT = 443;
/** The route kinds a tenant listener admits: AGC implements HTTPRoute and GRPCRoute. */
export const TENANT_ROUTE_KINDS = ["HTTPRoute", "GRPCRoute"] as const;
/** The label Kubernetes sets on every namespace to its own name; nobody can give another namespace that value. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** The names a tenant owns: one label under its own prefix in the region's zone. */
export const tenantHostname = (tenant: string, zoneName: string): string => `*.${tenant}.${zoneName}`;
/** The Secret cert-manager writes the tenant's wildcard certificate to, in the edge namespace. */
export const tenantCertificateSecret = (tenant: string): string => `tenant-${tenant}-tls`;
/** The listener's name (a route's `sectionName`). */
export const tenantListenerName = (tenant: string): string => `https-${tenant}`;

/** A Gateway listener as the Gateway API v1 schema spells it. */
export interface GatewayListener {
    readonly name: string;
    readonly hostname: string;
    readonly port: number;
    readonly protocol: "HTTPS";
    readonly tls: { readonly mode: "Terminate"; readonly certificateRefs: readonly { readonly kind: "Secret"; readonly name: string }[] };
    readonly allowedRoutes: {
        readonly namespaces: { readonly from: "Selector"; readonly selector: { readonly matchLabels: Record<string, string> } };
        readonly kinds: readonly { readonly kind: string }[];
    };
}

/**
 * One HTTPS listener per tenant, sorted by tenant so that adding a tenant never reorders the others: hostname
 * `*.<tenant>.<zone>`, its own certificate, and routes admitted from the namespace named after the tenant only.
 */
export function tenantListeners(tenants: readonly string[], zoneName: string): GatewayListener[] {
    return [...tenants].sort().map(tenant => ({
        name: tenantListenerName(tenant),
        hostname: tenantHostname(tenant, zoneName),
        port: EDGE_HTTPS_PORT,
        protocol: "HTTPS",
        tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: tenantCertificateSecret(tenant) }] },
        allowedRoutes: {
            namespaces: { from: "Selector", selector: { matchLabels: { [NAMESPACE_NAME_LABEL]: tenant } } },
            kinds: TENANT_ROUTE_KINDS.map(kind => ({ kind })),
        },
    }));
}
