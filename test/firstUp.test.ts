import * as assert from "assert";
import { Evaluation, RecordedResource } from "../offline/evaluate";
import { memberNodeOsUpgradeChannel } from "../components/cluster/fleetManager";
import { AZURE_ROLES } from "../components/common/azureRoles";
import { OFFLINE_DEPLOYER_OBJECT_ID } from "../offline/mockCloud";
import { byUrn, evaluateRealStack, ofType, REAL_STACKS } from "./support/stacks";
import { COMPONENT_TYPES } from "../lib/componentTypes";

/** Resource types that are not writes to the cluster itself, though their inputs name it. */
const NOT_CLUSTER_WRITES = new Set([
    "azure-native:containerservice:ManagedCluster",
    "azure-native:authorization:RoleAssignment",
    "azure-native:monitor:DataCollectionRuleAssociation",
]);

/**
 * Whether a resource's ARM operation targets the cluster, read from its inputs the way its ARM path is built:
 * `managedClusters/{resourceName}/...` (AgentPool, MaintenanceConfiguration and the other containerservice
 * sub-resources), `{clusterRp}/{clusterResourceName}/{clusterName}/...` (cluster extensions, Flux configurations),
 * or a `clusterResourceId` taken from the cluster (a Fleet member).
 */
function writesTo(resource: RecordedResource, cluster: RecordedResource): boolean {
    if (!resource.custom || NOT_CLUSTER_WRITES.has(resource.type)) {
        return false;
    }
    const { inputs } = resource;
    const name = cluster.inputs.resourceName;
    return (
        (resource.type.startsWith("azure-native:containerservice:") && inputs.resourceName === name) ||
        (inputs.clusterRp === "Microsoft.ContainerService" &&
            inputs.clusterResourceName === "managedClusters" &&
            inputs.clusterName === name) ||
        (resource.propertyDependencies.clusterResourceId ?? []).includes(cluster.urn)
    );
}

/** Whether `later` depends on `earlier`, directly or through the dependencies of what it depends on. */
function dependsOnTransitively(evaluation: Evaluation, later: RecordedResource, earlier: RecordedResource): boolean {
    const index = byUrn(evaluation);
    const seen = new Set<string>();
    const pending = [...later.dependencies];
    while (pending.length > 0) {
        const urn = pending.pop()!;
        if (urn === earlier.urn) {
            return true;
        }
        if (!seen.has(urn)) {
            seen.add(urn);
            pending.push(...(index.get(urn)?.dependencies ?? []));
        }
    }
    return false;
}

for (const stack of REAL_STACKS) {
    describe(`the first \`pulumi up\` of ${stack} on real Azure`, () => {
        let evaluation: Evaluation;
        before(async () => {
            evaluation = await evaluateRealStack(stack);
        });

        it("writes to each AKS cluster one operation at a time: pools, maintenance windows, Flux, then Fleet membership in one chain", () => {
            const clusters = ofType(evaluation, "azure-native:containerservice:ManagedCluster");
            assert.ok(clusters.length > 0);
            for (const cluster of clusters) {
                const writes = evaluation.resources.filter(r => writesTo(r, cluster));
                assert.deepStrictEqual(
                    [...new Set(writes.map(w => w.type.split(":")[2]))].sort(),
                    ["AgentPool", "Extension", "FleetMember", "FluxConfiguration", "MaintenanceConfiguration"],
                    `${cluster.inputs.resourceName}: the writes this test knows of`,
                );
                for (const write of writes) {
                    assert.ok(dependsOnTransitively(evaluation, write, cluster), `${write.urn} does not wait for its cluster`);
                }
                for (const [i, first] of writes.entries()) {
                    for (const second of writes.slice(i + 1)) {
                        assert.ok(
                            dependsOnTransitively(evaluation, first, second) || dependsOnTransitively(evaluation, second, first),
                            `${cluster.inputs.resourceName}: ${first.name} and ${second.name} may run at the same time`,
                        );
                    }
                }
            }
        });

        it("lets the deployer delete the region vault's secret through the data plane, and keeps that right until the secret is gone", () => {
            const [vault] = ofType(evaluation, "azure-native:keyvault:Vault").filter(v => v.urn.includes(`${COMPONENT_TYPES.region}$`));
            const [secret] = ofType(evaluation, "azure-native:keyvault:Secret");
            assert.ok(secret.propertyDependencies.vaultName.includes(vault.urn), "the secret is in the region vault");
            const grants = ofType(evaluation, "azure-native:authorization:RoleAssignment").filter(
                r =>
                    r.inputs.roleDefinitionId.endsWith(`/${AZURE_ROLES.keyVaultSecretsOfficer}`) &&
                    r.inputs.principalId === OFFLINE_DEPLOYER_OBJECT_ID &&
                    r.propertyDependencies.scope.includes(vault.urn),
            );
            assert.strictEqual(grants.length, 1, "the deployer is Key Vault Secrets Officer on the region vault");
            assert.ok(secret.dependencies.includes(grants[0].urn), "created after the grant, so deleted before it");
        });

        it("keeps every cluster's pools and Kubernetes version out of the diff after creation, so a refresh plans no update", () => {
            for (const cluster of ofType(evaluation, "azure-native:containerservice:ManagedCluster")) {
                assert.ok(
                    cluster.ignoreChanges.includes("agentPoolProfiles"),
                    `${cluster.inputs.resourceName} would PUT its system pool alone after a refresh`,
                );
                assert.ok(
                    cluster.ignoreChanges.includes("kubernetesVersion"),
                    `${cluster.inputs.resourceName} would undo Fleet's upgrades`,
                );
                assert.strictEqual(cluster.inputs.agentPoolProfiles.length, 1, "the create still sends the system pool");
            }
            for (const pool of ofType(evaluation, "azure-native:containerservice:AgentPool")) {
                assert.ok(pool.inputs.orchestratorVersion === undefined || pool.ignoreChanges.includes("orchestratorVersion"));
            }
        });
    });
}

describe("node images rolled by Fleet Manager", () => {
    it("rolls node images through the shared-then-dedicated strategy with a NodeImage auto-upgrade profile, after the members", async () => {
        const weu = await evaluateRealStack("prod-weu");
        const [strategy] = ofType(weu, "azure-native:containerservice:FleetUpdateStrategy");
        const profiles = ofType(weu, "azure-native:containerservice:AutoUpgradeProfile");
        assert.deepStrictEqual(profiles.map(p => p.inputs.channel).sort(), ["NodeImage", "Stable"]);
        const nodeImage = profiles.find(p => p.inputs.channel === "NodeImage")!;
        assert.ok(
            nodeImage.propertyDependencies.updateStrategyId.includes(strategy.urn),
            "the same staged strategy as Kubernetes upgrades",
        );
        for (const member of ofType(weu, "azure-native:containerservice:FleetMember")) {
            assert.ok(nodeImage.dependencies.includes(member.urn));
        }
        const eus = await evaluateRealStack("prod-eus");
        assert.strictEqual(
            ofType(eus, "azure-native:containerservice:AutoUpgradeProfile").length,
            0,
            "prod-eus follows prod-weu's profiles",
        );
    });

    it("leaves no member cluster reimaging itself on its own schedule in either stack", async () => {
        for (const stack of REAL_STACKS) {
            const evaluation = await evaluateRealStack(stack);
            assert.strictEqual(evaluation.config.clusterDefaults.nodeOsUpgradeChannel, "NodeImage");
            for (const cluster of ofType(evaluation, "azure-native:containerservice:ManagedCluster")) {
                assert.deepStrictEqual(
                    cluster.inputs.autoUpgradeProfile,
                    { upgradeChannel: "none", nodeOSUpgradeChannel: "None" },
                    `${cluster.inputs.resourceName} upgrades outside the fleet's stages`,
                );
            }
        }
    });

    it("keeps the cluster's own node OS channel for the channels Fleet does not roll", () => {
        assert.strictEqual(memberNodeOsUpgradeChannel("NodeImage"), "None");
        assert.strictEqual(memberNodeOsUpgradeChannel("SecurityPatch"), "SecurityPatch");
        assert.strictEqual(memberNodeOsUpgradeChannel("Unmanaged"), "Unmanaged");
        assert.strictEqual(memberNodeOsUpgradeChannel("None"), "None");
    });
});
