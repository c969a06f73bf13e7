import * as pulumi from "@pulumi/pulumi";
import { TenantSpec } from "../../lib/config";
import { ClusterPlacement } from "../../lib/placement";
import { RegionServices } from "../common/regionServices";
import type { EdgeSubnet } from "../platform/clusterPlatform";
import { DedicatedTenantCluster } from "./dedicatedTenantCluster";
import { SharedCluster } from "./sharedCluster";

export type RegionCluster = SharedCluster | DedicatedTenantCluster;

export interface RegionClustersArgs {
    /** The region's services every cluster plugs into. Required. */
    readonly services: RegionServices;
    /** The clusters placement asks for, each with its tenants. Required. */
    readonly clusters: readonly ClusterPlacement[];
    /** Every tenant of the stack, by which the placed tenant names are resolved. Required. */
    readonly tenants: readonly TenantSpec[];
    /** Each cluster's node subnet, by cluster name. Required. */
    readonly subnetIds: ReadonlyMap<string, pulumi.Output<string>>;
    /** Each cluster's edge subnet (delegated to Application Gateway for Containers), by cluster name. Required. */
    readonly edgeSubnets: ReadonlyMap<string, EdgeSubnet>;
}

/** The region's clusters, a child component of `parent` each, named `<prefix>-<cluster>`, by cluster name. */
export function createRegionClusters(prefix: string, args: RegionClustersArgs, parent: pulumi.Resource): Map<string, RegionCluster> {
    const { services } = args;
    const tenantsByName = new Map<string, TenantSpec>(args.tenants.map(t => [t.name, t]));
    return new Map(
        args.clusters.map(placed => {
            const tenants = placed.tenants.map(tenant => tenantsByName.get(tenant)!);
            const subnets = { subnetId: args.subnetIds.get(placed.name)!, edgeSubnet: args.edgeSubnets.get(placed.name)! };
            const cluster: RegionCluster =
                placed.kind === "shared"
                    ? new SharedCluster(`${prefix}-${placed.name}`, { services, clusterName: placed.name, ...subnets, tenants }, { parent })
                    : new DedicatedTenantCluster(`${prefix}-${placed.name}`, { services, ...subnets, tenant: tenants[0] }, { parent });
            return [placed.name, cluster];
        }),
    );
}
