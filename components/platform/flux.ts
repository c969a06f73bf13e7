import * as pulumi from "@pulumi/pulumi";
import * as kubernetesconfiguration from "@pulumi/azure-native/kubernetesconfiguration";
import { PlatformContext } from "./platformContext";

const FLUX_NAMESPACE = "flux-system";
export const FLUX_CONFIGURATION_NAME = "fleet";
const FLUX_SYNC_INTERVAL_SECONDS = 120;
const FLUX_TIMEOUT_SECONDS = 600;

/**
 * The AKS GitOps extension and one cluster-scoped Flux configuration reconciling the cluster's directory. Both are
 * ARM writes to the cluster, which AKS takes one at a time: the extension waits for the cluster's last write before
 * it, the configuration for the extension, and the configuration is the platform's last write to the cluster.
 */
export function installFlux(ctx: PlatformContext): kubernetesconfiguration.FluxConfiguration {
    const { args } = ctx;
    const cluster = fluxTarget(args.resourceGroupName, args.aksClusterName);
    const extension = new kubernetesconfiguration.Extension(
        `${ctx.name}-flux`,
        {
            ...cluster,
            extensionName: "flux",
            extensionType: "microsoft.flux",
            autoUpgradeMinorVersion: true,
            releaseTrain: "Stable",
            scope: { cluster: { releaseNamespace: FLUX_NAMESPACE } },
            // The extension's default, pinned so that no update opts out: Flux refuses cross-namespace source references
            // and applies as the `flux-applier` ServiceAccount of each configuration's namespace, not as its controllers
            // (Microsoft Learn, "GitOps Flux v2 configurations with AKS and Azure Arc-enabled Kubernetes", Multi-tenancy).
            configurationSettings: { "multiTenancy.enforce": "true" },
        },
        { parent: ctx.parent, dependsOn: [args.afterClusterWrite] },
    );
    return createFluxConfiguration(
        `${ctx.name}-flux-config`,
        {
            cluster,
            name: FLUX_CONFIGURATION_NAME,
            namespace: FLUX_NAMESPACE,
            scope: kubernetesconfiguration.ScopeType.Cluster,
            gitops: args.gitops,
        },
        { parent: ctx.parent, dependsOn: [extension] },
    );
}

/** The AKS cluster an extension resource is written to. */
export interface FluxTarget {
    readonly resourceGroupName: pulumi.Input<string>;
    readonly clusterRp: string;
    readonly clusterResourceName: string;
    readonly clusterName: pulumi.Input<string>;
}

/** The AKS cluster of that name in that resource group, as extension resources address it. */
export const fluxTarget = (resourceGroupName: pulumi.Input<string>, clusterName: pulumi.Input<string>): FluxTarget => ({
    resourceGroupName,
    clusterRp: "Microsoft.ContainerService",
    clusterResourceName: "managedClusters",
    clusterName,
});

/** A Flux configuration reconciling one path of the fleet repository, cluster-wide or into one namespace. */
export function createFluxConfiguration(
    name: string,
    args: {
        readonly cluster: FluxTarget;
        readonly name: string;
        readonly namespace: pulumi.Input<string>;
        readonly scope: kubernetesconfiguration.ScopeType;
        readonly gitops: { readonly repositoryUrl: string; readonly branch: string; readonly path: string };
    },
    opts: pulumi.CustomResourceOptions,
): kubernetesconfiguration.FluxConfiguration {
    return new kubernetesconfiguration.FluxConfiguration(
        name,
        {
            ...args.cluster,
            fluxConfigurationName: args.name,
            namespace: args.namespace,
            scope: args.scope,
            sourceKind: kubernetesconfiguration.SourceKindType.GitRepository,
            gitRepository: {
                url: args.gitops.repositoryUrl,
                repositoryRef: { branch: args.gitops.branch },
                syncIntervalInSeconds: FLUX_SYNC_INTERVAL_SECONDS,
                timeoutInSeconds: FLUX_TIMEOUT_SECONDS,
            },
            kustomizations: {
                [args.scope === kubernetesconfiguration.ScopeType.Cluster ? "cluster" : "tenant"]: {
                    path: args.gitops.path,
                    prune: true,
                    syncIntervalInSeconds: FLUX_SYNC_INTERVAL_SECONDS,
                    timeoutInSeconds: FLUX_TIMEOUT_SECONDS,
                },
            },
        },
        opts,
    );
}
