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
 * Addresses of the private-endpoint /24 an endpoint can take: Azure keeps 5 of every subnet's
 * (learn.microsoft.com/azure/virtual-network/virtual-networks-faq). The telemetry hub's consumer groups stop a region
 * at 98 tenants (the `event-hubs-limits` policy) long before its endpoints fill the /24 (6 + 245).
 */
export const PRIVATE_ENDPOINT_SUBNET_CAPACITY = 256 - 5;

/** Private endpoints of a region: one per region service, plus one per tenant vault. */
export const privateEndpointCount = (tenants: number): number => REGION_PRIVATE_LINK_SERVICES.length + tenants;

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
