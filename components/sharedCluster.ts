import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { TenantSpec } from "../lib/config";
import { buildTenantCluster, RegionServices } from "./tenantCluster";

export interface SharedClusterArgs {
    /** The region's services the cluster plugs into. */
    readonly services: RegionServices;
    /** Logical name, `shared-<n>`, as placement assigns it. */
    readonly clusterName: string;
    /** The cluster's node subnet. */
    readonly subnetId: pulumi.Input<string>;
    /** The long-tail tenants placement put here, one namespace each. */
    readonly tenants: readonly TenantSpec[];
}

/** A cluster shared by many tenants, one namespace per tenant. */
export class SharedCluster extends pulumi.ComponentResource {
    public readonly clusterName: string;
    public readonly aksName: string;
    public readonly clusterId: pulumi.Output<string>;
    public readonly oidcIssuerUrl: pulumi.Output<string>;
    public readonly kubeconfig: pulumi.Output<string>;
    public readonly provider: k8s.Provider;

    constructor(name: string, args: SharedClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iot-fleet:index:SharedCluster", name, {}, opts);
        const cluster = buildTenantCluster(name, { ...args, extraTags: {} }, this);
        this.clusterName = args.clusterName;
        this.aksName = cluster.aksName;
        this.clusterId = cluster.cluster.id;
        this.oidcIssuerUrl = cluster.oidcIssuerUrl;
        this.kubeconfig = cluster.kubeconfig;
        this.provider = cluster.provider;
        this.registerOutputs({
            clusterName: this.clusterName, aksName: this.aksName, clusterId: this.clusterId,
            oidcIssuerUrl: this.oidcIssuerUrl, kubeconfig: this.kubeconfig,
        });
    }
}
