import { EnforcementLevel, PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { owningTenant, TYPES } from "./resources";

/**
 * Built-in Azure roles that read or write data (data actions), by GUID: Service Bus, Event Hubs, Blob storage and
 * Key Vault secrets (Microsoft Learn, "Azure built-in roles"). Control-plane roles (Reader, Monitoring Reader,
 * AKS Cluster User) read no message, so a tenant's principal may hold them on shared resources.
 */
export const DATA_ROLES: Readonly<Record<string, string>> = {
    "090c5cfd-751d-490a-894a-3ce6f1109419": "Azure Service Bus Data Owner",
    "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0": "Azure Service Bus Data Receiver",
    "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39": "Azure Service Bus Data Sender",
    "f526a384-b230-433a-b45c-95f59c4a2dec": "Azure Event Hubs Data Owner",
    "a638d3c7-ab3a-418d-83e6-5f17a39d4fde": "Azure Event Hubs Data Receiver",
    "2b629674-e913-4c01-ae53-ef4638d8f975": "Azure Event Hubs Data Sender",
    "b7e6dc6d-f1e8-4753-8033-0f276bb0955b": "Storage Blob Data Owner",
    "ba92f5b4-2d11-453d-a403-e96b0029c9fe": "Storage Blob Data Contributor",
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1": "Storage Blob Data Reader",
    "4633458b-17de-408a-b874-0445c86b69e6": "Key Vault Secrets User",
    "b86a8fe4-44ce-4948-aee5-eccb2c155cd7": "Key Vault Secrets Officer",
};

/**
 * Resources that hold the messages or state of several tenants when no one tenant owns them: the shared hub and its
 * namespace (and its consumer groups), the Service Bus namespace of every tenant's queue, the checkpoint account,
 * and the region's Cosmos DB and ADX stores. A data role there reads (or writes) every tenant's data below it.
 */
const SHARED_DATA_CARRIERS: ReadonlySet<string> = new Set([
    TYPES.eventHubsNamespace,
    TYPES.eventHub,
    TYPES.consumerGroup,
    TYPES.serviceBusNamespace,
    "azure-native:storage:StorageAccount",
    "azure-native:cosmosdb:DatabaseAccount",
    "azure-native:cosmosdb:SqlResourceSqlDatabase",
    "azure-native:cosmosdb:SqlResourceSqlContainer",
    "azure-native:kusto:Cluster",
    "azure-native:kusto:ReadWriteDatabase",
]);

/** Principals of the tenants: identities and Entra ID groups made for one tenant, by principal (object) id. */
function tenantPrincipals(resources: PolicyResource[]): Map<string, { tenant: string; resource: PolicyResource }> {
    const principals = new Map<string, { tenant: string; resource: PolicyResource }>();
    for (const resource of resources) {
        const id =
            resource.type === TYPES.userAssignedIdentity
                ? resource.props.principalId
                : resource.type === "azuread:index/group:Group"
                  ? resource.props.objectId
                  : undefined;
        const tenant = owningTenant(resource);
        if (typeof id === "string" && tenant !== undefined) {
            principals.set(id, { tenant, resource });
        }
    }
    return principals;
}

/** The resource a role assignment's scope is the id of: the property dependency, else the resource with that id. */
function scopeResource(assignment: PolicyResource, byId: Map<string, PolicyResource>): PolicyResource | undefined {
    const fromDependency = assignment.propertyDependencies.scope?.find(d => d.type !== TYPES.roleAssignment);
    return fromDependency ?? byId.get(assignment.props.scope);
}

/**
 * The one data role any principal may hold on the Service Bus namespace, which holds every tenant's queue: a shared
 * cluster's ingest sends there (one grant instead of one per tenant, `ingestSenderScope` in lib/dataPath.ts). It
 * grants the send data action only: a role that receives there would read every tenant's queue.
 */
const SERVICE_BUS_SENDER = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39";

export const tenantDataIsolation = (enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy => ({
    name: "tenant-data-isolation",
    description:
        "No principal of one tenant (its managed identities, its admin group, the platform identities of its dedicated cluster) holds a data role on a resource that carries another tenant's data: a resource made for another tenant, or one shared by several (the shared event hub and its namespace, the Service Bus namespace, the checkpoint account, the region's Cosmos DB and ADX); and no principal at all holds a data role other than Data Sender on the Service Bus namespace. Fix: scope the role to the tenant's own queue, vault, container or event hub.",
    enforcementLevel,
    validateStack: (args, reportViolation) => {
        const principals = tenantPrincipals(args.resources);
        const byId = new Map(args.resources.filter(r => typeof r.props.id === "string").map(r => [r.props.id as string, r]));
        for (const assignment of args.resources.filter(r => r.type === TYPES.roleAssignment)) {
            const principal = principals.get(assignment.props.principalId);
            const roleGuid =
                String(assignment.props.roleDefinitionId ?? "")
                    .split("/")
                    .pop() ?? "";
            const role = DATA_ROLES[roleGuid];
            if (role === undefined) {
                continue;
            }
            const scope = scopeResource(assignment, byId);
            if (scope?.type === TYPES.serviceBusNamespace && roleGuid !== SERVICE_BUS_SENDER) {
                reportViolation(
                    `Role assignment '${assignment.name}' grants ${role} on Service Bus namespace '${scope.name}', which holds every tenant's queue: only Azure Service Bus Data Sender (send only) may be granted there.`,
                    assignment.urn,
                );
                continue;
            }
            if (principal === undefined) {
                continue;
            }
            const owner = scope === undefined ? undefined : owningTenant(scope);
            const shared = scope !== undefined && owner === undefined && SHARED_DATA_CARRIERS.has(scope.type);
            if ((owner !== undefined && owner !== principal.tenant) || shared) {
                reportViolation(
                    `${principal.resource.type} '${principal.resource.name}' of tenant ${principal.tenant} holds ${role} on ${scope!.type} '${scope!.name}', which carries ${shared ? "every tenant's" : `tenant ${owner}'s`} data.`,
                    assignment.urn,
                );
            }
        }
    },
});
