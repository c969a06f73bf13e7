import { EnforcementLevel, StackValidationPolicy } from "@pulumi/policy";
import { DEVICE_QUOTA_ANNOTATION, TAG_TENANT, TENANT_LABEL } from "./labels";
import {
    ancestorOfType,
    isKubernetesObject,
    isTenantComponent,
    namespaceKey,
    owningTenant,
    tenantComponentOf,
    tenantNamespaces,
    TYPES,
} from "./resources";

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
    "azure-native:kusto:EventHubDataConnection",
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

export const tenantDataProtection = (enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy => ({
    name: "tenant-data-protection",
    description:
        "A tenant's namespace, managed identity, queue, checkpoint container and Key Vault are registered with protect: true unless the tenant is marked decommission: true in the stack file (as its TenantNamespace and TenantRegionResources register it; a decommission label on a namespace alone lifts nothing), so that a typo in the stack file can never delete a tenant's data. Fix: keep protect on; to remove a tenant, first set decommission: true and update, then remove it.",
    enforcementLevel,
    validateStack: (args, reportViolation) => {
        // Only the tenant's own components say whether it is being decommissioned (they register the flag the stack
        // file sets): a label on a namespace is not enough, or any namespace labelled with the tenant and the
        // decommission label would lift the protection of all the tenant's resources.
        const decommissioning = new Set(
            args.resources.filter(r => isTenantComponent(r) && r.props.decommission === true).map(r => r.props.tenant),
        );
        for (const resource of args.resources.filter(r => PROTECTED_TENANT_TYPES.has(r.type) && !r.opts.protect)) {
            const component = tenantComponentOf(resource);
            const labels = resource.props.metadata?.labels ?? {};
            const isTenantNamespace = resource.type === TYPES.namespace && labels[TENANT_LABEL] !== undefined;
            if (component === undefined && !isTenantNamespace) {
                continue;
            }
            const tenant = labels[TENANT_LABEL] ?? resource.props.tags?.[TAG_TENANT] ?? owningTenant(resource);
            if (!decommissioning.has(tenant)) {
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
