import * as assert from "assert";
import * as path from "path";
import { Policies, PolicyResource } from "@pulumi/policy";
import { evaluateStack, Evaluation, RecordedResource } from "../offline/evaluate";
import { evaluatePolicies, PolicyReport } from "../offline/policies";
import { fleetPolicies } from "../policy/policies";
import { clusterIdentity, fleetMembership } from "../policy/clusters";
import { dedicatedThreshold, UNTAGGABLE_AZURE_TYPES } from "../policy/tenancy";
import { queueBasedScaling } from "../policy/workloads";
import { processorScaledObject } from "../components/tenantScaling";
import { BUILT_IN_TENANT_DEFAULTS } from "../lib/config";
import { readStackConfig, stackFilePath } from "../lib/stackFile";
import { faultyProgram, ROGUE_NAMESPACE, UNPROTECTED_TENANT } from "./fixtures/faultyProgram";
import { acceptsTags, evaluateRealStack, REAL_STACKS } from "./support/stacks";

/** Runs the given policies over a set of recorded resources, as the CLI would. */
const run = (policies: Policies, resources: readonly RecordedResource[]) => evaluatePolicies({ resources }, { policies });
const summary = (report: PolicyReport) => report.violations.map(v => `${v.policyName} @ ${v.urn.split("::").pop()}: ${v.message}`).sort();

/** A recorded resource built by hand around real component output, for policies that look at one resource. */
const resource = (type: string, inputs: Record<string, any>): RecordedResource => ({
    urn: `urn:pulumi:test::iot-fleet::${type}::fragment`, type, name: "fragment", custom: true, parent: "", provider: "",
    protect: false, dependencies: [], propertyDependencies: {}, ignoreChanges: [], inputs,
});

describe("the policy pack", () => {
    it("names every policy in kebab-case with a level and a description that says how to fix it", () => {
        assert.strictEqual(fleetPolicies.length, 10);
        for (const policy of fleetPolicies) {
            assert.match(policy.name, /^[a-z]+(-[a-z]+)*$/);
            assert.ok(policy.enforcementLevel, `${policy.name} has no enforcement level`);
            assert.match(policy.description, /Fix: /, `${policy.name} does not say how to fix a violation`);
        }
        assert.strictEqual(fleetPolicies.find(p => p.name === "dedicated-threshold")!.enforcementLevel, "advisory");
        for (const name of ["spot-baseline", "system-pool-isolation", "queue-based-scaling", "dedicated-threshold"]) {
            assert.ok(fleetPolicies.find(p => p.name === name)!.configSchema, `${name} has a threshold but no configSchema`);
        }
    });

    it("lists as untaggable only Azure types whose API really has no tags", () => {
        for (const type of UNTAGGABLE_AZURE_TYPES) {
            assert.strictEqual(acceptsTags(type), false, `${type} accepts tags`);
        }
    });

    for (const stack of REAL_STACKS) {
        it(`passes every mandatory policy on ${stack}`, async () => {
            const report = await evaluatePolicies(await evaluateRealStack(stack));
            assert.deepStrictEqual(summary(report), []);
            assert.strictEqual(report.policies.length, 10);
        });
    }

    describe("on the faulty fixture program", () => {
        let report: PolicyReport;
        before(async () => {
            const evaluation = await evaluateStack({
                stack: "faulty", stackConfig: readStackConfig(path.join(__dirname, "fixtures", "Pulumi.faulty.yaml")), program: faultyProgram,
            });
            report = await evaluatePolicies(evaluation);
        });

        it("reports exactly the six planted faults and nothing else", () => {
            assert.deepStrictEqual(report.violations.map(v => v.policyName).sort(), [
                "no-plaintext-secrets", "spot-baseline", "system-pool-isolation", "tenant-data-protection", "tenant-guardrails", "tenant-labels",
            ]);
            assert.strictEqual(report.mandatory, 6);
        });

        it("names the resource and the fault in each violation", () => {
            const by = (name: string) => report.violations.find(v => v.policyName === name)!;
            assert.match(by("spot-baseline").message, /Spot pool 'procspot' \(workload processing\) of cluster aks-test-weu-shared-1 has no non-Spot pool/);
            assert.match(by("system-pool-isolation").message, /system pool 'system' keeps 2 nodes; at least 3/);
            assert.match(by("tenant-guardrails").message, new RegExp(`Tenant namespace '${ROGUE_NAMESPACE}' lacks a ResourceQuota\\.$`));
            assert.match(by("tenant-labels").message, /ConfigMap 'rogue-unlabelled' in tenant namespace 'rogue' has iot-fleet.io\/tenant=\(missing\), expected rogue/);
            assert.match(by("no-plaintext-secrets").message, /Secret 'device-gateway' has literal data \(password\)/);
            assert.match(by("tenant-data-protection").message, new RegExp(`tenant ${UNPROTECTED_TENANT} is not protected`));
            assert.ok(report.violations.every(v => v.urn.startsWith("urn:pulumi:faulty::iot-fleet::")));
        });
    });

    describe("on real stack fragments", () => {
        let weu: Evaluation;
        before(async () => { weu = await evaluateRealStack("prod-weu"); });

        it("cluster-identity rejects a cluster with local accounts on and no workload identity", async () => {
            const real = weu.resources.find(r => r.type === "azure-native:containerservice:ManagedCluster")!;
            assert.deepStrictEqual(summary(await run([clusterIdentity()], [real])), []);
            const weakened = { ...real, inputs: { ...real.inputs, disableLocalAccounts: false, securityProfile: { workloadIdentity: { enabled: false } } } };
            const [violation] = (await run([clusterIdentity()], [weakened])).violations;
            assert.strictEqual(violation.message, "These must be true: securityProfile.workloadIdentity.enabled, disableLocalAccounts.");
        });

        it("fleet-membership flags every cluster once the fleet members are gone", async () => {
            assert.deepStrictEqual(summary(await run([fleetMembership()], weu.resources)), []);
            const withoutMembers = weu.resources.filter(r => r.type !== "azure-native:containerservice:FleetMember");
            const report = await run([fleetMembership()], withoutMembers);
            assert.deepStrictEqual(report.violations.map(v => v.message).sort(), [
                "Cluster aks-prod-weu-dedicated-acme is not a member of any fleet.", "Cluster aks-prod-weu-shared-1 is not a member of any fleet.",
            ]);
        });

        it("queue-based-scaling rejects a short cooldown, scale-to-zero and CPU autoscaling of telemetry", async () => {
            const settings = { ...BUILT_IN_TENANT_DEFAULTS, processing: { ...BUILT_IN_TENANT_DEFAULTS.processing, minReplicas: 0 } };
            const real = processorScaledObject({ namespace: "contoso", labels: {}, settings, queueName: "q", serviceBusNamespace: "sb" });
            const good = resource("kubernetes:keda.sh/v1alpha1:ScaledObject", { ...real, spec: { ...(real.spec as any), minReplicaCount: 1 } });
            assert.deepStrictEqual(summary(await run([queueBasedScaling()], [good])), []);
            const flapping = resource("kubernetes:keda.sh/v1alpha1:ScaledObject", { ...real, spec: { ...(real.spec as any), cooldownPeriod: 30 } });
            assert.deepStrictEqual((await run([queueBasedScaling()], [flapping])).violations.map(v => v.message), [
                "ScaledObject 'telemetry-processor-scaler' has cooldownPeriod 30s; at least 60s avoids flapping on bursty telemetry.",
                "ScaledObject 'telemetry-processor-scaler' may scale to 0 replicas; keep minReplicaCount >= 1 so the queue is always drained.",
            ]);
            const hpa = resource("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", {
                metadata: { name: "processor", namespace: "contoso" },
                spec: { scaleTargetRef: { kind: "Deployment", name: "telemetry-processor" }, metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }] },
            });
            assert.match((await run([queueBasedScaling()], [hpa])).violations[0].message, /scales telemetry workload 'telemetry-processor' on CPU/);
        });

        it("dedicated-threshold advises when a pinned shared tenant grows past the threshold", async () => {
            assert.deepStrictEqual(summary(await run([dedicatedThreshold()], weu.resources)), []);
            const stackConfig = readStackConfig(stackFilePath("prod-weu"));
            const tenants = (stackConfig["iot-fleet:tenants"] as any[]).map(t => t.name === "contoso" ? { ...t, deviceQuota: 75_000 } : t);
            const grown = await evaluateStack({ stack: "prod-weu", stackConfig: { ...stackConfig, "iot-fleet:tenants": tenants } });
            const report = await evaluatePolicies(grown);
            assert.strictEqual(report.mandatory, 0);
            assert.deepStrictEqual(report.violations.map(v => [v.policyName, v.enforcementLevel, v.message]), [[
                "dedicated-threshold", "advisory",
                "Tenant contoso (namespace 'contoso') has 75000 devices, at or above the dedicated threshold of 50000, but runs on shared cluster shared-1.",
            ]]);
        });

        it("follows the policy config: a level set there wins, and thresholds come from it", async () => {
            const report = await evaluatePolicies(weu, { config: { "system-pool-isolation": { enforcementLevel: "advisory", minSystemNodes: 5 } } });
            assert.strictEqual(report.mandatory, 0);
            assert.strictEqual(report.advisory, 2);
            assert.ok(report.violations.every(v => /keeps 3 nodes; at least 5/.test(v.message)));
            const disabled = await evaluatePolicies(weu, { config: { "system-pool-isolation": "disabled" } });
            assert.ok(!disabled.policies.some(p => p.name === "system-pool-isolation"));
        });

        it("sees parents, providers and property dependencies as the CLI's analyzer does", async () => {
            let seen: PolicyResource[] = [];
            await run([{ name: "probe", description: "probe", enforcementLevel: "advisory", validateStack: args => { seen = args.resources; } }], weu.resources);
            const member = seen.find(r => r.type === "azure-native:containerservice:FleetMember")!;
            assert.ok(member.propertyDependencies.clusterResourceId.some(d => d.type === "azure-native:containerservice:ManagedCluster"));
            const namespace = seen.find(r => r.type === "kubernetes:core/v1:Namespace" && r.props.metadata.name === "contoso")!;
            assert.strictEqual(namespace.parent!.type, "iot-fleet:index:TenantNamespace");
            assert.strictEqual(namespace.provider!.type, "pulumi:providers:kubernetes");
            assert.strictEqual(namespace.opts.protect, true);
        });
    });
});
