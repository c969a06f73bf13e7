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
