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
    const cluster = {
        resourceGroupName: args.resourceGroupName,
        clusterRp: "Microsoft.ContainerService",
        clusterResourceName: "managedClusters",
        clusterName: args.aksClusterName,
    };
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
    return new kubernetesconfiguration.FluxConfiguration(
        `${ctx.name}-flux-config`,
        {
            ...cluster,
            fluxConfigurationName: FLUX_CONFIGURATION_NAME,
            namespace: FLUX_NAMESPACE,
            scope: kubernetesconfiguration.ScopeType.Cluster,
            sourceKind: kubernetesconfiguration.SourceKindType.GitRepository,
            gitRepository: {
                url: args.gitops.repositoryUrl,
                repositoryRef: { branch: args.gitops.branch },
                syncIntervalInSeconds: FLUX_SYNC_INTERVAL_SECONDS,
                timeoutInSeconds: FLUX_TIMEOUT_SECONDS,
            },
            kustomizations: {
                cluster: {
                    path: args.gitops.path,
                    prune: true,
                    syncIntervalInSeconds: FLUX_SYNC_INTERVAL_SECONDS,
                    timeoutInSeconds: FLUX_TIMEOUT_SECONDS,
                },
            },
        },
        { parent: ctx.parent, dependsOn: [extension] },
    );
}
