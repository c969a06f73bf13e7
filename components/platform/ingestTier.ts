import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as eventhub from "@pulumi/azure-native/eventhub";
import * as storage from "@pulumi/azure-native/storage";
import {
    ClusterIngest,
    INGEST_UNPROCESSED_EVENT_THRESHOLD,
    IngestSenderScope,
    ingestReplicas,
    TENANT_MESSAGE_PROPERTY,
} from "../../lib/dataPath";
import { WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION } from "../../lib/labels";
import { AZURE_ROLES } from "../common/azureRoles";
import { KedaPlacement, scaledObject, scaledObjectName, triggerAuthentication } from "../common/kedaObjects";
import { EventStreamEndpoints } from "../common/regionServices";
import { federatedWorkloadIdentity, KEDA_OPERATOR_ACCOUNT, WorkloadIdentity } from "../common/workloadIdentity";
import { ClusterPlatformArgs, PLATFORM_LABELS, PlatformContext, optionsIn, platformNamespace } from "./platformContext";
import { COMPONENT_TYPES } from "../../lib/componentTypes";

export const INGEST_NAMESPACE = "telemetry-ingest";
/** The Deployment (not this program's: the fleet repository's) and the ServiceAccount it runs as. */
export const INGEST_DEPLOYMENT = "telemetry-ingest";
export const INGEST_CONFIG_MAP = "ingest-config";
/** One consumer per partition of a 32-partition hub, one rolling-update surge, at the LimitRange defaults. */
const INGEST_QUOTA = { cpu: "24", memory: "24Gi", pods: 40 };
/** EventProcessorClient keeps its checkpoints in blob metadata, which KEDA's lag reader must match. */
const CHECKPOINT_STRATEGY = "blobMetadata";

export interface IngestTierArgs {
    /** The cluster's platform arguments: provider, cluster name, OIDC issuer, resource group, tags. Required. */
    readonly platform: ClusterPlatformArgs;
    /** What the cluster's ingest reads and where it delivers (`dataPath(...).ingest`). Required. */
    readonly ingest: ClusterIngest;
    /** The hub it reads: the shared one, or the cluster's dedicated tenant's own. Required. */
    readonly stream: EventStreamEndpoints;
    /** Partitions of that hub: the most consumers that do work. Required. */
    readonly partitionCount: number;
    /** The region's checkpoint account. Required. */
    readonly checkpoints: {
        readonly accountName: pulumi.Input<string>;
        readonly accountId: pulumi.Input<string>;
        readonly blobEndpoint: pulumi.Input<string>;
    };
    /** The region's Service Bus namespace: its name, id and fully qualified endpoint. Required. */
    readonly serviceBus: {
        readonly name: pulumi.Input<string>;
        readonly id: pulumi.Input<string>;
        readonly endpoint: pulumi.Input<string>;
    };
    /**
     * Migration phase 1 only: tenant -> URL of its pre-migration checkpoint container, from which the ingest seeds
     * its start per tenant; the ingest may then read the checkpoint account. Default: none.
     */
    readonly legacyCheckpoints?: Readonly<Record<string, pulumi.Input<string>>>;
}

/**
 * A cluster's ingest tier: the only principal besides ADX that receives from the hub it reads. A guarded platform
 * namespace, an identity federated to the ingest ServiceAccount and KEDA's operator (which reads the hub's lag as it),
 * its own consumer group and checkpoint container, KEDA scaling on consumer lag, and the `ingest-config` ConfigMap
 * with the tenant -> queue map of this cluster. The ingest sends each tenant's messages to its queue: a shared
 * cluster's holds *Data Sender* on the Service Bus namespace (one role assignment, not one per tenant), a dedicated
 * cluster's on its tenant's queue alone, granted with the tenant's namespace (`TenantNamespace`).
 * Also the cluster's KEDA scaler identity, which tenants' processors scale through: Monitoring Reader on the
 * Service Bus namespace and nothing else.
 */
export class IngestTier extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    public readonly identityClientId: pulumi.Output<string>;
    /** The principal that sends to the tenants' queues. */
    public readonly identityPrincipalId: pulumi.Output<string>;
    public readonly consumerGroup: pulumi.Output<string>;
    public readonly checkpointContainerUrl: pulumi.Output<string>;
    public readonly eventHubName: pulumi.Output<string>;
    public readonly tenantQueues: Readonly<Record<string, string>>;
    /** The identity KEDA's operator reads tenants' queue depths as. */
    public readonly scalerClientId: pulumi.Output<string>;
    /** Where the ingest identity may send; a dedicated cluster's is granted its tenant's queue by the tenant's namespace. Not an output. */
    public readonly senderScope: IngestSenderScope;

    constructor(name: string, args: IngestTierArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.ingestTier, name, {}, opts);
        const { platform, ingest, stream } = args;
        const ctx: PlatformContext = { name, args: platform, parent: this, k8sOpts: { parent: this, provider: platform.provider } };
        const azure = { parent: this };
        const namespace = platformNamespace(ctx, INGEST_NAMESPACE, { podSecurity: "restricted", quota: INGEST_QUOTA });

        const consumerGroup = new eventhub.ConsumerGroup(
            `${name}-cg`,
            {
                resourceGroupName: platform.resourceGroupName,
                namespaceName: stream.namespaceName,
                eventHubName: stream.eventHubName,
                consumerGroupName: ingest.consumerGroup,
            },
            azure,
        );
        const checkpoints = new storage.BlobContainer(
            `${name}-checkpoints`,
            {
                containerName: ingest.checkpointContainer,
                accountName: args.checkpoints.accountName,
                resourceGroupName: platform.resourceGroupName,
                publicAccess: storage.PublicAccess.None,
            },
            azure,
        );
        const identity = this.identity(name, args, [
            // On the hub, not the consumer group: EventProcessorClient and KEDA read hub and partition properties,
            // which a consumer-group scope refuses ("Listen claim required").
            { role: "event-hub", scope: stream.eventHubId, roleGuid: AZURE_ROLES.eventHubsDataReceiver },
            { role: "checkpoints", scope: checkpoints.id, roleGuid: AZURE_ROLES.storageBlobDataContributor },
            ...(args.legacyCheckpoints
                ? [{ role: "legacy-checkpoints", scope: args.checkpoints.accountId, roleGuid: AZURE_ROLES.storageBlobDataReader }]
                : []),
            // One grant for every tenant of a shared cluster, send only (`ingestSenderScope` says why the namespace); a
            // dedicated cluster's ingest is granted its tenant's queue alone, with the tenant's namespace.
            ...(ingest.senderScope === "service-bus-namespace"
                ? [{ role: "service-bus-sender", scope: args.serviceBus.id, roleGuid: AZURE_ROLES.serviceBusDataSender }]
                : []),
        ]);
        const scaler = federatedWorkloadIdentity(
            `${name}-keda-scaler`,
            {
                ...identityPlace(platform, "keda-scaler"),
                serviceAccounts: [KEDA_OPERATOR_ACCOUNT],
                roles: [{ role: "service-bus-metrics", scope: args.serviceBus.id, roleGuid: AZURE_ROLES.monitoringReader }],
            },
            azure,
        );

        const checkpointContainerUrl = pulumi.interpolate`${args.checkpoints.blobEndpoint}${checkpoints.name}`;
        const inNamespace = optionsIn(ctx, namespace);
        const at: KedaPlacement = { namespace: namespace.guardrails.namespace.metadata.name, labels: PLATFORM_LABELS };
        new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            {
                metadata: {
                    name: INGEST_DEPLOYMENT,
                    namespace: at.namespace,
                    labels: PLATFORM_LABELS,
                    annotations: { [WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]: identity.identity.clientId },
                },
            },
            inNamespace,
        );
        new k8s.core.v1.ConfigMap(
            `${name}-config`,
            {
                metadata: { name: INGEST_CONFIG_MAP, namespace: at.namespace, labels: PLATFORM_LABELS },
                data: {
                    AZURE_CLIENT_ID: identity.identity.clientId,
                    EVENT_HUBS_NAMESPACE: stream.namespaceEndpoint,
                    EVENT_HUB_NAME: stream.eventHubName,
                    EVENT_HUBS_CONSUMER_GROUP: consumerGroup.name,
                    CHECKPOINT_BLOB_CONTAINER_URL: checkpointContainerUrl,
                    SERVICE_BUS_NAMESPACE: args.serviceBus.endpoint,
                    // The application property IoT Hub stamps with the device's tenant; a message of a tenant not in
                    // TENANT_QUEUES belongs to another cluster (or no tenant) and is skipped, never delivered.
                    TENANT_PROPERTY: TENANT_MESSAGE_PROPERTY,
                    TENANT_QUEUES: JSON.stringify(ingest.tenantQueues),
                    ...(args.legacyCheckpoints
                        ? { LEGACY_CHECKPOINT_CONTAINERS: pulumi.output(args.legacyCheckpoints).apply(urls => JSON.stringify(urls)) }
                        : {}),
                },
            },
            inNamespace,
        );
        triggerAuthentication(`${name}-keda-auth`, at, identity.identity.clientId, inNamespace);
        new k8s.apiextensions.CustomResource(
            `${name}-scale`,
            scaledObject(at, scaledObjectName(INGEST_DEPLOYMENT), INGEST_DEPLOYMENT, ingestReplicas(args.partitionCount), {
                type: "azure-eventhub",
                metadata: {
                    eventHubNamespace: stream.namespaceName,
                    eventHubName: stream.eventHubName,
                    consumerGroup: consumerGroup.name,
                    unprocessedEventThreshold: String(INGEST_UNPROCESSED_EVENT_THRESHOLD),
                    storageAccountName: args.checkpoints.accountName,
                    blobContainer: checkpoints.name,
                    checkpointStrategy: CHECKPOINT_STRATEGY,
                },
            }),
            inNamespace,
        );

        this.namespace = at.namespace as pulumi.Output<string>;
        this.identityClientId = identity.identity.clientId;
        this.identityPrincipalId = identity.identity.principalId;
        this.consumerGroup = consumerGroup.name;
        this.checkpointContainerUrl = checkpointContainerUrl;
        this.eventHubName = stream.eventHubName;
        this.tenantQueues = ingest.tenantQueues;
        this.scalerClientId = scaler.identity.clientId;
        this.senderScope = ingest.senderScope;
        this.registerOutputs({
            namespace: this.namespace,
            identityClientId: this.identityClientId,
            identityPrincipalId: this.identityPrincipalId,
            consumerGroup: this.consumerGroup,
            checkpointContainerUrl: this.checkpointContainerUrl,
            eventHubName: this.eventHubName,
            tenantQueues: this.tenantQueues,
            scalerClientId: this.scalerClientId,
        });
    }

    /** The ingest identity, federated to the ingest ServiceAccount and to KEDA's operator (the lag trigger signs in as it). */
    private identity(
        name: string,
        args: IngestTierArgs,
        roles: Parameters<typeof federatedWorkloadIdentity>[1]["roles"],
    ): WorkloadIdentity {
        return federatedWorkloadIdentity(
            `${name}-identity`,
            {
                ...identityPlace(args.platform, "ingest"),
                serviceAccounts: [{ namespace: INGEST_NAMESPACE, name: INGEST_DEPLOYMENT }, KEDA_OPERATOR_ACCOUNT],
                roles,
            },
            { parent: this },
        );
    }
}

/** Where a cluster's identity goes and what it trusts: named after the cluster, as every platform identity. */
const identityPlace = (platform: ClusterPlatformArgs, role: string) => ({
    identityName: `id-${platform.clusterName}-${role}`,
    resourceGroupName: platform.resourceGroupName,
    location: platform.location,
    subscriptionId: platform.subscriptionId,
    issuerUrl: platform.oidcIssuerUrl,
    tags: platform.tags,
});
