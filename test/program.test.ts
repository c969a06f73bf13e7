import * as assert from "assert";
import * as pulumi from "@pulumi/pulumi";
import { evaluateStack, Evaluation } from "../offline/evaluate";
import { engineConfig, readStackConfig, stackFilePath } from "../lib/stackFile";
import { fleetProgram } from "../program";
import { SPOT_TAINT, SYSTEM_POOL_TAINT } from "../lib/labels";
import { OFFLINE_DEPLOYER_OBJECT_ID } from "../offline/mockCloud";
import { acceptsTags, ancestors, evaluateRealStack, ofType, REAL_STACKS } from "./support/stacks";
import { COMPONENT_TYPES } from "../lib/componentTypes";

const EXPECTED_CLUSTERS: Record<string, Record<string, "shared" | "dedicated">> = {
    "prod-weu": { "shared-1": "shared", "dedicated-acme": "dedicated" },
    "prod-eus": { "shared-1": "shared", "dedicated-medica": "dedicated", "dedicated-woodgrove": "dedicated" },
};

const clusterComponentOf = (evaluation: Evaluation, urn: string) =>
    ancestors(
        evaluation,
        evaluation.resources.find(r => r.urn === urn)!,
    ).find(a => a.type === COMPONENT_TYPES.sharedCluster || a.type === COMPONENT_TYPES.dedicatedCluster);

for (const stack of REAL_STACKS) {
    describe(`the ${stack} stack under the offline engine`, () => {
        let evaluation: Evaluation;
        before(async () => {
            evaluation = await evaluateRealStack(stack);
        });

        it("builds exactly the clusters placement asks for, each in the right component", () => {
            const clusters = ofType(evaluation, "azure-native:containerservice:ManagedCluster");
            const found = Object.fromEntries(
                clusters.map(c => {
                    const component = clusterComponentOf(evaluation, c.urn)!;
                    return [
                        c.inputs.resourceName.replace(`aks-prod-${stack.split("-")[1]}-`, ""),
                        component.type === COMPONENT_TYPES.sharedCluster ? "shared" : "dedicated",
                    ];
                }),
            );
            assert.deepStrictEqual(found, EXPECTED_CLUSTERS[stack]);
        });

        it("keeps a tainted, zonal system pool of at least 3 nodes on every cluster", () => {
            for (const cluster of ofType(evaluation, "azure-native:containerservice:ManagedCluster")) {
                const pools = cluster.inputs.agentPoolProfiles;
                assert.strictEqual(pools.length, 1, "only the system pool is inline");
                assert.strictEqual(pools[0].mode, "System");
                assert.ok(pools[0].count >= 3);
                assert.deepStrictEqual(pools[0].nodeTaints, [SYSTEM_POOL_TAINT]);
                assert.deepStrictEqual(pools[0].availabilityZones, ["1", "2", "3"]);
            }
        });

        it("gives every cluster separate ingest, Spot processing, on-demand baseline and api pools", () => {
            for (const cluster of ofType(evaluation, "azure-native:containerservice:ManagedCluster")) {
                const pools = ofType(evaluation, "azure-native:containerservice:AgentPool").filter(
                    p => p.inputs.resourceName === cluster.inputs.resourceName,
                );
                const byName: Record<string, any> = Object.fromEntries(pools.map(p => [p.inputs.agentPoolName, p.inputs]));
                assert.deepStrictEqual(Object.keys(byName).sort(), ["api", "ingest", "procbase", "procspot"]);
                assert.ok(Object.values(byName).every(p => p.mode === "User"));
                const spot = byName.procspot;
                assert.strictEqual(spot.scaleSetPriority, "Spot");
                assert.strictEqual(spot.scaleSetEvictionPolicy, "Delete");
                assert.strictEqual(spot.enableAutoScaling, true);
                assert.deepStrictEqual(spot.nodeTaints, [SPOT_TAINT]);
                const baseline = byName.procbase;
                assert.strictEqual(baseline.scaleSetPriority, undefined);
                assert.ok(baseline.minCount >= 1, "the on-demand baseline keeps at least one node");
                assert.strictEqual(baseline.nodeLabels["iot-fleet.io/workload"], spot.nodeLabels["iot-fleet.io/workload"]);
            }
        });

        it("turns on workload identity, OIDC, Entra ID with Azure RBAC, KEDA and the Key Vault CSI driver, without local accounts", () => {
            for (const cluster of ofType(evaluation, "azure-native:containerservice:ManagedCluster")) {
                const i = cluster.inputs;
                assert.strictEqual(i.securityProfile.workloadIdentity.enabled, true);
                assert.strictEqual(i.oidcIssuerProfile.enabled, true);
                assert.strictEqual(i.disableLocalAccounts, true);
                assert.strictEqual(i.aadProfile.enableAzureRBAC, true);
                assert.strictEqual(i.aadProfile.adminGroupObjectIDs.length, 1);
                assert.strictEqual(i.workloadAutoScalerProfile.keda.enabled, true);
                assert.deepStrictEqual(i.addonProfiles.azureKeyvaultSecretsProvider, {
                    enabled: true,
                    config: { enableSecretRotation: "true", rotationPollInterval: "2m" },
                });
                assert.strictEqual(i.azureMonitorProfile.metrics.enabled, true);
                assert.strictEqual(i.networkProfile.networkPluginMode, "overlay");
                assert.strictEqual(i.networkProfile.networkPolicy, "cilium");
                assert.strictEqual(
                    i.autoUpgradeProfile.upgradeChannel,
                    "none",
                    "Fleet Manager, not the cluster, rolls Kubernetes upgrades",
                );
            }
        });

        it("ignores the versions auto-upgrade changes, so a refresh never plans a replacement", () => {
            for (const cluster of ofType(evaluation, "azure-native:containerservice:ManagedCluster")) {
                assert.ok(cluster.ignoreChanges.includes("kubernetesVersion"));
                assert.ok(cluster.ignoreChanges.includes("agentPoolProfiles"), "the inline system pool's version with it");
            }
            for (const pool of ofType(evaluation, "azure-native:containerservice:AgentPool")) {
                assert.ok(pool.ignoreChanges.includes("orchestratorVersion"));
                assert.ok(pool.ignoreChanges.includes("count"), "the autoscaler owns the node count");
            }
        });

        it("sends every cluster's container logs and events to Log Analytics through a Container Insights rule", () => {
            const clusters = ofType(evaluation, "azure-native:containerservice:ManagedCluster");
            const rules = ofType(evaluation, "azure-native:monitor:DataCollectionRule").filter(r => r.inputs.dataSources.extensions);
            const associations = ofType(evaluation, "azure-native:monitor:DataCollectionRuleAssociation").filter(
                a => a.inputs.associationName === "ContainerInsightsExtension",
            );
            assert.strictEqual(rules.length, clusters.length);
            assert.strictEqual(associations.length, clusters.length);
            for (const cluster of clusters) {
                const omsagent = cluster.inputs.addonProfiles.omsagent.config;
                assert.strictEqual(omsagent.useAADAuth, "true");
                const association = associations.find(a => a.propertyDependencies.resourceUri.includes(cluster.urn));
                assert.ok(association, `${cluster.inputs.resourceName} has no Container Insights rule`);
                const rule = rules.find(r => association.propertyDependencies.dataCollectionRuleId.includes(r.urn))!;
                const [extension] = rule.inputs.dataSources.extensions;
                assert.strictEqual(extension.extensionName, "ContainerInsights");
                assert.ok(extension.streams.includes("Microsoft-ContainerLogV2"));
                assert.deepStrictEqual(rule.inputs.dataFlows[0].streams, extension.streams);
                assert.strictEqual(
                    rule.inputs.destinations.logAnalytics[0].workspaceResourceId,
                    omsagent.logAnalyticsWorkspaceResourceID,
                    "the rule writes to the workspace the agent is configured with",
                );
            }
        });

        it("makes each cluster's identity Network Contributor on its own subnet, and creates the subnets one after another", () => {
            const subnets = ofType(evaluation, "azure-native:network:Subnet");
            subnets
                .slice(1)
                .forEach((subnet, i) =>
                    assert.ok(
                        subnet.dependencies.includes(subnets[i].urn),
                        `${subnet.inputs.subnetName} does not wait for ${subnets[i].inputs.subnetName}`,
                    ),
                );
            const clusters = ofType(evaluation, "azure-native:containerservice:ManagedCluster");
            // The ALB controller's identity holds the same role on its edge subnet and WAF policy (test/edge.test.ts).
            const grants = evaluation.resources.filter(
                r =>
                    r.type === "azure-native:authorization:RoleAssignment" &&
                    r.inputs.roleDefinitionId.endsWith("/4d97b98b-1d4f-4787-a291-c67834d212e7") &&
                    clusters.some(cluster => r.propertyDependencies.principalId.includes(cluster.urn)),
            );
            assert.strictEqual(grants.length, clusters.length);
            for (const cluster of clusters) {
                const grant = grants.find(
                    g => clusterComponentOf(evaluation, g.urn)!.urn === clusterComponentOf(evaluation, cluster.urn)!.urn,
                )!;
                assert.strictEqual(grant.inputs.scope, cluster.inputs.agentPoolProfiles[0].vnetSubnetID);
                assert.ok(grant.propertyDependencies.principalId.includes(cluster.urn), "granted to the cluster's own identity");
            }
        });

        it("makes the deployer a member of the cluster admin group before any Kubernetes provider is used, and the group Grafana Admin", () => {
            const [group] = ofType(evaluation, "azuread:index/group:Group").filter(g => /cluster admins$/.test(g.inputs.displayName));
            const [member] = ofType(evaluation, "azuread:index/groupMember:GroupMember");
            assert.ok(member.propertyDependencies.groupObjectId.includes(group.urn));
            assert.strictEqual(member.inputs.memberObjectId, OFFLINE_DEPLOYER_OBJECT_ID);
            for (const provider of ofType(evaluation, "pulumi:providers:kubernetes")) {
                assert.ok(provider.dependencies.includes(member.urn), `${provider.name} does not wait for the deployer's membership`);
            }
            const grafanaAdmins = ofType(evaluation, "azure-native:authorization:RoleAssignment").filter(r =>
                r.inputs.roleDefinitionId.endsWith("/22926164-76b3-42b3-bc55-97df8dab3e41"),
            );
            assert.strictEqual(grafanaAdmins.length, 1);
            assert.strictEqual(grafanaAdmins[0].inputs.principalType, "Group");
            assert.ok(grafanaAdmins[0].propertyDependencies.principalId.includes(group.urn));
            assert.ok(grafanaAdmins[0].propertyDependencies.scope.includes(ofType(evaluation, "azure-native:dashboard:Grafana")[0].urn));
        });

        it("sets both auto-upgrade maintenance windows on every cluster", () => {
            const configs = ofType(evaluation, "azure-native:containerservice:MaintenanceConfiguration");
            assert.strictEqual(configs.length, 2 * Object.keys(EXPECTED_CLUSTERS[stack]).length);
            assert.ok(configs.every(c => c.inputs.maintenanceWindow.durationHours >= 4));
        });

        it("creates one Kubernetes provider per cluster, signing in with kubelogin non-interactively", () => {
            const providers = ofType(evaluation, "pulumi:providers:kubernetes");
            assert.strictEqual(providers.length, Object.keys(EXPECTED_CLUSTERS[stack]).length);
            const components = providers.map(p => clusterComponentOf(evaluation, p.urn)!.urn);
            assert.strictEqual(new Set(components).size, providers.length, "one provider per cluster component");
            for (const provider of providers) {
                const kubeconfig: string = provider.inputs.kubeconfig;
                assert.match(kubeconfig, /command: kubelogin/);
                assert.match(kubeconfig, /- --login\n\s+- azurecli/);
                assert.match(kubeconfig, /interactiveMode: Never/);
                assert.doesNotMatch(kubeconfig, /devicecode/);
            }
        });

        it("makes every cluster a Fleet Manager member in the update group of its kind", () => {
            const members = ofType(evaluation, "azure-native:containerservice:FleetMember");
            const clusters = ofType(evaluation, "azure-native:containerservice:ManagedCluster");
            assert.strictEqual(members.length, clusters.length);
            for (const member of members) {
                const cluster = clusters.find(c =>
                    c.inputs.resourceName.endsWith(member.inputs.fleetMemberName.replace(/^(weu|eus)-/, "")),
                )!;
                assert.ok(cluster, `member ${member.inputs.fleetMemberName} has no cluster`);
                assert.match(member.inputs.clusterResourceId, new RegExp(`${cluster.inputs.resourceName}$`));
                const kind = clusterComponentOf(evaluation, cluster.urn)!.type === COMPONENT_TYPES.sharedCluster ? "shared" : "dedicated";
                assert.strictEqual(member.inputs.group, kind);
            }
        });

        it("tags every taggable Azure resource with environment and region, and a dedicated cluster's with its tenant", () => {
            const taggable = evaluation.resources.filter(r => r.type.startsWith("azure-native:") && acceptsTags(r.type));
            assert.ok(taggable.length > 20);
            for (const resource of taggable) {
                assert.strictEqual(resource.inputs.tags?.environment, "prod", `${resource.urn} lacks the environment tag`);
                assert.strictEqual(resource.inputs.tags?.region, stack.split("-")[1], `${resource.urn} lacks the region tag`);
                const dedicated = ancestors(evaluation, resource).find(a => a.type === COMPONENT_TYPES.dedicatedCluster);
                if (dedicated) {
                    assert.strictEqual(
                        resource.inputs.tags.tenant,
                        dedicated.name.split("-dedicated-")[1],
                        `${resource.urn} lacks the tenant tag`,
                    );
                }
            }
        });

        it("exports the fleet, clusters, tenants and endpoints the telemetry services read", () => {
            const { outputs, config } = evaluation;
            assert.match(outputs.fleet.id, /\/fleets?\//i);
            assert.deepStrictEqual(Object.keys(outputs.clusters).sort(), Object.keys(EXPECTED_CLUSTERS[stack]).sort());
            for (const cluster of Object.values<any>(outputs.clusters)) {
                assert.match(cluster.oidcIssuerUrl, /^https:\/\/.+\.oic\.prod-aks\.azure\.com\//);
                assert.match(cluster.resourceId, /^\/subscriptions\//);
                assert.match(cluster.kubeconfig, /kubelogin/);
            }
            assert.deepStrictEqual(Object.keys(outputs.tenants).sort(), config.tenants.map(t => t.name).sort());
            for (const [name, tenant] of Object.entries<any>(outputs.tenants)) {
                assert.ok(tenant.cluster in outputs.clusters, `${name} is on an unknown cluster`);
                assert.strictEqual(tenant.isolation, outputs.clusters[tenant.cluster].kind);
                assert.strictEqual(tenant.namespace, name);
                assert.strictEqual(tenant.eventHub, tenant.isolation === "dedicated" ? `telemetry-${name}` : "telemetry");
            }
            // The keys the README's "Stack outputs" documents; test/outputs.test.ts holds each value to the resource it comes from.
            assert.deepStrictEqual(Object.keys(outputs).sort(), [
                "clusters",
                "endpoints",
                "fleet",
                "ingest",
                "provisioning",
                "region",
                "stamps",
                "tenants",
            ]);
            assert.deepStrictEqual(Object.keys(outputs.ingest).sort(), Object.keys(outputs.clusters).sort());
            assert.deepStrictEqual(Object.keys(outputs.fleet).sort(), ["id", "name", "resourceGroupName"]);
            assert.deepStrictEqual(Object.keys(outputs.region).sort(), ["location", "name", "resourceGroupName"]);
            for (const cluster of Object.values<any>(outputs.clusters)) {
                assert.deepStrictEqual(Object.keys(cluster).sort(), ["kind", "kubeconfig", "name", "oidcIssuerUrl", "resourceId"]);
            }
            for (const tenant of Object.values<any>(outputs.tenants)) {
                assert.deepStrictEqual(Object.keys(tenant).sort(), [
                    "adminGroupObjectId",
                    "adxDatabase",
                    "checkpointContainer",
                    "checkpointContainerUrl",
                    "cluster",
                    "cosmosAccount",
                    "cosmosContainer",
                    "cosmosEndpoint",
                    "decommission",
                    "deviceQuota",
                    "edge",
                    "endpointSubnet",
                    "eventHub",
                    "identityClientId",
                    "isolation",
                    "keyVaultUri",
                    "kubeconfig",
                    "namespace",
                    "otlpEndpoint",
                    "serviceBusQueue",
                    "stamp",
                ]);
            }
            assert.deepStrictEqual(Object.keys(outputs.provisioning).sort(), ["globalEndpoint", "idScope", "serviceOperationsHostName"]);
            assert.deepStrictEqual(Object.keys(outputs.endpoints).sort(), [
                "adxClusterUri",
                "adxDatabase",
                "appInsightsConnectionString",
                "cosmosConnectionMode",
                "cosmosDatabase",
                "cosmosEndpoint",
                "eventHubName",
                "eventHubsNamespace",
                "grafanaEndpoint",
                "iotHubHostName",
                "keyVaultUri",
                "serviceBusNamespace",
            ]);
            assert.notStrictEqual(
                outputs.endpoints.serviceBusNamespace,
                outputs.endpoints.eventHubsNamespace,
                "Service Bus and Event Hubs are separate namespaces",
            );
        });
    });
}

describe("Fleet Manager wiring across regions", () => {
    it("rolls Kubernetes upgrades on the stack's channel through the shared-then-dedicated strategy", async () => {
        const weu = await evaluateRealStack("prod-weu");
        const [strategy] = ofType(weu, "azure-native:containerservice:FleetUpdateStrategy");
        const [profile] = ofType(weu, "azure-native:containerservice:AutoUpgradeProfile").filter(p => p.inputs.channel !== "NodeImage");
        assert.strictEqual(profile.inputs.channel, "Stable");
        assert.ok(profile.propertyDependencies.updateStrategyId.includes(strategy.urn), "the profile runs the strategy");
        assert.ok(profile.propertyDependencies.fleetName.includes(ofType(weu, "azure-native:containerservice:Fleet")[0].urn));
    });

    it("creates the update strategy and its auto-upgrade profile after the members whose update groups they name", async () => {
        const weu = await evaluateRealStack("prod-weu");
        const members = ofType(weu, "azure-native:containerservice:FleetMember");
        assert.ok(members.length > 0);
        const rollout = [
            ...ofType(weu, "azure-native:containerservice:FleetUpdateStrategy"),
            ...ofType(weu, "azure-native:containerservice:AutoUpgradeProfile"),
        ];
        assert.strictEqual(rollout.length, 3, "the strategy, the Kubernetes profile and the node image profile");
        for (const resource of rollout) {
            for (const member of members) {
                assert.ok(
                    resource.dependencies.includes(member.urn),
                    `${resource.type} does not wait for member ${member.inputs.fleetMemberName}`,
                );
            }
        }
    });

    it("creates the fleet and its shared-then-dedicated strategy in prod-weu, and only joins it from prod-eus", async () => {
        const weu = await evaluateRealStack("prod-weu");
        const eus = await evaluateRealStack("prod-eus");
        assert.strictEqual(ofType(weu, "azure-native:containerservice:Fleet").length, 1);
        const [strategy] = ofType(weu, "azure-native:containerservice:FleetUpdateStrategy");
        assert.deepStrictEqual(
            strategy.inputs.strategy.stages.map((s: any) => s.groups.map((g: any) => g.name)),
            [["shared"], ["dedicated"]],
        );
        assert.strictEqual(ofType(eus, "azure-native:containerservice:Fleet").length, 0);
        assert.strictEqual(ofType(eus, "azure-native:containerservice:FleetUpdateStrategy").length, 0);
        assert.strictEqual(ofType(eus, "azure-native:containerservice:AutoUpgradeProfile").length, 0);
        assert.deepStrictEqual(
            new Set(ofType(eus, "azure-native:containerservice:FleetMember").map(m => m.inputs.group)),
            new Set(["shared", "dedicated"]),
            "prod-eus clusters join the update groups prod-weu's strategy rolls",
        );
        for (const member of ofType(eus, "azure-native:containerservice:FleetMember")) {
            assert.strictEqual(member.inputs.resourceGroupName, "rg-iotfleet-prod-weu", "members join the fleet prod-weu exports");
        }
    });
});

/** Records every function call (invoke) the program makes, as the engine receives it. */
function recordInvokes(into: { token: string; args: Record<string, any> }[]): void {
    const monitor = pulumi.runtime.getMonitor() as any;
    const invoke = monitor.invoke.bind(monitor);
    monitor.invoke = (req: any, callback: unknown) => {
        into.push({ token: req.getTok(), args: pulumi.runtime.deserializeProperties(req.getArgs()) });
        return invoke(req, callback);
    };
}

describe("a small Premium Event Hubs stack with a 30-character dedicated tenant and an unpinned one", () => {
    const LONG_TENANT = "northwind-traders-europe-3-ltd";
    const invokes: { token: string; args: Record<string, any> }[] = [];
    const warnings: string[] = [];
    let evaluation: Evaluation;
    let stackOutputs: Awaited<ReturnType<typeof fleetProgram>>;

    before(async () => {
        const stackConfig = readStackConfig(stackFilePath("prod-weu"));
        stackConfig["iot-fleet:tenants"] = [
            { name: LONG_TENANT, deviceQuota: 60_000, cluster: `dedicated-${LONG_TENANT}` },
            { name: "contoso", deviceQuota: 100, cluster: "shared-1" },
            { name: "fabrikam", deviceQuota: 100 },
        ];
        stackConfig["iot-fleet:eventHubs"] = { sku: "Premium" };
        const warn = console.warn;
        // Under mocks, pulumi.log.warn writes to the console; the CLI shows the same text as a warning.
        console.warn = (message: unknown) => {
            warnings.push(String(message));
        };
        try {
            evaluation = await evaluateStack({
                stack: "small-weu",
                stackConfig,
                program: async config => {
                    recordInvokes(invokes);
                    return (stackOutputs = await fleetProgram(config));
                },
            });
        } finally {
            console.warn = warn;
        }
    });

    it("gives the dedicated cluster a node resource group within AKS's 80 characters, and keeps AKS's default where it fits", () => {
        const groups = Object.fromEntries(
            ofType(evaluation, "azure-native:containerservice:ManagedCluster").map(c => [
                c.inputs.resourceName,
                c.inputs.nodeResourceGroup,
            ]),
        );
        assert.deepStrictEqual(groups, {
            [`aks-prod-weu-dedicated-${LONG_TENANT}`]: `MC_aks-prod-weu-dedicated-${LONG_TENANT}`,
            "aks-prod-weu-shared-1": "MC_rg-iotfleet-prod-weu_aks-prod-weu-shared-1_westeurope",
        });
        for (const cluster of ofType(evaluation, "azure-native:containerservice:ManagedCluster")) {
            assert.ok(cluster.ignoreChanges.includes("nodeResourceGroup"), "an existing cluster keeps the group it was created with");
        }
    });

    it("asks AKS for the exec-format user kubeconfig of each cluster and exports it as a secret", async () => {
        const credentials = invokes.filter(i => i.token === "azure-native:containerservice:listManagedClusterUserCredentials");
        assert.deepStrictEqual(
            credentials.map(c => c.args.format),
            ["exec", "exec"],
        );
        for (const [name, cluster] of Object.entries(stackOutputs.clusters)) {
            assert.ok(await pulumi.isSecret(cluster.kubeconfig), `the kubeconfig of ${name} is not a secret`);
        }
    });

    it("sizes a Premium Event Hubs namespace in processing units, where the real stacks' Standard one has throughput units", async () => {
        const [premium] = ofType(evaluation, "azure-native:eventhub:Namespace");
        assert.deepStrictEqual(premium.inputs.sku, { name: "Premium", tier: "Premium", capacity: 1 });
        const [standard] = ofType(await evaluateRealStack("prod-weu"), "azure-native:eventhub:Namespace");
        assert.deepStrictEqual(standard.inputs.sku, { name: "Standard", tier: "Standard", capacity: 2 });
    });

    it("warns once about the new unpinned tenants, naming the pin that records each where it landed", () => {
        assert.deepStrictEqual(
            warnings.filter(w => w.includes("not pinned")),
            [
                "warning: [runtime] 1 new tenant(s) not pinned: fabrikam (cluster: shared-1); later updates keep them there (from " +
                    "this stack's outputs); pin each to its cluster in the stack file to keep it there without them",
            ],
        );
    });
});

describe("the program's entry point", () => {
    it("stops a stack with config problems before anything registers, with every problem and no stack trace", async () => {
        const stackConfig = readStackConfig(stackFilePath("prod-weu"));
        stackConfig["iot-fleet:tenants"] = [
            { name: "adx", deviceQuota: 10 },
            { name: "contoso", deviceQuota: 10, cluster: "shared-200" },
        ];
        pulumi.runtime.setAllConfig(engineConfig(stackConfig));
        const registered: string[] = [];
        await pulumi.runtime.setMocks(
            {
                newResource: args => {
                    registered.push(args.type);
                    return { id: args.name, state: {} };
                },
                call: () => ({}),
            },
            "iot-fleet",
            "prod-weu",
            false,
        );
        // index.ts runs the program when loaded: loading it is the test.
        assert.throws(
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            () => require("../index"),
            (err: unknown) => {
                assert.ok(err instanceof pulumi.RunError, `expected a RunError, got ${String(err)}`);
                assert.strictEqual(
                    err.message,
                    [
                        "stack prod-weu has 2 problems:",
                        "  - iot-fleet:tenants[0].name: 'adx' is the Event Hubs consumer group of ADX ingestion; choose another tenant name, got \"adx\"",
                        "  - iot-fleet:tenants[1].cluster: shared-200 needs /24 slot 200, but 10.40.0.0/16 has room for shared-1 to shared-127: pin the tenant to a lower-numbered shared cluster",
                    ].join("\n"),
                );
                return true;
            },
        );
        assert.deepStrictEqual(registered, []);
    });
});
