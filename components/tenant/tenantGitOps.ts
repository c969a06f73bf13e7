import * as pulumi from "@pulumi/pulumi";
import { ScopeType } from "@pulumi/azure-native/kubernetesconfiguration";
import { fluxTenantPath } from "../../lib/naming";
import { RegionServices } from "../common/regionServices";
import { createFluxConfiguration, FluxTarget } from "../platform/flux";

export interface TenantGitOpsArgs {
    /** The tenant's name: its namespace and its directory in the fleet repository. Required. */
    readonly tenant: string;
    /** The tenant's namespace, created before the configuration that applies into it. Required. */
    readonly namespace: pulumi.Resource;
    /** The cluster the configuration is written to. Required. */
    readonly cluster: FluxTarget;
    /** The region's services: the fleet repository, the environment and region of the tenant's path. Required. */
    readonly services: RegionServices;
    /** The last ARM write to the cluster before this one: AKS takes one write at a time. Required. */
    readonly afterClusterWrite: pulumi.Resource;
}

/**
 * A namespace-scoped Flux configuration for the tenant's own directory (`fluxTenantPath`): the AKS GitOps extension
 * creates its source and Kustomization in the tenant's namespace and, with multi-tenancy enforced
 * (`multiTenancy.enforce`, pinned on by installFlux), applies them as that namespace's `flux-applier` ServiceAccount,
 * neither as Flux's own cluster-wide identity nor from any other namespace's source (Microsoft Learn, "GitOps Flux v2
 * configurations with AKS and Azure Arc-enabled Kubernetes", Multi-tenancy). An ARM write to the cluster, so it
 * waits for the cluster's previous one.
 */
export function createTenantGitOps(name: string, args: TenantGitOpsArgs, parent: pulumi.Resource) {
    const { services } = args;
    return createFluxConfiguration(
        `${name}-flux-config`,
        {
            cluster: args.cluster,
            name: `tenant-${args.tenant}`,
            namespace: args.tenant,
            scope: ScopeType.Namespace,
            gitops: { ...services.gitops, path: fluxTenantPath(services.environment, services.regionShortName, args.tenant) },
        },
        { parent, dependsOn: [args.namespace, args.afterClusterWrite] },
    );
}
