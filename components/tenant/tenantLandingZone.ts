import * as pulumi from "@pulumi/pulumi";
import { TenantSpec } from "../../lib/config";
import { RegionServices } from "../common/regionServices";
import { NamespaceHost, TenantNamespace } from "./tenantNamespace";
import { TenantRegionResources } from "./tenantRegionResources";

/** The cluster placement put a tenant on: what its namespace needs, and where the namespace component goes. */
export interface TenantHostCluster extends NamespaceHost, pulumi.Resource {
    /** The cluster component's name, the prefix of the tenant's namespace component. */
    readonly componentName: string;
    /** The tenants placement put on the cluster. */
    readonly tenantNames: readonly string[];
}

/** A tenant's landing zone: what it owns in the region, and its namespace on the cluster it runs on. */
export interface TenantLandingZone {
    /** A child of the Region: unchanged when the tenant moves to another cluster. */
    readonly regionResources: TenantRegionResources;
    /** A child of the tenant's cluster: rebuilt on the new cluster when the tenant moves. */
    readonly namespace: TenantNamespace;
}

export interface TenantLandingZoneArgs {
    /** The tenant as the stack file declares it. Required. */
    readonly tenant: TenantSpec;
    /** The region's services. Required. */
    readonly services: RegionServices;
    /** The Region component (parent of what the tenant owns in the region) and its name, their prefix. Required. */
    readonly region: { readonly resource: pulumi.Resource; readonly componentName: string };
    /** The cluster placement put the tenant on, parent of its namespace. Required. */
    readonly cluster: TenantHostCluster;
    /** The last ARM write to that cluster before the tenant's own (its Flux configuration). Required. */
    readonly afterClusterWrite: pulumi.Resource;
}

/**
 * Builds both halves of one tenant's landing zone: what it owns in the region (keyed by the tenant's name
 * alone, so that a move between clusters keeps it), then its namespace on its cluster, around it.
 */
export function buildTenantLandingZone(args: TenantLandingZoneArgs): TenantLandingZone {
    const { tenant, services, region, cluster } = args;
    if (!cluster.tenantNames.includes(tenant.name)) {
        throw new Error(`tenant ${tenant.name} is not placed on ${cluster.clusterName} (it holds ${cluster.tenantNames.join(", ")})`);
    }
    const regionResources = new TenantRegionResources(
        `${region.componentName}-tenant-${tenant.name}`,
        { tenant, clusterName: cluster.clusterName, services },
        { parent: region.resource },
    );
    const namespace = new TenantNamespace(
        `${cluster.componentName}-tenant-${tenant.name}`,
        { tenant, services, regionResources, cluster, afterClusterWrite: args.afterClusterWrite },
        { parent: cluster },
    );
    return { regionResources, namespace };
}
