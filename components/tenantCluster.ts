import * as pulumi from "@pulumi/pulumi";
import { ClusterDefaults, TenantSettings, TenantSpec } from "../lib/config";
import { KubeloginMode } from "../lib/kubeconfig";
import { TAG_CLUSTER } from "../lib/labels";
import { aksClusterName } from "../lib/naming";
import { AksCluster, buildAksCluster } from "./aksCluster";
import { RegionDataPlane } from "./regionDataPlane";

/** What the region provides to each of its clusters. */
export interface RegionServices {
    readonly environment: string;
    readonly regionShortName: string;
    readonly location: string;
    readonly resourceGroupName: pulumi.Output<string>;
    readonly subscriptionId: pulumi.Output<string>;
    readonly azureTenantId: pulumi.Output<string>;
    readonly deployerObjectId: pulumi.Output<string>;
    readonly adminGroupObjectId: pulumi.Output<string>;
    readonly logAnalyticsWorkspaceId: pulumi.Output<string>;
    readonly azureMonitorWorkspaceId: pulumi.Output<string>;
    readonly keyVault: { readonly id: pulumi.Output<string>; readonly name: pulumi.Output<string>; readonly uri: pulumi.Output<string> };
    readonly appInsightsConnectionStringSecret: { readonly id: pulumi.Output<string>; readonly name: string };
    readonly dns: { readonly zoneName: string; readonly zoneId: pulumi.Output<string>; readonly acmeEmail: string };
    readonly gitops: { readonly repositoryUrl: string; readonly branch: string };
    readonly kubeloginMode: KubeloginMode;
    readonly sizing: ClusterDefaults;
    readonly tenantDefaults: TenantSettings;
    readonly dataPlane: RegionDataPlane;
    /** environment and region tags. */
    readonly tags: Record<string, string>;
}

export interface TenantClusterArgs {
    readonly services: RegionServices;
    /** Logical cluster name: `shared-<n>` or `dedicated-<tenant>`. */
    readonly clusterName: string;
    readonly subnetId: pulumi.Input<string>;
    readonly tenants: readonly TenantSpec[];
    /** Extra tags on every Azure resource of the cluster (the tenant of a dedicated cluster). */
    readonly extraTags: Record<string, string>;
}

export interface TenantCluster extends AksCluster {
    readonly aksName: string;
}

/** One cluster of the region with its tenants: the building block of SharedCluster and DedicatedTenantCluster alike. */
export function buildTenantCluster(name: string, args: TenantClusterArgs, parent: pulumi.Resource): TenantCluster {
    const { services } = args;
    const aksName = aksClusterName(services.environment, services.regionShortName, args.clusterName);
    const tags = { ...services.tags, [TAG_CLUSTER]: args.clusterName, ...args.extraTags };
    const aks = buildAksCluster(name, {
        aksName,
        resourceGroupName: services.resourceGroupName,
        location: services.location,
        subnetId: args.subnetId,
        sizing: services.sizing,
        adminGroupObjectId: services.adminGroupObjectId,
        deployerObjectId: services.deployerObjectId,
        subscriptionId: services.subscriptionId,
        logAnalyticsWorkspaceId: services.logAnalyticsWorkspaceId,
        kubeloginMode: services.kubeloginMode,
        tags,
    }, parent);
    return { ...aks, aksName };
}

/** The outputs both cluster components expose, in the shape the stack outputs use. */
export function clusterOutputs(cluster: TenantCluster) {
    return {
        aksName: cluster.aksName,
        clusterId: cluster.cluster.id,
        oidcIssuerUrl: cluster.oidcIssuerUrl,
        kubeconfig: cluster.kubeconfig,
    };
}
