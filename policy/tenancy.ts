import { EnforcementLevel, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { DECOMMISSION_LABEL, DEVICE_QUOTA_ANNOTATION, POD_SECURITY_ENFORCE_LABEL, TAG_TENANT, TENANT_LABEL } from "./labels";
import { ancestorOfType, isKubernetesObject, namespaceKey, owningTenant, tenantComponentOf, tenantNamespaces, TYPES } from "./resources";

/** Azure resource types the fleet creates for tenants that have no `tags` property in their API. */
export const UNTAGGABLE_AZURE_TYPES: ReadonlySet<string> = new Set([
    "azure-native:servicebus:Queue",
    "azure-native:storage:BlobContainer",
    "azure-native:eventhub:ConsumerGroup",
    "azure-native:eventhub:EventHub",
    "azure-native:managedidentity:FederatedIdentityCredential",
    "azure-native:authorization:RoleAssignment",
    "azure-native:cosmosdb:SqlResourceSqlRoleAssignment",
    "azure-native:kusto:DatabasePrincipalAssignment",
    "azure-native:containerservice:MaintenanceConfiguration",
    "azure-native:containerservice:FleetMember",
    "azure-native:monitor:DataCollectionRuleAssociation",
    "azure-native:kubernetesconfiguration:Extension",
    "azure-native:kubernetesconfiguration:FluxConfiguration",
]);

const PROTECTED_TENANT_TYPES = new Set([
    TYPES.namespace,
    "azure-native:managedidentity:UserAssignedIdentity",
    "azure-native:servicebus:Queue",
    "azure-native:storage:BlobContainer",
    "azure-native:keyvault:Vault",
]);

export const tenantLabels = (enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy => ({
    name: "tenant-labels",
    description: `Every Kubernetes object in a tenant namespace carries the label ${TENANT_LABEL}=<tenant>, and every Azure resource made for a tenant the tag ${TAG_TENANT}=<tenant>, so that cost, metrics and incidents can be traced to a tenant. Fix: build tenant objects through TenantNamespace, or add the label/tag with the tenant's name.`,
    enforcementLevel,
    validateStack: (args, reportViolation) => {
        const namespaces = tenantNamespaces(args.resources, TENANT_LABEL);
        for (const resource of args.resources) {
            if (isKubernetesObject(resource.type)) {
                const namespace = resource.type === TYPES.namespace ? resource.props.metadata?.name : resource.props.metadata?.namespace;
                const expected = namespaces.get(namespaceKey(resource, namespace))?.tenant;
                const found = resource.props.metadata?.labels?.[TENANT_LABEL];
                if (expected !== undefined && found !== expected) {
                    reportViolation(
                        `${resource.type} '${resource.name}' in tenant namespace '${namespace}' has ${TENANT_LABEL}=${found ?? "(missing)"}, expected ${expected}.`,
                        resource.urn,
                    );
                }
            } else if (resource.type.startsWith("azure-native:") && !UNTAGGABLE_AZURE_TYPES.has(resource.type)) {
                const expected = owningTenant(resource);
                const found = resource.props.tags?.[TAG_TENANT];
                if (expected !== undefined && found !== expected) {
                    reportViolation(
                        `${resource.type} '${resource.name}' was made for tenant ${expected} but has ${TAG_TENANT}=${found ?? "(missing)"}.`,
                        resource.urn,
                    );
                }
            }
        }
    },
});

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

/** What guards one namespace: whether it has a ResourceQuota and a LimitRange, and the directions its NetworkPolicies deny. */
interface Guardrails {
    quota: boolean;
    limitRange: boolean;
    readonly denied: Set<string>;
}

const unguarded = (): Guardrails => ({ quota: false, limitRange: false, denied: new Set() });

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
            of(resource).quota = true;
        } else if (resource.type === TYPES.limitRange) {
            of(resource).limitRange = true;
        } else if (resource.type === TYPES.networkPolicy) {
            deniedDirections(resource).forEach(direction => of(resource).denied.add(direction));
        }
    }
    return found;
}

export const tenantGuardrails = (enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy => ({
    name: "tenant-guardrails",
    description:
        "Every tenant namespace has a ResourceQuota, a LimitRange, a default-deny NetworkPolicy for ingress and egress, and a Pod Security Admission enforce label of restricted or baseline, so that no tenant can starve, reach or escalate over another. Fix: create tenant namespaces with TenantNamespace (or createNamespaceGuardrails).",
    enforcementLevel,
    validateStack: (args, reportViolation) => {
        const guarded = guardrailsByNamespace(args.resources);
        for (const [key, { name: namespace, resource }] of tenantNamespaces(args.resources, TENANT_LABEL)) {
            const { quota, limitRange, denied } = guarded.get(key) ?? unguarded();
            const missing: string[] = [];
            if (!quota) {
                missing.push("a ResourceQuota");
            }
            if (!limitRange) {
                missing.push("a LimitRange");
            }
            if (!denied.has("Ingress") || !denied.has("Egress")) {
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
    },
});

export const tenantDataProtection = (enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy => ({
    name: "tenant-data-protection",
    description:
        "A tenant's namespace, managed identity, queue, checkpoint container and Key Vault are registered with protect: true unless the tenant is marked decommission: true, so that a typo in the stack file can never delete a tenant's data. Fix: keep protect on; to remove a tenant, first set decommission: true and update, then remove it.",
    enforcementLevel,
    validateStack: (args, reportViolation) => {
        // The tenant's namespace says whether it is being decommissioned; its identity and queue go with it.
        const decommissioning = new Set(
            [...tenantNamespaces(args.resources, TENANT_LABEL).values()]
                .filter(n => n.resource.props.metadata?.labels?.[DECOMMISSION_LABEL] === "true")
                .map(n => n.tenant),
        );
        for (const resource of args.resources.filter(r => PROTECTED_TENANT_TYPES.has(r.type) && !r.opts.protect)) {
            const component = tenantComponentOf(resource);
            const labels = resource.props.metadata?.labels ?? {};
            const isTenantNamespace = resource.type === TYPES.namespace && labels[TENANT_LABEL] !== undefined;
            if (component === undefined && !isTenantNamespace) {
                continue;
            }
            const tenant = labels[TENANT_LABEL] ?? resource.props.tags?.[TAG_TENANT] ?? owningTenant(resource);
            if (!decommissioning.has(tenant) && component?.props.decommission !== true) {
                reportViolation(
                    `${resource.type} '${resource.name}' of tenant ${tenant ?? "(unknown)"} is not protected and the tenant is not being decommissioned.`,
                    resource.urn,
                );
            }
        }
    },
});

export const DEFAULT_DEDICATED_DEVICE_THRESHOLD = 50_000;
/** The policy's name, under which `--policy-pack-config` sets its `dedicatedDeviceThreshold`. */
export const DEDICATED_THRESHOLD_POLICY = "dedicated-threshold";

export const dedicatedThreshold = (enforcementLevel: EnforcementLevel = "advisory"): StackValidationPolicy => ({
    name: DEDICATED_THRESHOLD_POLICY,
    description:
        "A tenant at or above the dedicated device threshold runs on a shared cluster, where it is the noisy neighbour. Fix: set isolation: dedicated (moving it recreates its namespace), or accept the risk with isolation: shared.",
    enforcementLevel,
    configSchema: {
        properties: {
            dedicatedDeviceThreshold: {
                type: "integer",
                minimum: 1,
                default: DEFAULT_DEDICATED_DEVICE_THRESHOLD,
                description:
                    "Device quota from which a tenant should have its own cluster; keep equal to iot-fleet:dedicatedDeviceThreshold.",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const threshold =
            args.getConfig<{ dedicatedDeviceThreshold?: number }>().dedicatedDeviceThreshold ?? DEFAULT_DEDICATED_DEVICE_THRESHOLD;
        for (const { name: namespace, tenant, resource } of tenantNamespaces(args.resources, TENANT_LABEL).values()) {
            const devices = Number(
                resource.props.metadata?.annotations?.[DEVICE_QUOTA_ANNOTATION] ??
                    ancestorOfType(resource, TYPES.tenantNamespace)?.props.deviceQuota,
            );
            const shared = ancestorOfType(resource, TYPES.sharedCluster);
            if (shared !== undefined && devices >= threshold) {
                reportViolation(
                    `Tenant ${tenant} (namespace '${namespace}') has ${devices} devices, at or above the dedicated threshold of ${threshold}, but runs on shared cluster ${shared.props.clusterName ?? shared.name}.`,
                    resource.urn,
                );
            }
        }
    },
});
