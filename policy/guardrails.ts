import { EnforcementLevel, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { POD_SECURITY_ENFORCE_LABEL, TENANT_LABEL } from "./labels";
import { inTenantNamespaces, known, knownEntries, namespaceKey, tenantNamespaces, TYPES } from "./resources";

/** What every tenant ResourceQuota caps, together: compute, pods and storage. */
export const REQUIRED_QUOTA_CAPS = [
    "requests.cpu",
    "limits.cpu",
    "requests.memory",
    "limits.memory",
    "pods",
    "persistentvolumeclaims",
    "requests.storage",
] as const;
/** Caps that must be 0: a LoadBalancer or NodePort Service opens the tenant's pods outside the edge. */
export const ZERO_QUOTA_CAPS = ["services.loadbalancers", "services.nodeports"] as const;

/** A policy that selects every pod and allows nothing in the directions it names. */
function deniedDirections(policy: PolicyResource): string[] {
    const spec = policy.props.spec ?? {};
    const selectsAll =
        spec.podSelector !== undefined &&
        Object.keys(spec.podSelector.matchLabels ?? {}).length === 0 &&
        (spec.podSelector.matchExpressions ?? []).length === 0;
    if (!selectsAll) {
        return [];
    }
    const types: string[] = spec.policyTypes ?? ["Ingress"];
    return types.filter(t => ((t === "Ingress" ? spec.ingress : spec.egress)?.length ? false : true));
}

const isEmptySelector = (selector: unknown): boolean =>
    selector !== null &&
    typeof selector === "object" &&
    Object.keys((selector as { matchLabels?: object }).matchLabels ?? {}).length === 0 &&
    ((selector as { matchExpressions?: unknown[] }).matchExpressions ?? []).length === 0;

/**
 * What a NetworkPolicy opens wider than any namespace's own flows, undoing the default deny: a rule with no peers
 * (every source or destination), a peer selecting every namespace, or an ingress peer taking every address.
 */
export function allowAllDirections(policy: PolicyResource): string[] {
    const spec = policy.props.spec ?? {};
    const wide = (rules: unknown, peersKey: "from" | "to") =>
        [...knownEntries(rules ?? [])].some(([, rule]) => {
            const peers = known(rule, peersKey);
            if (peers === undefined || (Array.isArray(peers) && peers.length === 0)) {
                return true;
            }
            return [...knownEntries(peers)].some(
                ([, peer]) =>
                    (isEmptySelector(known(peer, "namespaceSelector")) && known(peer, "podSelector") === undefined) ||
                    (peersKey === "from" && known(known(peer, "ipBlock"), "cidr") === "0.0.0.0/0"),
            );
        });
    return [...(wide(spec.ingress, "from") ? ["ingress from"] : []), ...(wide(spec.egress, "to") ? ["egress to"] : [])];
}

/** What guards one namespace: the caps its ResourceQuotas set, whether it has a LimitRange, and the directions its NetworkPolicies deny. */
interface Guardrails {
    quota: boolean;
    readonly caps: Map<string, string>;
    limitRange: boolean;
    readonly denied: Set<string>;
}

const unguarded = (): Guardrails => ({ quota: false, caps: new Map(), limitRange: false, denied: new Set() });

/**
 * The guardrails of every namespace by `namespaceKey`, gathered in one pass over the stack: scanning the
 * stack once per tenant namespace made the policy quadratic in tenants (13.5 s at 1,000 tenants).
 */
function guardrailsByNamespace(resources: PolicyResource[]): Map<string, Guardrails> {
    const found = new Map<string, Guardrails>();
    const of = (resource: PolicyResource): Guardrails => {
        const key = namespaceKey(resource, resource.props.metadata?.namespace);
        const guardrails = found.get(key) ?? unguarded();
        found.set(key, guardrails);
        return guardrails;
    };
    for (const resource of resources) {
        if (resource.type === TYPES.resourceQuota) {
            const guardrails = of(resource);
            guardrails.quota = true;
            for (const [key, value] of knownEntries(resource.props.spec?.hard ?? {})) {
                guardrails.caps.set(String(key), String(value));
            }
        } else if (resource.type === TYPES.limitRange) {
            of(resource).limitRange = true;
        } else if (resource.type === TYPES.networkPolicy) {
            deniedDirections(resource).forEach(direction => of(resource).denied.add(direction));
        }
    }
    return found;
}

/** What a namespace's ResourceQuotas leave uncapped, or open. */
function quotaGaps({ quota, caps }: Guardrails): string | undefined {
    if (!quota) {
        return "a ResourceQuota";
    }
    const missing = [
        ...REQUIRED_QUOTA_CAPS.filter(key => !caps.has(key)),
        ...ZERO_QUOTA_CAPS.filter(key => caps.get(key) !== "0").map(key => `${key}: 0`),
    ];
    return missing.length === 0 ? undefined : `a ResourceQuota capping ${missing.join(", ")}`;
}

export const tenantGuardrails = (enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy => ({
    name: "tenant-guardrails",
    description:
        "Every tenant namespace has a ResourceQuota capping CPU, memory, pods, PersistentVolumeClaims and requested storage with LoadBalancer and NodePort Services at 0, a LimitRange, a default-deny NetworkPolicy for ingress and egress that no other NetworkPolicy undoes (no rule admitting every source, destination or namespace), and a Pod Security Admission enforce label of restricted or baseline, so that no tenant can starve, reach or escalate over another. Fix: create tenant namespaces with TenantNamespace (or createNamespaceGuardrails with the tenant's quota), and name the peers of every NetworkPolicy rule.",
    enforcementLevel,
    validateStack: (args, reportViolation) => {
        const guarded = guardrailsByNamespace(args.resources);
        const namespaces = tenantNamespaces(args.resources, TENANT_LABEL);
        for (const [key, { name: namespace, resource }] of namespaces) {
            const guardrails = guarded.get(key) ?? unguarded();
            const missing: string[] = [];
            const quota = quotaGaps(guardrails);
            if (quota !== undefined) {
                missing.push(quota);
            }
            if (!guardrails.limitRange) {
                missing.push("a LimitRange");
            }
            if (!guardrails.denied.has("Ingress") || !guardrails.denied.has("Egress")) {
                missing.push("a default-deny NetworkPolicy for both ingress and egress");
            }
            const level = resource.props.metadata?.labels?.[POD_SECURITY_ENFORCE_LABEL];
            if (level !== "restricted" && level !== "baseline") {
                missing.push(`${POD_SECURITY_ENFORCE_LABEL}: restricted or baseline (found ${level ?? "none"})`);
            }
            if (missing.length > 0) {
                reportViolation(`Tenant namespace '${namespace}' lacks ${missing.join(", ")}.`, resource.urn);
            }
        }
        for (const { resource, namespace } of inTenantNamespaces(args.resources, namespaces, TYPES.networkPolicy)) {
            for (const direction of allowAllDirections(resource)) {
                reportViolation(
                    `NetworkPolicy '${resource.props.metadata?.name ?? resource.name}' in tenant namespace '${namespace.name}' allows ${direction} anywhere, undoing the default deny.`,
                    resource.urn,
                );
            }
        }
    },
});
