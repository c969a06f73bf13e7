import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import * as keyvault from "@pulumi/azure-native/keyvault";
import * as servicebus from "@pulumi/azure-native/servicebus";
import * as storage from "@pulumi/azure-native/storage";
import { TenantSpec } from "../../lib/config";
import { TAG_CLUSTER, TAG_TENANT } from "../../lib/labels";
import { tenantCheckpointContainer, tenantQueueName, tenantVaultNamePrefix } from "../../lib/naming";
import { AZURE_ROLES, assignGroupRole } from "../common/azureRoles";
import { RegionServices } from "../common/regionServices";
import { managedIdentityWithRoles } from "../common/workloadIdentity";
import { grantTenantStoreAccess } from "./tenantStoreAccess";
import { COMPONENT_TYPES } from "../../lib/componentTypes";

/** A processor holds a message this long before it is redelivered to another replica; a batch takes seconds. */
const QUEUE_LOCK_DURATION = "PT1M";
/** Deliveries before a message is dead-lettered, so that a poison message stops being retried. */
const QUEUE_MAX_DELIVERY_COUNT = 10;
/** Telemetry older than a day is too stale to process; expired messages are dead-lettered, not dropped. */
const QUEUE_MESSAGE_TIME_TO_LIVE = "P1D";

export interface TenantRegionResourcesArgs {
    /** The tenant as the stack file declares it. Required. */
    readonly tenant: TenantSpec;
    /**
     * Logical name of the cluster the tenant runs on, for the `cluster` tag only: a move updates the tag in place
     * and replaces nothing here. Required.
     */
    readonly clusterName: string;
    /** The region's services (data plane, resource group, tags). Required. */
    readonly services: RegionServices;
}

/**
 * What a tenant owns in its region, whatever cluster it runs on: its Service Bus queue, checkpoint container and
 * Key Vault, its managed identity with data roles on its queue and vault only, and its Entra ID admin
 * group with the secrets of its vault. A child of the Region keyed by the tenant's name, so that moving the tenant
 * to another cluster (a pin change) keeps every URN and Azure name here: only its `TenantNamespace` is rebuilt.
 * Queue, checkpoints, vault and identity are protected until the tenant is marked `decommission: true`.
 */
export class TenantRegionResources extends pulumi.ComponentResource {
    public readonly identityName: pulumi.Output<string>;
    public readonly identityClientId: pulumi.Output<string>;
    public readonly queueName: pulumi.Output<string>;
    /** The queue's resource id: the tenant's cluster's ingest is granted send on it. */
    public readonly queueId: pulumi.Output<string>;
    public readonly checkpointContainer: pulumi.Output<string>;
    public readonly checkpointContainerUrl: pulumi.Output<string>;
    public readonly keyVaultUri: pulumi.Output<string>;
    /** The tenant vault's resource id: the region gives it a private endpoint. */
    public readonly keyVaultId: pulumi.Output<string>;
    public readonly adminGroupObjectId: pulumi.Output<string>;
    /** The tenant's own Cosmos DB container. */
    public readonly cosmosContainerName: pulumi.Output<string>;
    /** The endpoint of the device-state account that holds it. */
    public readonly cosmosEndpoint: pulumi.Output<string>;

    constructor(name: string, args: TenantRegionResourcesArgs, opts?: pulumi.ComponentResourceOptions) {
        const { tenant, services } = args;
        super(
            COMPONENT_TYPES.tenantRegionResources,
            name,
            {
                tenant: tenant.name,
                deviceQuota: tenant.deviceQuota,
                decommission: tenant.decommission,
            },
            opts,
        );
        const dataPlane = services.dataPlane;
        const tags = { ...services.tags, [TAG_TENANT]: tenant.name, [TAG_CLUSTER]: args.clusterName };
        const azure = { parent: this };
        // What holds the tenant's data or identity: protection is lifted only while the tenant is decommissioned.
        const kept = { parent: this, protect: !tenant.decommission };

        const queue = new servicebus.Queue(
            `${name}-queue`,
            {
                queueName: tenantQueueName(tenant.name),
                namespaceName: dataPlane.serviceBusNamespaceName,
                resourceGroupName: services.resourceGroupName,
                lockDuration: QUEUE_LOCK_DURATION,
                maxDeliveryCount: QUEUE_MAX_DELIVERY_COUNT,
                deadLetteringOnMessageExpiration: true,
                defaultMessageTimeToLive: QUEUE_MESSAGE_TIME_TO_LIVE,
                maxSizeInMegabytes: tenant.settings.queue.maxSizeInMegabytes,
            },
            kept,
        );
        // The tenant's consumer offsets from before the ingest tier: no principal of the tenant writes them any more,
        // but a region migrating from per-tenant consumer groups seeds the ingest from them (README, migration).
        const checkpoints = new storage.BlobContainer(
            `${name}-checkpoints`,
            {
                containerName: tenantCheckpointContainer(tenant.name),
                accountName: dataPlane.checkpointStorageAccountName,
                resourceGroupName: services.resourceGroupName,
                publicAccess: storage.PublicAccess.None,
            },
            kept,
        );
        const vault = new keyvault.Vault(
            `${name}-kv`,
            {
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
            },
            kept,
        );

        const { identity } = managedIdentityWithRoles(
            name,
            {
                identityName: `id-${services.environment}-${services.regionShortName}-${tenant.name}`,
                resourceGroupName: services.resourceGroupName,
                location: services.location,
                subscriptionId: services.subscriptionId,
                // Data roles on what is the tenant's alone. No event hub: the platform's ingest tier reads the hubs and
                // delivers the tenant's messages to its queue. Receive, not Owner: KEDA reads the queue's depth from
                // Azure Monitor through the cluster's scaler identity, never as the tenant.
                roles: [
                    { role: "queue", scope: queue.id, roleGuid: AZURE_ROLES.serviceBusDataReceiver },
                    { role: "secrets", scope: vault.id, roleGuid: AZURE_ROLES.keyVaultSecretsUser },
                ],
                tags,
                identityOptions: { protect: kept.protect },
            },
            azure,
        );

        const stores = grantTenantStoreAccess(
            name,
            {
                tenant: tenant.name,
                principalId: identity.principalId,
                clientId: identity.clientId,
                services,
                cosmosAccount: dataPlane.cosmosAccounts[services.shards.cosmosAccountOf.get(tenant.name)!],
                tags,
                protect: kept.protect,
            },
            this,
        );

        const admins = new azuread.Group(
            `${name}-admins`,
            {
                displayName: `iot-fleet ${services.environment} ${services.regionShortName} tenant ${tenant.name} admins`,
                description: `Namespace admins of tenant ${tenant.name} on ${args.clusterName}.`,
                securityEnabled: true,
                preventDuplicateNames: true,
                owners: [services.deployerObjectId],
            },
            azure,
        );
        // Admins manage the secrets of its vault; its workloads only read them.
        assignGroupRole(
            `${name}-admins-secrets`,
            admins.objectId,
            services.subscriptionId,
            { scope: vault.id, roleGuid: AZURE_ROLES.keyVaultSecretsOfficer },
            azure,
        );

        this.identityName = identity.name;
        this.identityClientId = identity.clientId;
        this.queueName = queue.name;
        this.queueId = queue.id;
        this.checkpointContainer = checkpoints.name;
        this.checkpointContainerUrl = pulumi.interpolate`${dataPlane.checkpointBlobEndpoint}${this.checkpointContainer}`;
        this.keyVaultUri = vault.properties.apply(p => p.vaultUri ?? "");
        this.keyVaultId = vault.id;
        this.adminGroupObjectId = admins.objectId;
        this.cosmosContainerName = stores.cosmosContainerName;
        this.cosmosEndpoint = stores.cosmosEndpoint;
        this.registerOutputs({
            identityName: this.identityName,
            identityClientId: this.identityClientId,
            queueName: this.queueName,
            queueId: this.queueId,
            checkpointContainer: this.checkpointContainer,
            checkpointContainerUrl: this.checkpointContainerUrl,
            keyVaultUri: this.keyVaultUri,
            keyVaultId: this.keyVaultId,
            adminGroupObjectId: this.adminGroupObjectId,
            cosmosContainerName: this.cosmosContainerName,
            cosmosEndpoint: this.cosmosEndpoint,
            // Stack policies see a component's outputs, not its inputs: they tell whose resources lie below it.
            tenant: tenant.name,
            deviceQuota: tenant.deviceQuota,
            decommission: tenant.decommission,
        });
    }
}
