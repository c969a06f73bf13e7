import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import * as k8s from "@pulumi/kubernetes";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as servicebus from "@pulumi/azure-native/servicebus";
import * as storage from "@pulumi/azure-native/storage";
import { TenantSettings, TenantSpec } from "../lib/config";
import {
    DECOMMISSION_LABEL, DEVICE_QUOTA_ANNOTATION, TAG_CLUSTER, TAG_TENANT, TENANT_LABEL, WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION,
} from "../lib/labels";
import { tenantCheckpointContainer, tenantQueueName, tenantVaultNamePrefix } from "../lib/naming";
import { AZURE_ROLES, assignGroupRole } from "./azureRoles";
import { createNamespaceGuardrails } from "./namespaceGuardrails";
import { TENANT_ATTRIBUTE } from "./platformCharts";
import { RegionServices } from "./tenantCluster";
import { federatedWorkloadIdentity } from "./workloadIdentity";
import { createTenantScaling } from "./tenantScaling";

/** The service account the tenant's telemetry workloads run as. */
export const TENANT_SERVICE_ACCOUNT = "telemetry";
/** KEDA's operator (the AKS add-on) acts as the tenant identity to read queue depth and consumer lag. */
const KEDA_OPERATOR = { namespace: "kube-system", name: "keda-operator" };
export const TELEMETRY_CONFIG_MAP = "telemetry-config";

/** A processor holds a message this long before it is redelivered to another replica; a batch takes seconds. */
const QUEUE_LOCK_DURATION = "PT1M";
/** Deliveries before a message is dead-lettered, so that a poison message stops being retried. */
const QUEUE_MAX_DELIVERY_COUNT = 10;
/** Telemetry older than a day is too stale to process; expired messages are dead-lettered, not dropped. */
const QUEUE_MESSAGE_TIME_TO_LIVE = "P1D";

export interface TenantNamespaceArgs {
    /** The tenant as the stack file declares it. Required. */
    readonly tenant: TenantSpec;
    /** The tenant's effective settings: defaults with its overrides applied. Required. */
    readonly settings: TenantSettings;
    /** The region's services (data plane, Key Vault, tags). Required. */
    readonly services: RegionServices;
    /** Logical name of the cluster the tenant runs on. Required. */
    readonly clusterName: string;
    /** Azure resource id of that cluster: its admins get the cluster user role on it. Required. */
    readonly clusterResourceId: pulumi.Input<string>;
    /** The cluster's one Kubernetes provider. Required. */
    readonly provider: k8s.Provider;
    /** The cluster's OIDC issuer, trusted by the tenant identity's federated credentials. Required. */
    readonly oidcIssuerUrl: pulumi.Input<string>;
    /** Where workloads send OTLP. Required. */
    readonly otlpEndpoint: pulumi.Input<string>;
}

/**
 * A tenant's landing zone on a cluster: an isolated namespace, its own managed identity federated to its
 * service account, its own queue, checkpoint container and Key Vault with roles scoped to them only,
 * KEDA scaling on queue depth and consumer lag, an Entra ID admin group, and the config its services read.
 * Namespace, identity, queue, checkpoints and vault are protected until the tenant is marked `decommission: true`.
 */
export class TenantNamespace extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    public readonly identityClientId: pulumi.Output<string>;
    public readonly queueName: pulumi.Output<string>;
    public readonly consumerGroup: pulumi.Output<string>;
    public readonly checkpointContainer: pulumi.Output<string>;
    public readonly checkpointContainerUrl: pulumi.Output<string>;
    public readonly keyVaultUri: pulumi.Output<string>;
    public readonly adminGroupObjectId: pulumi.Output<string>;

    constructor(name: string, args: TenantNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        const { tenant } = args;
        // The component's own inputs tell policies whose resources lie below it and in what lifecycle state.
        super("iot-fleet:index:TenantNamespace", name, {
            tenant: tenant.name, cluster: args.clusterName, deviceQuota: tenant.deviceQuota, decommission: tenant.decommission,
        }, opts);
        const ctx: TenantContext = {
            name,
            args,
            labels: { [TENANT_LABEL]: tenant.name },
            tags: { ...args.services.tags, [TAG_TENANT]: tenant.name, [TAG_CLUSTER]: args.clusterName },
            azure: { parent: this },
            kube: { parent: this, provider: args.provider },
            keep: { protect: !tenant.decommission },
        };
        const namespace = createTenantNamespace(ctx);
        const data = createTenantData(ctx);
        const identityClientId = createTenantIdentity(ctx, namespace, data);
        const adminGroupObjectId = createTenantAdmins(ctx, namespace, data.vault);
        const dataPlane = args.services.dataPlane;
        createTenantScaling(name, {
            namespace, labels: ctx.labels, settings: args.settings, identityClientId,
            queueName: data.queue.name, serviceBusNamespace: dataPlane.serviceBusNamespaceName,
            eventHubNamespace: dataPlane.eventHubsNamespaceName, eventHubName: dataPlane.eventHubName,
            consumerGroup: dataPlane.consumerGroups[tenant.name], storageAccountName: dataPlane.checkpointStorageAccountName,
            blobContainer: data.checkpoints.name,
        }, ctx.kube);

        this.namespace = namespace;
        this.identityClientId = identityClientId;
        this.queueName = data.queue.name;
        this.consumerGroup = dataPlane.consumerGroups[tenant.name];
        this.checkpointContainer = data.checkpoints.name;
        this.checkpointContainerUrl = pulumi.interpolate`${dataPlane.checkpointBlobEndpoint}${this.checkpointContainer}`;
        this.keyVaultUri = data.vault.properties.apply(p => p.vaultUri ?? "");
        this.adminGroupObjectId = adminGroupObjectId;
        createTelemetryConfig(ctx, namespace, this);

        this.registerOutputs({
            namespace: this.namespace, identityClientId: this.identityClientId, queueName: this.queueName,
            consumerGroup: this.consumerGroup, checkpointContainer: this.checkpointContainer,
            checkpointContainerUrl: this.checkpointContainerUrl,
            keyVaultUri: this.keyVaultUri, adminGroupObjectId: this.adminGroupObjectId,
            // Stack policies see a component's outputs, not its inputs: they tell whose resources lie below it.
            tenant: tenant.name, cluster: args.clusterName, deviceQuota: tenant.deviceQuota, decommission: tenant.decommission,
        });
    }
}

/** What every part of a tenant's landing zone is built with. */
interface TenantContext {
    /** The component's name, the prefix of every child's. */
    readonly name: string;
    readonly args: TenantNamespaceArgs;
    /** The tenant label, on every Kubernetes object. */
    readonly labels: Record<string, string>;
    /** The region's tags plus tenant and cluster, on every taggable Azure resource. */
    readonly tags: Record<string, pulumi.Input<string>>;
    /** Options of Azure resources: the component as parent. */
    readonly azure: pulumi.CustomResourceOptions;
    /** Options of Kubernetes objects: the component as parent, the cluster's provider. */
    readonly kube: pulumi.CustomResourceOptions;
    /** Protection of what holds the tenant's data or identity, lifted only while the tenant is decommissioned. */
    readonly keep: pulumi.CustomResourceOptions;
}

interface TenantData {
    readonly queue: servicebus.Queue;
    readonly checkpoints: storage.BlobContainer;
    readonly vault: keyvault.Vault;
}

/** The namespace with its guardrails; its name once the Namespace exists. */
function createTenantNamespace(ctx: TenantContext): pulumi.Output<string> {
    const { tenant, settings } = ctx.args;
    const guardrails = createNamespaceGuardrails(ctx.name, {
        namespace: tenant.name, labels: ctx.labels, podSecurity: settings.podSecurity, quota: settings.quota, limits: settings.limits,
        namespaceLabels: tenant.decommission ? { [DECOMMISSION_LABEL]: "true" } : {},
        namespaceAnnotations: { [DEVICE_QUOTA_ANNOTATION]: String(tenant.deviceQuota) },
        namespaceOptions: ctx.keep,
    }, ctx.kube);
    return guardrails.namespace.metadata.name;
}

/**
 * The tenant's own queue, checkpoint container (its consumer offsets: losing them replays or skips the hub's
 * retention) and Key Vault, each protected like the namespace.
 */
function createTenantData(ctx: TenantContext): TenantData {
    const { tenant, services } = ctx.args;
    const data = services.dataPlane;
    const protectedAzure = { ...ctx.azure, ...ctx.keep };
    const queue = new servicebus.Queue(`${ctx.name}-queue`, {
        queueName: tenantQueueName(tenant.name),
        namespaceName: data.serviceBusNamespaceName,
        resourceGroupName: services.resourceGroupName,
        lockDuration: QUEUE_LOCK_DURATION,
        maxDeliveryCount: QUEUE_MAX_DELIVERY_COUNT,
        deadLetteringOnMessageExpiration: true,
        defaultMessageTimeToLive: QUEUE_MESSAGE_TIME_TO_LIVE,
    }, protectedAzure);
    const checkpoints = new storage.BlobContainer(`${ctx.name}-checkpoints`, {
        containerName: tenantCheckpointContainer(tenant.name),
        accountName: data.checkpointStorageAccountName,
        resourceGroupName: services.resourceGroupName,
        publicAccess: storage.PublicAccess.None,
    }, protectedAzure);
    const vault = new keyvault.Vault(`${ctx.name}-kv`, {
        vaultName: pulumi.interpolate`${tenantVaultNamePrefix(tenant.name)}${services.uniqueSuffix}`,
        resourceGroupName: services.resourceGroupName,
        location: services.location,
        properties: {
            tenantId: services.azureTenantId,
            sku: { family: "A", name: keyvault.SkuName.Standard },
            enableRbacAuthorization: true,
            enableSoftDelete: true,
            enablePurgeProtection: true,
        },
        tags: ctx.tags,
    }, protectedAzure);
    return { queue, checkpoints, vault };
}

/**
 * The tenant's managed identity, federated to its ServiceAccount and to KEDA, with roles on its own resources
 * only, and the annotated ServiceAccount. Returns the identity's client id.
 */
function createTenantIdentity(ctx: TenantContext, namespace: pulumi.Output<string>, own: TenantData): pulumi.Output<string> {
    const { tenant, services } = ctx.args;
    const workload = federatedWorkloadIdentity(ctx.name, {
        identityName: `id-${services.environment}-${services.regionShortName}-${tenant.name}`,
        resourceGroupName: services.resourceGroupName,
        location: services.location,
        subscriptionId: services.subscriptionId,
        issuerUrl: ctx.args.oidcIssuerUrl,
        serviceAccounts: [{ namespace: tenant.name, name: TENANT_SERVICE_ACCOUNT }, KEDA_OPERATOR],
        roles: [
            // Owner on its own queue only: KEDA reads the queue's message count through management operations.
            { role: "queue", scope: own.queue.id, roleGuid: AZURE_ROLES.serviceBusDataOwner },
            // On the hub, not the consumer group: EventProcessorClient and KEDA read hub and partition properties,
            // which a consumer-group scope refuses ("Listen claim required"). The hub is the region's, shared by
            // every tenant: a consumer group is a cursor, not a data boundary.
            { role: "event-hub", scope: services.dataPlane.eventHubId, roleGuid: AZURE_ROLES.eventHubsDataReceiver },
            { role: "checkpoints", scope: own.checkpoints.id, roleGuid: AZURE_ROLES.storageBlobDataContributor },
            { role: "secrets", scope: own.vault.id, roleGuid: AZURE_ROLES.keyVaultSecretsUser },
        ],
        tags: ctx.tags,
        identityOptions: ctx.keep,
    }, ctx.azure);
    const clientId = workload.identity.clientId;
    new k8s.core.v1.ServiceAccount(`${ctx.name}-sa`, {
        metadata: {
            name: TENANT_SERVICE_ACCOUNT, namespace, labels: ctx.labels, annotations: { [WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]: clientId },
        },
    }, ctx.kube);
    return clientId;
}

/**
 * The tenant's Entra ID admin group: bound to the namespace's `tenant-admin` Role, allowed to fetch the
 * cluster's user kubeconfig (local accounts are disabled, so there is no other way in) and to manage the
 * secrets of its own vault (its workloads only read them). Returns the group's object id.
 */
function createTenantAdmins(ctx: TenantContext, namespace: pulumi.Output<string>, vault: keyvault.Vault): pulumi.Output<string> {
    const { tenant, services, clusterName } = ctx.args;
    const admins = new azuread.Group(`${ctx.name}-admins`, {
        displayName: `iot-fleet ${services.environment} ${services.regionShortName} tenant ${tenant.name} admins`,
        description: `Namespace admins of tenant ${tenant.name} on ${clusterName}.`,
        securityEnabled: true,
        preventDuplicateNames: true,
        owners: [services.deployerObjectId],
    }, ctx.azure);
    assignGroupRole(`${ctx.name}-admins-cluster-user`, admins.objectId, services.subscriptionId,
        { scope: ctx.args.clusterResourceId, roleGuid: AZURE_ROLES.aksClusterUser }, ctx.azure);
    assignGroupRole(`${ctx.name}-admins-secrets`, admins.objectId, services.subscriptionId,
        { scope: vault.id, roleGuid: AZURE_ROLES.keyVaultSecretsOfficer }, ctx.azure);
    bindNamespaceAdmins(ctx.name, namespace, ctx.labels, admins.objectId, ctx.kube);
    return admins.objectId;
}

/** Tenant admins manage their workloads but only read the guardrails (quota, limits, network policy, scaling). */
function bindNamespaceAdmins(name: string, namespace: pulumi.Output<string>, labels: Record<string, string>,
    groupObjectId: pulumi.Output<string>, opts: pulumi.CustomResourceOptions): void {
    const readOnly = ["get", "list", "watch"];
    const role = new k8s.rbac.v1.Role(`${name}-admin-role`, {
        metadata: { name: "tenant-admin", namespace, labels },
        rules: [
            { apiGroups: [""], resources: ["pods", "pods/log", "pods/exec", "pods/portforward", "services", "endpoints", "configmaps", "secrets", "persistentvolumeclaims", "serviceaccounts", "events"], verbs: ["*"] },
            { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "replicasets"], verbs: ["*"] },
            { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: ["*"] },
            { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: ["*"] },
            { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["*"] },
            { apiGroups: [""], resources: ["resourcequotas", "limitranges"], verbs: readOnly },
            { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: readOnly },
            { apiGroups: ["keda.sh"], resources: ["scaledobjects", "scaledjobs", "triggerauthentications"], verbs: readOnly },
        ],
    }, opts);
    new k8s.rbac.v1.RoleBinding(`${name}-admin-binding`, {
        metadata: { name: "tenant-admins", namespace, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: groupObjectId }],
    }, opts);
}

/** The `telemetry-config` ConfigMap: what the tenant's services connect to, the same values as its stack outputs. */
function createTelemetryConfig(ctx: TenantContext, namespace: pulumi.Output<string>, zone: TenantNamespace): void {
    const data = ctx.args.services.dataPlane;
    new k8s.core.v1.ConfigMap(`${ctx.name}-config`, {
        metadata: { name: TELEMETRY_CONFIG_MAP, namespace, labels: ctx.labels },
        data: {
            TENANT_ID: ctx.args.tenant.name,
            AZURE_CLIENT_ID: zone.identityClientId,
            SERVICE_BUS_NAMESPACE: data.serviceBusEndpoint,
            SERVICE_BUS_QUEUE: zone.queueName,
            EVENT_HUBS_NAMESPACE: data.eventHubsEndpoint,
            EVENT_HUB_NAME: data.eventHubName,
            EVENT_HUBS_CONSUMER_GROUP: zone.consumerGroup,
            CHECKPOINT_BLOB_CONTAINER_URL: zone.checkpointContainerUrl,
            ADX_CLUSTER_URI: data.adxClusterUri,
            ADX_DATABASE: data.adxDatabaseName,
            COSMOS_ENDPOINT: data.cosmosEndpoint,
            COSMOS_DATABASE: data.cosmosDatabaseName,
            COSMOS_CONTAINER: data.cosmosContainerName,
            KEY_VAULT_URI: zone.keyVaultUri,
            OTEL_EXPORTER_OTLP_ENDPOINT: ctx.args.otlpEndpoint,
            OTEL_RESOURCE_ATTRIBUTES: `${TENANT_ATTRIBUTE}=${ctx.args.tenant.name}`,
        },
    }, ctx.kube);
}
