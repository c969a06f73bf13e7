import * as assert from "assert";
import { Evaluation } from "../offline/evaluate";
import { SPOT_TAINT, SYSTEM_POOL_TAINT } from "../lib/labels";
import { acceptsTags, ancestors, evaluateRealStack, ofType, REAL_STACKS } from "./support/stacks";

const EXPECTED_CLUSTERS: Record<string, Record<string, "shared" | "dedicated">> = {
    "prod-weu": { "shared-1": "shared", "dedicated-acme": "dedicated" },
    "prod-eus": { "shared-1": "shared", "dedicated-medica": "dedicated", "dedicated-woodgrove": "dedicated" },
};

const clusterComponentOf = (evaluation: Evaluation, urn: string) =>
    ancestors(evaluation, evaluation.resources.find(r => r.urn === urn)!)
        .find(a => a.type === "iot-fleet:index:SharedCluster" || a.type === "iot-fleet:index:DedicatedTenantCluster");

for (const stack of REAL_STACKS) {
    describe(`the ${stack} stack under the offline engine`, () => {
        let evaluation: Evaluation;
        before(async () => { evaluation = await evaluateRealStack(stack); });

        it("builds exactly the clusters placement asks for, each in the right component", () => {
            const clusters = ofType(evaluation, "azure-native:containerservice:ManagedCluster");
            const found = Object.fromEntries(clusters.map(c => {
                const component = clusterComponentOf(evaluation, c.urn)!;
                return [c.inputs.resourceName.replace(`aks-prod-${stack.split("-")[1]}-`, ""),
                    component.type === "iot-fleet:index:SharedCluster" ? "shared" : "dedicated"];
            }));
            assert.deepStrictEqual(found, EXPECTED_CLUSTERS[stack]);
        });

        it("keeps a tainted, zonal system pool of at least 3 nodes on every cluster", () => {
            for (const cluster of ofType(evaluation, "azure-native:containerservice:ManagedCluster")) {
                const pools = cluster.inputs.agentPoolProfiles;
                assert.strictEqual(pools.length, 1, "only the system pool is inline");
                assert.strictEqual(pools[0].mode, "System");
                assert.ok(pools[0].count >= 3);
                assert.deepStrictEqual(pools[0].nodeTaints, [SYSTEM_POOL_TAINT]);
                assert.deepStrictEqual(pools[0].availabilityZones, ["1", "2", "3"]);
            }
        });

        it("gives every cluster separate ingest, Spot processing, on-demand baseline and api pools", () => {
            for (const cluster of ofType(evaluation, "azure-native:containerservice:ManagedCluster")) {
                const pools = ofType(evaluation, "azure-native:containerservice:AgentPool")
                    .filter(p => p.inputs.resourceName === cluster.inputs.resourceName);
                const byName: Record<string, any> = Object.fromEntries(pools.map(p => [p.inputs.agentPoolName, p.inputs]));
                assert.deepStrictEqual(Object.keys(byName).sort(), ["api", "ingest", "procbase", "procspot"]);
                assert.ok(Object.values(byName).every(p => p.mode === "User"));
                const spot = byName.procspot;
                assert.strictEqual(spot.scaleSetPriority, "Spot");
                assert.strictEqual(spot.scaleSetEvictionPolicy, "Delete");
                assert.strictEqual(spot.enableAutoScaling, true);
                assert.deepStrictEqual(spot.nodeTaints, [SPOT_TAINT]);
                const baseline = byName.procbase;
                assert.strictEqual(baseline.scaleSetPriority, undefined);
                assert.ok(baseline.minCount >= 1, "the on-demand baseline keeps at least one node");
                assert.strictEqual(baseline.nodeLabels["iot-fleet.io/workload"], spot.nodeLabels["iot-fleet.io/workload"]);
            }
        });

        it("turns on workload identity, OIDC, Entra ID with Azure RBAC, KEDA and the Key Vault CSI driver, without local accounts", () => {
            for (const cluster of ofType(evaluation, "azure-native:containerservice:ManagedCluster")) {
                const i = cluster.inputs;
                assert.strictEqual(i.securityProfile.workloadIdentity.enabled, true);
                assert.strictEqual(i.oidcIssuerProfile.enabled, true);
                assert.strictEqual(i.disableLocalAccounts, true);
                assert.strictEqual(i.aadProfile.enableAzureRBAC, true);
                assert.strictEqual(i.aadProfile.adminGroupObjectIDs.length, 1);
                assert.strictEqual(i.workloadAutoScalerProfile.keda.enabled, true);
                assert.deepStrictEqual(i.addonProfiles.azureKeyvaultSecretsProvider, { enabled: true, config: { enableSecretRotation: "true", rotationPollInterval: "2m" } });
                assert.strictEqual(i.azureMonitorProfile.metrics.enabled, true);
                assert.strictEqual(i.networkProfile.networkPluginMode, "overlay");
                assert.strictEqual(i.networkProfile.networkPolicy, "cilium");
                assert.strictEqual(i.autoUpgradeProfile.upgradeChannel, "patch");
            }
        });

        it("ignores the versions auto-upgrade changes, so a refresh never plans a replacement", () => {
            for (const cluster of ofType(evaluation, "azure-native:containerservice:ManagedCluster")) {
                assert.ok(cluster.ignoreChanges.includes("kubernetesVersion"));
                assert.ok(cluster.ignoreChanges.includes("agentPoolProfiles[*].orchestratorVersion"));
            }
            for (const pool of ofType(evaluation, "azure-native:containerservice:AgentPool")) {
                assert.ok(pool.ignoreChanges.includes("orchestratorVersion"));
                assert.ok(pool.ignoreChanges.includes("count"), "the autoscaler owns the node count");
            }
        });

        it("sets both auto-upgrade maintenance windows on every cluster", () => {
            const configs = ofType(evaluation, "azure-native:containerservice:MaintenanceConfiguration");
            assert.strictEqual(configs.length, 2 * Object.keys(EXPECTED_CLUSTERS[stack]).length);
            assert.ok(configs.every(c => c.inputs.maintenanceWindow.durationHours >= 4));
        });

        it("creates one Kubernetes provider per cluster, signing in with kubelogin non-interactively", () => {
            const providers = ofType(evaluation, "pulumi:providers:kubernetes");
            assert.strictEqual(providers.length, Object.keys(EXPECTED_CLUSTERS[stack]).length);
            const components = providers.map(p => clusterComponentOf(evaluation, p.urn)!.urn);
            assert.strictEqual(new Set(components).size, providers.length, "one provider per cluster component");
            for (const provider of providers) {
                const kubeconfig: string = provider.inputs.kubeconfig;
                assert.match(kubeconfig, /command: kubelogin/);
                assert.match(kubeconfig, /- --login\n\s+- azurecli/);
                assert.match(kubeconfig, /interactiveMode: Never/);
                assert.doesNotMatch(kubeconfig, /devicecode/);
            }
        });

        it("makes every cluster a Fleet Manager member in the update group of its kind", () => {
            const members = ofType(evaluation, "azure-native:containerservice:FleetMember");
            const clusters = ofType(evaluation, "azure-native:containerservice:ManagedCluster");
            assert.strictEqual(members.length, clusters.length);
            for (const member of members) {
                const cluster = clusters.find(c => c.inputs.resourceName.endsWith(member.inputs.fleetMemberName.replace(/^(weu|eus)-/, "")))!;
                assert.ok(cluster, `member ${member.inputs.fleetMemberName} has no cluster`);
                assert.match(member.inputs.clusterResourceId, new RegExp(`${cluster.inputs.resourceName}$`));
                const kind = clusterComponentOf(evaluation, cluster.urn)!.type === "iot-fleet:index:SharedCluster" ? "shared" : "dedicated";
                assert.strictEqual(member.inputs.group, kind);
            }
        });

        it("tags every taggable Azure resource with environment and region, and a dedicated cluster's with its tenant", () => {
            const taggable = evaluation.resources.filter(r => r.type.startsWith("azure-native:") && acceptsTags(r.type));
            assert.ok(taggable.length > 20);
            for (const resource of taggable) {
                assert.strictEqual(resource.inputs.tags?.environment, "prod", `${resource.urn} lacks the environment tag`);
                assert.strictEqual(resource.inputs.tags?.region, stack.split("-")[1], `${resource.urn} lacks the region tag`);
                const dedicated = ancestors(evaluation, resource).find(a => a.type === "iot-fleet:index:DedicatedTenantCluster");
                if (dedicated) {
                    assert.strictEqual(resource.inputs.tags.tenant, dedicated.name.split("-dedicated-")[1], `${resource.urn} lacks the tenant tag`);
                }
            }
        });

        it("exports the fleet, clusters, tenants and endpoints the telemetry services read", () => {
            const { outputs, config } = evaluation;
            assert.match(outputs.fleet.id, /\/fleets?\//i);
            assert.deepStrictEqual(Object.keys(outputs.clusters).sort(), Object.keys(EXPECTED_CLUSTERS[stack]).sort());
            for (const cluster of Object.values<any>(outputs.clusters)) {
                assert.match(cluster.oidcIssuerUrl, /^https:\/\/.+\.oic\.prod-aks\.azure\.com\//);
                assert.match(cluster.resourceId, /^\/subscriptions\//);
                assert.match(cluster.kubeconfig, /kubelogin/);
            }
            assert.deepStrictEqual(Object.keys(outputs.tenants).sort(), config.tenants.map(t => t.name).sort());
            for (const [name, tenant] of Object.entries<any>(outputs.tenants)) {
                assert.ok(tenant.cluster in outputs.clusters, `${name} is on an unknown cluster`);
                assert.strictEqual(tenant.isolation, outputs.clusters[tenant.cluster].kind);
                assert.strictEqual(tenant.namespace, name);
                assert.strictEqual(tenant.eventHubsConsumerGroup, name);
            }
            for (const key of ["eventHubsNamespace", "serviceBusNamespace", "adxClusterUri", "cosmosEndpoint", "appInsightsConnectionString"]) {
                assert.ok(typeof outputs.endpoints[key] === "string" && outputs.endpoints[key].length > 0, `endpoint ${key} missing`);
            }
        });
    });
}

describe("Fleet Manager wiring across regions", () => {
    it("creates the fleet and its shared-then-dedicated strategy in prod-weu, and only joins it from prod-eus", async () => {
        const weu = await evaluateRealStack("prod-weu");
        const eus = await evaluateRealStack("prod-eus");
        assert.strictEqual(ofType(weu, "azure-native:containerservice:Fleet").length, 1);
        const [strategy] = ofType(weu, "azure-native:containerservice:FleetUpdateStrategy");
        assert.deepStrictEqual(strategy.inputs.strategy.stages.map((s: any) => s.groups.map((g: any) => g.name)), [["shared"], ["dedicated"]]);
        assert.strictEqual(ofType(eus, "azure-native:containerservice:Fleet").length, 0);
        assert.strictEqual(ofType(eus, "azure-native:containerservice:FleetUpdateStrategy").length, 0);
        for (const member of ofType(eus, "azure-native:containerservice:FleetMember")) {
            assert.strictEqual(member.inputs.resourceGroupName, "rg-iotfleet-prod-weu", "members join the fleet prod-weu exports");
        }
    });
});
