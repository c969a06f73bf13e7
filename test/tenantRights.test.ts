import * as assert from "assert";
import { RecordedResource } from "../offline/evaluate";
import { TENANT_LABEL } from "../lib/labels";
import { TENANT_SERVICE_POLICY, TENANT_SERVICE_VALIDATIONS } from "../components/platform/tenantAdmission";
import { evaluateRealStack, ofType, REAL_STACKS } from "./support/stacks";

/** Whether a label selector of `matchLabels` and `Exists`/`In` expressions selects an object with these labels. */
function selects(selector: any, labels: Record<string, string>): boolean {
    const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
    const byExpressions = (selector.matchExpressions ?? []).every((e: any) =>
        e.operator === "Exists" ? e.key in labels : e.operator === "In" ? e.values.includes(labels[e.key]) : false,
    );
    return byLabels && byExpressions;
}

for (const stack of REAL_STACKS) {
    describe(`what a tenant may do in its namespace on ${stack}`, () => {
        let resources: readonly RecordedResource[];
        before(async () => {
            resources = (await evaluateRealStack(stack)).resources;
        });
        const tenantNamespaces = () =>
            ofType({ resources } as any, "kubernetes:core/v1:Namespace").filter(n => n.inputs.metadata.labels[TENANT_LABEL]);

        it("lets the tenant admins write Services but not endpoints or endpointslices, which could point a Service at any pod", () => {
            const roles = ofType({ resources } as any, "kubernetes:rbac.authorization.k8s.io/v1:Role").filter(
                r => r.inputs.metadata.name === "tenant-admin",
            );
            assert.strictEqual(roles.length, tenantNamespaces().length);
            for (const role of roles) {
                const writable = role.inputs.rules
                    .filter((rule: any) => rule.verbs.some((v: string) => ["*", "create", "update", "patch"].includes(v)))
                    .flatMap((rule: any) => rule.resources);
                assert.ok(writable.includes("services"));
                assert.deepStrictEqual(
                    writable.filter((r: string) => ["endpoints", "endpointslices", "*"].includes(r)),
                    [],
                );
            }
        });

        it("caps LoadBalancer and NodePort Services at 0 and storage from the tenant settings in every tenant quota", () => {
            const quotas = ofType({ resources } as any, "kubernetes:core/v1:ResourceQuota").filter(q =>
                tenantNamespaces().some(n => n.inputs.metadata.name === q.inputs.metadata.namespace),
            );
            assert.strictEqual(quotas.length, tenantNamespaces().length);
            for (const quota of quotas) {
                const hard = quota.inputs.spec.hard;
                assert.deepStrictEqual([hard["services.loadbalancers"], hard["services.nodeports"]], ["0", "0"]);
                assert.deepStrictEqual([hard.persistentvolumeclaims, hard["requests.storage"]], ["4", "64Gi"]);
            }
        });

        it("has every cluster refuse ExternalName Services and externalIPs in every tenant namespace, whoever applies them", () => {
            const clusters = new Set(tenantNamespaces().map(n => n.provider));
            const policies = ofType({ resources } as any, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy");
            const bindings = ofType({ resources } as any, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding");
            for (const provider of clusters) {
                const policy = policies.find(p => p.provider === provider)!;
                const binding = bindings.find(b => b.provider === provider)!;
                assert.deepStrictEqual(policy.inputs.spec.validations, TENANT_SERVICE_VALIDATIONS);
                assert.strictEqual(policy.inputs.spec.failurePolicy, "Fail");
                assert.deepStrictEqual(policy.inputs.spec.matchConstraints.resourceRules[0].resources, ["services"]);
                assert.deepStrictEqual(
                    [binding.inputs.spec.policyName, binding.inputs.spec.validationActions],
                    [TENANT_SERVICE_POLICY, ["Deny"]],
                );
                const onCluster = tenantNamespaces().filter(n => n.provider === provider);
                assert.ok(onCluster.length > 0);
                for (const namespace of onCluster) {
                    assert.ok(
                        selects(binding.inputs.spec.matchResources.namespaceSelector, namespace.inputs.metadata.labels),
                        namespace.urn,
                    );
                }
                const platform = ofType({ resources } as any, "kubernetes:core/v1:Namespace").filter(
                    n => n.provider === provider && !n.inputs.metadata.labels[TENANT_LABEL],
                );
                assert.ok(platform.length > 0);
                assert.ok(platform.every(n => !selects(binding.inputs.spec.matchResources.namespaceSelector, n.inputs.metadata.labels)));
            }
        });
    });
}
