import * as assert from "assert";
import { parse } from "yaml";
import { Evaluation, evaluateStack, RecordedResource } from "../offline/evaluate";
import { cidrsOverlap, CLUSTER_POD_CIDR, CLUSTER_SERVICE_CIDR, edgeAddressSpace, LINK_LOCAL_RANGE } from "../lib/network";
import { privateEndpointSubnet } from "../lib/endpointSubnets";
import { readStackConfig, stackFilePath } from "../lib/stackFile";
import { TENANT_LABEL } from "../lib/labels";
import { AZURE_ROLES } from "../components/common/azureRoles";
import { AZURE_EGRESS_PORTS, PUBLIC_INTERNET } from "../components/common/namespaceGuardrails";
import { COSMOS_DIRECT_PORTS, cosmosConnectionMode } from "../components/tenant/telemetryConfig";
import { ancestors, evaluateRealStack, ofType, REAL_STACKS } from "./support/stacks";
import { COMPONENT_TYPES } from "../lib/componentTypes";

/** The cluster side of each tenant's landing zone. */
const tenantComponents = (evaluation: Evaluation) => ofType(evaluation, COMPONENT_TYPES.tenantNamespace);
/** The region side of each tenant's landing zone. */
const regionComponents = (evaluation: Evaluation) => ofType(evaluation, COMPONENT_TYPES.tenantRegionResources);
/** The tenant a landing zone component was built for, as it registered it. */
const tenantOf = (component: RecordedResource) => component.outputs.tenant as string;
/** The resources below some components, by type. */
function ownedBy(evaluation: Evaluation, ...components: RecordedResource[]): Map<string, RecordedResource[]> {
    const urns = new Set(components.map(c => c.urn));
    const owned = new Map<string, RecordedResource[]>();
    for (const resource of evaluation.resources) {
        if (ancestors(evaluation, resource).some(a => urns.has(a.urn))) {
            owned.set(resource.type, [...(owned.get(resource.type) ?? []), resource]);
        }
    }
    return owned;
}
/** Both components of one tenant's landing zone. */
function landingZoneOf(evaluation: Evaluation, tenant: string): { namespace: RecordedResource; region: RecordedResource } {
    const namespace = tenantComponents(evaluation).find(c => tenantOf(c) === tenant)!;
    const region = regionComponents(evaluation).find(c => tenantOf(c) === tenant)!;
    return { namespace, region };
}
/** Everything a tenant's landing zone holds, on its cluster and in the region, by type. */
const ownedByTenant = (evaluation: Evaluation, tenant: string) => {
    const { namespace, region } = landingZoneOf(evaluation, tenant);
    return ownedBy(evaluation, namespace, region);
};
/** The built-in role a role assignment grants. */
const roleGuidOf = (assignment: RecordedResource) => (assignment.inputs.roleDefinitionId as string).split("/").pop()!;
/** The last two segments of a (mock) Azure resource id: `<type>/<name>`. */
const typeAndName = (id: string) => id.split("/").slice(-2).join("/");
/** The inputs of the objects of one kind in a tenant's namespace. */
const inNamespace = (evaluation: Evaluation, type: string, tenant: string) =>
    ofType(evaluation, type)
        .filter(r => r.inputs.metadata.namespace === tenant)
        .map(r => r.inputs);
/** What TenantNamespace protects until its tenant is decommissioned. */
const PROTECTED_TYPES = [
    "kubernetes:core/v1:Namespace",
    "azure-native:managedidentity:UserAssignedIdentity",
    "azure-native:servicebus:Queue",
    "azure-native:storage:BlobContainer",
    "azure-native:keyvault:Vault",
    "azure-native:cosmosdb:SqlResourceSqlContainer",
];

for (const stack of REAL_STACKS) {
    describe(`tenant landing zones of ${stack}`, () => {
        let evaluation: Evaluation;
        before(async () => {
            evaluation = await evaluateRealStack(stack);
        });

        it("gives every tenant a namespace with quota, limit range, default-deny policies and restricted PSA", () => {
            assert.strictEqual(tenantComponents(evaluation).length, evaluation.config.tenants.length);
            assert.strictEqual(regionComponents(evaluation).length, evaluation.config.tenants.length);
            for (const component of tenantComponents(evaluation)) {
                const owned = ownedBy(evaluation, component);
                const [namespace] = owned.get("kubernetes:core/v1:Namespace")!;
                const labels = namespace.inputs.metadata.labels;
                assert.strictEqual(labels["pod-security.kubernetes.io/enforce"], "restricted");
                assert.strictEqual(labels["pod-security.kubernetes.io/audit"], "restricted");
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
                            if (peer.ipBlock) {
                                // The edge proxies from its /24 of the edge range, on the tenant's ports only (test/edge.test.ts).
                                assert.ok(
                                    cidrsOverlap(peer.ipBlock.cidr, edgeAddressSpace(evaluation.config.region)) &&
                                        peer.ipBlock.cidr.endsWith("/24") &&
                                        rule.ports?.length,
                                    `${policy.metadata.name} admits ${JSON.stringify(rule)}`,
                                );
                                continue;
                            }
                            const ns = peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
                            assert.ok(
                                ns === undefined ? peer.podSelector !== undefined : !evaluation.config.tenants.some(t => t.name === ns),
                                `${policy.metadata.name} admits another tenant's namespace`,
                            );
                        }
                    }
                }
            }
        });

        it("lets tenant pods send only to their own namespace, cluster DNS, the collector and the private-endpoint subnet", () => {
            const tenants = new Set(evaluation.config.tenants.map(t => t.name));
            for (const tenant of tenants) {
                const policies = inNamespace(evaluation, "kubernetes:networking.k8s.io/v1:NetworkPolicy", tenant);
                const dns = policies.find(p => p.metadata.name === "allow-dns")!;
                assert.deepStrictEqual(
                    dns.spec.egress.map((rule: any) => rule.to),
                    [
                        [
                            {
                                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                            },
                        ],
                    ],
                );
                for (const rule of policies.flatMap(p => p.spec.egress ?? [])) {
                    assert.ok(rule.to?.length, `${tenant} has an egress rule to anywhere`);
                    for (const peer of rule.to) {
                        const ns = peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
                        if (peer.ipBlock) {
                            assert.deepStrictEqual(
                                peer.ipBlock,
                                { cidr: privateEndpointSubnet(evaluation.config.region.addressSpace) },
                                `${tenant} reaches addresses beyond the private endpoints`,
                            );
                        } else if (peer.namespaceSelector) {
                            assert.ok(
                                ns !== undefined && !tenants.has(ns),
                                `${tenant} sends to namespaces ${JSON.stringify(peer.namespaceSelector)}`,
                            );
                        } else {
                            assert.deepStrictEqual(peer, { podSelector: {} }, `${tenant} sends to ${JSON.stringify(peer)}`);
                        }
                    }
                }
            }
        });

        it("keeps the region's VNet, the pod range, the service range and the node metadata range out of the platform's internet egress", () => {
            const { cidr, except } = PUBLIC_INTERNET.ipBlock;
            assert.strictEqual(cidr, "0.0.0.0/0");
            for (const range of [evaluation.config.region.addressSpace, CLUSTER_POD_CIDR, CLUSTER_SERVICE_CIDR, LINK_LOCAL_RANGE]) {
                // The excepted ranges are /8, /12 and /16 and these /16 or longer: sharing an address means lying inside.
                assert.ok(
                    except.some(excepted => cidrsOverlap(excepted, range)),
                    `${range} is reachable on 443 and 5671`,
                );
            }
        });

        it("federates each tenant identity to its own service account only (never KEDA's operator), on its own cluster's issuer", () => {
            const outputs = evaluation.outputs;
            for (const component of tenantComponents(evaluation)) {
                const tenant = tenantOf(component);
                const clusterName = outputs.tenants[tenant].cluster;
                const cluster = outputs.clusters[clusterName];
                const credentials = ownedBy(evaluation, component).get("azure-native:managedidentity:FederatedIdentityCredential")!;
                assert.deepStrictEqual(credentials.map(c => c.inputs.subject).sort(), [`system:serviceaccount:${tenant}:telemetry`]);
                for (const credential of credentials) {
                    assert.strictEqual(credential.inputs.issuer, cluster.oidcIssuerUrl);
                    // A move creates the new cluster's credentials on the same identity before the old ones are deleted.
                    assert.ok(
                        credential.inputs.federatedIdentityCredentialResourceName.startsWith(`${clusterName}-`),
                        `${credential.inputs.federatedIdentityCredentialResourceName} does not name its cluster`,
                    );
                    assert.deepStrictEqual(credential.inputs.audiences, ["api://AzureADTokenExchange"]);
                    assert.strictEqual(credential.inputs.resourceName, `id-prod-${stack.split("-")[1]}-${tenant}`);
                }
                const [account] = ownedBy(evaluation, component).get("kubernetes:core/v1:ServiceAccount")!;
                assert.strictEqual(account.inputs.metadata.namespace, tenant);
                assert.strictEqual(
                    account.inputs.metadata.annotations["azure.workload.identity/client-id"],
                    outputs.tenants[tenant].identityClientId,
                );
            }
        });

        it("grants each tenant identity receive on its own queue and read on its own vault's secrets, nothing else", () => {
            const identities = ofType(evaluation, "azure-native:managedidentity:UserAssignedIdentity");
            for (const { name: tenant } of evaluation.config.tenants) {
                const owned = ownedByTenant(evaluation, tenant);
                const [identity] = owned.get("azure-native:managedidentity:UserAssignedIdentity")!;
                const grants = ofType(evaluation, "azure-native:authorization:RoleAssignment").filter(
                    a => a.inputs.principalId === identity.outputs.principalId,
                );
                assert.deepStrictEqual(Object.fromEntries(grants.map(a => [roleGuidOf(a), typeAndName(a.inputs.scope)])), {
                    [AZURE_ROLES.serviceBusDataReceiver]: `Queue/telemetry-ingest-${tenant}`,
                    [AZURE_ROLES.keyVaultSecretsUser]: `Vault/${owned.get("azure-native:keyvault:Vault")![0].inputs.vaultName}`,
                });
                // The cluster's ingest delivers to the queue, send only: a dedicated cluster's is granted the tenant's
                // queue with its namespace, a shared cluster's the Service Bus namespace once, for all its tenants.
                const { cluster, isolation } = evaluation.outputs.tenants[tenant];
                const ingest = identities.find(i => i.inputs.resourceName === `id-${cluster}-ingest`)!;
                const delivery = ofType(evaluation, "azure-native:authorization:RoleAssignment")
                    .filter(a => a.inputs.principalId === ingest.outputs.principalId && roleGuidOf(a) === AZURE_ROLES.serviceBusDataSender)
                    .map(a => [typeAndName(a.inputs.scope), owned.get("azure-native:authorization:RoleAssignment")!.includes(a)]);
                assert.deepStrictEqual(
                    delivery,
                    isolation === "dedicated"
                        ? [[`Queue/telemetry-ingest-${tenant}`, true]]
                        : [[`Namespace/${evaluation.outputs.endpoints.serviceBusNamespace.split(".")[0]}`, false]],
                );
            }
        });

        it("lets each tenant's admin group manage its own vault's secrets and reach its cluster with the kubeconfig its outputs carry, through no Azure role on the cluster", () => {
            const outputs = evaluation.outputs;
            for (const { name: tenant } of evaluation.config.tenants) {
                const owned = ownedByTenant(evaluation, tenant);
                const grants = ofType(evaluation, "azure-native:authorization:RoleAssignment").filter(
                    a => a.inputs.principalId === outputs.tenants[tenant].adminGroupObjectId,
                );
                assert.deepStrictEqual(
                    grants.map(a => [roleGuidOf(a), typeAndName(a.inputs.scope)]),
                    [[AZURE_ROLES.keyVaultSecretsOfficer, `Vault/${owned.get("azure-native:keyvault:Vault")![0].inputs.vaultName}`]],
                );
                // Its cluster's server and CA, signing in through kubelogin with the admin's own Azure CLI login: no secret.
                const kubeconfig = parse(outputs.tenants[tenant].kubeconfig);
                const clusterConfig = parse(outputs.clusters[outputs.tenants[tenant].cluster].kubeconfig);
                assert.deepStrictEqual(kubeconfig.clusters, clusterConfig.clusters);
                const [user] = kubeconfig.users;
                assert.deepStrictEqual(Object.keys(user.user), ["exec"]);
                assert.strictEqual(user.user.exec.command, "kubelogin");
                assert.deepStrictEqual(user.user.exec.args.slice(0, 3), ["get-token", "--login", "azurecli"]);
            }
        });

        it("scales each tenant's processor on its own queue's depth through the cluster's scaler identity, never on CPU", () => {
            const scaled = ofType(evaluation, "kubernetes:keda.sh/v1alpha1:ScaledObject");
            // One per tenant, and one per cluster's ingest.
            assert.strictEqual(scaled.length, evaluation.config.tenants.length + Object.keys(evaluation.outputs.clusters).length);
            assert.strictEqual(ofType(evaluation, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler").length, 0);
            for (const object of scaled) {
                const spec = object.inputs.spec;
                assert.strictEqual(spec.pollingInterval, 15);
                assert.strictEqual(spec.cooldownPeriod, 120);
                // cooldownPeriod only governs scaling to zero; above it, the HPA's scale-down window does.
                assert.deepStrictEqual(spec.advanced, {
                    horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 120 } } },
                });
                assert.ok(spec.minReplicaCount >= 1);
                const [trigger] = spec.triggers;
                assert.ok(
                    Object.values(trigger.metadata).every(v => typeof v === "string"),
                    "KEDA trigger metadata values are strings",
                );
                assert.strictEqual(trigger.authenticationRef.name, "keda-azure-workload");
            }
            const { outputs } = evaluation;
            const serviceBusName = outputs.endpoints.serviceBusNamespace.split(".")[0];
            for (const tenant of evaluation.config.tenants) {
                const [processor] = inNamespace(evaluation, "kubernetes:keda.sh/v1alpha1:ScaledObject", tenant.name);
                const [trigger] = processor.spec.triggers;
                assert.strictEqual(trigger.type, "azure-monitor");
                assert.deepStrictEqual(
                    [
                        trigger.metadata.resourceURI,
                        trigger.metadata.metricName,
                        trigger.metadata.metricFilter,
                        trigger.metadata.targetValue,
                    ],
                    [
                        `Microsoft.ServiceBus/namespaces/${serviceBusName}`,
                        "ActiveMessages",
                        `EntityName eq 'telemetry-ingest-${tenant.name}'`,
                        String(tenant.settings.processing.targetMessageCount),
                    ],
                );
                assert.deepStrictEqual(
                    [processor.spec.minReplicaCount, processor.spec.maxReplicaCount],
                    [tenant.settings.processing.minReplicas, tenant.settings.processing.maxReplicas],
                );
                const [auth] = inNamespace(evaluation, "kubernetes:keda.sh/v1alpha1:TriggerAuthentication", tenant.name);
                assert.deepStrictEqual(auth.spec.podIdentity, {
                    provider: "azure-workload",
                    identityId: outputs.ingest[outputs.tenants[tenant.name].cluster].kedaScalerClientId,
                });
            }
            const overridden = stack === "prod-weu" ? { acme: "1000" } : { humongous: "800" };
            for (const [tenant, target] of Object.entries(overridden)) {
                assert.strictEqual(
                    inNamespace(evaluation, "kubernetes:keda.sh/v1alpha1:ScaledObject", tenant)[0].spec.triggers[0].metadata.targetValue,
                    target,
                );
            }
        });

        it("labels every tenant Kubernetes object and tags every tenant Azure resource with the tenant", () => {
            for (const { name: tenant } of evaluation.config.tenants) {
                for (const [type, resources] of ownedByTenant(evaluation, tenant)) {
                    for (const resource of resources) {
                        if (type.startsWith("kubernetes:")) {
                            assert.strictEqual(
                                resource.inputs.metadata.labels?.[TENANT_LABEL],
                                tenant,
                                `${resource.urn} lacks the tenant label`,
                            );
                        } else if (resource.inputs.tags !== undefined) {
                            assert.strictEqual(resource.inputs.tags.tenant, tenant, `${resource.urn} lacks the tenant tag`);
                        }
                    }
                }
            }
        });

        it("writes the telemetry-config the services read, with exactly the values of the stack outputs", () => {
            const { tenants, endpoints } = evaluation.outputs;
            const configs = ofType(evaluation, "kubernetes:core/v1:ConfigMap").filter(c => c.inputs.metadata.name === "telemetry-config");
            assert.strictEqual(configs.length, evaluation.config.tenants.length);
            for (const config of configs) {
                const tenant = config.inputs.metadata.namespace;
                const out = tenants[tenant];
                assert.deepStrictEqual(config.inputs.data, {
                    TENANT_ID: tenant,
                    AZURE_CLIENT_ID: out.identityClientId,
                    SERVICE_BUS_NAMESPACE: endpoints.serviceBusNamespace,
                    SERVICE_BUS_QUEUE: out.serviceBusQueue,
                    ADX_CLUSTER_URI: endpoints.adxClusterUri,
                    ADX_DATABASE: out.adxDatabase,
                    ADX_TABLE: "Telemetry",
                    COSMOS_ENDPOINT: endpoints.cosmosEndpoint,
                    COSMOS_DATABASE: endpoints.cosmosDatabase,
                    COSMOS_CONTAINER: out.cosmosContainer,
                    COSMOS_CONNECTION_MODE: endpoints.cosmosConnectionMode,
                    KEY_VAULT_URI: out.keyVaultUri,
                    OTEL_EXPORTER_OTLP_ENDPOINT: out.otlpEndpoint,
                    OTEL_RESOURCE_ATTRIBUTES: `tenant.id=${tenant}`,
                });
            }
        });

        it("tells tenant services to reach Cosmos DB in the connection mode their egress policy allows", () => {
            const { endpoints } = evaluation.outputs;
            assert.strictEqual(endpoints.cosmosConnectionMode, "Gateway", "direct mode's replica ports are closed to tenants");
            for (const { name: tenant } of evaluation.config.tenants) {
                const internetPorts = inNamespace(evaluation, "kubernetes:networking.k8s.io/v1:NetworkPolicy", tenant)
                    .flatMap(p => p.spec.egress ?? [])
                    .filter((rule: any) => rule.to.some((peer: any) => peer.ipBlock))
                    .flatMap((rule: any) => rule.ports.map((port: any) => port.port as number));
                const [config] = inNamespace(evaluation, "kubernetes:core/v1:ConfigMap", tenant).filter(
                    c => c.metadata.name === "telemetry-config",
                );
                assert.strictEqual(config.data.COSMOS_CONNECTION_MODE, cosmosConnectionMode(internetPorts), `${tenant}'s Cosmos mode`);
            }
        });

        it("protects every tenant's namespace, identity, queue, checkpoints, vault and Cosmos container", () => {
            for (const { name: tenant } of evaluation.config.tenants) {
                const owned = ownedByTenant(evaluation, tenant);
                for (const type of PROTECTED_TYPES) {
                    assert.ok(
                        owned.get(type)!.every(r => r.protect),
                        `${type} of ${tenant} is not protected`,
                    );
                }
            }
        });
    });
}

describe("tenant decommissioning", () => {
    it("lifts protection from a tenant marked decommission: true and keeps it on the others", async () => {
        const stackConfig = readStackConfig(stackFilePath("prod-weu"));
        const tenants = (stackConfig["iot-fleet:tenants"] as any[]).map(t => (t.name === "lamna" ? { ...t, decommission: true } : t));
        const evaluation = await evaluateStack({ stack: "prod-weu", stackConfig: { ...stackConfig, "iot-fleet:tenants": tenants } });
        for (const { name: tenant } of evaluation.config.tenants) {
            const decommissioned = tenant === "lamna";
            const owned = ownedByTenant(evaluation, tenant);
            for (const type of PROTECTED_TYPES) {
                assert.ok(
                    owned.get(type)!.length > 0 && owned.get(type)!.every(r => r.protect === !decommissioned),
                    `${type} of ${tenant}`,
                );
            }
        }
    });
});

describe("Cosmos DB connection mode", () => {
    const replicaPorts = Array.from(
        { length: COSMOS_DIRECT_PORTS.last - COSMOS_DIRECT_PORTS.first + 1 },
        (_, i) => COSMOS_DIRECT_PORTS.first + i,
    );

    it("is Gateway when egress opens only the Azure service ports (443 and 5671)", () => {
        assert.strictEqual(cosmosConnectionMode(AZURE_EGRESS_PORTS), "Gateway");
    });

    it("is Direct only when egress opens 443 and every replica port from 10000 to 20000", () => {
        assert.strictEqual(cosmosConnectionMode([443, ...replicaPorts]), "Direct");
        assert.strictEqual(cosmosConnectionMode([443, ...replicaPorts.slice(0, -1)]), "Gateway");
        assert.strictEqual(cosmosConnectionMode(replicaPorts), "Gateway");
    });
});

describe("moving a tenant to another cluster", () => {
    it("keeps the URNs and Azure names of what the tenant owns in the region, and rebuilds only its cluster side", async () => {
        const before = await evaluateRealStack("prod-weu");
        const stackConfig = readStackConfig(stackFilePath("prod-weu"));
        const tenants = (stackConfig["iot-fleet:tenants"] as any[]).map(t =>
            t.name === "contoso" ? { ...t, cluster: "dedicated-contoso" } : t,
        );
        const after = await evaluateStack({ stack: "prod-weu", stackConfig: { ...stackConfig, "iot-fleet:tenants": tenants } });
        assert.deepStrictEqual(
            [before.outputs.tenants.contoso.cluster, after.outputs.tenants.contoso.cluster],
            ["shared-1", "dedicated-contoso"],
        );

        const side = (evaluation: Evaluation, part: "namespace" | "region") => {
            const component = landingZoneOf(evaluation, "contoso")[part];
            return new Map([component, ...[...ownedBy(evaluation, component).values()].flat()].map(r => [r.urn, r]));
        };
        const [regionBefore, regionAfter] = [side(before, "region"), side(after, "region")];
        assert.deepStrictEqual([...regionAfter.keys()].sort(), [...regionBefore.keys()].sort());
        const types = [...regionBefore.values()].map(r => r.type);
        for (const type of [
            "azure-native:servicebus:Queue",
            "azure-native:storage:BlobContainer",
            "azure-native:keyvault:Vault",
            "azure-native:managedidentity:UserAssignedIdentity",
            "azure-native:authorization:RoleAssignment",
            "azuread:index/group:Group",
        ]) {
            assert.ok(types.includes(type), `no ${type} on the region side`);
        }
        // Only the cluster tag and the admin group's description name the cluster: both are updated in place.
        const withoutCluster = (r: RecordedResource) => ({
            ...r.inputs,
            tags: { ...r.inputs.tags, cluster: undefined },
            description: undefined,
        });
        for (const [urn, was] of regionBefore) {
            const now = regionAfter.get(urn)!;
            assert.deepStrictEqual(withoutCluster(now), withoutCluster(was), `${urn} changes beyond its cluster tag`);
            if (was.inputs.tags !== undefined) {
                assert.strictEqual(now.inputs.tags.cluster, "dedicated-contoso");
            }
        }

        const [clusterBefore, clusterAfter] = [side(before, "namespace"), side(after, "namespace")];
        // One more on the dedicated cluster: its ingest's send right on the tenant's queue (a shared cluster's ingest
        // sends at the Service Bus namespace, granted once by the cluster).
        assert.strictEqual(clusterAfter.size, clusterBefore.size + 1);
        assert.deepStrictEqual(
            [...clusterAfter.keys()].filter(urn => clusterBefore.has(urn)),
            [],
            "a cluster-scoped resource kept its URN",
        );
        // The new cluster's ingest's right to send to the queue; the admins get the new cluster's kubeconfig from the outputs.
        const grants = [...clusterAfter.values()].filter(r => r.type === "azure-native:authorization:RoleAssignment");
        const newIngest = after.resources.find(r => r.inputs.resourceName === "id-dedicated-contoso-ingest")!;
        assert.deepStrictEqual(
            grants.map(g => [g.inputs.principalId, typeAndName(g.inputs.scope)]),
            [[newIngest.outputs.principalId, "Queue/telemetry-ingest-contoso"]],
        );
        assert.strictEqual(parse(after.outputs.tenants.contoso.kubeconfig).clusters[0].name, "aks-prod-weu-dedicated-contoso");
    });
});

describe("dedicated tenants", () => {
    it("get the same namespace set-up as shared tenants", async () => {
        const evaluation = await evaluateRealStack("prod-weu");
        const shape = (tenant: string) =>
            [...ownedByTenant(evaluation, tenant).entries()].map(([type, resources]) => `${type}×${resources.length}`).sort();
        const [acme, contoso] = ["acme", "contoso"].map(t => landingZoneOf(evaluation, t));
        assert.ok(ancestors(evaluation, acme.namespace).some(a => a.type === COMPONENT_TYPES.dedicatedCluster));
        assert.ok(ancestors(evaluation, contoso.namespace).some(a => a.type === COMPONENT_TYPES.sharedCluster));
        for (const zone of [acme, contoso]) {
            assert.deepStrictEqual(
                ancestors(evaluation, zone.region).map(a => a.type),
                [COMPONENT_TYPES.region, "pulumi:pulumi:Stack"],
            );
        }
        // The same, but for the ingest's send right on the tenant's queue, which a dedicated cluster's ingest gets
        // with its tenant's namespace and a shared cluster's holds once at the Service Bus namespace.
        const withIngestSender = (shape: string[]) =>
            shape.map(entry =>
                entry.replace(/^(azure-native:authorization:RoleAssignment)×(\d+)$/, (_, type, n) => `${type}×${Number(n) + 1}`),
            );
        assert.deepStrictEqual(shape("acme"), withIngestSender(shape("contoso")));
    });
});

describe("GitOps paths", () => {
    it("gives every cluster of both real stacks its own directory in the fleet repository, under its region's", async () => {
        const paths = [];
        for (const stack of REAL_STACKS) {
            const evaluation = await evaluateRealStack(stack);
            const { environment, region } = evaluation.config;
            const clusterWide = ofType(evaluation, "azure-native:kubernetesconfiguration:FluxConfiguration").filter(
                f => f.inputs.scope === "cluster",
            );
            for (const flux of clusterWide) {
                const path = flux.inputs.kustomizations.cluster.path as string;
                assert.match(path, new RegExp(`^\\./clusters/${environment}-${region.shortName}/(shared-\\d+|dedicated-[a-z0-9-]+)$`));
                assert.strictEqual(flux.inputs.kustomizations.cluster.prune, true);
                paths.push(path);
            }
        }
        assert.ok(paths.includes("./clusters/prod-weu/shared-1") && paths.includes("./clusters/prod-eus/shared-1"), paths.join(", "));
        assert.strictEqual(new Set(paths).size, paths.length, `two clusters reconcile (and prune) one directory: ${paths.join(", ")}`);
    });

    it("applies each tenant's own directory into its namespace only, outside every cluster's directory, with multi-tenancy enforced", async () => {
        for (const stack of REAL_STACKS) {
            const evaluation = await evaluateRealStack(stack);
            const { environment, region, tenants } = evaluation.config;
            const namespaced = ofType(evaluation, "azure-native:kubernetesconfiguration:FluxConfiguration").filter(
                f => f.inputs.scope === "namespace",
            );
            assert.deepStrictEqual(
                namespaced.map(f => [f.inputs.fluxConfigurationName, f.inputs.namespace, f.inputs.kustomizations.tenant.path]).sort(),
                tenants.map(t => [`tenant-${t.name}`, t.name, `./tenants/${environment}-${region.shortName}/${t.name}`]).sort(),
            );
            for (const extension of ofType(evaluation, "azure-native:kubernetesconfiguration:Extension")) {
                assert.deepStrictEqual(extension.inputs.configurationSettings, { "multiTenancy.enforce": "true" });
            }
        }
    });
});
