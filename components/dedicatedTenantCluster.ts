import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { TenantSpec } from "../lib/config";
import { TAG_TENANT } from "../lib/labels";
import { dedicatedClusterName } from "../lib/placement";
import { buildTenantCluster, RegionServices } from "./tenantCluster";

export interface DedicatedTenantClusterArgs {
    /** The region's services the cluster plugs into. */
    readonly services: RegionServices;
    /** The cluster's node subnet. */
    readonly subnetId: pulumi.Input<string>;
    /** The one tenant this cluster isolates (large, regulated or asking for it). */
    readonly tenant: TenantSpec;
}

/** A cluster for one tenant: hard isolation, its own upgrade cadence and SLOs; the same platform as shared clusters. */
export class DedicatedTenantCluster extends pulumi.ComponentResource {
    public readonly clusterName: string;
    public readonly tenantName: string;
    public readonly aksName: string;
    public readonly clusterId: pulumi.Output<string>;
    public readonly oidcIssuerUrl: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly provider: k8s.Provider;

    constructor(name: string, args: DedicatedTenantClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iot-fleet:index:DedicatedTenantCluster", name, {}, opts);
        this.clusterName = dedicatedClusterName(args.tenant.name);
        this.tenantName = args.tenant.name;
        const cluster = buildTenantCluster(name, {
            services: args.services,
            clusterName: this.clusterName,
            subnetId: args.subnetId,
            tenants: [args.tenant],
            extraTags: { [TAG_TENANT]: args.tenant.name },
        }, this);
        this.aksName = cluster.aksName;
        this.clusterId = cluster.cluster.id;
        this.oidcIssuerUrl = cluster.oidcIssuerUrl;
        this.kubeconfig = cluster.kubeconfig;
        this.provider = cluster.provider;
        this.registerOutputs({
            clusterName: this.clusterName, tenantName: this.tenantName, aksName: this.aksName, clusterId: this.clusterId,
            oidcIssuerUrl: this.oidcIssuerUrl, kubeconfig: this.kubeconfig,
        });
    }
}
