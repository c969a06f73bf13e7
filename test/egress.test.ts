import * as assert from "assert";
import { Evaluation, RecordedResource } from "../offline/evaluate";
import { cidrsOverlap, LINK_LOCAL_RANGE } from "../lib/network";
import { privateEndpointSubnet } from "../lib/endpointSubnets";
import {
    ENTRA_ID_SIGN_IN_FQDN,
    PRIVATE_ENDPOINT_SUBNET_CAPACITY,
    PRIVATE_LINK_TARGETS,
    privateDnsZoneNames,
    privateEndpointCount,
    privateLinkProblem,
    REGION_ENDPOINT_ADDRESSES,
} from "../lib/privateLink";
import { configLimitRows, limitProblems } from "../lib/azureLimits";
import { loadStackFile, stackFilePath } from "../lib/stackFile";
import { PLATFORM_LABEL, TENANT_LABEL } from "../lib/labels";
import { COMPONENT_TYPES } from "../lib/componentTypes";
import { ancestors, evaluateRealStack, ofType, REAL_STACKS } from "./support/stacks";

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const CILIUM_POLICY = "kubernetes:cilium.io/v2:CiliumNetworkPolicy";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const tcp = (...ports: number[]) => ports.map(port => ({ protocol: "TCP", port }));

/** Namespaces (per cluster component) whose Namespace object carries a label. */
function namespacesLabelled(evaluation: Evaluation, label: string): { cluster: string; name: string }[] {
    return ofType(evaluation, NAMESPACE)
        .filter(ns => ns.inputs.metadata.labels?.[label] !== undefined)
        .map(ns => ({ cluster: clusterOf(evaluation, ns), name: ns.inputs.metadata.name }));
}
/** The cluster component a Kubernetes object lies under. */
const clusterOf = (evaluation: Evaluation, resource: RecordedResource): string =>
    ancestors(evaluation, resource).find(a => a.type === COMPONENT_TYPES.sharedCluster || a.type === COMPONENT_TYPES.dedicatedCluster)!.urn;
/** The objects of a kind in one namespace of one cluster. */
const objectsIn = (evaluation: Evaluation, type: string, where: { cluster: string; name: string }) =>
    ofType(evaluation, type).filter(r => r.inputs.metadata.namespace === where.name && clusterOf(evaluation, r) === where.cluster);
/** Whether an Azure id (as the offline cloud makes them: `.../<Type>/<Azure name>`) names this recorded resource. */
const idNames = (id: string, resource: RecordedResource) => id.endsWith(`/${resource.type.split(":")[2]}/${resource.outputs.name}`);

/** Every egress peer of every NetworkPolicy and every CIDR a CiliumNetworkPolicy allows, across the stack. */
function wideRanges(evaluation: Evaluation): { where: string; cidr: string; except: readonly string[] }[] {
    const fromNetworkPolicies = ofType(evaluation, NETWORK_POLICY).flatMap(p =>
        (p.inputs.spec.egress ?? []).flatMap((rule: any) =>
            (rule.to ?? [])
                .filter((peer: any) => peer.ipBlock)
                .map((peer: any) => ({ where: p.urn, ...peer.ipBlock, except: peer.ipBlock.except ?? [] })),
        ),
    );
    const fromCilium = ofType(evaluation, CILIUM_POLICY).flatMap(p =>
        (p.inputs.spec.egress ?? []).flatMap((rule: any) => [
            ...(rule.toCIDR ?? []).map((cidr: string) => ({ where: p.urn, cidr, except: [] })),
            ...(rule.toCIDRSet ?? []).map((set: any) => ({ where: p.urn, cidr: set.cidr, except: set.except ?? [] })),
            // `world` and `all` are every internet address, with no exception.
            ...(rule.toEntities ?? [])
                .filter((e: string) => e === "world" || e === "all")
                .map(() => ({ where: p.urn, cidr: "0.0.0.0/0", except: [] })),
        ]),
    );
    return [...fromNetworkPolicies, ...fromCilium];
}

for (const stack of REAL_STACKS) {
    describe(`egress of ${stack}`, () => {
        let evaluation: Evaluation;
        before(async () => {
            evaluation = await evaluateRealStack(stack);
        });

        it("lets every tenant namespace send only to the private-endpoint subnet on 443 and 5671, cluster DNS, itself, the collector, and Entra ID sign-in by name", () => {
            const endpoints = privateEndpointSubnet(evaluation.config.region.addressSpace);
            const tenants = namespacesLabelled(evaluation, TENANT_LABEL);
            assert.strictEqual(tenants.length, evaluation.config.tenants.length);
            for (const tenant of tenants) {
                const rules = objectsIn(evaluation, NETWORK_POLICY, tenant).flatMap(p => p.inputs.spec.egress ?? []);
                assert.deepStrictEqual(
                    rules.filter((rule: any) => rule.to.some((peer: any) => peer.ipBlock)),
                    [{ to: [{ ipBlock: { cidr: endpoints } }], ports: tcp(443, 5671) }],
                    `${tenant.name}: addresses outside the cluster`,
                );
                const inCluster = rules
                    .filter((rule: any) => !rule.to.some((peer: any) => peer.ipBlock))
                    .map((rule: any) =>
                        JSON.stringify(rule.to.map((peer: any) => peer.namespaceSelector?.matchLabels ?? peer.podSelector)),
                    );
                assert.deepStrictEqual(
                    inCluster.sort(),
                    [
                        JSON.stringify([{ "kubernetes.io/metadata.name": "kube-system" }]),
                        JSON.stringify([{ "kubernetes.io/metadata.name": "observability" }]),
                        JSON.stringify([{}]),
                    ].sort(),
                    `${tenant.name}: peers inside the cluster`,
                );
                const cilium = objectsIn(evaluation, CILIUM_POLICY, tenant).map(p => p.inputs);
                assert.deepStrictEqual(
                    cilium.map(p => p.metadata.name),
                    ["allow-entra-id-signin"],
                    `${tenant.name}: Cilium policies (no API server)`,
                );
                assert.deepStrictEqual(cilium[0].spec, {
                    endpointSelector: {},
                    egress: [
                        {
                            toEndpoints: [{ matchLabels: { "k8s:io.kubernetes.pod.namespace": "kube-system", "k8s:k8s-app": "kube-dns" } }],
                            toPorts: [{ ports: [{ port: "53", protocol: "ANY" }], rules: { dns: [{ matchPattern: "*" }] } }],
                        },
                        { toFQDNs: [{ matchName: ENTRA_ID_SIGN_IN_FQDN }], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] },
                    ],
                });
            }
        });

        it("allows no range containing the node metadata address 169.254.0.0/16 without excepting it, in any namespace", () => {
            const ranges = wideRanges(evaluation);
            assert.ok(
                ranges.some(r => r.cidr === "0.0.0.0/0"),
                "platform namespaces still reach the internet",
            );
            for (const { where, cidr, except } of ranges.filter(r => cidrsOverlap(r.cidr, LINK_LOCAL_RANGE))) {
                assert.ok(
                    except.some(excepted => cidrsOverlap(excepted, LINK_LOCAL_RANGE) && Number(excepted.split("/")[1]) <= 16),
                    `${where} allows ${cidr} except ${except.join(", ")}: 169.254.0.0/16 not excepted`,
                );
            }
        });

        it("lets every platform namespace (the ALB controller, the edge's Gateway, cert-manager, external-dns, the collector, the ingest tier) reach the API server through Cilium's kube-apiserver entity", () => {
            const platform = namespacesLabelled(evaluation, PLATFORM_LABEL);
            assert.deepStrictEqual([...new Set(platform.map(ns => ns.name))].sort(), [
                "azure-alb-system",
                "cert-manager",
                "edge",
                "external-dns",
                "observability",
                "telemetry-ingest",
            ]);
            assert.strictEqual(platform.length, 6 * ofType(evaluation, COMPONENT_TYPES.clusterPlatform).length);
            for (const ns of platform) {
                const cilium = objectsIn(evaluation, CILIUM_POLICY, ns).map(p => p.inputs);
                assert.deepStrictEqual(
                    cilium.map(p => [p.metadata.name, p.spec]),
                    [
                        [
                            "allow-api-server",
                            {
                                endpointSelector: {},
                                egress: [{ toEntities: ["kube-apiserver"], toPorts: [{ ports: [{ port: "443", protocol: "TCP" }] }] }],
                            },
                        ],
                    ],
                    `${ns.name}`,
                );
            }
        });

        it("runs every cluster with ACNS container network security, which enforces the FQDN rule", () => {
            for (const cluster of ofType(evaluation, "azure-native:containerservice:ManagedCluster")) {
                const profile = cluster.inputs.networkProfile;
                assert.strictEqual(profile.networkDataplane, "cilium");
                assert.deepStrictEqual(profile.advancedNetworking, {
                    enabled: true,
                    observability: { enabled: false },
                    security: { enabled: true, advancedNetworkPolicies: "FQDN" },
                });
            }
        });

        it("gives the region vault, Service Bus, Event Hubs, the checkpoint blobs, Cosmos DB, ADX and every tenant vault a private endpoint in the endpoint subnet, registered in the documented zones", () => {
            const endpoints = ofType(evaluation, "azure-native:network:PrivateEndpoint");
            const [subnet] = ofType(evaluation, "azure-native:network:Subnet").filter(
                s => s.inputs.subnetName === "snet-private-endpoints",
            );
            assert.strictEqual(subnet.inputs.addressPrefix, privateEndpointSubnet(evaluation.config.region.addressSpace));
            const zones = ofType(evaluation, "azure-native:privatedns:PrivateZone");
            const location = evaluation.config.region.location;
            assert.deepStrictEqual(zones.map(z => z.inputs.privateZoneName).sort(), privateDnsZoneNames(location).sort());
            assert.deepStrictEqual(
                privateDnsZoneNames(location).sort(),
                [
                    "privatelink.blob.core.windows.net",
                    "privatelink.documents.azure.com",
                    "privatelink.queue.core.windows.net",
                    "privatelink.servicebus.windows.net",
                    "privatelink.table.core.windows.net",
                    "privatelink.vaultcore.azure.net",
                    `privatelink.${location}.kusto.windows.net`,
                ].sort(),
            );
            const [vnet] = ofType(evaluation, "azure-native:network:VirtualNetwork");
            const links = ofType(evaluation, "azure-native:privatedns:VirtualNetworkLink");
            assert.deepStrictEqual(
                links.map(l => [l.inputs.privateZoneName, idNames(l.inputs.virtualNetwork.id, vnet), l.inputs.registrationEnabled]).sort(),
                zones.map(z => [z.inputs.privateZoneName, true, false]).sort(),
            );
            const one = (type: string) => ofType(evaluation, type);
            const regionVault = one("azure-native:keyvault:Vault").find(v => !v.inputs.tags?.tenant)!;
            const [adx] = one("azure-native:kusto:Cluster");
            const targets: [string, keyof typeof PRIVATE_LINK_TARGETS, (id: string) => boolean][] = [
                ["region vault", "keyVault", id => idNames(id, regionVault)],
                ["service bus", "serviceBus", id => idNames(id, one("azure-native:servicebus:Namespace")[0])],
                ["event hubs", "eventHubs", id => idNames(id, one("azure-native:eventhub:Namespace")[0])],
                ["checkpoints", "checkpointBlob", id => idNames(id, one("azure-native:storage:StorageAccount")[0])],
                ["cosmos", "cosmos", id => idNames(id, one("azure-native:cosmosdb:DatabaseAccount")[0])],
                ["adx", "adx", id => id.endsWith(`/providers/Microsoft.Kusto/clusters/${adx.inputs.clusterName}`)],
                ...evaluation.config.tenants.map(tenant => {
                    const vault = one("azure-native:keyvault:Vault").find(v => v.inputs.tags?.tenant === tenant.name)!;
                    return [`${tenant.name}'s vault`, "keyVault", (id: string) => idNames(id, vault)] as [
                        string,
                        "keyVault",
                        (id: string) => boolean,
                    ];
                }),
            ];
            assert.strictEqual(endpoints.length, targets.length, "one endpoint per service and per tenant vault, no more");
            const groups = ofType(evaluation, "azure-native:network:PrivateDnsZoneGroup");
            for (const [what, service, names] of targets) {
                const matching = endpoints.filter(e => names(e.inputs.privateLinkServiceConnections[0].privateLinkServiceId));
                assert.strictEqual(matching.length, 1, `${what}: ${matching.length} endpoints`);
                const [endpoint] = matching;
                assert.ok(idNames(endpoint.inputs.subnet.id, subnet), `${what} is not in the endpoint subnet`);
                assert.deepStrictEqual(
                    endpoint.inputs.privateLinkServiceConnections[0].groupIds,
                    [PRIVATE_LINK_TARGETS[service].groupId],
                    what,
                );
                const group = groups.filter(g => g.inputs.privateEndpointName === endpoint.inputs.privateEndpointName);
                assert.strictEqual(group.length, 1, `${what}: zone groups`);
                assert.deepStrictEqual(
                    group[0].inputs.privateDnsZoneConfigs.map(
                        (c: any) => zones.find(z => idNames(c.privateDnsZoneId, z))!.inputs.privateZoneName,
                    ),
                    PRIVATE_LINK_TARGETS[service].zones(location),
                    `${what}: zones`,
                );
            }
        });

        it("closes Service Bus to public networks and lets only trusted Microsoft services (IoT Hub routing, ADX ingestion) past the Event Hubs firewall", () => {
            // The one rule set of a namespace type: public access, default action, IP rules, trusted services.
            const firewall = (module: string) =>
                ofType(evaluation, `azure-native:${module}:NamespaceNetworkRuleSet`).map(({ inputs }) => [
                    inputs.publicNetworkAccess,
                    inputs.defaultAction,
                    inputs.ipRules,
                    inputs.trustedServiceAccessEnabled,
                ]);
            assert.deepStrictEqual(firewall("servicebus"), [["Disabled", "Deny", [], false]]);
            assert.deepStrictEqual(firewall("eventhub"), [["Enabled", "Deny", [], true]]);
            const [iotHub] = ofType(evaluation, "azure-native:iothub:IotHubResource");
            assert.strictEqual(
                iotHub.inputs.properties.routing.endpoints.eventHubs[0].authenticationType,
                "identityBased",
                "IoT Hub passes the Event Hubs firewall as a trusted service only with identity-based routing",
            );
        });
    });
}

describe("private endpoint support of the data plane's tiers", () => {
    it("counts the addresses of every endpoint in its subnet, and opens a second subnet rather than refusing a region whose vaults outgrow the first", () => {
        assert.deepStrictEqual([privateEndpointCount(0), REGION_ENDPOINT_ADDRESSES, PRIVATE_ENDPOINT_SUBNET_CAPACITY], [6, 14, 251]);
        const weu = loadStackFile(stackFilePath("prod-weu"));
        const shared = weu.tenants.find(t => t.name === "contoso")!;
        const rows = (tenants: number) =>
            configLimitRows({
                ...weu,
                tenants: Array.from({ length: tenants }, (_, i) => ({ ...shared, name: `t${i}`, cluster: undefined })),
            }).filter(r => r.limit.startsWith("IP addresses per private-endpoint subnet"));
        const mostInFirst = PRIVATE_ENDPOINT_SUBNET_CAPACITY - REGION_ENDPOINT_ADDRESSES;
        assert.deepStrictEqual(
            rows(mostInFirst).map(r => [r.used, r.max]),
            [[251, 251]],
        );
        assert.deepStrictEqual(
            rows(mostInFirst + 1).map(r => [r.scope, r.used]),
            [
                ["private-endpoint subnet 0 (10.40.0.0/24)", 251],
                ["private-endpoint subnet 1 (10.40.127.0/24)", 1],
            ],
        );
        assert.deepStrictEqual(limitProblems(rows(mostInFirst + 1)), []);
    });

    it("refuses a Service Bus tier without private endpoints, since tenant pods reach Azure only through them", () => {
        assert.strictEqual(privateLinkProblem({ serviceBusSku: "Premium" }), undefined);
        assert.strictEqual(
            privateLinkProblem({ serviceBusSku: "Standard" }),
            "Service Bus Standard has no private endpoints (Premium only), and tenant pods reach Azure only through them",
        );
    });
});
