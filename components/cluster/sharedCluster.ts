import * as pulumi from "@pulumi/pulumi";
import { TenantSpec } from "../../lib/config";
import { RegionServices } from "../common/regionServices";
import type { EdgeSubnet } from "../platform/clusterPlatform";
import { TenantClusterComponent } from "./tenantClusterComponent";
import { COMPONENT_TYPES } from "../../lib/componentTypes";

export interface SharedClusterArgs {
    /** The region's services the cluster plugs into. */
    readonly services: RegionServices;
    /** Logical name, `shared-<n>`, as placement assigns it. */
    readonly clusterName: string;
    /** The cluster's node subnet. */
    readonly subnetId: pulumi.Input<string>;
    /** The subnet delegated to the cluster's Application Gateway for Containers. */
    readonly edgeSubnet: EdgeSubnet;
    /** The long-tail tenants placement put here, one namespace each. */
    readonly tenants: readonly TenantSpec[];
}

/** A cluster shared by many tenants, one isolated namespace per tenant; update group `shared`. */
export class SharedCluster extends TenantClusterComponent {
    constructor(name: string, args: SharedClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.sharedCluster, name, { ...args, extraTags: {} }, opts);
    }
}
