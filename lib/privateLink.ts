import { DataPlaneSizing } from "./dataPlane";

/**
 * What a tenant pod may reach outside its cluster, as pure data: the region services it reaches through private
 * endpoints (with their private DNS zones), and the one name it reaches on the internet, Entra ID's sign-in.
 * `RegionPrivateLink` builds the endpoints and zones from this table, the namespace guardrails the egress rules,
 * and the cost model counts them from it.
 *
 * Sources:
 * - zone names and sub-resources (group ids): Microsoft Learn, "Azure Private Endpoint private DNS zone values"
 *   (learn.microsoft.com/azure/private-link/private-endpoint-dns): Key Vault `vault` privatelink.vaultcore.azure.net;
 *   Event Hubs and Service Bus `namespace` privatelink.servicebus.windows.net; Storage `blob`
 *   privatelink.blob.core.windows.net; Cosmos DB `Sql` privatelink.documents.azure.com; Azure Data Explorer `cluster`
 *   privatelink.{regionName}.kusto.windows.net plus the blob, queue and table zones of its internal storage.
 * - tiers: Service Bus private endpoints need Premium (learn.microsoft.com/azure/service-bus-messaging/private-link-service);
 *   Event Hubs offers them on every tier but Basic (learn.microsoft.com/azure/event-hubs/private-link-service).
 */

/** A region service tenant workloads use, reached through a private endpoint. */
export type PrivateLinkService = "keyVault" | "serviceBus" | "eventHubs" | "checkpointBlob" | "cosmos" | "adx";

export interface PrivateLinkTarget {
    /** The private link sub-resource (`groupIds` of the endpoint's connection). */
    readonly groupId: string;
    /** The private DNS zones the endpoint's zone group registers its records in. */
    readonly zones: (location: string) => readonly string[];
}

const zone = (name: string) => () => [name];

/** The region services tenants reach, each through one private endpoint (a tenant's own vault through one of its own). */
export const PRIVATE_LINK_TARGETS: Readonly<Record<PrivateLinkService, PrivateLinkTarget>> = {
    keyVault: { groupId: "vault", zones: zone("privatelink.vaultcore.azure.net") },
    serviceBus: { groupId: "namespace", zones: zone("privatelink.servicebus.windows.net") },
    eventHubs: { groupId: "namespace", zones: zone("privatelink.servicebus.windows.net") },
    checkpointBlob: { groupId: "blob", zones: zone("privatelink.blob.core.windows.net") },
    cosmos: { groupId: "Sql", zones: zone("privatelink.documents.azure.com") },
    adx: {
        groupId: "cluster",
        zones: location => [
            `privatelink.${location}.kusto.windows.net`,
            "privatelink.blob.core.windows.net",
            "privatelink.queue.core.windows.net",
            "privatelink.table.core.windows.net",
        ],
    },
};

/** The region's services with an endpoint each, in the order they are created. */
export const REGION_PRIVATE_LINK_SERVICES = Object.keys(PRIVATE_LINK_TARGETS) as readonly PrivateLinkService[];

/** Every private DNS zone of a region, each once (Event Hubs and Service Bus share one, blob serves ADX and checkpoints). */
export function privateDnsZoneNames(location: string): string[] {
    return [...new Set(REGION_PRIVATE_LINK_SERVICES.flatMap(service => PRIVATE_LINK_TARGETS[service].zones(location)))];
}

/**
 * Addresses of a private-endpoint /24 an endpoint can take: Azure keeps 5 of every subnet's
 * (learn.microsoft.com/azure/virtual-network/virtual-networks-faq).
 */
export const PRIVATE_ENDPOINT_SUBNET_CAPACITY = 256 - 5;

/**
 * Addresses one endpoint of each service takes in its subnet. Cosmos DB: one for the account's global endpoint and
 * one per region it runs in, one here (learn.microsoft.com/azure/cosmos-db/how-to-configure-private-endpoints, "Multiple
 * IP addresses are created per private endpoint"). Azure Data Explorer: its engine, its data management service and
 * six transient storage accounts, more under extreme ingestion (learn.microsoft.com/azure/data-explorer/
 * security-network-private-endpoint, "Plan the size of subnet"). Every other service: one.
 */
export const ENDPOINT_ADDRESSES: Readonly<Record<PrivateLinkService, number>> = {
    keyVault: 1,
    serviceBus: 1,
    eventHubs: 1,
    checkpointBlob: 1,
    cosmos: 2,
    adx: 8,
};

/** Addresses the region services' endpoints take in the first private-endpoint subnet (slot 0): 14. */
export const REGION_ENDPOINT_ADDRESSES = REGION_PRIVATE_LINK_SERVICES.reduce((sum, service) => sum + ENDPOINT_ADDRESSES[service], 0);

/**
 * Private endpoints per virtual network: 1,000, or 5,000 with High Scale Private Endpoints (the VNet's
 * `privateEndpointVNetPolicies: Basic`). Microsoft Learn, Azure subscription limits, "Private Link limits";
 * learn.microsoft.com/azure/private-link/increase-private-endpoint-vnet-limits.
 */
export const PRIVATE_ENDPOINTS_PER_VNET = { standard: 1_000, highScale: 5_000 } as const;

/** Key vaults with private endpoints per subscription, by default (adjustable: Microsoft Learn, "Private Link limits"). */
export const KEY_VAULTS_WITH_PRIVATE_ENDPOINTS_PER_SUBSCRIPTION = 400;

/** Private endpoints of a region: one per region service and per further Cosmos DB account, plus one per tenant vault. */
export const privateEndpointCount = (tenants: number, cosmosAccounts = 1): number =>
    REGION_PRIVATE_LINK_SERVICES.length + (cosmosAccounts - 1) + tenants;

/**
 * The one internet name tenant pods reach: Entra ID's token endpoint, where workload identity exchanges the
 * ServiceAccount token (`AZURE_AUTHORITY_HOST` the workload identity webhook injects) and MSAL discovers the instance.
 * Microsoft Learn, "Outbound network and FQDN rules for AKS clusters" lists it as the Entra ID sign-in name.
 */
export const ENTRA_ID_SIGN_IN_FQDN = "login.microsoftonline.com";

/**
 * Why a data plane cannot give tenant pods their private endpoints, or undefined. Service Bus offers them on Premium
 * only, and a Standard namespace would leave the processors' queues out of reach: refused rather than opened to the
 * internet. (Event Hubs lacks them on Basic only, which the stack does not offer.)
 */
export function privateLinkProblem(sizing: Pick<DataPlaneSizing, "serviceBusSku">): string | undefined {
    return sizing.serviceBusSku === "Premium"
        ? undefined
        : `Service Bus ${sizing.serviceBusSku} has no private endpoints (Premium only), and tenant pods reach Azure only through them`;
}
