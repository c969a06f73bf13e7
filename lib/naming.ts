/**
 * Names derived from the stack. Azure names are built here, in one place, so that
 * a rename (which Pulumi turns into a delete and a create) is a visible, reviewed change.
 */
import { createHash } from "crypto";

/** `iotfleet-prod-weu`: the prefix of every regional resource name. */
export const regionPrefix = (environment: string, region: string): string => `iotfleet-${environment}-${region}`;

/** `rg-iotfleet-prod-weu`: the resource group of every regional resource. */
export const regionResourceGroupName = (environment: string, region: string): string => `rg-${regionPrefix(environment, region)}`;

/** The AKS resource name of a cluster; `clusterNameProblems` holds it to Azure's 63 characters. */
export const aksClusterName = (environment: string, region: string, cluster: string): string => `aks-${environment}-${region}-${cluster}`;

/** AKS's own limit on the resource group it puts a cluster's nodes in. */
const NODE_RESOURCE_GROUP_MAX = 80;

/** The Azure names one cluster gets; all are fixed at creation (changing one replaces the cluster). */
export interface AksNames {
    readonly aksName: string;
    readonly dnsPrefix: string;
    readonly nodeResourceGroup: string;
}

/**
 * The names of a cluster. The node resource group is AKS's own default, `MC_<rg>_<aks>_<location>`, where that
 * fits AKS's 80 characters (so clusters created before it was set keep theirs); past that, `MC_<aks>`, which is
 * as unique as the AKS name and at most 66 characters.
 */
export function aksNames(environment: string, region: string, location: string, cluster: string): AksNames {
    const aksName = aksClusterName(environment, region, cluster);
    const aksDefault = `MC_${regionResourceGroupName(environment, region)}_${aksName}_${location}`;
    return {
        aksName,
        dnsPrefix: aksName,
        nodeResourceGroup: aksDefault.length <= NODE_RESOURCE_GROUP_MAX ? aksDefault : `MC_${aksName}`,
    };
}

/** Azure's length limits on the names of a cluster. */
const AKS_NAME_LIMITS: readonly { readonly key: keyof AksNames; readonly what: string; readonly max: number }[] = [
    { key: "aksName", what: "AKS cluster name", max: 63 },
    { key: "dnsPrefix", what: "AKS DNS prefix", max: 54 },
    { key: "nodeResourceGroup", what: "AKS node resource group", max: NODE_RESOURCE_GROUP_MAX },
];

/** Every name of a cluster that Azure would refuse for its length, each as one sentence. */
export function clusterNameProblems(names: AksNames): string[] {
    return AKS_NAME_LIMITS.filter(limit => names[limit.key].length > limit.max).map(
        limit => `${limit.what} '${names[limit.key]}' has ${names[limit.key].length} characters, Azure allows ${limit.max}`,
    );
}

/** The Event Hubs consumer group ADX ingests through; a tenant's consumer group is named after the tenant, so no tenant may take it. */
export const ADX_CONSUMER_GROUP = "adx";

/** The StackReference through which a region stack reads its own last outputs (program.ts), named in targeted updates too. */
export const SELF_REFERENCE_NAME = "previous-placement";

/** The Service Bus queue a tenant's processors read; per tenant, because the region's namespace is shared. */
export const tenantQueueName = (tenant: string): string => `telemetry-ingest-${tenant}`;

/** Storage and other names that allow neither dashes nor capitals. */
export const compactName = (...parts: string[]): string =>
    parts
        .join("")
        .toLowerCase()
        .replace(/[^a-z0-9]/g, "");

/** A 32-bit FNV-1a hash: short, stable disambiguators for truncated names and address slots. */
export function fnv1a(text: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
        hash ^= text.charCodeAt(i);
        hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    return hash;
}

/**
 * A tenant's Key Vault name before the region's random suffix: `kv-<first 10 of tenant>-<4 hex of its hash>`,
 * so that with the 6-character suffix it stays within Key Vault's 24 characters and unique per tenant.
 */
export const tenantVaultNamePrefix = (tenant: string): string =>
    `kv-${tenant.slice(0, 10).replace(/-+$/, "")}-${fnv1a(tenant).toString(16).padStart(8, "0").slice(0, 4)}`;

/** The blob container a tenant's Event Hubs consumers checkpoint into. */
export const tenantCheckpointContainer = (tenant: string): string => `checkpoints-${tenant}`;

/** The Cosmos DB container of a tenant's device state, in the region's device-state database. */
export const tenantCosmosContainer = (tenant: string): string => `tenant-${tenant}`;

/**
 * A cluster's directory in the fleet repository, `./clusters/<environment>-<region>/<cluster>` (`./clusters/prod-weu/shared-1`).
 * Logical cluster names repeat in every region and Flux prunes whatever its path stops holding, so the region is part of it.
 */
export const fluxClusterPath = (environment: string, regionShortName: string, clusterName: string): string =>
    `./clusters/${environment}-${regionShortName}/${clusterName}`;

/**
 * A tenant's directory in the fleet repository, `./tenants/<environment>-<region>/<tenant>`: its own manifests,
 * which Flux applies into its namespace only. Outside every cluster's directory (a cluster's Kustomization would
 * otherwise apply them with cluster-wide rights) and free of the cluster's name, so that a move keeps the path.
 */
export const fluxTenantPath = (environment: string, regionShortName: string, tenant: string): string =>
    `./tenants/${environment}-${regionShortName}/${tenant}`;

/** The namespace of iot-fleet's role assignment names (a fixed random UUID: changing it renames every assignment). */
const ROLE_ASSIGNMENT_NAMESPACE = "5d1b3a0e-7f39-4c2e-9a61-3f0d2c8b4e17";

/**
 * The name of the role assignment of one role to one principal on one scope: a name-based UUID (version 5, SHA-1)
 * of the three, as Bicep's `guid(scope, principalId, roleDefinitionId)` names them in Azure's own modules. Azure
 * allows one assignment per scope, principal and role, so the same three always get the same name: a re-run after
 * an interrupted `up` finds its assignment instead of meeting 409 RoleAssignmentExists under a new random name.
 * ARM ids are case-insensitive, so the three are compared lower-cased.
 */
export function roleAssignmentGuid(scope: string, principalId: string, roleDefinitionId: string): string {
    const namespace = Buffer.from(ROLE_ASSIGNMENT_NAMESPACE.replace(/-/g, ""), "hex");
    const name = JSON.stringify([scope, principalId, roleDefinitionId].map(part => part.toLowerCase()));
    const bytes = createHash("sha1").update(namespace).update(name, "utf8").digest().subarray(0, 16);
    bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    const hex = bytes.toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
