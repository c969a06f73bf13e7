import * as assert from "assert";
import { Evaluation, evaluateStack, RecordedResource } from "../offline/evaluate";
import { readStackConfig, stackFilePath } from "../lib/stackFile";
import { TENANT_LABEL } from "../lib/labels";
import { ancestors, evaluateRealStack, ofType, REAL_STACKS } from "./support/stacks";

const tenantComponents = (evaluation: Evaluation) => ofType(evaluation, "iot-fleet:index:TenantNamespace");
/** The resources a TenantNamespace component owns, by type. */
function ownedBy(evaluation: Evaluation, component: RecordedResource): Map<string, RecordedResource[]> {
    const owned = new Map<string, RecordedResource[]>();
    for (const resource of evaluation.resources) {
        if (ancestors(evaluation, resource).some(a => a.urn === component.urn)) {
            owned.set(resource.type, [...(owned.get(resource.type) ?? []), resource]);
        }
    }
    return owned;
}
const tenantOf = (evaluation: Evaluation, component: RecordedResource) =>
    ofType(evaluation, "kubernetes:core/v1:Namespace").find(ns => ns.parent === component.urn)!.inputs.metadata.name as string;

for (const stack of REAL_STACKS) {
    describe(`tenant landing zones of ${stack}`, () => {
        let evaluation: Evaluation;
        before(async () => { evaluation = await evaluateRealStack(stack); });

        it("gives every tenant a namespace with quota, limit range, default-deny policies and restricted PSA", () => {
            assert.strictEqual(tenantComponents(evaluation).length, evaluation.config.tenants.length);
            for (const component of tenantComponents(evaluation)) {
                const owned = ownedBy(evaluation, component);
                const [namespace] = owned.get("kubernetes:core/v1:Namespace")!;
                const labels = namespace.inputs.metadata.labels;
                assert.strictEqual(labels["pod-security.kubernetes.io/enforce"], "restricted");
                assert.strictEqual(labels["pod-security.kubernetes.io/warn"], "restricted");
                assert.strictEqual(owned.get("kubernetes:core/v1:ResourceQuota")!.length, 1);
                assert.strictEqual(owned.get("kubernetes:core/v1:LimitRange")!.length, 1);
                const policies = owned.get("kubernetes:networking.k8s.io/v1:NetworkPolicy")!.map(p => p.inputs);
                const denyAll = policies.find(p => p.metadata.name === "default-deny-all")!;
                assert.deepStrictEqual(denyAll.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
                for (const policy of policies) {
                    for (const rule of policy.spec.ingress ?? []) {
                        assert.ok(rule.from?.length, `${policy.metadata.name} admits every source`);
                        for (const peer of rule.from) {
                            const ns = peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
                            assert.ok(ns === undefined ? peer.podSelector !== undefined : !evaluation.config.tenants.some(t => t.name === ns),
                                `${policy.metadata.name} admits another tenant's namespace`);
                        }
                    }
                }
            }
        });

        it("federates each tenant identity to its own service account and KEDA, on its own cluster's issuer", () => {
            const outputs = evaluation.outputs;
            for (const component of tenantComponents(evaluation)) {
                const tenant = tenantOf(evaluation, component);
                const cluster = outputs.clusters[outputs.tenants[tenant].cluster];
                const credentials = ownedBy(evaluation, component).get("azure-native:managedidentity:FederatedIdentityCredential")!;
                assert.deepStrictEqual(credentials.map(c => c.inputs.subject).sort(),
                    [`system:serviceaccount:${tenant}:telemetry`, "system:serviceaccount:kube-system:keda-operator"].sort());
                for (const credential of credentials) {
                    assert.strictEqual(credential.inputs.issuer, cluster.oidcIssuerUrl);
                    assert.deepStrictEqual(credential.inputs.audiences, ["api://AzureADTokenExchange"]);
                    assert.strictEqual(credential.inputs.resourceName, `id-prod-${stack.split("-")[1]}-${tenant}`);
                }
                const [account] = ownedBy(evaluation, component).get("kubernetes:core/v1:ServiceAccount")!;
                assert.strictEqual(account.inputs.metadata.namespace, tenant);
                assert.strictEqual(account.inputs.metadata.annotations["azure.workload.identity/client-id"], outputs.tenants[tenant].identityClientId);
            }
        });

        it("scopes every tenant role assignment to that tenant's own queue, consumer group, checkpoints and vault", () => {
            for (const component of tenantComponents(evaluation)) {
                const tenant = tenantOf(evaluation, component);
                const assignments = ownedBy(evaluation, component).get("azure-native:authorization:RoleAssignment")!;
                const scopes = assignments.map(a => a.inputs.scope as string);
                assert.strictEqual(scopes.length, 4);
                assert.ok(scopes.some(s => s.endsWith(`/telemetry-ingest-${tenant}`)), `no queue scope for ${tenant}`);
                assert.ok(scopes.some(s => s.endsWith(`/${tenant}`) && /ConsumerGroup/i.test(s)), `no consumer group scope for ${tenant}`);
                assert.ok(scopes.some(s => s.endsWith(`/checkpoints-${tenant}`)), `no checkpoint scope for ${tenant}`);
                const vault = ownedBy(evaluation, component).get("azure-native:keyvault:Vault")![0];
                assert.ok(scopes.some(s => s.endsWith(`/${vault.inputs.vaultName}`)), `no vault scope for ${tenant}`);
                for (const other of evaluation.config.tenants.filter(t => t.name !== tenant && !t.name.startsWith(tenant))) {
                    assert.ok(scopes.every(s => !s.endsWith(`-${other.name}`) && !s.endsWith(`/${other.name}`)), `${tenant} reaches ${other.name}`);
                }
                assert.ok(assignments.every(a => a.inputs.principalType === "ServicePrincipal"));
            }
        });

        it("scales processors on queue depth with the tenant's target, and ingest on consumer lag, never on CPU", () => {
            const scaled = ofType(evaluation, "kubernetes:keda.sh/v1alpha1:ScaledObject");
            assert.strictEqual(scaled.length, 2 * evaluation.config.tenants.length);
            assert.strictEqual(ofType(evaluation, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").length, 0);
            for (const object of scaled) {
                const spec = object.inputs.spec;
                assert.strictEqual(spec.pollingInterval, 15);
                assert.strictEqual(spec.cooldownPeriod, 120);
                assert.ok(spec.minReplicaCount >= 1);
                const [trigger] = spec.triggers;
                assert.ok(["azure-servicebus", "azure-eventhub"].includes(trigger.type));
                assert.ok(Object.values(trigger.metadata).every(v => typeof v === "string"), "KEDA trigger metadata values are strings");
                assert.strictEqual(trigger.authenticationRef.name, "keda-azure-workload");
            }
            const targetOf = (tenant: string) => scaled.find(s => s.inputs.metadata.namespace === tenant && s.inputs.spec.triggers[0].type === "azure-servicebus")!
                .inputs.spec.triggers[0].metadata.messageCount;
            if (stack === "prod-weu") {
                assert.strictEqual(targetOf("acme"), "1000");
                assert.strictEqual(targetOf("contoso"), "500");
            } else {
                assert.strictEqual(targetOf("humongous"), "800");
                assert.strictEqual(targetOf("trey-research"), "500");
            }
            for (const auth of ofType(evaluation, "kubernetes:keda.sh/v1alpha1:TriggerAuthentication")) {
                const tenant = auth.inputs.metadata.namespace;
                assert.deepStrictEqual(auth.inputs.spec.podIdentity, { provider: "azure-workload", identityId: evaluation.outputs.tenants[tenant].identityClientId });
            }
        });

        it("labels every tenant Kubernetes object and tags every tenant Azure resource with the tenant", () => {
            for (const component of tenantComponents(evaluation)) {
                const tenant = tenantOf(evaluation, component);
                for (const [type, resources] of ownedBy(evaluation, component)) {
                    for (const resource of resources) {
                        if (type.startsWith("kubernetes:")) {
                            assert.strictEqual(resource.inputs.metadata.labels?.[TENANT_LABEL], tenant, `${resource.urn} lacks the tenant label`);
                        } else if (resource.inputs.tags !== undefined) {
                            assert.strictEqual(resource.inputs.tags.tenant, tenant, `${resource.urn} lacks the tenant tag`);
                        }
                    }
                }
            }
        });

        it("writes the telemetry-config the services read, with the same values as the stack outputs and no secret", () => {
            for (const config of ofType(evaluation, "kubernetes:core/v1:ConfigMap").filter(c => c.inputs.metadata.name === "telemetry-config")) {
                const tenant = config.inputs.metadata.namespace;
                const out = evaluation.outputs.tenants[tenant];
                const data = config.inputs.data;
                assert.strictEqual(data.AZURE_CLIENT_ID, out.identityClientId);
                assert.strictEqual(data.SERVICE_BUS_QUEUE, out.serviceBusQueue);
                assert.strictEqual(data.EVENT_HUBS_CONSUMER_GROUP, out.eventHubsConsumerGroup);
                assert.strictEqual(data.OTEL_EXPORTER_OTLP_ENDPOINT, out.otlpEndpoint);
                assert.strictEqual(data.ADX_DATABASE, "telemetry");
                assert.ok(Object.values<string>(data).every(v => !/AccountKey=|SharedAccessKey=|InstrumentationKey=/.test(v)));
            }
        });

        it("protects every tenant's namespace, identity, queue and vault", () => {
            for (const component of tenantComponents(evaluation)) {
                const owned = ownedBy(evaluation, component);
                for (const type of ["kubernetes:core/v1:Namespace", "azure-native:managedidentity:UserAssignedIdentity", "azure-native:servicebus:Queue", "azure-native:keyvault:Vault"]) {
                    assert.ok(owned.get(type)!.every(r => r.protect), `${type} of ${component.name} is not protected`);
                }
            }
        });
    });
}

describe("tenant decommissioning", () => {
    it("lifts protection from a tenant marked decommission: true and keeps it on the others", async () => {
        const stackConfig = readStackConfig(stackFilePath("prod-weu"));
        const tenants = (stackConfig["iot-fleet:tenants"] as any[]).map(t => t.name === "lamna" ? { ...t, decommission: true } : t);
        const evaluation = await evaluateStack({ stack: "prod-weu", stackConfig: { ...stackConfig, "iot-fleet:tenants": tenants } });
        const protectedTypes = ["kubernetes:core/v1:Namespace", "azure-native:managedidentity:UserAssignedIdentity", "azure-native:servicebus:Queue"];
        for (const component of tenantComponents(evaluation)) {
            const decommissioned = tenantOf(evaluation, component) === "lamna";
            for (const type of protectedTypes) {
                assert.ok(ownedBy(evaluation, component).get(type)!.every(r => r.protect === !decommissioned), `${type} of ${component.name}`);
            }
        }
    });
});

describe("dedicated tenants", () => {
    it("get the same namespace set-up as shared tenants", async () => {
        const evaluation = await evaluateRealStack("prod-weu");
        const shape = (component: RecordedResource) => [...ownedBy(evaluation, component).entries()]
            .map(([type, resources]) => `${type}×${resources.length}`).sort();
        const [acme, contoso] = ["acme", "contoso"].map(t => tenantComponents(evaluation).find(c => tenantOf(evaluation, c) === t)!);
        assert.ok(ancestors(evaluation, acme).some(a => a.type === "iot-fleet:index:DedicatedTenantCluster"));
        assert.ok(ancestors(evaluation, contoso).some(a => a.type === "iot-fleet:index:SharedCluster"));
        assert.deepStrictEqual(shape(acme), shape(contoso));
    });
});
