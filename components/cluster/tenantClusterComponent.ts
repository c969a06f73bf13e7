import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { TenantSpec } from "../../lib/config";
import { TAG_CLUSTER } from "../../lib/labels";
import { DEDICATED_HUB_PARTITIONS, IngestSenderScope } from "../../lib/dataPath";
import { DATA_PLANE_DEFAULTS } from "../../lib/dataPlane";
import { aksNames, fluxClusterPath, tenantCheckpointContainer } from "../../lib/naming";
import { AksCluster, buildAksCluster } from "./aksCluster";
import { ClusterPlatform, ClusterPlatformArgs, EdgeSubnet } from "../platform/clusterPlatform";
import { FluxTarget, fluxTarget } from "../platform/flux";
import { IngestTier } from "../platform/ingestTier";
import { connectContainerInsights, connectManagedPrometheus, MonitoredCluster } from "./clusterMonitoring";
import { RegionServices } from "../common/regionServices";

export interface TenantClusterArgs {
    /** The region's services the cluster plugs into. No default. */
    readonly services: RegionServices;
    /** Logical cluster name: `shared-<n>` or `dedicated-<tenant>`, as placement assigns it. No default. */
    readonly clusterName: string;
    /** The cluster's /24 node subnet. No default. */
    readonly subnetId: pulumi.Input<string>;
    /** The /24 delegated to the cluster's Application Gateway for Containers. No default. */
    readonly edgeSubnet: EdgeSubnet;
    /** The tenants on the cluster, one namespace each. No default. */
    readonly tenants: readonly TenantSpec[];
    /** Extra tags on every Azure resource of the cluster (the tenant of a dedicated cluster). No default; `{}` for none. */
    readonly extraTags: Record<string, string>;
}

/** A cluster with its platform; `lastWrite` is the platform's last ARM write to the cluster, the last of all. */
export interface TenantCluster extends AksCluster {
    readonly aksName: string;
    readonly platform: ClusterPlatform;
    readonly ingest: IngestTier;
}

/** One cluster of the region with its tenants: the building block of SharedCluster and DedicatedTenantCluster alike. */
export function buildTenantCluster(name: string, args: TenantClusterArgs, parent: pulumi.Resource): TenantCluster {
    const { services } = args;
    const names = aksNames(services.environment, services.regionShortName, services.location, args.clusterName);
    const tags = { ...services.tags, [TAG_CLUSTER]: args.clusterName, ...args.extraTags };
    const aks = buildAksCluster(
        name,
        {
            names,
            resourceGroupName: services.resourceGroupName,
            location: services.location,
            subnetId: args.subnetId,
            sizing: services.sizing,
            adminGroupObjectId: services.adminGroupObjectId,
            deployerObjectId: services.deployerObjectId,
            deployerAdmin: services.deployerAdmin,
            subscriptionId: services.subscriptionId,
            logAnalyticsWorkspaceId: services.logAnalyticsWorkspaceId,
            kubeloginMode: services.kubeloginMode,
            tags,
        },
        parent,
    );
    const monitoring: MonitoredCluster = {
        clusterResourceId: aks.cluster.id,
        clusterName: args.clusterName,
        location: services.location,
        resourceGroupName: services.resourceGroupName,
        tags,
    };
    connectManagedPrometheus(name, { ...monitoring, azureMonitorWorkspaceId: services.azureMonitorWorkspaceId }, parent);
    connectContainerInsights(name, { ...monitoring, logAnalyticsWorkspaceId: services.logAnalyticsWorkspaceId }, parent);
    const platformArgs: ClusterPlatformArgs = {
        provider: aks.provider,
        clusterName: args.clusterName,
        aksClusterName: aks.cluster.name,
        afterClusterWrite: aks.lastWrite,
        resourceGroupName: services.resourceGroupName,
        location: services.location,
        oidcIssuerUrl: aks.oidcIssuerUrl,
        tags,
        dns: { ...services.dns, zoneResourceGroupName: services.resourceGroupName },
        gitops: { ...services.gitops, path: fluxClusterPath(services.environment, services.regionShortName, args.clusterName) },
        keyVault: { name: services.keyVault.name, tenantId: services.azureTenantId },
        appInsightsConnectionStringSecret: services.appInsightsConnectionStringSecret,
        subscriptionId: services.subscriptionId,
        edgeSubnet: args.edgeSubnet,
        tenants: args.tenants.map(t => t.name),
    };
    const platform = new ClusterPlatform(`${name}-platform`, platformArgs, { parent });
    const ingest = buildIngestTier(name, args, platformArgs, parent);
    return { ...aks, aksName: names.aksName, platform, ingest, lastWrite: platform.lastClusterWrite };
}

/** The cluster's ingest tier, reading the shared hub or its dedicated tenant's own (`services.dataPath`). */
function buildIngestTier(name: string, args: TenantClusterArgs, platform: ClusterPlatformArgs, parent: pulumi.Resource): IngestTier {
    const { dataPlane, dataPath } = args.services;
    const ingest = dataPath.ingest.find(i => i.cluster === args.clusterName)!;
    const shared = ingest.source === "shared";
    const legacy = shared && dataPath.legacyConsumerGroups.length > 0;
    return new IngestTier(
        `${name}-ingest`,
        {
            platform,
            ingest,
            stream: shared
                ? {
                      namespaceName: dataPlane.eventHubsNamespaceName,
                      namespaceEndpoint: dataPlane.eventHubsEndpoint,
                      eventHubName: dataPlane.eventHubName,
                      eventHubId: dataPlane.eventHubId,
                  }
                : dataPlane.dedicatedStreams[args.tenants[0].name],
            partitionCount: shared ? DATA_PLANE_DEFAULTS.eventHubPartitionCount : DEDICATED_HUB_PARTITIONS,
            checkpoints: {
                accountName: dataPlane.checkpointStorageAccountName,
                accountId: dataPlane.checkpointStorageAccountId,
                blobEndpoint: dataPlane.checkpointBlobEndpoint,
            },
            serviceBus: {
                name: dataPlane.serviceBusNamespaceName,
                id: dataPlane.serviceBusNamespaceId,
                endpoint: dataPlane.serviceBusEndpoint,
            },
            legacyCheckpoints: legacy
                ? Object.fromEntries(
                      Object.keys(ingest.tenantQueues).map(t => [
                          t,
                          pulumi.interpolate`${dataPlane.checkpointBlobEndpoint}${tenantCheckpointContainer(t)}`,
                      ]),
                  )
                : undefined,
        },
        { parent },
    );
}

/**
 * The base of SharedCluster and DedicatedTenantCluster: they differ only in which tenants they hold,
 * their update group and their tags, so both build themselves with `buildTenantCluster`. The constructor
 * builds the cluster and its platform; each tenant's namespace is added later, as a child of the cluster, by
 * `buildTenantLandingZone` (components/tenant/), so that the region can build tenants one at a time
 * (`Region.addLandingZones`). What a tenant owns in the region is not the cluster's: it stays put when the
 * tenant moves to another cluster.
 */
export abstract class TenantClusterComponent extends pulumi.ComponentResource {
    /** The component's name, the prefix of its children's (a tenant's namespace component among them). */
    public readonly componentName: string;
    public readonly clusterName: string;
    public readonly aksName: string;
    public readonly clusterId: pulumi.Output<string>;
    public readonly oidcIssuerUrl: pulumi.Output<string>;
    /** Non-interactive kubeconfig (secret). */
    public readonly kubeconfig: pulumi.Output<string>;
    /** What the cluster's tenants' admins sign in with (no secret): the stack outputs carry it per tenant. */
    public readonly tenantKubeconfig: pulumi.Output<string>;
    /** The cluster's one Kubernetes provider. */
    public readonly provider: k8s.Provider;
    public readonly otlpEndpoint: pulumi.Output<string>;
    /** `<namespace>/<name>` of the cluster's edge Gateway, which tenants' routes name as their parent. */
    public readonly edgeGateway: pulumi.Output<string>;
    /** The subnet the cluster's edge proxies to pods from. Not an output. */
    public readonly edgeSourceCidr: string;
    /** The tenants placement put on the cluster. */
    public readonly tenantNames: readonly string[];
    /** The cluster's ingest tier: its identity delivers to the cluster's tenants' queues. */
    public readonly ingest: IngestTier;
    public readonly ingestPrincipalId: pulumi.Output<string>;
    /** Where the ingest may send (`ingestSenderScope`): a dedicated cluster's tenant grants it its queue. Not an output. */
    public readonly ingestSenderScope: IngestSenderScope;
    /** The identity KEDA reads the cluster's tenants' queue depths as. */
    public readonly kedaScalerClientId: pulumi.Output<string>;
    /** The cluster as its extension resources (Flux configurations) address it. Not an output. */
    public readonly fluxTarget: FluxTarget;
    /** The last ARM write to the cluster this component makes; a later write (its Fleet membership) waits for it. Not an output. */
    public readonly lastClusterWrite: pulumi.Resource;

    protected constructor(type: string, name: string, args: TenantClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, { clusterName: args.clusterName, tenants: args.tenants.map(t => t.name) }, opts);
        const built = buildTenantCluster(name, args, this);
        this.componentName = name;
        this.clusterName = args.clusterName;
        this.aksName = built.aksName;
        this.clusterId = built.cluster.id;
        this.oidcIssuerUrl = built.oidcIssuerUrl;
        this.kubeconfig = built.kubeconfig;
        this.tenantKubeconfig = built.tenantKubeconfig;
        this.provider = built.provider;
        this.otlpEndpoint = built.platform.otlpEndpoint;
        this.edgeGateway = built.platform.gateway;
        this.edgeSourceCidr = args.edgeSubnet.cidr;
        this.tenantNames = args.tenants.map(t => t.name);
        this.lastClusterWrite = built.lastWrite;
        this.ingest = built.ingest;
        this.ingestPrincipalId = built.ingest.identityPrincipalId;
        this.ingestSenderScope = built.ingest.senderScope;
        this.kedaScalerClientId = built.ingest.scalerClientId;
        this.fluxTarget = fluxTarget(args.services.resourceGroupName, built.cluster.name);
        this.registerOutputs({
            clusterName: this.clusterName,
            aksName: this.aksName,
            clusterId: this.clusterId,
            oidcIssuerUrl: this.oidcIssuerUrl,
            kubeconfig: this.kubeconfig,
            tenantKubeconfig: this.tenantKubeconfig,
            otlpEndpoint: this.otlpEndpoint,
            edgeGateway: this.edgeGateway,
            tenants: this.tenantNames,
        });
    }
}
