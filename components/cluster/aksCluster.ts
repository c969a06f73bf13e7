import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as containerservice from "@pulumi/azure-native/containerservice";
import { ClusterDefaults } from "../../lib/config";
import { KubeloginMode, nonInteractiveKubeconfig } from "../../lib/kubeconfig";
import { CLUSTER_DNS_SERVICE_IP, CLUSTER_POD_CIDR, CLUSTER_SERVICE_CIDR } from "../../lib/network";
import { NodePoolSpec, systemPoolSpec, workloadPoolSpecs } from "../../lib/nodePools";
import { AksNames } from "../../lib/naming";
import { apiServerAccessProfile } from "../../lib/apiServerAccess";
import { AZURE_ROLES, assignDeployerRole, assignRole, systemPrincipalId } from "../common/azureRoles";
import { MEMBER_CLUSTER_UPGRADE_CHANNEL, memberNodeOsUpgradeChannel } from "./fleetManager";

/** The maintenance windows of Kubernetes and node OS upgrades, honoured by AKS and by Fleet Manager update runs alike. */
const MAINTENANCE_CONFIGS = ["aksManagedAutoUpgradeSchedule", "aksManagedNodeOSUpgradeSchedule"] as const;
const MAX_PODS_PER_NODE = 110;
/** Tenant admins are people: `az login`, then kubectl (`kubelogin convert-kubeconfig -l <mode>` picks another mode). */
const TENANT_ADMIN_KUBELOGIN: KubeloginMode = "azurecli";

export interface AksClusterArgs {
    /** The AKS resource name, DNS prefix and node resource group, from `aksNames` (all fixed at creation). No default. */
    readonly names: AksNames;
    /** Resource group of the cluster. No default. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Azure region of the cluster. No default. */
    readonly location: string;
    /** The cluster's /24 node subnet; the cluster's identity is made Network Contributor on it. No default. */
    readonly subnetId: pulumi.Input<string>;
    /** Pool sizes, node OS upgrade channel, maintenance window and API server access (`clusterDefaults`). No default. */
    readonly sizing: ClusterDefaults;
    /** Entra ID group whose members are cluster admins. No default. */
    readonly adminGroupObjectId: pulumi.Input<string>;
    /** The principal running Pulumi; it gets cluster-admin through Azure RBAC to manage Kubernetes objects. No default. */
    readonly deployerObjectId: pulumi.Input<string>;
    /** What makes the deployer a member of the admin group; the Kubernetes provider waits for it. No default. */
    readonly deployerAdmin: pulumi.Resource;
    /** Subscription of the role definitions. No default. */
    readonly subscriptionId: pulumi.Input<string>;
    /** Workspace for Container Insights logs. No default. */
    readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
    /** How the Kubernetes provider signs in with `kubelogin`. No default. */
    readonly kubeloginMode: KubeloginMode;
    /** Tags of every Azure resource of the cluster. No default. */
    readonly tags: Record<string, string>;
}

export interface AksCluster {
    readonly cluster: containerservice.ManagedCluster;
    readonly pools: readonly containerservice.AgentPool[];
    /** The one Kubernetes provider of this cluster; every in-cluster object goes through it. */
    readonly provider: k8s.Provider;
    /** Non-interactive kubeconfig (secret). */
    readonly kubeconfig: pulumi.Output<string>;
    /** The kubeconfig tenant admins sign in with (`kubelogin`, Azure CLI login); it holds no secret. */
    readonly tenantKubeconfig: pulumi.Output<string>;
    readonly oidcIssuerUrl: pulumi.Output<string>;
    /**
     * The last of the ARM writes this builder makes to the cluster (its pools, then its maintenance windows):
     * every later write to the cluster (extensions, Fleet membership) waits for it.
     */
    readonly lastWrite: pulumi.Resource;
}

/**
 * The AKS cluster shape every shared and dedicated cluster uses: Entra ID with Azure RBAC and no local
 * accounts, workload identity with an OIDC issuer, KEDA, the Key Vault CSI driver with rotation,
 * managed Prometheus, Azure CNI overlay with Cilium network policy, auto-upgrade inside a maintenance window,
 * the system pool inline and the workload pools as separate AgentPool resources.
 */
export function buildAksCluster(name: string, args: AksClusterArgs, parent: pulumi.Resource): AksCluster {
    const system = systemPoolSpec(args.sizing);
    const cluster = new containerservice.ManagedCluster(
        `${name}-aks`,
        {
            resourceName: args.names.aksName,
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            dnsPrefix: args.names.dnsPrefix,
            nodeResourceGroup: args.names.nodeResourceGroup,
            kubernetesVersion: args.sizing.kubernetesVersion,
            sku: { name: "Base", tier: args.sizing.tier },
            identity: { type: containerservice.ResourceIdentityType.SystemAssigned },
            enableRBAC: true,
            disableLocalAccounts: true,
            aadProfile: { managed: true, enableAzureRBAC: true, adminGroupObjectIDs: [args.adminGroupObjectId] },
            oidcIssuerProfile: { enabled: true },
            apiServerAccessProfile: apiServerAccessProfile(args.sizing.apiServerAccess),
            securityProfile: { workloadIdentity: { enabled: true }, imageCleaner: { enabled: true, intervalHours: 48 } },
            workloadAutoScalerProfile: { keda: { enabled: true } },
            addonProfiles: {
                azureKeyvaultSecretsProvider: { enabled: true, config: { enableSecretRotation: "true", rotationPollInterval: "2m" } },
                omsagent: { enabled: true, config: { logAnalyticsWorkspaceResourceID: args.logAnalyticsWorkspaceId, useAADAuth: "true" } },
            },
            azureMonitorProfile: {
                metrics: { enabled: true, kubeStateMetrics: { metricLabelsAllowlist: "namespaces=[iot-fleet.io/tenant]" } },
            },
            autoUpgradeProfile: {
                upgradeChannel: MEMBER_CLUSTER_UPGRADE_CHANNEL,
                nodeOSUpgradeChannel: memberNodeOsUpgradeChannel(args.sizing.nodeOsUpgradeChannel),
            },
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
                // Container network security (ACNS): Cilium enforces the tenants' Entra ID sign-in rule by name (FQDN
                // filtering, priced per node in lib/cost). Its observability half (Hubble metrics) is not bought.
                advancedNetworking: {
                    enabled: true,
                    observability: { enabled: false },
                    security: { enabled: true, advancedNetworkPolicies: "FQDN" },
                },
            },
            agentPoolProfiles: [
                { ...agentPoolProperties(system, args), name: system.poolName, count: system.minCount, enableAutoScaling: false },
            ],
            tags: args.tags,
        },
        {
            parent,
            // Fleet upgrades move the Kubernetes version behind Pulumi's back; following it would plan a downgrade or a
            // replacement after every refresh. A refresh also writes every pool of the cluster, the AgentPool resources'
            // too, into `agentPoolProfiles` (pulumi-azure-native #1686, #2719, #4264), and the next `up` would PUT the
            // system pool alone; the create still sends it, since ignoreChanges applies only once the cluster exists.
            // A system pool change is then made as README's "Changing an existing cluster's system pool" says. The node
            // resource group is fixed at creation: clusters made before it was set keep AKS's default instead of being replaced.
            ignoreChanges: ["kubernetesVersion", "agentPoolProfiles", "nodeResourceGroup"],
        },
    );

    const clusterScope = { resourceGroupName: args.resourceGroupName, resourceName: cluster.name };
    // AKS refuses a write while another operation on the cluster runs (409 OperationNotAllowed, Azure/AKS#1913) and
    // azure-native does not retry it, so every write to the cluster waits for the one before: pools one after
    // another (as Azure/terraform-azurerm-avm-ptn-aks-production#25 does), then the maintenance windows.
    let lastWrite: pulumi.Resource = cluster;
    const afterLastWrite = () => ({ parent, dependsOn: [lastWrite] });
    const pools = workloadPoolSpecs(args.sizing).map(
        spec =>
            (lastWrite = new containerservice.AgentPool(
                `${name}-pool-${spec.poolName}`,
                {
                    ...clusterScope,
                    ...agentPoolProperties(spec, args),
                    agentPoolName: spec.poolName,
                    count: spec.minCount,
                    enableAutoScaling: true,
                    minCount: spec.minCount,
                    maxCount: spec.maxCount,
                },
                { ...afterLastWrite(), ignoreChanges: ["count", "orchestratorVersion"] },
            )),
    );

    const window = args.sizing.maintenanceWindow;
    for (const configName of MAINTENANCE_CONFIGS) {
        lastWrite = new containerservice.MaintenanceConfiguration(
            `${name}-${configName}`,
            {
                ...clusterScope,
                configName,
                maintenanceWindow: {
                    schedule: { weekly: { dayOfWeek: window.dayOfWeek, intervalWeeks: 1 } },
                    durationHours: window.durationHours,
                    startTime: `${String(window.startHour).padStart(2, "0")}:00`,
                    utcOffset: "+00:00",
                },
            },
            afterLastWrite(),
        );
    }

    const deployerAdmin = assignDeployerRole(
        `${name}-deployer-admin`,
        args.deployerObjectId,
        args.subscriptionId,
        { scope: cluster.id, roleGuid: AZURE_ROLES.aksRbacClusterAdmin },
        { parent },
    );

    const userKubeconfig = containerservice
        .listManagedClusterUserCredentialsOutput({ ...clusterScope, format: "exec" }, { parent })
        .apply(credentials => Buffer.from(credentials.kubeconfigs[0].value, "base64").toString("utf8"));
    const kubeconfig = pulumi.secret(userKubeconfig.apply(user => nonInteractiveKubeconfig(user, args.kubeloginMode)));
    // Server, CA and a kubelogin exec user: no secret (Entra ID integration, local accounts disabled), so it is
    // handed to the tenants' admins in the stack outputs instead of an Azure role to list it themselves.
    const tenantKubeconfig = pulumi.unsecret(userKubeconfig.apply(user => nonInteractiveKubeconfig(user, TENANT_ADMIN_KUBELOGIN)));

    // Load balancers and node NICs in a subnet of the region's VNet need the cluster to hold network rights on it.
    assignRole(
        `${name}-subnet-network-contributor`,
        systemPrincipalId(cluster),
        args.subscriptionId,
        { scope: args.subnetId, roleGuid: AZURE_ROLES.networkContributor },
        { parent },
    );

    const provider = new k8s.Provider(
        `${name}-k8s`,
        {
            kubeconfig,
            deleteUnreachable: false,
        },
        { parent, dependsOn: [deployerAdmin, args.deployerAdmin, ...pools] },
    );

    const oidcIssuerUrl = cluster.oidcIssuerProfile.apply(profile => profile?.issuerURL ?? "");
    return { cluster, pools, provider, kubeconfig, tenantKubeconfig, oidcIssuerUrl, lastWrite };
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
