import { PolicyResource, UnknownValueError } from "@pulumi/policy";
import { COMPONENT_TYPES } from "./componentTypes";

/** Type tokens the policies look at. Compared as strings, so the pack needs no provider SDK. */
export const TYPES = {
    managedCluster: "azure-native:containerservice:ManagedCluster",
    agentPool: "azure-native:containerservice:AgentPool",
    fleetMember: "azure-native:containerservice:FleetMember",
    eventHubsNamespace: "azure-native:eventhub:Namespace",
    eventHub: "azure-native:eventhub:EventHub",
    consumerGroup: "azure-native:eventhub:ConsumerGroup",
    iotHub: "azure-native:iothub:IotHubResource",
    serviceBusNamespace: "azure-native:servicebus:Namespace",
    serviceBusQueue: "azure-native:servicebus:Queue",
    roleAssignment: "azure-native:authorization:RoleAssignment",
    userAssignedIdentity: "azure-native:managedidentity:UserAssignedIdentity",
    federatedCredential: "azure-native:managedidentity:FederatedIdentityCredential",
    namespace: "kubernetes:core/v1:Namespace",
    secret: "kubernetes:core/v1:Secret",
    configMap: "kubernetes:core/v1:ConfigMap",
    resourceQuota: "kubernetes:core/v1:ResourceQuota",
    limitRange: "kubernetes:core/v1:LimitRange",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    scaledObject: "kubernetes:keda.sh/v1alpha1:ScaledObject",
    helmRelease: "kubernetes:helm.sh/v3:Release",
    ...COMPONENT_TYPES,
} as const;

/**
 * Whether an error is the analyzer's UnknownValueError: a policy read a value a preview does not know yet.
 * Recognised by the fields its constructor sets (the unknown's sentinel and the property path), not by its
 * class: once `npm --prefix policy ci` installs the pack's own @pulumi/policy, the offline run's proxy throws
 * the root copy's class while the pack's modules import their own, and `instanceof` one class misses the other's errors.
 */
export const isUnknownValueError = (err: unknown): err is UnknownValueError =>
    err instanceof Error &&
    typeof (err as { unknownTypeSentinel?: unknown }).unknownTypeSentinel === "string" &&
    Array.isArray((err as { props?: unknown }).props);

export const isKubernetesObject = (type: string): boolean =>
    type.startsWith("kubernetes:") &&
    type !== TYPES.helmRelease &&
    !type.startsWith("kubernetes:helm.sh/") &&
    !type.startsWith("kubernetes:yaml");

export function ancestorOfType(resource: PolicyResource, type: string): PolicyResource | undefined {
    for (let current = resource.parent; current; current = current.parent) {
        if (current.type === type) {
            return current;
        }
    }
    return undefined;
}

/** The resource of a type that the value of a property came from, as the engine records property dependencies. */
export const dependencyOf = (resource: PolicyResource, property: string, type: string): PolicyResource | undefined =>
    resource.propertyDependencies[property]?.find(d => d.type === type);

/** Components built for one tenant, which register its name and decommission flag among their outputs. */
const TENANT_COMPONENTS: ReadonlySet<string> = new Set([TYPES.tenantNamespace, TYPES.tenantRegionResources, TYPES.tenantEventStream]);

/** The nearest component above a resource that was built for one tenant: its TenantNamespace (on a cluster), TenantRegionResources or TenantEventStream (in the region). */
export function tenantComponentOf(resource: PolicyResource): PolicyResource | undefined {
    for (let current = resource.parent; current; current = current.parent) {
        if (TENANT_COMPONENTS.has(current.type)) {
            return current;
        }
    }
    return undefined;
}

/**
 * The tenant a resource was made for: the nearest tenant component (`tenantComponentOf`) or DedicatedTenantCluster
 * above it says so in the outputs it registered (stack policies see a component's outputs, never its inputs).
 * Undefined for shared platform resources.
 */
export function owningTenant(resource: PolicyResource): string | undefined {
    for (let current = resource.parent; current; current = current.parent) {
        if (TENANT_COMPONENTS.has(current.type)) {
            return current.props.tenant;
        }
        if (current.type === TYPES.dedicatedCluster) {
            return current.props.tenants?.[0];
        }
    }
    return undefined;
}

/**
 * Where a Kubernetes object lives: its cluster (the provider it is deployed with) and its namespace name.
 * Two clusters may each have a namespace of the same name.
 */
export const namespaceKey = (resource: PolicyResource, namespace: string): string => `${resource.provider?.urn ?? ""}|${namespace}`;

export interface TenantNamespace {
    /** The namespace's name. */
    readonly name: string;
    readonly tenant: string;
    readonly resource: PolicyResource;
}

/**
 * Tenant namespaces by `namespaceKey`, with their tenant: those a TenantNamespace component made (its
 * registered tenant wins, so a wrong label is caught), and any carrying the tenant label.
 */
export function tenantNamespaces(resources: PolicyResource[], tenantLabel: string): Map<string, TenantNamespace> {
    const found = new Map<string, TenantNamespace>();
    for (const resource of resources.filter(r => r.type === TYPES.namespace)) {
        const name = resource.props.metadata?.name;
        const component = ancestorOfType(resource, TYPES.tenantNamespace);
        const tenant = component?.props.tenant ?? resource.props.metadata?.labels?.[tenantLabel];
        if (typeof name === "string" && typeof tenant === "string") {
            found.set(namespaceKey(resource, name), { name, tenant, resource });
        }
    }
    return found;
}
