import * as assert from "assert";
import * as path from "path";
import { Policies, PolicyResource, ResourceValidationPolicy, UnknownValueError } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { evaluateStack, Evaluation, RecordedResource } from "../offline/evaluate";
import { evaluatePolicies, PolicyReport } from "../offline/policies";
import { configurePolicies } from "../offline/policyConfig";
import { fleetPolicies } from "../policy/policies";
import { clusterIdentity, fleetMembership, systemPoolIsolation } from "../policy/clusters";
import { dedicatedThreshold, tenantDataProtection, tenantLabels, UNTAGGABLE_AZURE_TYPES } from "../policy/tenancy";
import { dataPlaneLimits } from "../policy/dataPlaneLimits";
import { tenantDataIsolation } from "../policy/dataIsolation";
import { isCredentialName, noPlaintextSecrets, queueBasedScaling } from "../policy/workloads";
import { tenantGuardrails } from "../policy/guardrails";
import { processorScaledObject } from "../components/tenant/tenantScaling";
import { BUILT_IN_TENANT_DEFAULTS } from "../lib/config";
import { ConfigError } from "../lib/errors";
import { POD_SECURITY_ENFORCE_LABEL } from "../lib/labels";
import { readStackConfig, stackFilePath } from "../lib/stackFile";
import { faultyProgram, ROGUE_NAMESPACE, UNLABELLED_SCALER, UNPROTECTED_TENANT } from "./fixtures/faultyProgram";
import { acceptsTags, evaluateRealStack, REAL_STACKS } from "./support/stacks";
import { changed, replacing, resource } from "./support/recordedResources";
import { COMPONENT_TYPES } from "../lib/componentTypes";

/** Runs the given policies over a set of recorded resources, as the CLI would. */
const run = (policies: Policies, resources: readonly RecordedResource[]) => evaluatePolicies({ resources }, { policies });
const summary = (report: PolicyReport) => report.violations.map(v => `${v.policyName} @ ${v.urn.split("::").pop()}: ${v.message}`).sort();
const messages = (report: PolicyReport) => report.violations.map(v => v.message);

const inTenantNamespace = (type: string, namespace: string) => (r: RecordedResource) =>
    r.type === type && r.inputs.metadata?.namespace === namespace;

/**
 * A module loaded afresh with its own @pulumi/policy, as the pack's modules are once `npm --prefix policy ci`
 * installs the pack's copy beside the root's: the two copies' classes (UnknownValueError) differ.
 */
function withOwnPolicySdk<T>(modulePath: string): T {
    const sdk = path.dirname(require.resolve("@pulumi/policy"));
    const target = require.resolve(modulePath);
    const reloaded = (file: string) => file === target || file.startsWith(`${sdk}${path.sep}`);
    const saved = Object.entries(require.cache).filter(([file]) => reloaded(file));
    saved.forEach(([file]) => delete require.cache[file]);
    try {
        // A fresh copy of a module whose cache entry was just dropped: only require() can.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return require(target);
    } finally {
        Object.keys(require.cache)
            .filter(reloaded)
            .forEach(file => delete require.cache[file]);
        saved.forEach(([file, module]) => {
            require.cache[file] = module;
        });
    }
}

/** A stack file's config with one tenant changed. */
function withTenant(stack: string, tenant: string, change: Record<string, unknown>): Record<string, unknown> {
    const stackConfig = readStackConfig(stackFilePath(stack));
    const tenants = (stackConfig["iot-fleet:tenants"] as any[]).map(t => (t.name === tenant ? { ...t, ...change } : t));
    return { ...stackConfig, "iot-fleet:tenants": tenants };
}

describe("the policy pack", () => {
    it("names every policy in kebab-case with a level and a description that says how to fix it", () => {
        assert.strictEqual(fleetPolicies.length, 16);
        for (const policy of fleetPolicies) {
            assert.match(policy.name, /^[a-z]+(-[a-z]+)*$/);
            assert.ok(policy.enforcementLevel, `${policy.name} has no enforcement level`);
            assert.match(policy.description, /Fix: /, `${policy.name} does not say how to fix a violation`);
        }
        assert.strictEqual(fleetPolicies.find(p => p.name === "dedicated-threshold")!.enforcementLevel, "advisory");
        for (const name of ["spot-baseline", "system-pool-isolation", "queue-based-scaling", "dedicated-threshold", "tenant-hostnames"]) {
            assert.ok(fleetPolicies.find(p => p.name === name)!.configSchema, `${name} has a threshold but no configSchema`);
        }
    });

    it("lists as untaggable only Azure types whose API really has no tags", () => {
        for (const type of UNTAGGABLE_AZURE_TYPES) {
            assert.strictEqual(acceptsTags(type), false, `${type} accepts tags`);
        }
        assert.throws(() => acceptsTags("azure-native:eventhub:Index"), /declares no IndexArgs/);
    });

    for (const stack of REAL_STACKS) {
        it(`passes every mandatory policy on ${stack}`, async () => {
            const report = await evaluatePolicies(await evaluateRealStack(stack));
            assert.deepStrictEqual(summary(report), []);
            assert.strictEqual(report.policies.length, 16);
        });

        it(`passes every policy on ${stack} under preview, where outputs the cloud computes are unknown`, async () => {
            const evaluation = await evaluateStack({ stack, stackConfig: readStackConfig(stackFilePath(stack)), preview: true });
            assert.ok(
                evaluation.resources.some(r => JSON.stringify(r.inputs).includes(pulumi.runtime.unknownValue)),
                "the preview has no unknown values",
            );
            assert.deepStrictEqual(summary(await evaluatePolicies(evaluation)), []);
        });
    }

    describe("on the faulty fixture program", () => {
        let report: PolicyReport;
        before(async () => {
            const evaluation = await evaluateStack({
                stack: "faulty",
                stackConfig: readStackConfig(path.join(__dirname, "fixtures", "Pulumi.faulty.yaml")),
                program: faultyProgram,
            });
            report = await evaluatePolicies(evaluation);
        });

        it("reports exactly the six planted faults, each on its resource, and nothing else", () => {
            assert.deepStrictEqual(report.violations.map(v => [v.policyName, v.urn.split("::").pop(), v.message]).sort(), [
                ["no-plaintext-secrets", "rogue-secret", "Secret 'device-gateway' has literal data (password) in the program."],
                [
                    "spot-baseline",
                    "faulty-shared-1-aks",
                    "Spot pool 'procspot' (workload processing) of cluster aks-test-weu-shared-1 has no non-Spot pool for the same workload keeping at least 1 node(s).",
                ],
                ["system-pool-isolation", "faulty-shared-1-aks", "system pool 'system' keeps 2 nodes; at least 3 are needed for HA."],
                [
                    "tenant-data-protection",
                    `faulty-shared-1-tenant-${UNPROTECTED_TENANT}-ns`,
                    `kubernetes:core/v1:Namespace 'faulty-shared-1-tenant-${UNPROTECTED_TENANT}-ns' of tenant ${UNPROTECTED_TENANT} is not protected and the tenant is not being decommissioned.`,
                ],
                ["tenant-guardrails", "rogue-ns", `Tenant namespace '${ROGUE_NAMESPACE}' lacks a ResourceQuota.`],
                [
                    "tenant-labels",
                    UNLABELLED_SCALER,
                    `kubernetes:keda.sh/v1alpha1:ScaledObject '${UNLABELLED_SCALER}' in tenant namespace '${ROGUE_NAMESPACE}' has iot-fleet.io/tenant=(missing), expected ${ROGUE_NAMESPACE}.`,
                ],
            ]);
            assert.strictEqual(report.mandatory, 6);
            assert.ok(report.violations.every(v => v.urn.startsWith("urn:pulumi:faulty::iot-fleet::")));
        });
    });

    describe("under the CLI's semantics (stack policies see outputs, a component's being what it registered)", () => {
        let weu: Evaluation;
        before(async () => {
            weu = await evaluateRealStack("prod-weu");
        });

        it("passes every mandatory policy while a tenant is being decommissioned, its data unprotected", async () => {
            const evaluation = await evaluateStack({
                stack: "prod-weu",
                stackConfig: withTenant("prod-weu", "contoso", { decommission: true }),
            });
            const unprotected = evaluation.resources.filter(
                r =>
                    !r.protect &&
                    /-tenant-contoso-/.test(r.name) &&
                    [
                        "kubernetes:core/v1:Namespace",
                        "azure-native:managedidentity:UserAssignedIdentity",
                        "azure-native:servicebus:Queue",
                    ].includes(r.type),
            );
            assert.strictEqual(unprotected.length, 3);
            const report = await evaluatePolicies(evaluation);
            assert.strictEqual(report.mandatory, 0, summary(report).join("\n"));
        });

        it("tenant-data-protection flags a tenant's identity, queue, checkpoints and vault left unprotected while the tenant stays", async () => {
            const isKept = (r: RecordedResource) =>
                /-tenant-contoso-/.test(r.name) &&
                [
                    "azure-native:managedidentity:UserAssignedIdentity",
                    "azure-native:servicebus:Queue",
                    "azure-native:storage:BlobContainer",
                    "azure-native:keyvault:Vault",
                ].includes(r.type);
            assert.deepStrictEqual(summary(await run([tenantDataProtection()], weu.resources)), []);
            const unprotected = replacing(weu.resources, isKept, r => ({ ...r, protect: false }));
            assert.deepStrictEqual(
                messages(await run([tenantDataProtection()], unprotected)).sort(),
                weu.resources
                    .filter(isKept)
                    .map(r => `${r.type} '${r.name}' of tenant contoso is not protected and the tenant is not being decommissioned.`)
                    .sort(),
            );
            assert.strictEqual(weu.resources.filter(isKept).length, 4);
        });

        it("tenant-labels flags a tenant identity that lost its tenant tag", async () => {
            const isIdentity = (r: RecordedResource) =>
                r.type === "azure-native:managedidentity:UserAssignedIdentity" && r.inputs.resourceName === "id-prod-weu-contoso";
            const untagged = replacing(weu.resources, isIdentity, r =>
                changed(r, props => {
                    delete props.tags.tenant;
                }),
            );
            assert.deepStrictEqual(messages(await run([tenantLabels()], untagged)), [
                `azure-native:managedidentity:UserAssignedIdentity '${weu.resources.find(isIdentity)!.name}' was made for tenant contoso but has tenant=(missing).`,
            ]);
        });

        it("gives resource policies a resource's inputs and stack policies its outputs", async () => {
            const seen: { resource: any[]; stack: PolicyResource[] } = { resource: [], stack: [] };
            await run(
                [
                    {
                        name: "resource-probe",
                        description: "probe",
                        enforcementLevel: "advisory",
                        validateResource: args => {
                            seen.resource.push(args.props);
                        },
                    },
                    {
                        name: "stack-probe",
                        description: "probe",
                        enforcementLevel: "advisory",
                        validateStack: args => {
                            seen.stack = args.resources;
                        },
                    },
                ],
                weu.resources,
            );
            const cluster = seen.stack.find(r => r.type === "azure-native:containerservice:ManagedCluster")!;
            assert.match(cluster.props.fqdn, /\.azmk8s\.io$/, "the stack policy sees the provider's outputs");
            assert.ok(
                seen.resource.some(props => props.resourceName === cluster.props.resourceName && props.fqdn === undefined),
                "the resource policy sees the inputs",
            );
            const tenantNamespace = seen.stack.find(r => r.type === COMPONENT_TYPES.tenantNamespace && r.props.tenant === "contoso")!;
            assert.deepStrictEqual([tenantNamespace.props.namespace, tenantNamespace.props.decommission], ["contoso", false]);
        });
    });

    describe("in a preview, with values the cloud has not computed yet", () => {
        const unknown = pulumi.runtime.unknownValue;

        it("reports a policy that reads an unknown value as unable to run, advisory, as the CLI does", async () => {
            const readsAll: ResourceValidationPolicy = {
                name: "reads-data",
                description: "probe",
                enforcementLevel: "mandatory",
                validateResource: (args, reportViolation) => {
                    if (args.props.data.KEY_VAULT_URI === "") reportViolation("empty");
                },
            };
            const configMap = resource("kubernetes:core/v1:ConfigMap", {
                metadata: { name: "telemetry-config" },
                data: { KEY_VAULT_URI: unknown },
            });
            const report = await run([readsAll], [configMap]);
            assert.deepStrictEqual(
                report.violations.map(v => [v.enforcementLevel, v.message]),
                [
                    [
                        "advisory",
                        "can't run policy 'reads-data' from policy pack 'iot-fleet@v1.0.0' during preview: string value at .data.KEY_VAULT_URI can't be known during preview",
                    ],
                ],
            );
        });

        it("no-plaintext-secrets skips unknown values and still judges the known ones", async () => {
            const configMap = resource("kubernetes:core/v1:ConfigMap", {
                metadata: { name: "telemetry-config" },
                data: { KEY_VAULT_URI: unknown, DB_PASSWORD: "hunter2" },
            });
            assert.deepStrictEqual(messages(await run([noPlaintextSecrets()], [configMap])), [
                "ConfigMap 'telemetry-config' data.DB_PASSWORD holds a literal value under the credential name DB_PASSWORD.",
            ]);
        });

        it("no-plaintext-secrets still skips unknown values when the pack has its own copy of @pulumi/policy", async () => {
            const ownCopy = withOwnPolicySdk<typeof import("../policy/workloads")>("../policy/workloads");
            const configMap = resource("kubernetes:core/v1:ConfigMap", {
                metadata: { name: "telemetry-config" },
                data: { KEY_VAULT_URI: unknown, DB_PASSWORD: "hunter2" },
            });
            assert.deepStrictEqual(summary(await run([ownCopy.noPlaintextSecrets()], [configMap])), [
                "no-plaintext-secrets @ fragment: ConfigMap 'telemetry-config' data.DB_PASSWORD holds a literal value under the credential name DB_PASSWORD.",
            ]);
        });

        it("reports an unknown value thrown by another copy of @pulumi/policy as unable to run, not as a failed run", async () => {
            const otherSdk = withOwnPolicySdk<typeof import("@pulumi/policy")>("@pulumi/policy");
            const foreign = new (otherSdk.UnknownValueError as any)(unknown, ["data", "KEY_VAULT_URI"]);
            assert.ok(!(foreign instanceof UnknownValueError), "the copies share one class, so this test proves nothing");
            const readsAll: ResourceValidationPolicy = {
                name: "reads-data",
                description: "probe",
                enforcementLevel: "mandatory",
                validateResource: () => {
                    throw foreign;
                },
            };
            const report = await run([readsAll], [resource("kubernetes:core/v1:ConfigMap", { data: {} })]);
            assert.deepStrictEqual(
                report.violations.map(v => [v.enforcementLevel, v.message]),
                [
                    [
                        "advisory",
                        "can't run policy 'reads-data' from policy pack 'iot-fleet@v1.0.0' during preview: string value at .data.KEY_VAULT_URI can't be known during preview",
                    ],
                ],
            );
        });
    });

    describe("with a policy pack config", () => {
        const levels = (config: Parameters<typeof configurePolicies>[1]) =>
            Object.fromEntries(configurePolicies(fleetPolicies, config).map(c => [c.policy.name, c.enforcementLevel]));

        it("applies `all` first, then each policy's own entry, as the engine does", () => {
            const configured = levels({
                all: "mandatory",
                "spot-baseline": "advisory",
                "cluster-identity": { enforcementLevel: "disabled" },
            });
            assert.strictEqual(configured["dedicated-threshold"], "mandatory", "`all` overrides the policy's own level");
            assert.strictEqual(configured["spot-baseline"], "advisory");
            assert.strictEqual(configured["cluster-identity"], "disabled");
            assert.strictEqual(levels({})["dedicated-threshold"], "advisory");
        });

        it("gives a policy without a level the pack's, and reports remediate as mandatory", async () => {
            const unleveled = { ...clusterIdentity(), enforcementLevel: undefined };
            assert.strictEqual(configurePolicies([unleveled], {}, "advisory")[0].enforcementLevel, "advisory");
            const weak = resource("azure-native:containerservice:ManagedCluster", { disableLocalAccounts: false });
            const report = await evaluatePolicies(
                { resources: [weak] },
                { policies: [clusterIdentity("advisory")], config: { "cluster-identity": "remediate" } },
            );
            assert.deepStrictEqual(
                report.violations.map(v => v.enforcementLevel),
                ["mandatory"],
            );
        });

        it("refuses a config that breaks a policy's configSchema or names no level, listing every problem", () => {
            assert.throws(
                () =>
                    configurePolicies(fleetPolicies, {
                        all: "sometimes" as any,
                        "system-pool-isolation": { minSystemNodes: 0 },
                        "spot-baseline": { minBaselineNodes: "two" },
                    }),
                (err: ConfigError) => {
                    assert.deepStrictEqual(err.problems, [
                        {
                            path: "all",
                            message: '"sometimes" is not an enforcement level; use one of advisory, mandatory, remediate, disabled',
                        },
                        { path: "spot-baseline.minBaselineNodes", message: "must be integer" },
                        { path: "system-pool-isolation.minSystemNodes", message: "must be >= 1" },
                    ]);
                    return err instanceof ConfigError;
                },
            );
        });
    });

    describe("on real stack fragments", () => {
        let weu: Evaluation;
        before(async () => {
            weu = await evaluateRealStack("prod-weu");
        });
        const clusterOf = (evaluation: Evaluation) =>
            evaluation.resources.find(r => r.type === "azure-native:containerservice:ManagedCluster")!;

        it("cluster-identity rejects a cluster with local accounts on and no workload identity", async () => {
            const real = clusterOf(weu);
            assert.deepStrictEqual(summary(await run([clusterIdentity()], [real])), []);
            const weakened = changed(real, props => {
                props.disableLocalAccounts = false;
                props.securityProfile = { workloadIdentity: { enabled: false } };
            });
            assert.deepStrictEqual(messages(await run([clusterIdentity()], [weakened])), [
                "These must be true: securityProfile.workloadIdentity.enabled, disableLocalAccounts.",
            ]);
        });

        it("system-pool-isolation rejects a system pool without its taint and a workload pool that is not User", async () => {
            const real = clusterOf(weu);
            const pool = weu.resources.find(
                r => r.type === "azure-native:containerservice:AgentPool" && r.inputs.resourceName === real.inputs.resourceName,
            )!;
            assert.deepStrictEqual(summary(await run([systemPoolIsolation()], [real, pool])), []);
            const untainted = changed(real, props => {
                props.agentPoolProfiles[0].nodeTaints = [];
            });
            const unmoded = changed(pool, props => {
                delete props.mode;
            });
            assert.deepStrictEqual(messages(await run([systemPoolIsolation()], [untainted, unmoded])), [
                "system pool 'system' lacks the taint CriticalAddonsOnly=true:NoSchedule, so tenant pods can land next to CoreDNS and ingress.",
                `Pool '${pool.inputs.agentPoolName}' has mode (unset); workload pools are mode User.`,
            ]);
        });

        it("tenant-guardrails names each missing guardrail of a tenant namespace", async () => {
            const weakened = replacing(
                replacing(weu.resources, inTenantNamespace("kubernetes:core/v1:LimitRange", "contoso"), () => undefined),
                r =>
                    inTenantNamespace("kubernetes:networking.k8s.io/v1:NetworkPolicy", "contoso")(r) &&
                    r.inputs.metadata.name === "default-deny-all",
                () => undefined,
            ).map(r =>
                r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata.name === "contoso"
                    ? changed(r, props => {
                          props.metadata.labels[POD_SECURITY_ENFORCE_LABEL] = "privileged";
                      })
                    : r,
            );
            assert.deepStrictEqual(messages(await run([tenantGuardrails()], weakened)), [
                `Tenant namespace 'contoso' lacks a LimitRange, a default-deny NetworkPolicy for both ingress and egress, ${POD_SECURITY_ENFORCE_LABEL}: restricted or baseline (found privileged).`,
            ]);
        });

        it("tenant-guardrails counts only guardrails on the namespace's own cluster", async () => {
            const otherCluster = weu.resources.find(r => r.type === "pulumi:providers:kubernetes" && r.name.includes("dedicated-acme"))!;
            const moved = replacing(weu.resources, inTenantNamespace("kubernetes:core/v1:ResourceQuota", "contoso"), r => ({
                ...r,
                provider: `${otherCluster.urn}::${otherCluster.name}-id`,
            }));
            assert.deepStrictEqual(messages(await run([tenantGuardrails()], moved)), ["Tenant namespace 'contoso' lacks a ResourceQuota."]);
        });

        it("no-plaintext-secrets finds credentials in ConfigMaps, env vars and Helm values, and passes the real ones", async () => {
            const config = weu.resources.find(
                r => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs.metadata.name === "telemetry-config",
            )!;
            const collector = weu.resources.find(r => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === "otel-collector")!;
            assert.deepStrictEqual(summary(await run([noPlaintextSecrets()], [config, collector])), []);
            const leakyConfig = changed(config, props =>
                Object.assign(props.data, {
                    DB_PASSWORD: "hunter2",
                    DATABASE_URL: "postgres://ingest:s3cret@db.internal:5432/telemetry",
                    EMPTY_TOKEN: "",
                }),
            );
            const leakyCollector = changed(collector, props => {
                props.values.config.exporters.azuremonitor.connection_string =
                    "InstrumentationKey=00000000-0000-4000-8000-000000000000;IngestionEndpoint=https://x";
            });
            const deployment = resource("kubernetes:apps/v1:Deployment", {
                metadata: { name: "telemetry-processor" },
                spec: {
                    template: {
                        spec: {
                            containers: [
                                {
                                    name: "processor",
                                    env: [
                                        { name: "API_KEY", value: "abc123" },
                                        { name: "STORAGE", value: "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=c2VjcmV0" },
                                        { name: "CLIENT_SECRET", valueFrom: { secretKeyRef: { name: "client", key: "secret" } } },
                                        { name: "LOG_LEVEL", value: "info" },
                                    ],
                                },
                            ],
                        },
                    },
                },
            });
            assert.deepStrictEqual(messages(await run([noPlaintextSecrets()], [leakyConfig, leakyCollector, deployment])), [
                "ConfigMap 'telemetry-config' data.DB_PASSWORD holds a literal value under the credential name DB_PASSWORD.",
                "ConfigMap 'telemetry-config' data.DATABASE_URL holds a user and password in a URL.",
                "Helm release 'otel-collector' values.config.exporters.azuremonitor.connection_string holds an Application Insights connection string.",
                "Deployment 'telemetry-processor' spec.template.spec.containers[0].env.API_KEY holds a literal value under the credential name API_KEY.",
                "Deployment 'telemetry-processor' spec.template.spec.containers[0].env.STORAGE holds a storage or Cosmos DB account key.",
            ]);
        });

        it("takes a name for a credential's only when its last word says so", () => {
            const credentials = ["API_KEY", "dbPassword", "clientSecret", "SAS_TOKEN", "ConnectionString", "connection_string", "password"];
            const others = ["KEY_VAULT_URI", "key", "topologyKey", "secretProviderClass", "existingSecret", "tokenPath", "LOG_LEVEL"];
            assert.deepStrictEqual(credentials.filter(isCredentialName), credentials);
            assert.deepStrictEqual(others.filter(isCredentialName), []);
        });

        it("data-plane-limits rejects an event hub with more consumer groups than its tier allows, and passes it on Premium", async () => {
            assert.deepStrictEqual(summary(await run([dataPlaneLimits()], weu.resources)), []);
            const ingestGroup = weu.resources.find(
                r => r.type === "azure-native:eventhub:ConsumerGroup" && r.inputs.consumerGroupName === "ingest-shared-1",
            )!;
            const onShared = weu.resources.filter(
                r => r.type === "azure-native:eventhub:ConsumerGroup" && r.inputs.eventHubName === "telemetry",
            );
            // $Default is Azure's own: 19 named groups fill Standard's 20, the 20th is one too many.
            const extra = Array.from({ length: 20 - onShared.length }, (_, i) =>
                changed(
                    ingestGroup,
                    props => {
                        props.consumerGroupName = `extra-${i}`;
                    },
                    { urn: `${ingestGroup.urn}-${i}`, name: `${ingestGroup.name}-${i}` },
                ),
            );
            assert.deepStrictEqual(messages(await run([dataPlaneLimits()], [...weu.resources, ...extra])), [
                "event hub 'telemetry' consumer groups ($Default included): 21, above Azure's limit of 20. Fix: one consumer group per shared cluster's ingest; end a migration's phase 1 (migration.keepTenantConsumerGroups: false) or raise the tier.",
            ]);
            const premium = replacing(
                [...weu.resources, ...extra],
                r => r.type === "azure-native:eventhub:Namespace",
                r =>
                    changed(r, props => {
                        props.sku = { name: "Premium", tier: "Premium", capacity: 1 };
                    }),
            );
            assert.deepStrictEqual(summary(await run([dataPlaneLimits()], premium)), []);
        });

        it("data-plane-limits rejects an IoT hub with more than 10 custom endpoints", async () => {
            const crowded = replacing(
                weu.resources,
                r => r.type === "azure-native:iothub:IotHubResource",
                r =>
                    changed(r, props => {
                        const [first] = props.properties.routing.endpoints.eventHubs;
                        props.properties.routing.endpoints.eventHubs = Array.from({ length: 11 }, (_, i) => ({ ...first, name: `e${i}` }));
                    }),
            );
            assert.deepStrictEqual(messages(await run([dataPlaneLimits()], crowded)), [
                "IoT hub custom endpoints: 11, above Azure's limit of 10. Fix: fewer dedicated tenants per region (one endpoint each).",
            ]);
        });

        it("tenant-data-isolation passes both real stacks and flags a tenant identity's data role on another tenant's queue or on the shared hub", async () => {
            assert.deepStrictEqual(summary(await run([tenantDataIsolation()], weu.resources)), []);
            const byUrn = new Map(weu.resources.map(r => [r.urn, r]));
            const queueOf = (tenant: string) =>
                weu.resources.find(r => r.type === "azure-native:servicebus:Queue" && r.inputs.queueName === `telemetry-ingest-${tenant}`)!;
            const hub = weu.resources.find(r => r.type === "azure-native:eventhub:EventHub" && r.inputs.eventHubName === "telemetry")!;
            const contosoQueueRole = weu.resources.find(r => r.name === "prod-weu-tenant-contoso-role-queue")!;
            assert.strictEqual(byUrn.get(contosoQueueRole.propertyDependencies.scope[0])!.inputs.queueName, "telemetry-ingest-contoso");
            const scopedTo = (target: RecordedResource) =>
                replacing(
                    weu.resources,
                    r => r === contosoQueueRole,
                    r =>
                        changed(
                            r,
                            props => {
                                props.scope = target.outputs.id;
                            },
                            { propertyDependencies: { ...r.propertyDependencies, scope: [target.urn] } },
                        ),
                );
            assert.deepStrictEqual(messages(await run([tenantDataIsolation()], scopedTo(queueOf("fabrikam")))), [
                "azure-native:managedidentity:UserAssignedIdentity 'prod-weu-tenant-contoso-identity' of tenant contoso holds Azure Service Bus Data Receiver on azure-native:servicebus:Queue 'prod-weu-tenant-fabrikam-queue', which carries tenant fabrikam's data.",
            ]);
            assert.deepStrictEqual(messages(await run([tenantDataIsolation()], scopedTo(hub))), [
                "azure-native:managedidentity:UserAssignedIdentity 'prod-weu-tenant-contoso-identity' of tenant contoso holds Azure Service Bus Data Receiver on azure-native:eventhub:EventHub 'prod-weu-data-telemetry', which carries every tenant's data.",
            ]);
        });

        it("fleet-membership flags every cluster once the fleet members are gone", async () => {
            assert.deepStrictEqual(summary(await run([fleetMembership()], weu.resources)), []);
            const withoutMembers = weu.resources.filter(r => r.type !== "azure-native:containerservice:FleetMember");
            assert.deepStrictEqual(messages(await run([fleetMembership()], withoutMembers)).sort(), [
                "Cluster aks-prod-weu-dedicated-acme is not a member of any fleet.",
                "Cluster aks-prod-weu-shared-1 is not a member of any fleet.",
            ]);
        });

        it("queue-based-scaling rejects a short scale-down stabilization, scale-to-zero and CPU autoscaling of telemetry, not a short cooldown", async () => {
            const settings = { ...BUILT_IN_TENANT_DEFAULTS, processing: { ...BUILT_IN_TENANT_DEFAULTS.processing, minReplicas: 0 } };
            const real = processorScaledObject({
                namespace: "contoso",
                labels: {},
                settings,
                queueName: "q",
                serviceBusNamespace: "sb",
                azureTenantId: "t",
                subscriptionId: "s",
                resourceGroupName: "rg",
            });
            const good = resource("kubernetes:keda.sh/v1alpha1:ScaledObject", {
                ...real,
                spec: { ...(real.spec as any), minReplicaCount: 1 },
            });
            assert.deepStrictEqual(summary(await run([queueBasedScaling()], [good])), []);
            const flapping = resource("kubernetes:keda.sh/v1alpha1:ScaledObject", {
                ...real,
                spec: {
                    ...(real.spec as any),
                    cooldownPeriod: 30,
                    advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 30 } } } },
                },
            });
            assert.deepStrictEqual(messages(await run([queueBasedScaling()], [flapping])), [
                "ScaledObject 'telemetry-processor-scaler' scales down after a stabilization window of 30s; at least 60s avoids flapping on bursty telemetry.",
                "ScaledObject 'telemetry-processor-scaler' may scale to 0 replicas; keep minReplicaCount >= 1 so the queue is always drained.",
            ]);
            const hpa = resource("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", {
                metadata: { name: "processor", namespace: "contoso" },
                spec: {
                    scaleTargetRef: { kind: "Deployment", name: "telemetry-processor" },
                    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
                },
            });
            assert.match(messages(await run([queueBasedScaling()], [hpa]))[0], /scales telemetry workload 'telemetry-processor' on CPU/);
        });

        it("dedicated-threshold advises when a pinned shared tenant grows past the threshold", async () => {
            assert.deepStrictEqual(summary(await run([dedicatedThreshold()], weu.resources)), []);
            const grown = await evaluateStack({
                stack: "prod-weu",
                stackConfig: withTenant("prod-weu", "contoso", { deviceQuota: 75_000 }),
            });
            const report = await evaluatePolicies(grown);
            assert.strictEqual(report.mandatory, 0);
            assert.deepStrictEqual(
                report.violations.map(v => [v.policyName, v.enforcementLevel, v.message]),
                [
                    [
                        "dedicated-threshold",
                        "advisory",
                        "Tenant contoso (namespace 'contoso') has 75000 devices, at or above the dedicated threshold of 50000, but runs on shared cluster shared-1.",
                    ],
                ],
            );
        });

        it("dedicated-threshold judges by the stack's own threshold unless the policy config sets another", async () => {
            const stackConfig = {
                ...withTenant("prod-weu", "contoso", { deviceQuota: 75_000 }),
                "iot-fleet:dedicatedDeviceThreshold": 70_000,
            };
            const grown = await evaluateStack({ stack: "prod-weu", stackConfig });
            /** Each dedicated-threshold finding's level and the threshold it names. */
            const findings = async (evaluation: Parameters<typeof evaluatePolicies>[0], config?: Parameters<typeof configurePolicies>[1]) =>
                (await evaluatePolicies(evaluation, { config })).violations
                    .filter(v => v.policyName === "dedicated-threshold")
                    .map(v => [v.enforcementLevel, v.message.match(/threshold of (\d+)/)?.[1]]);
            assert.deepStrictEqual(await findings(grown), [["advisory", "70000"]]);
            assert.deepStrictEqual(
                await findings(grown, { "dedicated-threshold": "mandatory" }),
                [["mandatory", "70000"]],
                "a level alone keeps the stack's threshold",
            );
            assert.deepStrictEqual(
                await findings(grown, { "dedicated-threshold": { dedicatedDeviceThreshold: 80_000 } }),
                [],
                "the policy config's threshold wins",
            );
            assert.deepStrictEqual(
                await findings({ resources: grown.resources }),
                [["advisory", "50000"]],
                "without the stack's config, the pack's default",
            );
        });

        it("follows the policy config: a level set there wins, and thresholds come from it", async () => {
            const report = await evaluatePolicies(weu, {
                config: { "system-pool-isolation": { enforcementLevel: "advisory", minSystemNodes: 5 } },
            });
            assert.strictEqual(report.mandatory, 0);
            assert.strictEqual(report.advisory, 2);
            assert.ok(report.violations.every(v => /keeps 3 nodes; at least 5/.test(v.message)));
            const disabled = await evaluatePolicies(weu, { config: { "system-pool-isolation": "disabled" } });
            assert.ok(!disabled.policies.some(p => p.name === "system-pool-isolation"));
        });

        it("sees parents, providers and property dependencies as the CLI's analyzer does", async () => {
            let seen: PolicyResource[] = [];
            await run(
                [
                    {
                        name: "probe",
                        description: "probe",
                        enforcementLevel: "advisory",
                        validateStack: args => {
                            seen = args.resources;
                        },
                    },
                ],
                weu.resources,
            );
            const member = seen.find(r => r.type === "azure-native:containerservice:FleetMember")!;
            assert.ok(member.propertyDependencies.clusterResourceId.some(d => d.type === "azure-native:containerservice:ManagedCluster"));
            const namespace = seen.find(r => r.type === "kubernetes:core/v1:Namespace" && r.props.metadata.name === "contoso")!;
            assert.strictEqual(namespace.parent!.type, COMPONENT_TYPES.tenantNamespace);
            assert.strictEqual(namespace.provider!.type, "pulumi:providers:kubernetes");
            assert.strictEqual(namespace.opts.protect, true);
            const group = seen.find(r => r.type === "azure-native:resources:ResourceGroup")!;
            assert.deepStrictEqual(
                [group.provider!.type, group.provider!.urn],
                ["pulumi:providers:azure-native", "urn:pulumi:prod-weu::iot-fleet::pulumi:providers:azure-native::default_3_28_0"],
            );
        });
    });
});
