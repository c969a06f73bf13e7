import { AzureLimitRow, LIMIT_SOURCES } from "./azureLimitRow";
import {
    ENDPOINT_ADDRESSES,
    PRIVATE_ENDPOINT_SUBNET_CAPACITY,
    PRIVATE_ENDPOINTS_PER_VNET,
    privateEndpointCount,
    REGION_ENDPOINT_ADDRESSES,
} from "./privateLink";
import { assignShards } from "./stickyShards";
import { privateEndpointSubnets } from "./endpointSubnets";
import { COSMOS_PLATFORM_ENTITIES, storeLimitRows } from "./storeLimits";

/**
 * Where each tenant's region resources that share a bounded home go: its Key Vault's private endpoint into one of the
 * region's private-endpoint subnets (a /24 each), its Cosmos DB container into one of the region's device-state
 * accounts (500 databases and containers each). Both are sticky (`assignShards`): the stack records them in its
 * `tenants` output (`endpointSubnet`, `cosmosAccount`) and the next run keeps them, because moving a tenant would
 * replace its endpoint (a new address) or its container (its device state). Subnet and account 0 are the ones every
 * region had before: a tenant output without the fields was deployed there.
 *
 * Private-endpoint subnet 0 is slot 0 of the address plan and holds the region services' endpoints (14 addresses),
 * so it has room for 237 tenant vaults; every further subnet `k` keeps 2 addresses for the endpoint of Cosmos DB
 * account `k` (which exists from about 500 tenants per account on), 249 vaults. The first account holds its database,
 * the shared `devices` container and 498 tenants; each further one its database and 499.
 */

/** The stack output fields the shards are read back from. */
export const SHARD_OUTPUTS = { endpointSubnet: "endpointSubnet", cosmosAccount: "cosmosAccount" } as const;

/** Each tenant's shards as the stack's last update recorded them. */
export interface PreviousShards {
    readonly endpointSubnets: ReadonlyMap<string, number>;
    readonly cosmosAccounts: ReadonlyMap<string, number>;
}

export const NO_PREVIOUS_SHARDS: PreviousShards = { endpointSubnets: new Map(), cosmosAccounts: new Map() };

/**
 * The shards recorded in the stack's `tenants` output. Every tenant entry there was deployed; one without a field
 * (written before there was more than one subnet or account) was deployed in subnet 0 and account 0.
 */
export function previousShardsOf(tenantsOutput: unknown): PreviousShards {
    const endpointSubnets = new Map<string, number>();
    const cosmosAccounts = new Map<string, number>();
    if (typeof tenantsOutput === "object" && tenantsOutput !== null) {
        for (const [tenant, entry] of Object.entries(tenantsOutput)) {
            if (typeof entry !== "object" || entry === null) {
                continue;
            }
            const record = entry as Record<string, unknown>;
            const at = (key: string) => (typeof record[key] === "number" ? (record[key] as number) : 0);
            endpointSubnets.set(tenant, at(SHARD_OUTPUTS.endpointSubnet));
            cosmosAccounts.set(tenant, at(SHARD_OUTPUTS.cosmosAccount));
        }
    }
    return { endpointSubnets, cosmosAccounts };
}

/** Tenant vault endpoints private-endpoint subnet `subnet` holds. */
export const endpointSubnetCapacity = (subnet: number): number =>
    PRIVATE_ENDPOINT_SUBNET_CAPACITY - (subnet === 0 ? REGION_ENDPOINT_ADDRESSES : ENDPOINT_ADDRESSES.cosmos);

/** Tenant containers device-state account `account` holds under a quota of `containersPerAccount` databases and containers. */
export const cosmosAccountCapacity =
    (containersPerAccount: number) =>
    (account: number): number =>
        containersPerAccount - (account === 0 ? COSMOS_PLATFORM_ENTITIES : 1);

/** A region's private-endpoint subnets and device-state accounts, and each tenant's. */
export interface TenantShards {
    readonly endpointSubnetOf: ReadonlyMap<string, number>;
    readonly cosmosAccountOf: ReadonlyMap<string, number>;
    /** Tenant vault endpoints per subnet; as long as `endpointSubnets`. */
    readonly vaultsPerSubnet: readonly number[];
    /** Tenant containers per account; as long as `cosmosAccounts`. */
    readonly tenantsPerAccount: readonly number[];
    /** Subnets the region has: every one a vault is in, and one per account (account `k`'s endpoint is in subnet `k`). */
    readonly endpointSubnets: number;
    readonly cosmosAccounts: number;
}

/** The shards of `tenants` (names, in stack-file order), keeping those of `previous`. */
export function shardTenants(
    tenants: readonly string[],
    containersPerAccount: number,
    previous: PreviousShards = NO_PREVIOUS_SHARDS,
): TenantShards {
    const subnets = assignShards(tenants, endpointSubnetCapacity, previous.endpointSubnets);
    const accounts = assignShards(tenants, cosmosAccountCapacity(containersPerAccount), previous.cosmosAccounts);
    const cosmosAccounts = Math.max(1, accounts.load.length);
    const endpointSubnets = Math.max(subnets.load.length, cosmosAccounts);
    const padded = (load: readonly number[], length: number) => Array.from({ length }, (_, i) => load[i] ?? 0);
    return {
        endpointSubnetOf: subnets.shardOf,
        cosmosAccountOf: accounts.shardOf,
        vaultsPerSubnet: padded(subnets.load, endpointSubnets),
        tenantsPerAccount: padded(accounts.load, cosmosAccounts),
        endpointSubnets,
        cosmosAccounts,
    };
}

/** Addresses private-endpoint subnet `subnet` uses: its vaults, and the region services' (subnet 0) or its Cosmos account's endpoint. */
export function endpointSubnetAddresses(shards: TenantShards, subnet: number): number {
    const services = subnet === 0 ? REGION_ENDPOINT_ADDRESSES : subnet < shards.cosmosAccounts ? ENDPOINT_ADDRESSES.cosmos : 0;
    return services + shards.vaultsPerSubnet[subnet];
}

/** What the shard limits are counted against. */
export interface ShardLimitInputs {
    /** `region.addressSpace`, for the subnets' ranges in the rows' scopes. */
    readonly addressSpace: string;
    /** Whether the VNet has High Scale Private Endpoints (`region.highScalePrivateEndpoints`). */
    readonly highScalePrivateEndpoints: boolean;
    /** `quotas.cosmosContainersPerAccount`. */
    readonly containersPerAccount: number;
    /** `quotas.keyVaultsWithPrivateEndpoints`. */
    readonly keyVaultsWithPrivateEndpoints: number;
    /** Key vaults with private endpoints of the other stacks of the subscription. */
    readonly otherStacksKeyVaults: number;
    /** The subscription as the config names it, for the row's scope. */
    readonly subscription: string;
}

/**
 * The limits the region's private endpoints and device-state accounts meet: addresses per subnet, endpoints per
 * VNet, vaults with endpoints per subscription (the region's own and every tenant's), and each account's
 * containers and SQL role assignments.
 */
export function shardLimitRows(shards: TenantShards, inputs: ShardLimitInputs): AzureLimitRow[] {
    const tenants = shards.vaultsPerSubnet.reduce((sum, n) => sum + n, 0);
    const ranges = privateEndpointSubnets(inputs.addressSpace, shards.endpointSubnets);
    const subnetRows = shards.vaultsPerSubnet.map((_, subnet): AzureLimitRow => ({
        limit: "IP addresses per private-endpoint subnet",
        scope: `private-endpoint subnet ${subnet} (${ranges[subnet]})`,
        used: endpointSubnetAddresses(shards, subnet),
        max: PRIVATE_ENDPOINT_SUBNET_CAPACITY,
        source: LIMIT_SOURCES.subnetAddresses,
    }));
    const highScale = inputs.highScalePrivateEndpoints;
    return [
        ...subnetRows,
        {
            limit: "private endpoints per virtual network",
            scope: `the region's VNet (${highScale ? "High Scale Private Endpoints" : "without High Scale Private Endpoints"})`,
            used: privateEndpointCount(tenants, shards.cosmosAccounts),
            max: highScale ? PRIVATE_ENDPOINTS_PER_VNET.highScale : PRIVATE_ENDPOINTS_PER_VNET.standard,
            source: highScale ? LIMIT_SOURCES.highScalePrivateEndpoints : LIMIT_SOURCES.privateLink,
        },
        {
            limit: "key vaults with private endpoints per subscription",
            scope: `subscription ${inputs.subscription}`,
            used: 1 + tenants + inputs.otherStacksKeyVaults,
            max: inputs.keyVaultsWithPrivateEndpoints,
            source: LIMIT_SOURCES.privateLink,
        },
        ...storeLimitRows(shards.tenantsPerAccount, inputs.containersPerAccount),
    ];
}

/** The private-endpoint subnets a tenant's pods reach: the region services' (0), its vault's and its device-state account's. */
export function tenantEndpointSubnets(shards: TenantShards, tenant: string): number[] {
    const own = [0, shards.endpointSubnetOf.get(tenant)!, shards.cosmosAccountOf.get(tenant)!];
    return [...new Set(own)].sort((a, b) => a - b);
}
