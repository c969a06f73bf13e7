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
import { AZURE_ROLES } from "./azureRoles";
import { createNamespaceGuardrails } from "./namespaceGuardrails";
import { RegionServices } from "./tenantCluster";
import { federatedWorkloadIdentity } from "./workloadIdentity";
import { ingestScaledObject, processorScaledObject, TRIGGER_AUTHENTICATION_NAME } from "./tenantScaling";

/** The service account the tenant's telemetry workloads run as. */
export const TENANT_SERVICE_ACCOUNT = "telemetry";
/** KEDA's operator (the AKS add-on) acts as the tenant identity to read queue depth and consumer lag. */
const KEDA_OPERATOR = { namespace: "kube-system", name: "keda-operator" };
export const TELEMETRY_CONFIG_MAP = "telemetry-config";

export interface TenantNamespaceArgs {
    /** The tenant as the stack file declares it. */
    readonly tenant: TenantSpec;
    /** The tenant's effective settings: defaults with its overrides applied. */
    readonly settings: TenantSettings;
    /** The region's services (data plane, Key Vault, tags). */
    readonly services: RegionServices;
    /** Logical name of the cluster the tenant runs on. */
    readonly clusterName: string;
    /** The cluster's one Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** The cluster's OIDC issuer, trusted by the tenant identity's federated credentials. */
    readonly oidcIssuerUrl: pulumi.Input<string>;
    /** Where workloads send OTLP. */
    readonly otlpEndpoint: pulumi.Input<string>;
}

/**
 * A tenant's landing zone on a cluster: an isolated namespace, its own managed identity federated to its
 * service account, its own queue, checkpoint container and Key Vault with roles scoped to them only,
 * KEDA scaling on queue depth and consumer lag, an Entra ID admin group, and the config its services read.
 * Namespace, identity, queue and vault are protected until the tenant is marked `decommission: true`.
 */
export class TenantNamespace extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    public readonly identityClientId: pulumi.Output<string>;
    public readonly queueName: pulumi.Output<string>;
    public readonly consumerGroup: pulumi.Output<string>;
    public readonly checkpointContainer: pulumi.Output<string>;
    public readonly keyVaultUri: pulumi.Output<string>;
    public readonly adminGroupObjectId: pulumi.Output<string>;

    constructor(name: string, args: TenantNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        const { tenant, services, settings } = args;
        // The component's own inputs tell policies whose resources lie below it and in what lifecycle state.
        super("iot-fleet:index:TenantNamespace", name, {
            tenant: tenant.name, cluster: args.clusterName, deviceQuota: tenant.deviceQuota, decommission: tenant.decommission,
        }, opts);
        const data = services.dataPlane;
        const labels = { [TENANT_LABEL]: tenant.name };
        const tags = { ...services.tags, [TAG_TENANT]: tenant.name, [TAG_CLUSTER]: args.clusterName };
        const azure = { parent: this };
        const kube = { parent: this, provider: args.provider };
        const keep = { protect: !tenant.decommission };

        const guardrails = createNamespaceGuardrails(name, {
            namespace: tenant.name, labels, podSecurity: settings.podSecurity, quota: settings.quota, limits: settings.limits,
            namespaceLabels: tenant.decommission ? { [DECOMMISSION_LABEL]: "true" } : {},
            namespaceAnnotations: { [DEVICE_QUOTA_ANNOTATION]: String(tenant.deviceQuota) },
            namespaceOptions: keep,
        }, kube);
        const namespace = guardrails.namespace.metadata.name;

        const queue = new servicebus.Queue(`${name}-queue`, {
            queueName: tenantQueueName(tenant.name),
            namespaceName: data.serviceBusNamespaceName,
            resourceGroupName: services.resourceGroupName,
            lockDuration: "PT1M",
            maxDeliveryCount: 10,
            deadLetteringOnMessageExpiration: true,
            defaultMessageTimeToLive: "P1D",
        }, { ...azure, ...keep });
        const checkpoints = new storage.BlobContainer(`${name}-checkpoints`, {
            containerName: tenantCheckpointContainer(tenant.name),
            accountName: data.checkpointStorageAccountName,
            resourceGroupName: services.resourceGroupName,
            publicAccess: storage.PublicAccess.None,
        }, azure);
        const vault = new keyvault.Vault(`${name}-kv`, {
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
            tags,
        }, { ...azure, ...keep });

        const workload = federatedWorkloadIdentity(name, {
            identityName: `id-${services.environment}-${services.regionShortName}-${tenant.name}`,
            resourceGroupName: services.resourceGroupName,
            location: services.location,
            subscriptionId: services.subscriptionId,
            issuerUrl: args.oidcIssuerUrl,
            serviceAccounts: [{ namespace: tenant.name, name: TENANT_SERVICE_ACCOUNT }, KEDA_OPERATOR],
            roles: [
                // Owner on its own queue only: KEDA reads the queue's message count through management operations.
                { role: "queue", scope: queue.id, roleGuid: AZURE_ROLES.serviceBusDataOwner },
                { role: "consumer-group", scope: data.consumerGroupIds[tenant.name], roleGuid: AZURE_ROLES.eventHubsDataReceiver },
                { role: "checkpoints", scope: checkpoints.id, roleGuid: AZURE_ROLES.storageBlobDataContributor },
                { role: "secrets", scope: vault.id, roleGuid: AZURE_ROLES.keyVaultSecretsUser },
            ],
            tags,
            identityOptions: keep,
        }, azure);
        const clientId = workload.identity.clientId;

        new k8s.core.v1.ServiceAccount(`${name}-sa`, {
            metadata: { name: TENANT_SERVICE_ACCOUNT, namespace, labels, annotations: { [WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]: clientId } },
        }, kube);

        const admins = new azuread.Group(`${name}-admins`, {
            displayName: `iot-fleet ${services.environment} ${services.regionShortName} tenant ${tenant.name} admins`,
            description: `Namespace admins of tenant ${tenant.name} on ${args.clusterName}.`,
            securityEnabled: true,
            preventDuplicateNames: true,
            owners: [services.deployerObjectId],
        }, azure);
        bindNamespaceAdmins(name, namespace, labels, admins.objectId, kube);

        new k8s.apiextensions.CustomResource(`${name}-keda-auth`, {
            apiVersion: "keda.sh/v1alpha1",
            kind: "TriggerAuthentication",
            metadata: { name: TRIGGER_AUTHENTICATION_NAME, namespace, labels },
            spec: { podIdentity: { provider: "azure-workload", identityId: clientId } },
        }, kube);
        const scaling = { namespace, labels, settings };
        new k8s.apiextensions.CustomResource(`${name}-scale-processor`, processorScaledObject({
            ...scaling, queueName: queue.name, serviceBusNamespace: data.serviceBusNamespaceName,
        }), kube);
        new k8s.apiextensions.CustomResource(`${name}-scale-ingest`, ingestScaledObject({
            ...scaling, eventHubNamespace: data.eventHubsNamespaceName, eventHubName: data.eventHubName,
            consumerGroup: data.consumerGroups[tenant.name], storageAccountName: data.checkpointStorageAccountName,
            blobContainer: checkpoints.name,
        }), kube);

        this.namespace = namespace;
        this.identityClientId = clientId;
        this.queueName = queue.name;
        this.consumerGroup = data.consumerGroups[tenant.name];
        this.checkpointContainer = checkpoints.name;
        this.keyVaultUri = vault.properties.apply(p => p.vaultUri ?? "");
        this.adminGroupObjectId = admins.objectId;

        new k8s.core.v1.ConfigMap(`${name}-config`, {
            metadata: { name: TELEMETRY_CONFIG_MAP, namespace, labels },
            data: {
                TENANT_ID: tenant.name,
                AZURE_CLIENT_ID: clientId,
                SERVICE_BUS_NAMESPACE: data.serviceBusEndpoint,
                SERVICE_BUS_QUEUE: this.queueName,
                EVENT_HUBS_NAMESPACE: data.eventHubsEndpoint,
                EVENT_HUB_NAME: data.eventHubName,
                EVENT_HUBS_CONSUMER_GROUP: this.consumerGroup,
                CHECKPOINT_BLOB_CONTAINER_URL: pulumi.interpolate`${data.checkpointBlobEndpoint}${this.checkpointContainer}`,
                ADX_CLUSTER_URI: data.adxClusterUri,
                ADX_DATABASE: data.adxDatabaseName,
                COSMOS_ENDPOINT: data.cosmosEndpoint,
                COSMOS_DATABASE: data.cosmosDatabaseName,
                COSMOS_CONTAINER: data.cosmosContainerName,
                KEY_VAULT_URI: this.keyVaultUri,
                OTEL_EXPORTER_OTLP_ENDPOINT: args.otlpEndpoint,
                OTEL_RESOURCE_ATTRIBUTES: `tenant.id=${tenant.name}`,
            },
        }, kube);

        this.registerOutputs({
            namespace: this.namespace, identityClientId: this.identityClientId, queueName: this.queueName,
            consumerGroup: this.consumerGroup, checkpointContainer: this.checkpointContainer,
            keyVaultUri: this.keyVaultUri, adminGroupObjectId: this.adminGroupObjectId,
        });
    }
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
