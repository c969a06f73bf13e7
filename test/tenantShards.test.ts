import * as assert from "assert";
import fc from "fast-check";
import { generatedStackConfig } from "../bench/stacks";
import { configLimitRows, limitProblems } from "../lib/azureLimits";
import { ConfigError, parseFleetConfig } from "../lib/config";
import { PRIVATE_ENDPOINT_SUBNET_CAPACITY } from "../lib/privateLink";
import { projectKeys, readStackConfig, stackFilePath } from "../lib/stackFile";
import { COSMOS_LIMITS } from "../lib/storeLimits";
import {
    cosmosAccountCapacity,
    endpointSubnetAddresses,
    endpointSubnetCapacity,
    previousShardsOf,
    SHARD_OUTPUTS,
    shardTenants,
    TenantShards,
    tenantEndpointSubnets,
} from "../lib/tenantShards";

const names = (count: number, prefix = "t") => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

/** The `tenants` output a run writes, as the next run reads it back (`program.ts`). */
const outputOf = (shards: TenantShards) =>
    Object.fromEntries(
        [...shards.endpointSubnetOf].map(([tenant, subnet]) => [
            tenant,
            {
                cluster: "shared-1",
                [SHARD_OUTPUTS.endpointSubnet]: subnet,
                [SHARD_OUTPUTS.cosmosAccount]: shards.cosmosAccountOf.get(tenant),
            },
        ]),
    );

/** A stack's tenant list over updates: each step removes some tenants and adds new ones anywhere in the file. */
const updates = fc.array(fc.record({ removeEvery: fc.integer({ min: 0, max: 7 }), add: fc.integer({ min: 0, max: 300 }), at: fc.nat() }), {
    minLength: 1,
    maxLength: 4,
});

describe("private-endpoint subnets and device-state accounts of a region's tenants", () => {
    it("holds 237 tenant vaults beside the region's endpoints in the first subnet, 249 in each further one, 498 and then 499 tenants per account", () => {
        assert.deepStrictEqual([endpointSubnetCapacity(0), endpointSubnetCapacity(1), endpointSubnetCapacity(4)], [237, 249, 249]);
        const accounts = cosmosAccountCapacity(COSMOS_LIMITS.databasesAndContainersPerAccount);
        assert.deepStrictEqual([accounts(0), accounts(1)], [498, 499]);
        const region = shardTenants(names(1_003), COSMOS_LIMITS.databasesAndContainersPerAccount);
        assert.deepStrictEqual(region.vaultsPerSubnet, [237, 249, 249, 249, 19]);
        assert.deepStrictEqual(region.tenantsPerAccount, [498, 499, 6]);
        assert.deepStrictEqual([region.endpointSubnetOf.get("t236"), region.endpointSubnetOf.get("t237")], [0, 1]);
        assert.deepStrictEqual(
            region.vaultsPerSubnet.map((_, subnet) => endpointSubnetAddresses(region, subnet)),
            [251, 251, 251, 249, 19],
        );
        // A tenant of the fifth subnet whose container is in the second account reaches the region's services, its vault's and its account's subnets.
        assert.deepStrictEqual(tenantEndpointSubnets(region, "t1000"), [0, 2, 4]);
    });

    it("never moves a kept tenant's endpoint subnet or account when other tenants are added or removed, and never fills one past its capacity", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 3, max: 400 }), updates, (initial, quota, steps) => {
                let tenants = names(initial);
                let shards = shardTenants(tenants, quota);
                steps.forEach((step, i) => {
                    const kept = tenants.filter((_, j) => step.removeEvery === 0 || j % (step.removeEvery + 1) !== 0);
                    const at = step.at % (kept.length + 1);
                    tenants = [...kept.slice(0, at), ...names(step.add, `n${i}-`), ...kept.slice(at)];
                    const next = shardTenants(tenants, quota, previousShardsOf(outputOf(shards)));
                    for (const tenant of kept) {
                        assert.strictEqual(next.endpointSubnetOf.get(tenant), shards.endpointSubnetOf.get(tenant), tenant);
                        assert.strictEqual(next.cosmosAccountOf.get(tenant), shards.cosmosAccountOf.get(tenant), tenant);
                    }
                    shards = next;
                    shards.vaultsPerSubnet.forEach((vaults, subnet) => {
                        assert.ok(vaults <= endpointSubnetCapacity(subnet), `subnet ${subnet}: ${vaults}`);
                        assert.ok(endpointSubnetAddresses(shards, subnet) <= PRIVATE_ENDPOINT_SUBNET_CAPACITY);
                    });
                    shards.tenantsPerAccount.forEach((held, account) => assert.ok(held <= cosmosAccountCapacity(quota)(account)));
                    // Account k's endpoint lives in subnet k: the region has that subnet.
                    assert.ok(shards.endpointSubnets >= shards.cosmosAccounts);
                });
            }),
            { numRuns: 60 },
        );
    });

    it("reads a tenants output written before the fields existed as the first subnet and the first account", () => {
        const previous = previousShardsOf({
            contoso: { cluster: "shared-1" },
            fabrikam: { cluster: "shared-1", endpointSubnet: 2, cosmosAccount: 1 },
        });
        assert.deepStrictEqual(
            [...previous.endpointSubnets],
            [
                ["contoso", 0],
                ["fabrikam", 2],
            ],
        );
        assert.deepStrictEqual(
            [...previous.cosmosAccounts],
            [
                ["contoso", 0],
                ["fabrikam", 1],
            ],
        );
        assert.deepStrictEqual([...previousShardsOf(undefined).endpointSubnets], []);
    });
});

describe("a region's further private-endpoint subnets in its address space", () => {
    it("refuses, at region.addressSpace, shared clusters that would reach them, before anything registers", () => {
        const weu = projectKeys(readStackConfig(stackFilePath("prod-weu")));
        const config = (tenants: number) => ({
            ...weu,
            region: { ...(weu.region as object), addressSpace: "10.40.0.0/20" },
            sharedClusterCapacity: { maxTenants: 35, maxDevices: 1_000_000 },
            tenants: names(tenants).map(name => ({ name, deviceQuota: 100 })),
            // One DPS enrollment group per tenant: past 100, a quota Microsoft raised (README, "Device Provisioning Service").
            quotas: { dpsEnrollmentGroups: tenants },
        });
        // 237 vaults fit the first subnet: seven shared clusters of 35 fit the /20's lower half beside it.
        assert.doesNotThrow(() => parseFleetConfig(config(237)));
        assert.throws(
            () => parseFleetConfig(config(238)),
            (error: unknown) =>
                error instanceof ConfigError &&
                error.problems.some(
                    p =>
                        p.path === "iot-fleet:region.addressSpace" &&
                        p.message ===
                            "shared-7 needs /24 slot 7, but 10.40.0.0/20 has room for shared-1 to shared-6 beside its 2 private-endpoint subnets: use a larger address space or raise sharedClusterCapacity",
                ),
        );
    });
});

describe("the limit rows of a 1,000-tenant region (plus three dedicated), before anything registers", () => {
    const thousand = generatedStackConfig({ longTailTenants: 1_000, devicesPerLongTailTenant: 200 });
    const rowsOf = (extra: Record<string, unknown>) =>
        configLimitRows(parseFleetConfig(projectKeys({ ...thousand, ...extra }), undefined, { azureLimits: false }));
    const shardRows = (extra: Record<string, unknown>) =>
        rowsOf(extra)
            .filter(row => /private-endpoint|private endpoints|Cosmos DB|key vaults/.test(row.limit))
            .map(row => `${row.limit} (${row.scope}): ${row.used}/${row.max}`);
    const scaled = {
        "iot-fleet:region": { ...(thousand["iot-fleet:region"] as object), highScalePrivateEndpoints: true },
        "iot-fleet:quotas": { keyVaultsWithPrivateEndpoints: 1_100 },
    };

    it("fits its endpoints and device-state accounts within their maxima with High Scale Private Endpoints and a raised key vault quota", () => {
        assert.deepStrictEqual(shardRows(scaled), [
            "IP addresses per private-endpoint subnet (private-endpoint subnet 0 (10.40.0.0/24)): 251/251",
            "IP addresses per private-endpoint subnet (private-endpoint subnet 1 (10.40.127.0/24)): 251/251",
            "IP addresses per private-endpoint subnet (private-endpoint subnet 2 (10.40.126.0/24)): 251/251",
            "IP addresses per private-endpoint subnet (private-endpoint subnet 3 (10.40.125.0/24)): 249/251",
            "IP addresses per private-endpoint subnet (private-endpoint subnet 4 (10.40.124.0/24)): 19/251",
            "private endpoints per virtual network (the region's VNet (High Scale Private Endpoints)): 1011/5000",
            "key vaults with private endpoints per subscription (subscription prod): 1004/1100",
            "databases and containers per Cosmos DB account (device-state account): 500/500",
            "SQL role assignments per Cosmos DB account (device-state account): 498/2000",
            "databases and containers per Cosmos DB account (device-state account 2): 500/500",
            "SQL role assignments per Cosmos DB account (device-state account 2): 499/2000",
            "databases and containers per Cosmos DB account (device-state account 3): 7/500",
            "SQL role assignments per Cosmos DB account (device-state account 3): 6/2000",
        ]);
    });

    it("needs High Scale Private Endpoints: 1,011 endpoints are past a VNet's 1,000, and the refusal names the limit and Microsoft's page", () => {
        const problems = limitProblems(rowsOf({ "iot-fleet:quotas": scaled["iot-fleet:quotas"] })).map(p => p.message);
        assert.ok(
            problems.includes(
                "Azure limit exceeded: private endpoints per virtual network (the region's VNet (without High Scale Private Endpoints)): 1011 needed, 1000 allowed (https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#private-link-limits)",
            ),
            problems.join("\n"),
        );
    });
});
