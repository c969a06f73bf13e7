import * as pulumi from "@pulumi/pulumi";
import { TenantSpec } from "../../lib/config";
import { TAG_TENANT } from "../../lib/labels";
import { dedicatedClusterName } from "../../lib/placement";
import { RegionServices } from "../common/regionServices";
import type { EdgeSubnet } from "../platform/clusterPlatform";
import { TenantClusterComponent } from "./tenantClusterComponent";
import { COMPONENT_TYPES } from "../../lib/componentTypes";

export interface DedicatedTenantClusterArgs {
    /** The region's services the cluster plugs into. */
    readonly services: RegionServices;
    /** The cluster's node subnet. */
    readonly subnetId: pulumi.Input<string>;
    /** The subnet delegated to the cluster's Application Gateway for Containers. */
    readonly edgeSubnet: EdgeSubnet;
    /** The one tenant this cluster isolates (large, regulated or asking for it). */
    readonly tenant: TenantSpec;
}

/**
 * A cluster for one tenant: hard isolation, its own upgrade group and SLOs, the same platform and
 * namespace set-up as shared clusters; every Azure resource of it carries the tenant tag.
 */
export class DedicatedTenantCluster extends TenantClusterComponent {
    constructor(name: string, args: DedicatedTenantClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            COMPONENT_TYPES.dedicatedCluster,
            name,
            {
                services: args.services,
                clusterName: dedicatedClusterName(args.tenant.name),
                subnetId: args.subnetId,
                edgeSubnet: args.edgeSubnet,
                tenants: [args.tenant],
                extraTags: { [TAG_TENANT]: args.tenant.name },
            },
            opts,
        );
    }
}
