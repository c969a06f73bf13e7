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
