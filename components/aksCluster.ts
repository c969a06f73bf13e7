import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as authorization from "@pulumi/azure-native/authorization";
import * as containerservice from "@pulumi/azure-native/containerservice";
import { ClusterDefaults } from "../lib/config";
import { KubeloginMode, nonInteractiveKubeconfig } from "../lib/kubeconfig";
import { CLUSTER_DNS_SERVICE_IP, CLUSTER_POD_CIDR, CLUSTER_SERVICE_CIDR } from "../lib/network";
import { NodePoolSpec, systemPoolSpec, workloadPoolSpecs } from "../lib/nodePools";
import { AZURE_ROLES, roleDefinitionId } from "./azureRoles";

/** Maintenance configurations AKS reads for its two auto-upgrade channels. */
const MAINTENANCE_CONFIGS = ["aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"] as const;
const MAX_PODS_PER_NODE = 110;

export interface AksClusterArgs {
    /** The AKS resource name (`aks-prod-weu-shared-1`). */
    readonly aksName: string;
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    /** The cluster's /24 node subnet. */
    readonly subnetId: pulumi.Input<string>;
    /** Pool sizes, upgrade channels and maintenance window. */
    readonly sizing: ClusterDefaults;
    /** Entra ID group whose members are cluster admins. */
    readonly adminGroupObjectId: pulumi.Input<string>;
    /** The principal running Pulumi; it gets cluster-admin through Azure RBAC to manage Kubernetes objects. */
    readonly deployerObjectId: pulumi.Input<string>;
    readonly subscriptionId: pulumi.Input<string>;
    /** Workspace for Container Insights logs. */
    readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
    /** How the Kubernetes provider signs in with `kubelogin`. */
    readonly kubeloginMode: KubeloginMode;
    /** Tags of every Azure resource of the cluster. */
    readonly tags: Record<string, string>;
}

export interface AksCluster {
    readonly cluster: containerservice.ManagedCluster;
    readonly pools: readonly containerservice.AgentPool[];
    /** The one Kubernetes provider of this cluster; every in-cluster object goes through it. */
    readonly provider: k8s.Provider;
    /** Non-interactive kubeconfig (secret). */
    readonly kubeconfig: pulumi.Output<string>;
    readonly oidcIssuerUrl: pulumi.Output<string>;
}

/**
 * The AKS cluster shape every shared and dedicated cluster uses: Entra ID with Azure RBAC and no local
 * accounts, workload identity with an OIDC issuer, KEDA, the Key Vault CSI driver with rotation,
 * managed Prometheus, Azure CNI overlay with Cilium network policy, auto-upgrade inside a maintenance window,
 * the system pool inline and the workload pools as separate AgentPool resources.
 */
export function buildAksCluster(name: string, args: AksClusterArgs, parent: pulumi.Resource): AksCluster {
    const system = systemPoolSpec(args.sizing);
    const cluster = new containerservice.ManagedCluster(`${name}-aks`, {
        resourceName: args.aksName,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        dnsPrefix: args.aksName,
        kubernetesVersion: args.sizing.kubernetesVersion,
        sku: { name: "Base", tier: args.sizing.tier },
        identity: { type: containerservice.ResourceIdentityType.SystemAssigned },
        enableRBAC: true,
        disableLocalAccounts: true,
        aadProfile: { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: [args.adminGroupObjectId] },
        oidcIssuerProfile: { enabled: true },
        securityProfile: { workloadIdentity: { enabled: true }, imageCleaner: { enabled: true, intervalHours: 48 } },
        workloadAutoScalerProfile: { keda: { enabled: true } },
        addonProfiles: {
            azureKeyvaultSecretsProvider: { enabled: true, config: { enableSecretRotation: "true", rotationPollInterval: "2m" } },
            omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: args.logAnalyticsWorkspaceId, useAADAuth: "true" } },
        },
        azureMonitorProfile: { metrics: { enabled: true, kubeStateMetrics: { metricLabelsAllowlist: "namespaces=[iot-fleet.io/tenant]" } } },
        autoUpgradeProfile: { upgradeChannel: args.sizing.upgradeChannel, nodeOSUpgradeChannel: args.sizing.nodeOsUpgradeChannel },
        networkProfile: {
            networkPlugin: "azure",
            networkPluginMode: "overlay",
            networkDataplane: "cilium",
            networkPolicy: "cilium",
            podCidr: CLUSTER_POD_CIDR,
            serviceCidr: CLUSTER_SERVICE_CIDR,
            dnsServiceIP: CLUSTER_DNS_SERVICE_IP,
            loadBalancerSku: "standard",
            outboundType: "loadBalancer",
        },
        agentPoolProfiles: [{ ...agentPoolProperties(system, args), name: system.poolName, count: system.minCount, enableAutoScaling: false }],
        tags: args.tags,
    }, {
        parent,
        // Auto-upgrade moves these versions; following them would plan a replacement on every refresh.
        ignoreChanges: ["kubernetesVersion", "agentPoolProfiles[*].orchestratorVersion"],
    });

    const clusterScope = { resourceGroupName: args.resourceGroupName, resourceName: cluster.name };
    const pools = workloadPoolSpecs(args.sizing).map(spec => new containerservice.AgentPool(`${name}-pool-${spec.poolName}`, {
        ...clusterScope,
        ...agentPoolProperties(spec, args),
        agentPoolName: spec.poolName,
        count: spec.minCount,
        enableAutoScaling: true,
        minCount: spec.minCount,
        maxCount: spec.maxCount,
    }, { parent, ignoreChanges: ["count", "orchestratorVersion"] }));

    const window = args.sizing.maintenanceWindow;
    for (const configName of MAINTENANCE_CONFIGS) {
        new containerservice.MaintenanceConfiguration(`${name}-${configName}`, {
            ...clusterScope,
            configName,
            maintenanceWindow: {
                schedule: { weekly: { dayOfWeek: window.dayOfWeek, intervalWeeks: 1 } },
                durationHours: window.durationHours,
                startTime: `${String(window.startHour).padStart(2, "0")}:00`,
                utcOffset: "+00:00",
            },
        }, { parent });
    }

    // The deployer may be a user (az login) or a service principal (CI), so principalType stays unset.
    const deployerAdmin = new authorization.RoleAssignment(`${name}-deployer-admin`, {
        scope: cluster.id,
        principalId: args.deployerObjectId,
        roleDefinitionId: roleDefinitionId(args.subscriptionId, AZURE_ROLES.aksRbacClusterAdmin),
    }, { parent });

    const kubeconfig = pulumi.secret(containerservice.listManagedClusterUserCredentialsOutput({
        ...clusterScope,
        format: "exec",
    }, { parent }).apply(credentials =>
        nonInteractiveKubeconfig(Buffer.from(credentials.kubeconfigs[0].value, "base64").toString("utf8"), args.kubeloginMode)));

    const provider = new k8s.Provider(`${name}-k8s`, {
        kubeconfig,
        deleteUnreachable: false,
    }, { parent, dependsOn: [deployerAdmin, ...pools] });

    const oidcIssuerUrl = cluster.oidcIssuerProfile.apply(profile => profile?.issuerURL ?? "");
    return { cluster, pools, provider, kubeconfig, oidcIssuerUrl };
}

function agentPoolProperties(spec: NodePoolSpec, args: AksClusterArgs) {
    return {
        mode: spec.mode,
        vmSize: spec.vmSize,
        availabilityZones: args.sizing.availabilityZones,
        osType: "Linux",
        osSKU: "AzureLinux",
        type: "VirtualMachineScaleSets",
        maxPods: MAX_PODS_PER_NODE,
        vnetSubnetID: args.subnetId,
        nodeLabels: { ...spec.labels },
        nodeTaints: [...spec.taints],
        tags: args.tags,
        ...(spec.spot
            ? { scaleSetPriority: "Spot", scaleSetEvictionPolicy: "Delete", spotMaxPrice: spec.spotMaxPrice }
            : { upgradeSettings: { maxSurge: "33%" } }),
    };
}
