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
    service: "kubernetes:core/v1:Service",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    httpRoute: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    grpcRoute: "kubernetes:gateway.networking.k8s.io/v1:GRPCRoute",
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    fluxConfiguration: "azure-native:kubernetesconfiguration:FluxConfiguration",
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

/**
 * A property of an object or array, or undefined where a preview does not know it yet (the analyzer's
 * proxy throws on reading an unknown): an unknown value cannot be a literal secret. Undefined too below a missing value.
 */
export function known(container: unknown, key: string | number): unknown {
    if (container === null || typeof container !== "object") {
        return undefined;
    }
    try {
        return (container as Record<string | number, unknown>)[key];
    } catch (err) {
        if (isUnknownValueError(err)) {
            return undefined;
        }
        throw err;
    }
}

/** The entries of an object or array, reading each value on its own so that an unknown one is skipped, not fatal. */
export function* knownEntries(value: unknown): Generator<[string | number, unknown]> {
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            yield [i, known(value, i)];
        }
    } else if (value !== null && typeof value === "object") {
        for (const key of Object.keys(value)) {
            yield [key, known(value, key)];
        }
    }
}

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

/** Whether a resource is a component built for one tenant (TenantNamespace, TenantRegionResources). */
export const isTenantComponent = (resource: PolicyResource): boolean => TENANT_COMPONENTS.has(resource.type);

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

/** The Kubernetes objects of one type that live in a tenant namespace, each with that namespace. */
export function inTenantNamespaces(
    resources: PolicyResource[],
    namespaces: Map<string, TenantNamespace>,
    type: string,
): { readonly resource: PolicyResource; readonly namespace: TenantNamespace }[] {
    return resources
        .filter(r => r.type === type)
        .flatMap(resource => {
            const namespace = namespaces.get(namespaceKey(resource, resource.props.metadata?.namespace));
            return namespace === undefined ? [] : [{ resource, namespace }];
        });
}
