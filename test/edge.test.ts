import * as assert from "assert";
import fc from "fast-check";
import { parseFleetConfig } from "../lib/config";
import { ConfigError } from "../lib/errors";
import { MAX_LISTENERS_PER_GATEWAY, tenantListeners } from "../lib/edge";
import { edgeAddressSpace, edgeSubnetOf } from "../lib/network";
import { projectKeys, readStackConfig, stackFilePath } from "../lib/stackFile";
import { Evaluation, RecordedResource } from "../offline/evaluate";
import { COMPONENT_TYPES } from "../lib/componentTypes";
import { ancestors, evaluateRealStack, ofType, REAL_STACKS } from "./support/stacks";

const DNS_LABEL = fc.stringMatching(/^[a-z][a-z0-9-]{0,28}[a-z0-9]$/);

/** Whether a Gateway listener hostname (`*.suffix` or exact) covers a host name, per the Gateway API's suffix match. */
const covers = (listener: string, host: string): boolean =>
    listener.startsWith("*.") ? host.endsWith(listener.slice(1)) && host.length > listener.length - 1 : host === listener;

describe("the edge's listeners (lib/edge.ts)", () => {
    it("gives each tenant one HTTPS listener for *.<tenant>.<zone> that admits routes from its own namespace only", () => {
        assert.deepStrictEqual(tenantListeners(["contoso"], "weu.iot.example.com"), [
            {
                name: "https-contoso",
                hostname: "*.contoso.weu.iot.example.com",
                port: 443,
                protocol: "HTTPS",
                tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "tenant-contoso-tls" }] },
                allowedRoutes: {
                    namespaces: { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": "contoso" } } },
                    kinds: [{ kind: "HTTPRoute" }, { kind: "GRPCRoute" }],
                },
            },
        ]);
    });

    it("never lets one tenant's listener cover a name under another tenant's prefix, and keeps each listener when tenants come and go", () => {
        fc.assert(
            fc.property(fc.uniqueArray(DNS_LABEL, { minLength: 2, maxLength: 20 }), DNS_LABEL, (tenants, added) => {
                const zone = "weu.iot.example.com";
                const listeners = tenantListeners(tenants, zone);
                for (const listener of listeners) {
                    const owner = listener.allowedRoutes.namespaces.selector.matchLabels["kubernetes.io/metadata.name"];
                    for (const other of tenants.filter(t => t !== owner)) {
                        assert.ok(!covers(listener.hostname, `api.${other}.${zone}`), `${listener.name} covers ${other}'s names`);
                    }
                }
                const withAdded = tenantListeners([...tenants, added], zone);
                for (const listener of listeners) {
                    assert.deepStrictEqual(
                        withAdded.find(l => l.name === listener.name),
                        listener,
                    );
                }
            }),
        );
    });
});

describe("the edge's address plan and its config checks", () => {
    const prodWeu = () => readStackConfig(stackFilePath("prod-weu"));
    const problemsOf = (edit: (raw: Record<string, any>) => void): string[] => {
        const raw = prodWeu() as Record<string, any>;
        edit(raw);
        try {
            parseFleetConfig(projectKeys(raw));
            return [];
        } catch (error) {
            assert.ok(error instanceof ConfigError, String(error));
            return error.problems.map(p => `${p.path}: ${p.message}`);
        }
    };

    it("puts a cluster's edge /24 at the slot its node /24 has, in the block after the address space unless one is given", () => {
        assert.strictEqual(edgeAddressSpace({ addressSpace: "10.40.0.0/16" }), "10.41.0.0/16");
        assert.strictEqual(edgeAddressSpace({ addressSpace: "10.40.0.0/20" }), "10.40.16.0/20");
        assert.strictEqual(edgeAddressSpace({ addressSpace: "10.40.0.0/16", edgeAddressSpace: "172.20.0.0/16" }), "172.20.0.0/16");
        assert.strictEqual(edgeSubnetOf("10.40.0.0/16", "10.41.0.0/16", "10.40.1.0/24"), "10.41.1.0/24");
        assert.strictEqual(edgeSubnetOf("10.40.0.0/16", "172.20.0.0/16", "10.40.200.0/24"), "172.20.200.0/24");
    });

    it("refuses an edge range that overlaps the address space or the cluster ranges, or has another size", () => {
        assert.deepStrictEqual(
            problemsOf(raw => {
                raw["iot-fleet:region"].addressSpace = "10.243.0.0/16";
            }),
            [
                "iot-fleet:region.addressSpace: the edge range it implies, 10.244.0.0/16, overlaps 10.244.0.0/16; set region.edgeAddressSpace to a free private range of the address space's size",
            ],
        );
        assert.deepStrictEqual(
            problemsOf(raw => {
                raw["iot-fleet:region"].edgeAddressSpace = "10.40.0.0/17";
            }),
            [
                "iot-fleet:region.edgeAddressSpace: must have the prefix length of region.addressSpace (/16): one edge /24 per cluster /24",
                "iot-fleet:region.edgeAddressSpace: overlaps 10.40.0.0/16; set region.edgeAddressSpace to a free private range of the address space's size",
            ],
        );
    });

    it(`refuses more tenants per shared cluster than a Gateway holds listeners (${MAX_LISTENERS_PER_GATEWAY})`, () => {
        assert.deepStrictEqual(
            problemsOf(raw => {
                raw["iot-fleet:sharedClusterCapacity"] = { maxTenants: 65 };
            }),
            ["iot-fleet:sharedClusterCapacity.maxTenants: at most 64: one edge listener per tenant, and a Gateway holds 64, got 65"],
        );
    });
});

/** The objects a cluster component holds (its platform's and its tenants' alike). */
const inCluster = (evaluation: Evaluation, cluster: RecordedResource, type: string): RecordedResource[] =>
    ofType(evaluation, type).filter(r => ancestors(evaluation, r).some(a => a.urn === cluster.urn));

const one = <T>(items: readonly T[], what: string): T => {
    assert.strictEqual(items.length, 1, `expected one ${what}, found ${items.length}`);
    return items[0];
};

for (const stack of REAL_STACKS) {
    describe(`the edge of ${stack}`, () => {
        let evaluation: Evaluation;
        let clusters: RecordedResource[];
        let zone: string;
        before(async () => {
            evaluation = await evaluateRealStack(stack);
            zone = evaluation.config.dns.zoneName;
            clusters = evaluation.resources.filter(
                r => r.type === COMPONENT_TYPES.sharedCluster || r.type === COMPONENT_TYPES.dedicatedCluster,
            );
        });

        it("gives each cluster an Application Gateway for Containers on its own delegated /24 of the edge range, with a frontend", () => {
            for (const cluster of clusters) {
                const name = cluster.outputs.clusterName;
                const agc = one(inCluster(evaluation, cluster, "azure-native:servicenetworking:TrafficControllerInterface"), `${name} AGC`);
                const association = one(
                    inCluster(evaluation, cluster, "azure-native:servicenetworking:AssociationsInterface"),
                    "association",
                );
                one(inCluster(evaluation, cluster, "azure-native:servicenetworking:FrontendsInterface"), "frontend");
                assert.ok(association.propertyDependencies.trafficControllerName.includes(agc.urn));
                const subnet = one(
                    ofType(evaluation, "azure-native:network:Subnet").filter(s => association.propertyDependencies.subnet.includes(s.urn)),
                    `${name}'s edge subnet`,
                );
                assert.deepStrictEqual(subnet.inputs.delegations, [
                    { name: "application-gateway-for-containers", serviceName: "Microsoft.ServiceNetworking/trafficControllers" },
                ]);
                assert.strictEqual(subnet.inputs.subnetName, `snet-edge-${name}`);
                assert.ok(subnet.inputs.addressPrefix.endsWith("/24"));
                const vnet = one(ofType(evaluation, "azure-native:network:VirtualNetwork"), "VNet");
                assert.deepStrictEqual(vnet.inputs.addressSpace.addressPrefixes, [
                    evaluation.config.region.addressSpace,
                    edgeAddressSpace(evaluation.config.region),
                ]);
            }
        });

        it("holds one Gateway per cluster whose listeners are exactly its tenants', each under its prefix and bound to its namespace", () => {
            for (const cluster of clusters) {
                const tenants: string[] = cluster.outputs.tenants;
                const gateway = one(inCluster(evaluation, cluster, "kubernetes:gateway.networking.k8s.io/v1:Gateway"), "Gateway");
                const agc = one(inCluster(evaluation, cluster, "azure-native:servicenetworking:TrafficControllerInterface"), "AGC");
                assert.strictEqual(gateway.inputs.metadata.namespace, "edge");
                assert.strictEqual(gateway.inputs.spec.gatewayClassName, "azure-alb-external");
                assert.ok(gateway.propertyDependencies.metadata.includes(agc.urn), "the Gateway names its cluster's AGC");
                assert.deepStrictEqual(gateway.inputs.spec.addresses, [{ type: "alb.networking.azure.io/alb-frontend", value: "edge" }]);
                const listeners = gateway.inputs.spec.listeners;
                assert.deepStrictEqual(
                    listeners.map((l: any) => [l.hostname, l.allowedRoutes.namespaces, l.protocol, l.port]),
                    [...tenants]
                        .sort()
                        .map(t => [
                            `*.${t}.${zone}`,
                            { from: "Selector", selector: { matchLabels: { "kubernetes.io/metadata.name": t } } },
                            "HTTPS",
                            443,
                        ]),
                );
            }
        });

        it("issues each tenant's wildcard certificate into the edge namespace through DNS-01 in the region's zone, with workload identity", () => {
            for (const cluster of clusters) {
                const tenants: string[] = cluster.outputs.tenants;
                const issuer = one(inCluster(evaluation, cluster, "kubernetes:cert-manager.io/v1:ClusterIssuer"), "ClusterIssuer");
                const [solver] = issuer.inputs.spec.acme.solvers;
                assert.deepStrictEqual(Object.keys(solver), ["dns01"]);
                assert.strictEqual(solver.dns01.azureDNS.hostedZoneName, zone);
                assert.ok(solver.dns01.azureDNS.managedIdentity.clientID, "signs in with the cert-manager identity");
                const certificates = inCluster(evaluation, cluster, "kubernetes:cert-manager.io/v1:Certificate").map(c => c.inputs);
                assert.deepStrictEqual(
                    certificates.map(c => [c.metadata.namespace, c.spec.dnsNames, c.spec.secretName, c.spec.issuerRef.kind]).sort(),
                    tenants.map(t => ["edge", [`*.${t}.${zone}`], `tenant-${t}-tls`, "ClusterIssuer"]).sort(),
                );
                const gateway = one(inCluster(evaluation, cluster, "kubernetes:gateway.networking.k8s.io/v1:Gateway"), "Gateway");
                for (const listener of gateway.inputs.spec.listeners) {
                    const tenant = listener.allowedRoutes.namespaces.selector.matchLabels["kubernetes.io/metadata.name"];
                    assert.deepStrictEqual(listener.tls.certificateRefs, [{ kind: "Secret", name: `tenant-${tenant}-tls` }]);
                }
            }
        });

        it("attaches a WAF policy running Microsoft's Default Rule Set 2.1 in prevention mode to each cluster's whole Gateway", () => {
            for (const cluster of clusters) {
                const attachment = one(
                    inCluster(evaluation, cluster, "kubernetes:alb.networking.azure.io/v1:WebApplicationFirewallPolicy"),
                    "WAF attachment",
                );
                const gateway = one(inCluster(evaluation, cluster, "kubernetes:gateway.networking.k8s.io/v1:Gateway"), "Gateway");
                const waf = one(inCluster(evaluation, cluster, "azure-native:network:WebApplicationFirewallPolicy"), "WAF policy");
                assert.deepStrictEqual(attachment.inputs.spec.targetRef, {
                    group: "gateway.networking.k8s.io",
                    kind: "Gateway",
                    name: gateway.inputs.metadata.name,
                    namespace: gateway.inputs.metadata.namespace,
                });
                assert.ok(attachment.propertyDependencies.spec.includes(waf.urn), "names its cluster's WAF policy");
                const { state, mode, requestBodyCheck } = waf.inputs.policySettings;
                assert.deepStrictEqual({ state, mode, requestBodyCheck }, { state: "Enabled", mode: "Prevention", requestBodyCheck: true });
                assert.deepStrictEqual(waf.inputs.managedRules.managedRuleSets, [
                    { ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1" },
                ]);
            }
        });

        it("runs ExternalDNS on Gateway routes alone, ignoring the hostname annotation, and no ingress-nginx anywhere", () => {
            const releases = ofType(evaluation, "kubernetes:helm.sh/v3:Release");
            for (const release of releases.filter(r => r.inputs.chart === "external-dns")) {
                assert.deepStrictEqual(release.inputs.values.sources, ["gateway-httproute", "gateway-grpcroute"]);
                assert.deepStrictEqual(release.inputs.values.extraArgs, ["--ignore-hostname-annotation"]);
                assert.deepStrictEqual(release.inputs.values.domainFilters, [zone]);
            }
            assert.deepStrictEqual(
                releases.filter(r => /ingress-nginx/.test(r.inputs.chart)),
                [],
            );
            const alb = releases.filter(r => r.inputs.chart === "oci://mcr.microsoft.com/application-lb/charts/alb-controller");
            assert.strictEqual(alb.length, clusters.length);
            assert.ok(alb.every(r => r.inputs.version === "1.12.1"));
        });

        it("lets the edge into a tenant's namespace from its cluster's edge /24 only, on the tenant's edge ports only", () => {
            for (const cluster of clusters) {
                const association = one(
                    inCluster(evaluation, cluster, "azure-native:servicenetworking:AssociationsInterface"),
                    "association",
                );
                const edgeCidr = ofType(evaluation, "azure-native:network:Subnet").find(s =>
                    association.propertyDependencies.subnet.includes(s.urn),
                )!.inputs.addressPrefix;
                for (const tenant of cluster.outputs.tenants as string[]) {
                    const settings = evaluation.config.tenants.find(t => t.name === tenant)!.settings;
                    const policies = inCluster(evaluation, cluster, "kubernetes:networking.k8s.io/v1:NetworkPolicy").filter(
                        p => p.inputs.metadata.namespace === tenant,
                    );
                    const fromOutside = policies.flatMap(p =>
                        (p.inputs.spec.ingress ?? []).filter((rule: any) => rule.from.some((peer: any) => peer.podSelector === undefined)),
                    );
                    assert.deepStrictEqual(fromOutside, [
                        { from: [{ ipBlock: { cidr: edgeCidr } }], ports: settings.edge.ports.map(port => ({ protocol: "TCP", port })) },
                    ]);
                }
            }
        });

        it("lets tenant admins write HTTPRoutes and GRPCRoutes in their namespace, and no Ingress", () => {
            for (const role of ofType(evaluation, "kubernetes:rbac.authorization.k8s.io/v1:Role")) {
                const rules = role.inputs.rules;
                assert.ok(!rules.some((r: any) => r.resources.includes("ingresses")), `${role.urn} grants Ingresses`);
                assert.ok(
                    rules.some(
                        (r: any) =>
                            r.apiGroups.includes("gateway.networking.k8s.io") &&
                            ["httproutes", "grpcroutes"].every(kind => r.resources.includes(kind)),
                    ),
                    `${role.urn} grants no routes`,
                );
                assert.ok(
                    !rules.some((r: any) => r.apiGroups.includes("gateway.networking.k8s.io") && r.resources.includes("gateways")),
                    `${role.urn} grants Gateways`,
                );
            }
        });
    });
}
