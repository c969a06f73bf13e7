import * as assert from "assert";
import { evaluateStack, Evaluation, RecordedResource } from "../offline/evaluate";
import { readStackConfig, stackFilePath } from "../lib/stackFile";
import { PLACEMENT_OUTPUT } from "../program";
import { evaluateRealStack, ofType, REAL_STACKS } from "./support/stacks";

/**
 * What Azure (or Fleet Manager acting on Azure) writes into a resource after Pulumi created it, which a refresh then
 * reads back into the state: each must be in the resource's ignoreChanges, or the next `up` plans to undo it.
 */
const AZURE_REWRITES: Record<string, { readonly properties: readonly string[]; readonly source: string }> = {
    "azure-native:containerservice:ManagedCluster": {
        // A refresh writes every pool of the cluster into agentPoolProfiles (pulumi-azure-native #1686, #2719); Fleet
        // Manager's update runs move kubernetesVersion (README, "No drift after a refresh").
        properties: ["agentPoolProfiles", "kubernetesVersion"],
        source: "pulumi/pulumi-azure-native#1686, #2719; Fleet Manager auto-upgrade profiles",
    },
    "azure-native:containerservice:AgentPool": {
        // The cluster autoscaler moves count; Fleet upgrades move orchestratorVersion.
        properties: ["count", "orchestratorVersion"],
        source: "AKS cluster autoscaler; Fleet Manager auto-upgrade profiles",
    },
};

const customResources = (evaluation: Evaluation) => new Map(evaluation.resources.filter(r => r.custom).map(r => [r.urn, r]));

/** The stack file's config with its tenants replaced. */
function stackConfigWithTenants(tenants: object[], extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { ...readStackConfig(stackFilePath("prod-weu")), "iot-fleet:tenants": tenants, ...extra };
}

for (const stack of REAL_STACKS) {
    describe(`the second \`pulumi up\` of ${stack}, with the first one's outputs as state`, () => {
        let first: Evaluation;
        let second: Evaluation;
        before(async () => {
            first = await evaluateRealStack(stack);
            second = await evaluateStack({ stack, stackConfig: readStackConfig(stackFilePath(stack)), previousOutputs: first.outputs });
        });

        it("registers the same resources with the same inputs, options and dependencies: nothing to update", () => {
            const before = customResources(first);
            const after = customResources(second);
            assert.deepStrictEqual([...after.keys()].sort(), [...before.keys()].sort());
            const changed: string[] = [];
            for (const [urn, resource] of after) {
                const was = before.get(urn)!;
                const shape = (r: RecordedResource) => ({
                    inputs: r.inputs,
                    provider: r.provider,
                    protect: r.protect,
                    ignoreChanges: [...r.ignoreChanges].sort(),
                    dependencies: [...r.dependencies].sort(),
                });
                try {
                    assert.deepStrictEqual(shape(resource), shape(was));
                } catch {
                    changed.push(urn);
                }
            }
            assert.deepStrictEqual(changed, []);
        });

        it("places every tenant where the first run did, read back from the stack's own outputs", () => {
            const where = (evaluation: Evaluation) =>
                Object.fromEntries(
                    Object.entries(evaluation.outputs[PLACEMENT_OUTPUT]).map(([tenant, out]: [string, any]) => [tenant, out.cluster]),
                );
            assert.deepStrictEqual(where(second), where(first));
        });

        it("ignores, on every resource, the properties Azure rewrites after creating it", () => {
            for (const [type, { properties, source }] of Object.entries(AZURE_REWRITES)) {
                const resources = ofType(second, type);
                assert.ok(resources.length > 0, `${stack} has no ${type}`);
                for (const resource of resources) {
                    for (const property of properties) {
                        assert.ok(resource.ignoreChanges.includes(property), `${resource.name} does not ignore ${property} (${source})`);
                    }
                }
            }
        });
    });
}

describe("a later `pulumi up` after removing a tenant", () => {
    const TENANTS = ["alpha", "bravo", "charlie", "delta", "echo"].map(name => ({ name, deviceQuota: 100 }));
    const CAPACITY = { "iot-fleet:sharedClusterCapacity": { maxTenants: 2, maxDevices: 400_000 } };

    it("keeps the unpinned tenants after it on their clusters, so none of their namespaces is replaced", async () => {
        const first = await evaluateStack({ stack: "sticky-weu", stackConfig: stackConfigWithTenants(TENANTS, CAPACITY) });
        const clustersOf = (evaluation: Evaluation) =>
            Object.fromEntries(
                Object.entries(evaluation.outputs[PLACEMENT_OUTPUT]).map(([tenant, out]: [string, any]) => [tenant, out.cluster]),
            );
        assert.deepStrictEqual(clustersOf(first), {
            alpha: "shared-1",
            bravo: "shared-1",
            charlie: "shared-2",
            delta: "shared-2",
            echo: "shared-3",
        });
        const later = await evaluateStack({
            stack: "sticky-weu",
            stackConfig: stackConfigWithTenants(TENANTS.slice(1), CAPACITY),
            previousOutputs: first.outputs,
        });
        assert.deepStrictEqual(clustersOf(later), { bravo: "shared-1", charlie: "shared-2", delta: "shared-2", echo: "shared-3" });
        const namespaces = (evaluation: Evaluation) =>
            ofType(evaluation, "kubernetes:core/v1:Namespace")
                .filter(ns => TENANTS.some(t => t.name === ns.inputs.metadata?.name))
                .map(ns => ns.urn)
                .sort();
        const kept = namespaces(first).filter(urn => !urn.endsWith("alpha-ns"));
        assert.strictEqual(kept.length, TENANTS.length - 1);
        assert.deepStrictEqual(namespaces(later), kept);
    });
});

describe("a region whose tenants' containers fill several device-state accounts (a quota of 5 containers per account), with High Scale Private Endpoints", () => {
    const TENANTS = Array.from({ length: 9 }, (_, i) => ({ name: `t${i}`, deviceQuota: 100 }));
    const weuRegion = readStackConfig(stackFilePath("prod-weu"))["iot-fleet:region"] as object;
    const SMALL_ACCOUNTS = {
        "iot-fleet:quotas": { cosmosContainersPerAccount: 5 },
        "iot-fleet:region": { ...weuRegion, highScalePrivateEndpoints: true },
    };
    let first: Evaluation;
    let later: Evaluation;
    before(async () => {
        first = await evaluateStack({ stack: "sharded-weu", stackConfig: stackConfigWithTenants(TENANTS, SMALL_ACCOUNTS) });
        // t1 leaves, t9 arrives: the hole t1 leaves in the first account is t9's.
        later = await evaluateStack({
            stack: "sharded-weu",
            stackConfig: stackConfigWithTenants(
                [...TENANTS.filter(t => t.name !== "t1"), { name: "t9", deviceQuota: 100 }],
                SMALL_ACCOUNTS,
            ),
            previousOutputs: first.outputs,
        });
    });
    const accountOf = (evaluation: Evaluation) =>
        Object.fromEntries(
            Object.entries(evaluation.outputs[PLACEMENT_OUTPUT]).map(([tenant, out]: [string, any]) => [tenant, out.cosmosAccount]),
        );
    const byName = (evaluation: Evaluation, type: string, name: string) => ofType(evaluation, type).find(r => r.name === name)!;

    it("puts each tenant's container, and its SQL role assignment, in the account its output records, each account with its own private endpoint", () => {
        assert.deepStrictEqual(accountOf(first), { t0: 0, t1: 0, t2: 0, t3: 1, t4: 1, t5: 1, t6: 1, t7: 2, t8: 2 });
        const accounts = ofType(first, "azure-native:cosmosdb:DatabaseAccount").map(a => a.name);
        assert.deepStrictEqual(accounts, ["prod-weu-data-cosmos", "prod-weu-data-cosmos-2", "prod-weu-data-cosmos-3"]);
        const accountName = (role: string) =>
            byName(first, "azure-native:cosmosdb:DatabaseAccount", `prod-weu-data-${role}`).inputs.accountName;
        for (const [tenant, account] of Object.entries(accountOf(first))) {
            const name = accountName(account === 0 ? "cosmos" : `cosmos-${account + 1}`);
            const container = byName(first, "azure-native:cosmosdb:SqlResourceSqlContainer", `prod-weu-tenant-${tenant}-cosmos`);
            const assignment = byName(
                first,
                "azure-native:cosmosdb:SqlResourceSqlRoleAssignment",
                `prod-weu-tenant-${tenant}-cosmos-contributor`,
            );
            assert.deepStrictEqual([container.inputs.accountName, assignment.inputs.accountName], [name, name], tenant);
            assert.match(assignment.inputs.scope, new RegExp(`/${name}/dbs/device-state/colls/tenant-${tenant}$`));
        }
        const endpoints = ofType(first, "azure-native:network:PrivateEndpoint").filter(e => /-pe-cosmos/.test(e.name));
        assert.deepStrictEqual(
            endpoints.map(e => [e.name, e.inputs.subnet.id.split("/").pop()]),
            [
                ["prod-weu-private-link-pe-cosmos", "snet-private-endpoints"],
                ["prod-weu-private-link-pe-cosmos-2", "snet-private-endpoints-2"],
                ["prod-weu-private-link-pe-cosmos-3", "snet-private-endpoints-3"],
            ],
        );
    });

    it("opts the VNet into High Scale Private Endpoints, with the route-table network policy every endpoint subnet needs for it", () => {
        const [vnet] = ofType(first, "azure-native:network:VirtualNetwork");
        assert.strictEqual(vnet.inputs.privateEndpointVNetPolicies, "Basic");
        const subnets = ofType(first, "azure-native:network:Subnet").map(s => [
            s.inputs.subnetName,
            s.inputs.privateEndpointNetworkPolicies,
        ]);
        assert.deepStrictEqual(
            subnets.filter(([name]) => name.startsWith("snet-private-endpoints")),
            [
                ["snet-private-endpoints", "RouteTableEnabled"],
                ["snet-private-endpoints-2", "RouteTableEnabled"],
                ["snet-private-endpoints-3", "RouteTableEnabled"],
            ],
        );
        assert.ok(subnets.filter(([name]) => !name.startsWith("snet-private-endpoints")).every(([, policies]) => policies === "Disabled"));
    });

    it("lets a tenant's pods reach its account's endpoint subnet, and hands them its account's endpoint", () => {
        const egress = byName(
            first,
            "kubernetes:networking.k8s.io/v1:NetworkPolicy",
            "prod-weu-shared-1-tenant-t7-netpol-allow-azure-egress",
        );
        assert.deepStrictEqual(egress.inputs.spec.egress[0].to, [
            { ipBlock: { cidr: "10.40.0.0/24" } },
            { ipBlock: { cidr: "10.40.126.0/24" } },
        ]);
        const config = ofType(first, "kubernetes:core/v1:ConfigMap").find(c => c.name === "prod-weu-shared-1-tenant-t7-config")!;
        const account = byName(first, "azure-native:cosmosdb:DatabaseAccount", "prod-weu-data-cosmos-3");
        assert.strictEqual(config.inputs.data.COSMOS_ENDPOINT, account.outputs.documentEndpoint);
        assert.strictEqual(first.outputs[PLACEMENT_OUTPUT].t7.cosmosEndpoint, account.outputs.documentEndpoint);
    });

    it("keeps every remaining tenant's account after another leaves, and gives the newcomer the room left", () => {
        const { t1: _gone, ...kept } = accountOf(first);
        assert.deepStrictEqual(accountOf(later), { ...kept, t9: 0 });
        const containers = (evaluation: Evaluation) =>
            ofType(evaluation, "azure-native:cosmosdb:SqlResourceSqlContainer")
                .filter(c => c.name !== "prod-weu-data-cosmos-devices" && !c.name.includes("-t1-") && !c.name.includes("-t9-"))
                .map(c => [c.urn, c.inputs.accountName]);
        assert.deepStrictEqual(containers(later), containers(first));
    });
});
