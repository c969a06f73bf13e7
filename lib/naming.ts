/**
 * Names derived from the stack. Azure names are built here, in one place, so that
 * a rename (which Pulumi turns into a delete and a create) is a visible, reviewed change.
 */

/** `iotfleet-prod-weu`: the prefix of every regional resource name. */
export const regionPrefix = (environment: string, region: string): string => `iotfleet-${environment}-${region}`;

/** The AKS resource name of a cluster, at most 63 characters as Azure requires. */
export const aksClusterName = (environment: string, region: string, cluster: string): string =>
    `aks-${environment}-${region}-${cluster}`.slice(0, 63);

/** The Service Bus queue a tenant's processors read; per tenant, because the region's namespace is shared. */
export const tenantQueueName = (tenant: string): string => `telemetry-ingest-${tenant}`;

/** Storage and other names that allow neither dashes nor capitals. */
export const compactName = (...parts: string[]): string => parts.join("").toLowerCase().replace(/[^a-z0-9]/g, "");

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
