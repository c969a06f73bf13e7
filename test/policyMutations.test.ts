import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { evaluateStack, Evaluation, RecordedResource } from "../offline/evaluate";
import { evaluatePolicies, PolicyReport } from "../offline/policies";
import { tenantEgress, tenantInternetEgress } from "../policy/network";
import { readStackConfig, stackFilePath } from "../lib/stackFile";
import { changed, replacing } from "./support/recordedResources";
import { evaluateRealStack } from "./support/stacks";

/**
 * The mutation corpus of the policy pack: for each thing a policy claims to catch, one change to the real prod-weu
 * stack (its registered resources, as the engine records them) that must make that policy, and only it, fail.
 * Each mutation runs on the stack as `pulumi up` sees it and as a preview sees it (outputs the cloud computes are
 * unknown), so that no claim holds offline only.
 */

type Resources = readonly RecordedResource[];

interface Mutation {
    /** What the mutation does, as the policy's claim puts it. */
    readonly claim: string;
    /** The policy that must catch it. */
    readonly policy: string;
    /** The changed stack. */
    readonly mutate: (resources: Resources) => RecordedResource[];
    /** What the policy's message says about it. */
    readonly message: RegExp;
    /** Other policies that rightly catch the same change. Default: none. */
    readonly alsoCaughtBy?: readonly string[];
}

const TENANT = "contoso";
const ZONE = "weu.iot.example.com";

const inTenant = (type: string, name?: string) => (r: RecordedResource) =>
    r.type === `kubernetes:${type}` && r.inputs.metadata?.namespace === TENANT && (name === undefined || r.inputs.metadata?.name === name);
const first = (resources: Resources, select: (r: RecordedResource) => boolean): RecordedResource => {
    const found = resources.find(select);
    assert.ok(found, "the mutation's target is not in the stack");
    return found;
};
/** The stack with one resource changed in place. */
const editing = (select: (r: RecordedResource) => boolean, change: (props: any) => void) => (resources: Resources) => {
    first(resources, select);
    return replacing(resources, select, r => changed(r, change));
};
/** The stack with one more resource: a sibling of an existing one (same parent and provider), of another kind if need be. */
const adding =
    (select: (r: RecordedResource) => boolean, type: string, inputs: (like: RecordedResource) => Record<string, any>) =>
    (resources: Resources) => {
        const like = first(resources, select);
        const name = `${like.name}-mutant`;
        const props = inputs(like);
        return [
            ...resources,
            { ...like, type, name, urn: `${like.urn.split("::").slice(0, 2).join("::")}::${type}::${name}`, inputs: props, outputs: props },
        ];
    };
const dropping = (select: (r: RecordedResource) => boolean) => (resources: Resources) => {
    first(resources, select);
    return resources.filter(r => !select(r));
};
/** The stack with one role assignment scoped to another resource, as the engine would record it. */
const rescoping =
    (selectAssignment: (r: RecordedResource) => boolean, selectScope: (r: RecordedResource) => boolean) => (resources: Resources) => {
        const assignment = first(resources, selectAssignment);
        const scope = first(resources, selectScope);
        return replacing(
            resources,
            r => r === assignment,
            r =>
                changed(
                    r,
                    props => {
                        props.scope = scope.outputs.id;
                    },
                    { propertyDependencies: { ...r.propertyDependencies, scope: [scope.urn] } },
                ),
        );
    };
const tenantLabels = { "iot-fleet.io/tenant": TENANT };
const tenantMetadata = (name: string) => ({ name, namespace: TENANT, labels: tenantLabels });
const service = (spec: Record<string, any>) =>
    adding(inTenant("core/v1:ConfigMap"), "kubernetes:core/v1:Service", () => ({
        apiVersion: "v1",
        kind: "Service",
        metadata: tenantMetadata("exposed"),
        spec,
    }));
const route = (hostnames: string[], kind = "HTTPRoute") =>
    adding(inTenant("core/v1:ConfigMap"), `kubernetes:gateway.networking.k8s.io/v1:${kind}`, () => ({
        apiVersion: "gateway.networking.k8s.io/v1",
        kind,
        metadata: tenantMetadata("api"),
        spec: { parentRefs: [{ name: "edge", namespace: "edge" }], hostnames, rules: [{ backendRefs: [{ name: "api", port: 8080 }] }] },
    }));
/** The stack with the tenant's listener on its cluster's edge Gateway changed. */
const edgeListener = (change: (listener: any) => void) => {
    const listenerName = `https-${TENANT}`;
    return editing(
        r =>
            r.type === "kubernetes:gateway.networking.k8s.io/v1:Gateway" &&
            r.inputs.spec?.listeners?.some((l: any) => l.name === listenerName),
        props => change(props.spec.listeners.find((l: any) => l.name === listenerName)),
    );
};
const networkPolicy = (spec: Record<string, any>) =>
    adding(inTenant("networking.k8s.io/v1:NetworkPolicy", "default-deny-all"), "kubernetes:networking.k8s.io/v1:NetworkPolicy", () => ({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: tenantMetadata("mutant"),
        spec: { podSelector: {}, ...spec },
    }));
const scaler = (change: (spec: any) => void) =>
    editing(inTenant("keda.sh/v1alpha1:ScaledObject", "telemetry-processor-scaler"), props => change(props.spec));
const telemetryConfig = (change: (props: any) => void) => editing(inTenant("core/v1:ConfigMap"), change);
const collector = (r: RecordedResource) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.name === "otel-collector";
const isTenantQueue = (r: RecordedResource) => r.type === "azure-native:servicebus:Queue" && r.name.includes(`-tenant-${TENANT}-`);
const unprotectingQueue = (resources: Resources) => {
    first(resources, isTenantQueue);
    return replacing(resources, isTenantQueue, r => ({ ...r, protect: false }));
};
const namespaceOf = (tenant: string) => (r: RecordedResource) =>
    r.type === "kubernetes:core/v1:Namespace" && r.inputs.metadata?.name === tenant;

export const MUTATIONS: readonly Mutation[] = [
    {
        claim: "a tenant object without its tenant label",
        policy: "tenant-labels",
        mutate: telemetryConfig(props => delete props.metadata.labels["iot-fleet.io/tenant"]),
        message: /has iot-fleet.io\/tenant=\(missing\), expected contoso/,
    },
    {
        claim: "a Spot pool without an on-demand baseline",
        policy: "spot-baseline",
        mutate: editing(
            r => r.type === "azure-native:containerservice:AgentPool" && r.inputs.agentPoolName === "procbase",
            props => {
                props.count = 0;
                props.minCount = 0;
            },
        ),
        message: /has no non-Spot pool for the same workload/,
    },
    {
        claim: "a system pool below three nodes",
        policy: "system-pool-isolation",
        mutate: editing(
            r => r.type === "azure-native:containerservice:ManagedCluster",
            props => {
                props.agentPoolProfiles[0].count = 2;
            },
        ),
        message: /keeps 2 nodes; at least 3/,
    },
    {
        claim: "a cluster with local accounts",
        policy: "cluster-identity",
        mutate: editing(
            r => r.type === "azure-native:containerservice:ManagedCluster",
            props => {
                props.disableLocalAccounts = false;
            },
        ),
        message: /disableLocalAccounts/,
    },
    {
        claim: "a cluster outside the fleet",
        policy: "fleet-membership",
        mutate: dropping(r => r.type === "azure-native:containerservice:FleetMember" && /shared-1/.test(r.name)),
        message: /is not a member of any fleet/,
    },
    {
        claim: "a tenant namespace without a LimitRange",
        policy: "tenant-guardrails",
        mutate: dropping(inTenant("core/v1:LimitRange")),
        message: /'contoso' lacks a LimitRange/,
    },
    {
        claim: "a tenant namespace whose Pod Security level is privileged",
        policy: "tenant-guardrails",
        mutate: editing(namespaceOf(TENANT), props => {
            props.metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged";
        }),
        message: /restricted or baseline \(found privileged\)/,
    },
    {
        claim: "an allow-all ingress NetworkPolicy next to the default-deny",
        policy: "tenant-guardrails",
        mutate: networkPolicy({ policyTypes: ["Ingress"], ingress: [{}] }),
        message: /NetworkPolicy 'mutant' in tenant namespace 'contoso' allows ingress from anywhere/,
    },
    {
        claim: "an allow-all egress NetworkPolicy next to the default-deny",
        policy: "tenant-guardrails",
        mutate: networkPolicy({ policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: {} }] }] }),
        message: /allows egress to anywhere/,
    },
    {
        claim: "a ResourceQuota with an empty hard",
        policy: "tenant-guardrails",
        mutate: editing(inTenant("core/v1:ResourceQuota"), props => {
            props.spec.hard = {};
        }),
        message: /lacks a ResourceQuota capping requests.cpu, .*, services.loadbalancers: 0, services.nodeports: 0/,
    },
    {
        claim: "a ResourceQuota that lets LoadBalancer Services through",
        policy: "tenant-guardrails",
        mutate: editing(inTenant("core/v1:ResourceQuota"), props => {
            props.spec.hard["services.loadbalancers"] = "2";
        }),
        message: /lacks a ResourceQuota capping services.loadbalancers: 0\./,
    },
    {
        claim: "a ResourceQuota without a storage cap",
        policy: "tenant-guardrails",
        mutate: editing(inTenant("core/v1:ResourceQuota"), props => {
            delete props.spec.hard["requests.storage"];
            delete props.spec.hard.persistentvolumeclaims;
        }),
        message: /lacks a ResourceQuota capping persistentvolumeclaims, requests.storage\./,
    },
    {
        claim: "a Secret with literal data",
        policy: "no-plaintext-secrets",
        mutate: adding(inTenant("core/v1:ConfigMap"), "kubernetes:core/v1:Secret", () => ({
            metadata: tenantMetadata("device-gateway"),
            stringData: { password: "hunter2" },
        })),
        message: /Secret 'device-gateway' has literal data \(password\)/,
    },
    {
        claim: "a secret in Helm extraEnvs",
        policy: "no-plaintext-secrets",
        mutate: editing(collector, props => {
            props.values.extraEnvs = [{ name: "AZURE_CLIENT_SECRET", value: "s3cr3t-value" }];
        }),
        message: /values.extraEnvs\[0\].value holds a literal value under the credential name AZURE_CLIENT_SECRET/,
    },
    {
        claim: "an aadClientSecret in an azure.json ConfigMap value",
        policy: "no-plaintext-secrets",
        mutate: telemetryConfig(props => {
            props.data["azure.json"] = JSON.stringify({
                cloud: "AzurePublicCloud",
                aadClientId: "c0ffee",
                aadClientSecret: "s3cr3t-value",
            });
        }),
        message: /data.azure.json.aadClientSecret holds a literal value under the credential name aadClientSecret/,
    },
    {
        claim: "a secret in ConfigMap binaryData",
        policy: "no-plaintext-secrets",
        mutate: telemetryConfig(props => {
            props.binaryData = {
                "storage.conf": Buffer.from("DefaultEndpointsProtocol=https;AccountName=x;AccountKey=c2VjcmV0").toString("base64"),
            };
        }),
        message: /binaryData.storage.conf holds a storage or Cosmos DB account key/,
    },
    {
        claim: "a token in gitops.repositoryUrl",
        policy: "no-plaintext-secrets",
        mutate: editing(
            r => r.type === "azure-native:kubernetesconfiguration:FluxConfiguration",
            props => {
                props.gitRepository.url = "https://ghp_0123456789abcdef@github.com/iot-platform/fleet";
            },
        ),
        message: /gitRepository.url holds a token in an HTTPS URL's user part/,
    },
    {
        claim: "a ScaledObject that scales to zero through minReplicaCount",
        policy: "queue-based-scaling",
        mutate: scaler(spec => {
            spec.minReplicaCount = 0;
        }),
        message: /may scale to 0 replicas/,
    },
    {
        claim: "a ScaledObject with idleReplicaCount: 0",
        policy: "queue-based-scaling",
        mutate: scaler(spec => {
            spec.idleReplicaCount = 0;
        }),
        message: /has idleReplicaCount 0/,
    },
    {
        claim: "a scale-down stabilization window of 0",
        policy: "queue-based-scaling",
        mutate: scaler(spec => {
            spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds = 0;
        }),
        message: /stabilization window of 0s/,
    },
    {
        claim: "an HPA scaling a telemetry workload on ContainerResource CPU",
        policy: "queue-based-scaling",
        mutate: adding(inTenant("core/v1:ConfigMap"), "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", () => ({
            metadata: tenantMetadata("processor"),
            spec: {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "telemetry-processor" },
                minReplicas: 1,
                maxReplicas: 20,
                metrics: [
                    {
                        type: "ContainerResource",
                        containerResource: { name: "cpu", container: "processor", target: { type: "Utilization", averageUtilization: 70 } },
                    },
                ],
            },
        })),
        message: /scales telemetry workload 'telemetry-processor' on CPU/,
    },
    {
        claim: "a tenant's queue unprotected while the tenant stays",
        policy: "tenant-data-protection",
        mutate: resources => unprotectingQueue(resources),
        message: /of tenant contoso is not protected/,
    },
    {
        claim: "a stray namespace labelled with a tenant and the decommission label, to silence tenant-data-protection",
        policy: "tenant-data-protection",
        mutate: resources =>
            adding(namespaceOf(TENANT), "kubernetes:core/v1:Namespace", like => ({
                ...like.inputs,
                metadata: { name: "contoso-decoy", labels: { ...tenantLabels, "iot-fleet.io/decommission": "true" } },
            }))(unprotectingQueue(resources)),
        message: /azure-native:servicebus:Queue '.*-tenant-contoso-.*' of tenant contoso is not protected/,
        // The decoy is a namespace labelled with a tenant, so it is held to a tenant namespace's guardrails too.
        alsoCaughtBy: ["tenant-guardrails"],
    },
    {
        claim: "a shared tenant past the dedicated threshold",
        policy: "dedicated-threshold",
        mutate: editing(namespaceOf(TENANT), props => {
            props.metadata.annotations["iot-fleet.io/device-quota"] = "75000";
        }),
        message: /has 75000 devices, at or above the dedicated threshold/,
    },
    {
        claim: "more consumer groups than the Event Hubs tier allows",
        policy: "data-plane-limits",
        mutate: editing(
            r => r.type === "azure-native:eventhub:Namespace",
            props => {
                props.sku = { name: "Basic", tier: "Basic" };
            },
        ),
        message: /event hub 'telemetry' consumer groups \(\$Default included\): \d+, above Azure's limit of 1\./,
    },
    {
        claim: "a tenant identity holding a data role on another tenant's queue",
        policy: "tenant-data-isolation",
        mutate: rescoping(
            r => r.name.endsWith(`-tenant-${TENANT}-role-queue`),
            r => r.type === "azure-native:servicebus:Queue" && r.inputs.queueName === "telemetry-ingest-fabrikam",
        ),
        message:
            /of tenant contoso holds Azure Service Bus Data Receiver on azure-native:servicebus:Queue '\S+-tenant-fabrikam-queue', which carries tenant fabrikam's data\./,
    },
    {
        claim: "a shared cluster's ingest receiving from the Service Bus namespace instead of only sending to it",
        policy: "tenant-data-isolation",
        mutate: editing(
            r => r.type === "azure-native:authorization:RoleAssignment" && r.name.endsWith("-ingest-identity-role-service-bus-sender"),
            props => {
                props.roleDefinitionId = props.roleDefinitionId.replace(/[^/]+$/, "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0");
            },
        ),
        message:
            /grants Azure Service Bus Data Receiver on Service Bus namespace '\S+-servicebus', which holds every tenant's queue: only Azure Service Bus Data Sender \(send only\) may be granted there\./,
    },
    {
        claim: "a dedicated cluster's ingest sending to the whole Service Bus namespace rather than its tenant's queue",
        policy: "tenant-data-isolation",
        mutate: rescoping(
            r => r.type === "azure-native:authorization:RoleAssignment" && r.name.endsWith("-acme-ingest-sender"),
            r => r.type === "azure-native:servicebus:Namespace",
        ),
        message:
            /azure-native:managedidentity:UserAssignedIdentity '\S+-dedicated-acme-\S+' of tenant acme holds Azure Service Bus Data Sender on azure-native:servicebus:Namespace '\S+-servicebus', which carries every tenant's data\./,
    },
    {
        claim: "an HTTPRoute of one tenant claiming another tenant's hostname",
        policy: "tenant-hostnames",
        mutate: route([`api.${TENANT}.${ZONE}`, `api.fabrikam.${ZONE}`]),
        message: new RegExp(`HTTPRoute 'api' of tenant contoso claims api.fabrikam.${ZONE}, outside its prefix contoso.${ZONE}`),
    },
    {
        claim: "a GRPCRoute with another tenant's hostname",
        policy: "tenant-hostnames",
        mutate: route([`rpc.fabrikam.${ZONE}`], "GRPCRoute"),
        message: new RegExp(`GRPCRoute 'api' of tenant contoso claims rpc.fabrikam.${ZONE}, outside its prefix contoso.${ZONE}`),
    },
    {
        claim: "the edge Gateway's listener of a tenant admitting routes from every namespace",
        policy: "tenant-hostnames",
        mutate: edgeListener(listener => {
            listener.allowedRoutes.namespaces = { from: "All" };
        }),
        message: new RegExp(`Gateway 'edge' listener 'https-${TENANT}' admits routes from every namespace`),
    },
    {
        claim: "the edge Gateway's listener for one tenant's namespace with another tenant's hostname",
        policy: "tenant-hostnames",
        mutate: edgeListener(listener => {
            listener.hostname = `*.fabrikam.${ZONE}`;
        }),
        message: /admits routes of tenant contoso for \*\.fabrikam\./,
    },
    {
        claim: "an ExternalName Service",
        policy: "service-exposure",
        mutate: service({ type: "ExternalName", externalName: "kube-dns.kube-system.svc.cluster.local" }),
        message: /Service 'exposed' is of type ExternalName/,
    },
    {
        claim: "a Service with externalIPs",
        policy: "service-exposure",
        mutate: service({ type: "ClusterIP", externalIPs: ["10.40.0.10"], ports: [{ port: 80 }] }),
        message: /lists externalIPs 10.40.0.10/,
    },
    {
        claim: "a tenant LoadBalancer Service",
        policy: "service-exposure",
        mutate: service({ type: "LoadBalancer", ports: [{ port: 443 }] }),
        message: /Tenant Service 'exposed' is of type LoadBalancer/,
    },
    {
        claim: "an egress ipBlock that reaches the node metadata range",
        policy: "tenant-egress",
        mutate: networkPolicy({
            policyTypes: ["Egress"],
            egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }], ports: [{ port: 80 }] }],
        }),
        message: /allows egress to 0.0.0.0\/0 without excepting the node metadata range 169.254.0.0\/16/,
    },
    {
        claim: "egress to every internet address on Azure's service ports instead of the private endpoints",
        policy: "tenant-internet-egress",
        mutate: networkPolicy({
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"] } }],
                    ports: [{ port: 443 }, { port: 5671 }],
                },
            ],
        }),
        message: /NetworkPolicy 'mutant' in tenant namespace '[a-z-]+' allows egress to 0.0.0.0\/0 on 443, 5671\.$/,
    },
];

const caughtBy = (report: PolicyReport) => [...new Set(report.violations.map(v => v.policyName))].sort();

for (const preview of [false, true]) {
    describe(`the policy pack against its mutation corpus, ${preview ? "under preview" : "as pulumi up sees the stack"}`, () => {
        let weu: Evaluation;
        before(async () => {
            weu = preview
                ? await evaluateStack({ stack: "prod-weu", stackConfig: readStackConfig(stackFilePath("prod-weu")), preview: true })
                : await evaluateRealStack("prod-weu");
        });

        it("passes the stack as it is", async () => {
            assert.deepStrictEqual(caughtBy(await evaluatePolicies(weu)), []);
        });

        for (const mutation of MUTATIONS) {
            it(`${mutation.policy} catches ${mutation.claim}`, async () => {
                const report = await evaluatePolicies({ resources: mutation.mutate(weu.resources), config: weu.config });
                assert.deepStrictEqual(caughtBy(report), [mutation.policy, ...(mutation.alsoCaughtBy ?? [])].sort());
                const messages = report.violations.filter(v => v.policyName === mutation.policy).map(v => v.message);
                assert.ok(
                    messages.some(m => mutation.message.test(m)),
                    `no ${mutation.policy} message matches ${mutation.message}:\n${messages.join("\n")}`,
                );
            });
        }
    });
}

describe("the policy pack's corpus", () => {
    it("has a mutation for every policy of the pack", async () => {
        const { fleetPolicies } = await import("../policy/policies");
        assert.deepStrictEqual([...new Set(MUTATIONS.map(m => m.policy))].sort(), fleetPolicies.map(p => p.name).sort());
    });
});

describe("policies that read values a preview does not know yet", () => {
    const unknown = pulumi.runtime.unknownValue;
    let weu: Evaluation;
    before(async () => {
        weu = await evaluateRealStack("prod-weu");
    });
    const previewOf = (mutate: (resources: Resources) => RecordedResource[]) =>
        evaluatePolicies({ resources: mutate(weu.resources), config: weu.config });

    it("judge an egress rule to a private endpoint whose address Azure assigns at create as neither internet nor metadata, without a can't-run", async () => {
        // A private endpoint's address is an output: under `pulumi preview` of its first create, the rule's cidr is unknown.
        const egressTo = (cidr: string) =>
            networkPolicy({ policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr } }], ports: [{ port: 443 }] }] });
        const policies = { policies: [tenantEgress(), tenantInternetEgress()] };
        const mutantViolations = async (cidr: string) =>
            (await evaluatePolicies({ resources: egressTo(cidr)(weu.resources), config: weu.config }, policies)).violations
                .filter(v => v.urn.endsWith("-mutant"))
                .map(v => v.policyName)
                .sort();
        assert.deepStrictEqual(
            await mutantViolations("0.0.0.0/0"),
            ["tenant-egress", "tenant-internet-egress"],
            "the same rule to the internet is judged",
        );
        assert.deepStrictEqual(await mutantViolations(unknown), []);
    });

    it("leave a hostname the preview does not know unjudged and still judge the known ones", async () => {
        const report = await previewOf(route([unknown, `api.fabrikam.${ZONE}`]));
        assert.deepStrictEqual(
            report.violations.map(v => [v.policyName, v.enforcementLevel, v.message]),
            [
                [
                    "tenant-hostnames",
                    "mandatory",
                    `HTTPRoute 'api' of tenant contoso claims api.fabrikam.${ZONE}, outside its prefix contoso.${ZONE}.`,
                ],
            ],
        );
    });
});
