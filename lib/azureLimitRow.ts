/** One Azure limit as a region uses it: the generic row every limit check of the program returns (`azureLimits.ts`). */
export interface AzureLimitRow {
    /** What is limited, as Microsoft names it. */
    readonly limit: string;
    /** The one resource (or subscription) the count is of. */
    readonly scope: string;
    readonly used: number;
    readonly max: number;
    /** Microsoft's page for the limit. */
    readonly source: string;
}

export const LIMIT_SOURCES = {
    rbac: "https://learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits",
    federatedCredentials: "https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations",
    eventHubs: "https://learn.microsoft.com/azure/event-hubs/event-hubs-quotas",
    iotHub: "https://learn.microsoft.com/azure/iot-hub/iot-hub-devguide-quotas-throttling",
    dps: "https://learn.microsoft.com/azure/iot-dps/about-iot-dps#quotas-and-limits",
    serviceBus: "https://learn.microsoft.com/azure/service-bus-messaging/service-bus-quotas",
    cosmosAccount: "https://learn.microsoft.com/azure/cosmos-db/concepts-limits#per-account-limits",
    subnetAddresses:
        "https://learn.microsoft.com/azure/virtual-network/virtual-networks-faq#are-there-any-restrictions-on-using-ip-addresses-within-these-subnets",
    cosmosRbac: "https://learn.microsoft.com/azure/cosmos-db/how-to-setup-rbac#limits",
    privateLink:
        "https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#private-link-limits",
    highScalePrivateEndpoints: "https://learn.microsoft.com/azure/private-link/increase-private-endpoint-vnet-limits",
} as const;
