import * as assert from "assert";
import { RecordedResource } from "../offline/evaluate";
import { evaluateRealStack, REAL_STACKS } from "./support/stacks";
import { upstreamSchemaKinds, validateKubernetesObject } from "./support/upstreamSchemas";

/**
 * Types @pulumi/kubernetes registers that are not Kubernetes objects, so there is no API schema to hold them to:
 * a Helm release is a Helm operation (its chart's objects never reach the engine), and providers are
 * `pulumi:providers:kubernetes`, outside the `kubernetes:` namespace. Everything else must have a schema fixture.
 */
const NOT_KUBERNETES_OBJECTS: ReadonlySet<string> = new Set(["kubernetes:helm.sh/v3:Release"]);

const isKubernetesObject = (r: RecordedResource): boolean =>
    r.custom && r.type.startsWith("kubernetes:") && !NOT_KUBERNETES_OBJECTS.has(r.type);

/** A ScaledObject as the engine records it (KEDA's azure-servicebus trigger, as the tenants use). */
const scaledObject = (messageCount: unknown) => ({
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: { name: "telemetry-processor-scaler", namespace: "contoso" },
    spec: {
        minReplicaCount: 1,
        maxReplicaCount: 20,
        scaleTargetRef: { name: "telemetry-processor" },
        triggers: [
            {
                type: "azure-servicebus",
                authenticationRef: { name: "keda-azure-workload" },
                metadata: { namespace: "sb-example", queueName: "telemetry-ingest-contoso", messageCount },
            },
        ],
    },
});

/** A NetworkPolicy as the engine records it; `spec` is given whole. */
const networkPolicy = (spec: Record<string, unknown>) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "default-deny-all", namespace: "contoso" },
    spec,
});

describe("Kubernetes objects against their upstream schemas", () => {
    for (const stack of REAL_STACKS) {
        it(`validates every Kubernetes object of ${stack} against the upstream schema of its kind`, async () => {
            const evaluation = await evaluateRealStack(stack);
            const objects = evaluation.resources.filter(isKubernetesObject);
            assert.ok(objects.length > 0, `${stack} registers no Kubernetes objects`);
            const failures = objects.flatMap(r => {
                const errors = validateKubernetesObject(r.type, r.inputs);
                return errors.length === 0 ? [] : [`${r.urn}\n      ${errors.join("\n      ")}`];
            });
            assert.strictEqual(
                failures.length,
                0,
                `${failures.length} of ${objects.length} Kubernetes objects of ${stack} fail their upstream schema:\n    ${failures.join("\n    ")}`,
            );
        });
    }

    it("loads an upstream schema for each kind of Kubernetes object the program registers", () => {
        // The stack tests above already fail on a kind without a fixture; this one shows that every fixture is found
        // and compiles. Add a kind here when you add its fixture.
        assert.deepStrictEqual(upstreamSchemaKinds(), [
            "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy",
            "admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding",
            "alb.networking.azure.io/v1 WebApplicationFirewallPolicy",
            "cert-manager.io/v1 Certificate",
            "cert-manager.io/v1 ClusterIssuer",
            "cilium.io/v2 CiliumNetworkPolicy",
            "gateway.networking.k8s.io/v1 Gateway",
            "keda.sh/v1alpha1 ScaledObject",
            "keda.sh/v1alpha1 TriggerAuthentication",
            "networking.k8s.io/v1 NetworkPolicy",
            "rbac.authorization.k8s.io/v1 Role",
            "rbac.authorization.k8s.io/v1 RoleBinding",
            "secrets-store.csi.x-k8s.io/v1 SecretProviderClass",
            "v1 ConfigMap",
            "v1 LimitRange",
            "v1 Namespace",
            "v1 ResourceQuota",
            "v1 ServiceAccount",
        ]);
    });

    it("rejects an object whose kind has no schema fixture, so a new kind cannot pass unvalidated", () => {
        const errors = validateKubernetesObject("kubernetes:apps/v1:Deployment", {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "api" },
            spec: {},
        });
        assert.deepStrictEqual(errors, [
            "no upstream schema for apiVersion apps/v1, kind Deployment: add its schema to test/fixtures/schemas",
        ]);
    });

    it('rejects a ScaledObject whose trigger metadata value is the number 500, not the string "500"', () => {
        assert.deepStrictEqual(validateKubernetesObject("kubernetes:keda.sh/v1alpha1:ScaledObject", scaledObject("500")), []);
        assert.deepStrictEqual(validateKubernetesObject("kubernetes:keda.sh/v1alpha1:ScaledObject", scaledObject(500)), [
            "/spec/triggers/0/metadata/messageCount must be string",
        ]);
    });

    it("holds a ScaledObject's HPA scale-down window to KEDA's schema (at most 3600 s)", () => {
        const withWindow = (seconds: number) => {
            const object = scaledObject("500");
            const behavior = { scaleDown: { stabilizationWindowSeconds: seconds } };
            return { ...object, spec: { ...object.spec, advanced: { horizontalPodAutoscalerConfig: { behavior } } } };
        };
        assert.deepStrictEqual(validateKubernetesObject("kubernetes:keda.sh/v1alpha1:ScaledObject", withWindow(120)), []);
        assert.deepStrictEqual(validateKubernetesObject("kubernetes:keda.sh/v1alpha1:ScaledObject", withWindow(7200)), [
            "/spec/advanced/horizontalPodAutoscalerConfig/behavior/scaleDown/stabilizationWindowSeconds must be <= 3600",
        ]);
    });

    it("rejects a NetworkPolicy with a misspelled field (podSelectr)", () => {
        const type = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
        assert.deepStrictEqual(validateKubernetesObject(type, networkPolicy({ podSelector: {}, policyTypes: ["Ingress", "Egress"] })), []);
        const errors = validateKubernetesObject(type, networkPolicy({ podSelectr: {}, policyTypes: ["Ingress", "Egress"] }));
        assert.ok(errors.includes("/spec must NOT have additional properties (podSelectr)"), errors.join("\n"));
        assert.ok(errors.includes("/spec must have required property 'podSelector'"), errors.join("\n"));
    });

    it("rejects a CiliumNetworkPolicy with a misspelled rule (toFQDN), a port given as a number, or neither selector", () => {
        const type = "kubernetes:cilium.io/v2:CiliumNetworkPolicy";
        const policy = (spec: Record<string, unknown>) => ({
            apiVersion: "cilium.io/v2",
            kind: "CiliumNetworkPolicy",
            metadata: { name: "allow-entra-id-signin", namespace: "contoso" },
            spec,
        });
        const fqdn = { toFQDNs: [{ matchName: "login.microsoftonline.com" }], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] };
        assert.deepStrictEqual(validateKubernetesObject(type, policy({ endpointSelector: {}, egress: [fqdn] })), []);
        const misspelled = validateKubernetesObject(
            type,
            policy({ endpointSelector: {}, egress: [{ ...fqdn, toFQDNs: undefined, toFQDN: fqdn.toFQDNs }] }),
        );
        assert.ok(misspelled.includes("/spec/egress/0 must NOT have additional properties (toFQDN)"), misspelled.join("\n"));
        const numeric = validateKubernetesObject(
            type,
            policy({ endpointSelector: {}, egress: [{ ...fqdn, toPorts: [{ ports: [{ port: 443 }] }] }] }),
        );
        assert.ok(numeric.includes("/spec/egress/0/toPorts/0/ports/0/port must be string"), numeric.join("\n"));
        const unselected = validateKubernetesObject(type, policy({ egress: [fqdn] }));
        assert.ok(unselected.includes("/spec must match exactly one schema in oneOf"), unselected.join("\n"));
    });

    it("rejects a misspelled field in the metadata of a custom resource, validated as ObjectMeta", () => {
        const object = scaledObject("500");
        const errors = validateKubernetesObject("kubernetes:keda.sh/v1alpha1:ScaledObject", {
            ...object,
            metadata: { ...object.metadata, lables: { app: "x" } },
        });
        assert.deepStrictEqual(errors, ["/metadata must NOT have additional properties (lables)"]);
    });

    it("rejects inputs whose apiVersion or kind contradicts the resource type", () => {
        const errors = validateKubernetesObject("kubernetes:keda.sh/v1alpha1:ScaledObject", {
            ...scaledObject("500"),
            apiVersion: "keda.sh/v1",
        });
        assert.deepStrictEqual(errors, [
            '/apiVersion is "keda.sh/v1", a kubernetes:keda.sh/v1alpha1:ScaledObject must say "keda.sh/v1alpha1"',
        ]);
    });
});
