import * as assert from "assert";
import { execFile } from "child_process";
import * as path from "path";
import type { PlanReport } from "../cli/report";
import { ConfigError } from "../lib/errors";
import { readStackConfig, stackFilePath } from "../lib/stackFile";
import { planStack } from "../cli/planStack";
import { COMPONENT_TYPES } from "../lib/componentTypes";

const ROOT = path.resolve(__dirname, "..");
interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs `npm start -- <args>` as a user would (without npm's own banner), not on a TTY. */
function plan(...args: string[]): Promise<Run> {
    return new Promise(resolve => {
        execFile(
            process.execPath,
            ["-r", "ts-node/register/transpile-only", "cli/plan.ts", ...args],
            { cwd: ROOT, maxBuffer: 64 << 20 },
            (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
        );
    });
}

/**
 * What `npm start` reports for each real stack, exactly: resources by type, and the cost in whole euros (per device to
 * the tenth of a cent) as the plan prints it. A change to the program, the stack files, the prices or the cost model
 * that moves one of them fails here; if it is meant, update the figure (and the README if it quotes it).
 */
const REAL_STACK_PLANS = {
    "prod-weu": {
        resources: 716,
        byType: {
            "azure-native:alertsmanagement:PrometheusRuleGroup": 2,
            "azure-native:applicationinsights:Component": 1,
            "azure-native:authorization:RoleAssignment": 68,
            "azure-native:containerservice:AgentPool": 8,
            "azure-native:containerservice:AutoUpgradeProfile": 2,
            "azure-native:containerservice:Fleet": 1,
            "azure-native:containerservice:FleetMember": 2,
            "azure-native:containerservice:FleetUpdateStrategy": 1,
            "azure-native:containerservice:MaintenanceConfiguration": 4,
            "azure-native:containerservice:ManagedCluster": 2,
            "azure-native:cosmosdb:DatabaseAccount": 1,
            "azure-native:cosmosdb:SqlResourceSqlContainer": 12,
            "azure-native:cosmosdb:SqlResourceSqlDatabase": 1,
            "azure-native:cosmosdb:SqlResourceSqlRoleAssignment": 11,
            "azure-native:dashboard:Grafana": 1,
            "azure-native:deviceprovisioningservices:IotDpsResource": 1,
            "azure-native:dns:Zone": 1,
            "azure-native:eventhub:ConsumerGroup": 4,
            "azure-native:eventhub:EventHub": 2,
            "azure-native:eventhub:Namespace": 1,
            "azure-native:eventhub:NamespaceNetworkRuleSet": 1,
            "azure-native:iothub:IotHubResource": 1,
            "azure-native:keyvault:Secret": 1,
            "azure-native:keyvault:Vault": 12,
            "azure-native:kubernetesconfiguration:Extension": 2,
            "azure-native:kubernetesconfiguration:FluxConfiguration": 13,
            "azure-native:kusto:Cluster": 1,
            "azure-native:kusto:DatabasePrincipalAssignment": 13,
            "azure-native:kusto:EventHubDataConnection": 2,
            "azure-native:kusto:ReadWriteDatabase": 1,
            "azure-native:kusto:Script": 5,
            "azure-native:managedidentity:FederatedIdentityCredential": 25,
            "azure-native:managedidentity:UserAssignedIdentity": 24,
            "azure-native:monitor:ActionGroup": 1,
            "azure-native:monitor:AzureMonitorWorkspace": 1,
            "azure-native:monitor:DataCollectionEndpoint": 2,
            "azure-native:monitor:DataCollectionRule": 4,
            "azure-native:monitor:DataCollectionRuleAssociation": 6,
            "azure-native:network:PrivateDnsZoneGroup": 17,
            "azure-native:network:PrivateEndpoint": 17,
            "azure-native:network:Subnet": 5,
            "azure-native:network:VirtualNetwork": 1,
            "azure-native:network:WebApplicationFirewallPolicy": 2,
            "azure-native:operationalinsights:Workspace": 1,
            "azure-native:privatedns:PrivateZone": 7,
            "azure-native:privatedns:VirtualNetworkLink": 7,
            "azure-native:resources:ResourceGroup": 1,
            "azure-native:servicebus:Namespace": 1,
            "azure-native:servicebus:NamespaceNetworkRuleSet": 1,
            "azure-native:servicebus:Queue": 11,
            "azure-native:servicenetworking:AssociationsInterface": 2,
            "azure-native:servicenetworking:FrontendsInterface": 2,
            "azure-native:servicenetworking:TrafficControllerInterface": 2,
            "azure-native:storage:BlobContainer": 14,
            "azure-native:storage:ManagementPolicy": 1,
            "azure-native:storage:StorageAccount": 2,
            "azuread:index/group:Group": 12,
            "azuread:index/groupMember:GroupMember": 1,
            "grafana:oss/dashboard:Dashboard": 2,
            "grafana:oss/folder:Folder": 1,
            [COMPONENT_TYPES.clusterPlatform]: 2,
            [COMPONENT_TYPES.dedicatedCluster]: 1,
            [COMPONENT_TYPES.fleetManager]: 1,
            [COMPONENT_TYPES.ingestTier]: 2,
            [COMPONENT_TYPES.region]: 1,
            [COMPONENT_TYPES.regionAlerts]: 1,
            [COMPONENT_TYPES.regionDashboards]: 1,
            [COMPONENT_TYPES.regionDataPlane]: 1,
            [COMPONENT_TYPES.regionObservability]: 1,
            [COMPONENT_TYPES.regionPrivateLink]: 1,
            [COMPONENT_TYPES.sharedCluster]: 1,
            [COMPONENT_TYPES.telemetryRollups]: 1,
            [COMPONENT_TYPES.telemetryTiers]: 1,
            [COMPONENT_TYPES.tenantEventStream]: 1,
            [COMPONENT_TYPES.tenantNamespace]: 11,
            [COMPONENT_TYPES.tenantRegionResources]: 11,
            "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy": 2,
            "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding": 2,
            "kubernetes:alb.networking.azure.io/v1:WebApplicationFirewallPolicy": 2,
            "kubernetes:cert-manager.io/v1:Certificate": 11,
            "kubernetes:cert-manager.io/v1:ClusterIssuer": 2,
            "kubernetes:cilium.io/v2:CiliumNetworkPolicy": 23,
            "kubernetes:core/v1:ConfigMap": 17,
            "kubernetes:core/v1:LimitRange": 23,
            "kubernetes:core/v1:Namespace": 23,
            "kubernetes:core/v1:ResourceQuota": 23,
            "kubernetes:core/v1:ServiceAccount": 13,
            "kubernetes:gateway.networking.k8s.io/v1:Gateway": 2,
            "kubernetes:helm.sh/v3:Release": 8,
            "kubernetes:keda.sh/v1alpha1:ScaledObject": 13,
            "kubernetes:keda.sh/v1alpha1:TriggerAuthentication": 13,
            "kubernetes:networking.k8s.io/v1:NetworkPolicy": 121,
            "kubernetes:rbac.authorization.k8s.io/v1:Role": 11,
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": 11,
            "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass": 2,
            "pulumi:providers:grafana": 1,
            "pulumi:providers:kubernetes": 2,
            "pulumi:pulumi:Stack": 1,
            "random:index/randomString:RandomString": 1,
        },
        monthly: 10_761,
        perDevice: 0.032,
        spotSaving: 0,
        reservedSaving: 1_191,
        clusters: { "shared-1": 2_128, "dedicated-acme": 2_217 },
        tenants: {
            acme: 6_993,
            contoso: 790,
            fabrikam: 548,
            northwind: 395,
            tailspin: 184,
            wingtip: 333,
            "adventure-works": 965,
            litware: 136,
            proseware: 237,
            lamna: 114,
            "margie-travel": 66,
        },
    },
    "prod-eus": {
        resources: 720,
        byType: {
            "azure-native:alertsmanagement:PrometheusRuleGroup": 3,
            "azure-native:applicationinsights:Component": 1,
            "azure-native:authorization:RoleAssignment": 72,
            "azure-native:containerservice:AgentPool": 12,
            "azure-native:containerservice:FleetMember": 3,
            "azure-native:containerservice:MaintenanceConfiguration": 6,
            "azure-native:containerservice:ManagedCluster": 3,
            "azure-native:cosmosdb:DatabaseAccount": 1,
            "azure-native:cosmosdb:SqlResourceSqlContainer": 8,
            "azure-native:cosmosdb:SqlResourceSqlDatabase": 1,
            "azure-native:cosmosdb:SqlResourceSqlRoleAssignment": 7,
            "azure-native:dashboard:Grafana": 1,
            "azure-native:deviceprovisioningservices:IotDpsResource": 1,
            "azure-native:dns:Zone": 1,
            "azure-native:eventhub:ConsumerGroup": 6,
            "azure-native:eventhub:EventHub": 3,
            "azure-native:eventhub:Namespace": 2,
            "azure-native:eventhub:NamespaceNetworkRuleSet": 1,
            "azure-native:iothub:IotHubResource": 1,
            "azure-native:keyvault:Secret": 1,
            "azure-native:keyvault:Vault": 8,
            "azure-native:kubernetesconfiguration:Extension": 3,
            "azure-native:kubernetesconfiguration:FluxConfiguration": 10,
            "azure-native:kusto:Cluster": 1,
            "azure-native:kusto:DatabasePrincipalAssignment": 9,
            "azure-native:kusto:EventHubDataConnection": 3,
            "azure-native:kusto:ReadWriteDatabase": 1,
            "azure-native:kusto:Script": 6,
            "azure-native:managedidentity:FederatedIdentityCredential": 28,
            "azure-native:managedidentity:UserAssignedIdentity": 26,
            "azure-native:monitor:ActionGroup": 1,
            "azure-native:monitor:AzureMonitorWorkspace": 1,
            "azure-native:monitor:DataCollectionEndpoint": 3,
            "azure-native:monitor:DataCollectionRule": 6,
            "azure-native:monitor:DataCollectionRuleAssociation": 9,
            "azure-native:network:PrivateDnsZoneGroup": 13,
            "azure-native:network:PrivateEndpoint": 13,
            "azure-native:network:Subnet": 7,
            "azure-native:network:VirtualNetwork": 1,
            "azure-native:network:WebApplicationFirewallPolicy": 3,
            "azure-native:operationalinsights:Workspace": 1,
            "azure-native:privatedns:PrivateZone": 7,
            "azure-native:privatedns:VirtualNetworkLink": 7,
            "azure-native:resources:ResourceGroup": 1,
            "azure-native:servicebus:Namespace": 1,
            "azure-native:servicebus:NamespaceNetworkRuleSet": 1,
            "azure-native:servicebus:Queue": 7,
            "azure-native:servicenetworking:AssociationsInterface": 3,
            "azure-native:servicenetworking:FrontendsInterface": 3,
            "azure-native:servicenetworking:TrafficControllerInterface": 3,
            "azure-native:storage:BlobContainer": 12,
            "azure-native:storage:ManagementPolicy": 2,
            "azure-native:storage:StorageAccount": 3,
            "azuread:index/group:Group": 8,
            "azuread:index/groupMember:GroupMember": 1,
            "grafana:oss/dashboard:Dashboard": 2,
            "grafana:oss/folder:Folder": 1,
            [COMPONENT_TYPES.clusterPlatform]: 3,
            [COMPONENT_TYPES.dedicatedCluster]: 2,
            [COMPONENT_TYPES.fleetManager]: 1,
            [COMPONENT_TYPES.ingestTier]: 3,
            [COMPONENT_TYPES.region]: 1,
            [COMPONENT_TYPES.regionAlerts]: 1,
            [COMPONENT_TYPES.regionDashboards]: 1,
            [COMPONENT_TYPES.regionDataPlane]: 1,
            [COMPONENT_TYPES.regionObservability]: 1,
            [COMPONENT_TYPES.regionPrivateLink]: 1,
            [COMPONENT_TYPES.sharedCluster]: 1,
            [COMPONENT_TYPES.telemetryRollups]: 1,
            [COMPONENT_TYPES.telemetryTiers]: 1,
            [COMPONENT_TYPES.tenantEventStream]: 2,
            [COMPONENT_TYPES.tenantNamespace]: 7,
            [COMPONENT_TYPES.tenantRegionResources]: 7,
            "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy": 3,
            "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding": 3,
            "kubernetes:alb.networking.azure.io/v1:WebApplicationFirewallPolicy": 3,
            "kubernetes:cert-manager.io/v1:Certificate": 7,
            "kubernetes:cert-manager.io/v1:ClusterIssuer": 3,
            "kubernetes:cilium.io/v2:CiliumNetworkPolicy": 25,
            "kubernetes:core/v1:ConfigMap": 16,
            "kubernetes:core/v1:LimitRange": 25,
            "kubernetes:core/v1:Namespace": 25,
            "kubernetes:core/v1:ResourceQuota": 25,
            "kubernetes:core/v1:ServiceAccount": 10,
            "kubernetes:gateway.networking.k8s.io/v1:Gateway": 3,
            "kubernetes:helm.sh/v3:Release": 12,
            "kubernetes:keda.sh/v1alpha1:ScaledObject": 10,
            "kubernetes:keda.sh/v1alpha1:TriggerAuthentication": 10,
            "kubernetes:networking.k8s.io/v1:NetworkPolicy": 134,
            "kubernetes:rbac.authorization.k8s.io/v1:Role": 7,
            "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding": 7,
            "kubernetes:secrets-store.csi.x-k8s.io/v1:SecretProviderClass": 3,
            "pulumi:providers:grafana": 1,
            "pulumi:providers:kubernetes": 3,
            "pulumi:pulumi:Stack": 1,
            "random:index/randomString:RandomString": 1,
        },
        monthly: 10_760,
        perDevice: 0.048,
        spotSaving: 0,
        reservedSaving: 1_559,
        clusters: { "shared-1": 1_882, "dedicated-medica": 1_860, "dedicated-woodgrove": 1_906 },
        tenants: {
            medica: 2_549,
            "blue-yonder": 685,
            "coho-vineyard": 318,
            "graphic-design": 108,
            humongous: 2_006,
            "trey-research": 431,
            woodgrove: 4_663,
        },
    },
};

describe("npm start: the offline plan", () => {
    const runs: Record<string, Run> = {};
    before(async () => {
        const [weuText, weuJson, eusJson, faulty, broken] = await Promise.all([
            plan(),
            plan("--stack", "prod-weu", "--json"),
            plan("--stack", "prod-eus", "--json"),
            plan("--config", "test/fixtures/Pulumi.faulty.yaml", "--program", "test/fixtures/faultyProgram.ts"),
            plan("--config", "test/fixtures/Pulumi.broken.yaml"),
        ]);
        Object.assign(runs, { weuText, weuJson, eusJson, faulty, broken });
    });

    it("prints the region tree with clusters, pools and tenants for the default stack, and exits 0", () => {
        const { code, stdout, stderr } = runs.weuText;
        assert.strictEqual(code, 0, stderr);
        assert.match(stdout, /^Region weu \(westeurope\) · stack prod-weu · 11 tenants · 335,900 devices$/m);
        assert.match(stdout, /^├─ shared-1 \(shared\)$/m);
        assert.match(stdout, /^└─ dedicated-acme \(dedicated\)$/m);
        assert.match(stdout, /pool procspot +Standard_F16s_v2 +Spot +0–40 nodes/);
        assert.match(stdout, /tenant acme +250,000 devices · 1000 msg\/replica/);
        assert.match(stdout, /tenant margie-travel +1,500 devices · 500 msg\/replica · unpinned/);
        assert.match(stdout, /^Policies: 0 mandatory, 0 advisory violation\(s\)$/m);
        assert.match(stdout, /^Resources: 716 in [\d.]+ s$/m);
        // The data path tenant by tenant, the migration's step, and every Azure limit with its headroom.
        assert.match(
            stdout,
            /^ {2}route tenant-acme \(on stamp-1\): \$twin\.tags\.tenant = 'acme'\n {6}-> telemetry-acme \(hub of its own\), read by ingest dedicated-acme, ADX$/m,
        );
        assert.match(stdout, /^ {2}untagged devices: no route matches: fallback route to the built-in endpoint 'events'/m);
        assert.match(stdout, /^ {2}ingest shared-1: telemetry through consumer group ingest-shared-1 -> 10 tenant queue\(s\)$/m);
        assert.match(stdout, /^ {4}5\. set migration\.keepTenantConsumerGroups: false/m);
        assert.match(stdout, /^ {2}role assignments per subscription +140\/4,000 \(97% free\) · subscription prod$/m);
        assert.match(stdout, /^ {2}custom endpoints per IoT hub +2\/10 \(80% free\) · IoT hub of stamp-1$/m);
        assert.match(stdout, /^Cost estimate \(EUR\/month, westeurope list prices as of 2026-11\): €10,761 · €0\.032 per device$/m);
        assert.match(
            stdout,
            /^ {2}savings: Spot processing €0 \(0%\), reserved system and processing-baseline nodes €1,191 \(38%\), total €1,191$/m,
        );
        assert.doesNotMatch(runs.weuText.stderr, /evaluating/, "no progress line when stderr is not a terminal");
    });

    it("prints the same numbers as JSON with --json, for both real stacks: resources by type, cost by cluster and tenant", () => {
        for (const [stack, run] of [
            ["prod-weu", runs.weuJson],
            ["prod-eus", runs.eusJson],
        ] as const) {
            assert.strictEqual(run.code, 0, run.stderr);
            const report: PlanReport = JSON.parse(run.stdout);
            const expected = REAL_STACK_PLANS[stack];
            assert.strictEqual(report.policies.mandatory, 0);
            assert.strictEqual(report.resources.total, expected.resources, `${stack} resources`);
            assert.deepStrictEqual(report.resources.byType, expected.byType, `${stack} resources by type`);
            assert.strictEqual(
                Object.values(report.resources.byType).reduce((a, b) => a + b, 0),
                report.resources.total,
            );
            assert.ok(report.cost.priced, "the real stacks' regions are priced");
            const { totals, clusters, tenants, savings } = report.cost;
            assert.deepStrictEqual(
                {
                    monthly: Math.round(totals.monthly),
                    perDevice: Number(totals.perDevice.toFixed(3)),
                    spotSaving: Math.round(savings.spotProcessing.saved),
                    reservedSaving: Math.round(savings.reservedNodes.saved),
                    clusters: Object.fromEntries(clusters.map(c => [c.cluster, Math.round(c.monthly)])),
                    tenants: Object.fromEntries(tenants.map(t => [t.tenant, Math.round(t.monthly)])),
                },
                {
                    monthly: expected.monthly,
                    perDevice: expected.perDevice,
                    spotSaving: expected.spotSaving,
                    reservedSaving: expected.reservedSaving,
                    clusters: expected.clusters,
                    tenants: expected.tenants,
                },
                `${stack} cost`,
            );
            assert.strictEqual(report.clusters.flatMap(c => c.tenants).length, report.region.tenants);
            assert.strictEqual(report.region.tenants, Object.keys(expected.tenants).length);
        }
        const json: PlanReport = JSON.parse(runs.weuJson.stdout);
        assert.ok(json.cost.priced);
        const text = runs.weuText.stdout;
        assert.ok(text.includes(`Resources: ${json.resources.total.toLocaleString("en-US")} in`));
        assert.ok(text.includes(`€${Math.round(json.cost.totals.monthly).toLocaleString("en-US")} · `));
        const eus: PlanReport = JSON.parse(runs.eusJson.stdout);
        assert.deepStrictEqual(
            eus.clusters.map(c => c.name),
            ["shared-1", "dedicated-medica", "dedicated-woodgrove"],
        );
    });

    it("exits 1 on the faulty fixture and lists each violation with its resource and fix", () => {
        const { code, stdout } = runs.faulty;
        assert.strictEqual(code, 1);
        assert.match(stdout, /^Policies: 6 mandatory, 0 advisory violation\(s\)$/m);
        for (const policy of [
            "tenant-labels",
            "spot-baseline",
            "system-pool-isolation",
            "tenant-guardrails",
            "no-plaintext-secrets",
            "tenant-data-protection",
        ]) {
            assert.match(stdout, new RegExp(`✗ ${policy} \\(mandatory\\) · 1 violation`));
        }
        assert.match(stdout, /urn:pulumi:faulty::iot-fleet::.*::rogue-secret/);
        assert.match(stdout, /why and how to fix: .*Fix: keep secrets in Key Vault/);
    });

    it("exits 2 on a bad stack file and lists every problem, without a stack trace", () => {
        const { code, stdout, stderr } = runs.broken;
        assert.strictEqual(code, 2);
        assert.strictEqual(stdout, "");
        assert.match(stderr, /^stack broken has 11 problems:$/m);
        assert.strictEqual(
            stderr
                .trim()
                .split("\n")
                .filter(line => line.startsWith("  - ")).length,
            11,
        );
        assert.doesNotMatch(stderr, /\n\s+at /);
    });

    it("exits 2 on an unknown stack and names the stacks there are", async () => {
        const { code, stderr } = await plan("--stack", "prod-xyz");
        assert.strictEqual(code, 2);
        assert.match(stderr, /unknown stack 'prod-xyz'; stacks with a stack file: prod-eus, prod-weu/);
    });
});

describe("planStack", () => {
    it("refuses a bad policy config with every problem before it runs the program", async () => {
        let ran = false;
        await assert.rejects(
            planStack({
                stack: "prod-weu",
                stackConfig: readStackConfig(stackFilePath("prod-weu")),
                program: () => {
                    ran = true;
                },
                policyConfig: { all: "sometimes" as any, "dedicated-threshold": { dedicatedDeviceThreshold: 0 } },
            }),
            (err: ConfigError) => {
                assert.deepStrictEqual(
                    err.problems.map(p => p.path),
                    ["all", "dedicated-threshold.dedicatedDeviceThreshold"],
                );
                return err instanceof ConfigError;
            },
        );
        assert.strictEqual(ran, false, "the program ran before the policy config was checked");
    });
});
