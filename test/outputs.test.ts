import * as assert from "assert";
import { Evaluation, RecordedResource } from "../offline/evaluate";
import { OFFLINE_SUBSCRIPTION_ID, offlineMocks } from "../offline/mockCloud";
import { readStackConfig, stackFilePath } from "../lib/stackFile";
import { TENANT_LABEL } from "../lib/labels";
import { byUrn, evaluateRealStack, ofType, REAL_STACKS } from "./support/stacks";
import { COMPONENT_TYPES } from "../lib/componentTypes";

/**
 * Every stack output of the real stacks, held to the recorded resource it comes from. Each expected value is read
 * from a resource found by its relationship to the tenant or region (type, parent, provider, property dependencies),
 * never recomputed with the helpers the program names things with: a wrong wiring then shows as a difference.
 */

/** The only element of a list, failing with what was looked for. */
function one(resources: readonly RecordedResource[], what: string): RecordedResource {
    assert.strictEqual(
        resources.length,
        1,
        `expected exactly one ${what}, found ${resources.length}: ${resources.map(r => r.urn).join(", ")}`,
    );
    return resources[0];
}

/** The resources of a type whose parent is the given component. */
const childrenOf = (evaluation: Evaluation, parent: RecordedResource, type: string) =>
    ofType(evaluation, type).filter(r => r.parent === parent.urn);

/** The resources of a type whose input `property` was computed from the given resource. */
const fedBy = (evaluation: Evaluation, source: RecordedResource, type: string, property: string) =>
    ofType(evaluation, type).filter(r => (r.propertyDependencies[property] ?? []).includes(source.urn));

/** The id the offline cloud gives an azure-native resource (offline/mockCloud.ts): the engine records no ids. */
function offlineAzureId(resource: RecordedResource): string {
    const [, module, type] = resource.type.split(":");
    return `/subscriptions/${OFFLINE_SUBSCRIPTION_ID}/resourceGroups/${resource.inputs.resourceGroupName}/providers/Microsoft.${module}/${type}/${resource.outputs.name}`;
}

const CLUSTER_KINDS: Record<string, "shared" | "dedicated"> = {
    [COMPONENT_TYPES.sharedCluster]: "shared",
    [COMPONENT_TYPES.dedicatedCluster]: "dedicated",
};

/** One cluster as the recorded graph has it: its component, its AKS resource and its Kubernetes provider. */
interface RecordedCluster {
    readonly component: RecordedResource;
    readonly aks: RecordedResource;
    readonly provider: RecordedResource;
}

/** The cluster a Kubernetes object was created on, through the provider it was registered with. */
function clusterOfObject(evaluation: Evaluation, object: RecordedResource): RecordedCluster {
    const index = byUrn(evaluation);
    const provider = index.get(object.provider.slice(0, object.provider.lastIndexOf("::")))!;
    assert.ok(provider, `${object.urn} has no explicit Kubernetes provider`);
    const component = index.get(provider.parent)!;
    assert.ok(component.type in CLUSTER_KINDS, `the provider of ${object.urn} belongs to a ${component.type}`);
    return {
        component,
        provider,
        aks: one(childrenOf(evaluation, component, "azure-native:containerservice:ManagedCluster"), `AKS cluster in ${component.name}`),
    };
}

/** The tenant's own region resources component, found by the tenant it registered. */
const regionResourcesOf = (evaluation: Evaluation, tenant: string) =>
    one(
        ofType(evaluation, COMPONENT_TYPES.tenantRegionResources).filter(c => c.inputs.tenant === tenant),
        `TenantRegionResources of ${tenant}`,
    );

/** The tenant's namespace: the Namespace object carrying its tenant label. */
const namespaceOf = (evaluation: Evaluation, tenant: string) =>
    one(
        ofType(evaluation, "kubernetes:core/v1:Namespace").filter(n => n.inputs.metadata.labels?.[TENANT_LABEL] === tenant),
        `namespace of ${tenant}`,
    );

/** The region's data plane resources, each found by type and by what it is fed from. */
function dataPlaneOf(evaluation: Evaluation) {
    const dataPlane = one(ofType(evaluation, COMPONENT_TYPES.regionDataPlane), "RegionDataPlane");
    // The region's namespace; a dedicated tenant may have one of its own, below its TenantEventStream.
    const eventHubs = one(childrenOf(evaluation, dataPlane, "azure-native:eventhub:Namespace"), "Event Hubs namespace of the region");
    const serviceBus = one(ofType(evaluation, "azure-native:servicebus:Namespace"), "Service Bus namespace");
    const hub = one(childrenOf(evaluation, dataPlane, "azure-native:eventhub:EventHub"), "shared event hub of the data plane");
    assert.deepStrictEqual(hub.propertyDependencies.namespaceName, [eventHubs.urn]);
    const adx = one(ofType(evaluation, "azure-native:kusto:Cluster"), "ADX cluster");
    const adxDatabase = one(fedBy(evaluation, adx, "azure-native:kusto:ReadWriteDatabase", "clusterName"), "database on the ADX cluster");
    const cosmos = one(ofType(evaluation, "azure-native:cosmosdb:DatabaseAccount"), "Cosmos DB account");
    const cosmosDatabase = one(
        fedBy(evaluation, cosmos, "azure-native:cosmosdb:SqlResourceSqlDatabase", "accountName"),
        "database in the Cosmos DB account",
    );
    // The shared container the data plane keeps; every tenant also has one of its own (store isolation tests).
    const cosmosContainer = one(
        fedBy(evaluation, cosmosDatabase, "azure-native:cosmosdb:SqlResourceSqlContainer", "databaseName").filter(
            c => c.inputs.containerName === "devices",
        ),
        "shared container in the Cosmos DB database",
    );
    return { eventHubs, serviceBus, hub, adx, adxDatabase, cosmos, cosmosDatabase, cosmosContainer, dataPlane };
}

/** A namespace host name, as clients take it: the host of the namespace's own service bus endpoint. */
const hostOf = (url: string) => new URL(url).hostname;

for (const stack of REAL_STACKS) {
    describe(`stack outputs of ${stack}`, () => {
        let evaluation: Evaluation;
        let outputs: Record<string, any>;
        /** The tenants exactly as the stack file declares them. */
        let declared: { name: string; deviceQuota: number; decommission?: boolean }[];
        before(async () => {
            evaluation = await evaluateRealStack(stack);
            outputs = evaluation.outputs;
            declared = readStackConfig(stackFilePath(stack))["iot-fleet:tenants"] as typeof declared;
        });

        it("exports the fleet its clusters are members of: the one it creates, or the one the creating stack exports", async () => {
            const members = ofType(evaluation, "azure-native:containerservice:FleetMember");
            const fleets = ofType(evaluation, "azure-native:containerservice:Fleet");
            let expected: Record<string, string>;
            if (evaluation.config.fleet.mode === "create") {
                const fleet = one(fleets, "Fleet");
                expected = { id: offlineAzureId(fleet), name: fleet.outputs.name, resourceGroupName: fleet.outputs.resourceGroupName };
                for (const member of members) {
                    assert.deepStrictEqual(member.propertyDependencies.fleetName, [fleet.urn], `${member.name} joins another fleet`);
                }
            } else {
                assert.deepStrictEqual(fleets, []);
                const read = await offlineMocks.newResource({
                    type: "pulumi:pulumi:StackReference",
                    name: evaluation.config.fleet.stackReference!,
                    inputs: { name: evaluation.config.fleet.stackReference! },
                    custom: true,
                });
                expected = read.state.outputs.fleet;
            }
            assert.deepStrictEqual(outputs.fleet, expected);
            assert.strictEqual(members.length, Object.keys(outputs.clusters).length, "one member per exported cluster");
            for (const member of members) {
                assert.deepStrictEqual(
                    [member.inputs.fleetName, member.inputs.resourceGroupName],
                    [outputs.fleet.name, outputs.fleet.resourceGroupName],
                    `${member.name} is a member of a fleet other than the exported one`,
                );
            }
        });

        it("exports the region of the stack file and the resource group the region is built in", () => {
            const region = one(ofType(evaluation, COMPONENT_TYPES.region), "Region");
            const group = one(childrenOf(evaluation, region, "azure-native:resources:ResourceGroup"), "resource group of the region");
            const file = readStackConfig(stackFilePath(stack))["iot-fleet:region"] as { shortName: string; location: string };
            assert.strictEqual(group.outputs.location, file.location);
            assert.deepStrictEqual(outputs.region, {
                name: file.shortName,
                location: group.outputs.location,
                resourceGroupName: group.outputs.name,
            });
        });

        it("exports each AKS cluster under its cluster tag, with its kind, name, id, OIDC issuer and its provider's kubeconfig", () => {
            const expected = Object.fromEntries(
                ofType(evaluation, "azure-native:containerservice:ManagedCluster").map(aks => {
                    const component = byUrn(evaluation).get(aks.parent)!;
                    const provider = one(
                        childrenOf(evaluation, component, "pulumi:providers:kubernetes"),
                        `Kubernetes provider of ${aks.name}`,
                    );
                    return [
                        aks.inputs.tags.cluster,
                        {
                            kind: CLUSTER_KINDS[component.type],
                            name: aks.outputs.name,
                            resourceId: offlineAzureId(aks),
                            oidcIssuerUrl: aks.outputs.oidcIssuerProfile.issuerURL,
                            kubeconfig: provider.inputs.kubeconfig,
                        },
                    ];
                }),
            );
            assert.deepStrictEqual(outputs.clusters, expected);
        });

        it("exports as each cluster's resource id the one its Fleet Manager member references", () => {
            for (const aks of ofType(evaluation, "azure-native:containerservice:ManagedCluster")) {
                const exported = outputs.clusters[aks.inputs.tags.cluster].resourceId;
                const member = one(
                    fedBy(evaluation, aks, "azure-native:containerservice:FleetMember", "clusterResourceId"),
                    `Fleet member of ${aks.name}`,
                );
                assert.strictEqual(member.inputs.clusterResourceId, exported);
            }
        });

        it("exports the endpoints of the region's own data plane, Key Vault, Grafana and Application Insights", () => {
            const data = dataPlaneOf(evaluation);
            const region = one(ofType(evaluation, COMPONENT_TYPES.region), "Region");
            const vault = one(childrenOf(evaluation, region, "azure-native:keyvault:Vault"), "Key Vault of the region");
            const iotHub = one(ofType(evaluation, "azure-native:iothub:IotHubResource"), "IoT hub");
            const grafana = one(ofType(evaluation, "azure-native:dashboard:Grafana"), "Grafana");
            const appInsights = one(ofType(evaluation, "azure-native:applicationinsights:Component"), "Application Insights");
            assert.deepStrictEqual(outputs.endpoints, {
                eventHubsNamespace: `${data.eventHubs.outputs.name}.servicebus.windows.net`,
                eventHubName: data.hub.outputs.name,
                serviceBusNamespace: `${data.serviceBus.outputs.name}.servicebus.windows.net`,
                adxClusterUri: data.adx.outputs.uri,
                adxDatabase: data.adxDatabase.outputs.name,
                cosmosEndpoint: data.cosmos.outputs.documentEndpoint,
                cosmosDatabase: data.cosmosDatabase.outputs.name,
                cosmosConnectionMode: "Gateway",
                iotHubHostName: iotHub.outputs.properties.hostName,
                keyVaultUri: vault.outputs.properties.vaultUri,
                grafanaEndpoint: grafana.outputs.properties.endpoint,
                appInsightsConnectionString: appInsights.outputs.connectionString,
            });
            // The host names clients connect to are the hosts of each namespace's own endpoint.
            assert.strictEqual(outputs.endpoints.eventHubsNamespace, hostOf(data.eventHubs.outputs.serviceBusEndpoint));
            assert.strictEqual(outputs.endpoints.serviceBusNamespace, hostOf(data.serviceBus.outputs.serviceBusEndpoint));
        });

        it("exports for each tenant its cluster, namespace and the identity, queue, checkpoints, vault and group it owns", () => {
            const data = dataPlaneOf(evaluation);
            const account = one(
                childrenOf(evaluation, data.dataPlane, "azure-native:storage:StorageAccount"),
                "checkpoint storage account",
            );
            const streams = ofType(evaluation, COMPONENT_TYPES.tenantEventStream);
            const expected = Object.fromEntries(
                declared.map(tenant => {
                    const own = regionResourcesOf(evaluation, tenant.name);
                    const ownOne = (type: string) => one(childrenOf(evaluation, own, type), `${type} of ${tenant.name}`);
                    const namespace = namespaceOf(evaluation, tenant.name);
                    const cluster = clusterOfObject(evaluation, namespace);
                    const collector = one(
                        ofType(evaluation, "kubernetes:helm.sh/v3:Release").filter(
                            r => r.inputs.chart === "opentelemetry-collector" && r.provider === namespace.provider,
                        ),
                        `collector on ${tenant.name}'s cluster`,
                    );
                    const grpcPort = collector.inputs.values.config.receivers.otlp.protocols.grpc.endpoint.split(":").pop();
                    // A dedicated tenant's messages flow through a hub of its own, below its TenantEventStream.
                    const stream = streams.find(s => s.outputs.tenant === tenant.name);
                    const hub = stream
                        ? one(childrenOf(evaluation, stream, "azure-native:eventhub:EventHub"), `hub of ${tenant.name}`)
                        : data.hub;
                    // The one listener of the cluster's Gateway that admits routes from the tenant's namespace.
                    const gateway = one(
                        ofType(evaluation, "kubernetes:gateway.networking.k8s.io/v1:Gateway").filter(
                            g => g.provider === namespace.provider,
                        ),
                        `edge Gateway on ${tenant.name}'s cluster`,
                    );
                    const listeners = gateway.inputs.spec.listeners.filter(
                        (l: any) => l.allowedRoutes.namespaces.selector.matchLabels["kubernetes.io/metadata.name"] === tenant.name,
                    );
                    assert.strictEqual(listeners.length, 1, `${tenant.name}'s listeners`);
                    const [listener] = listeners;
                    const container = ownOne("azure-native:storage:BlobContainer");
                    assert.deepStrictEqual(container.propertyDependencies.accountName, [account.urn]);
                    // Its Cosmos container's account, and its vault endpoint's subnet: the first (`…-cosmos`, `snet-private-endpoints`) or `…-<n>`.
                    const cosmosContainer = ownOne("azure-native:cosmosdb:SqlResourceSqlContainer");
                    const cosmosAccount = one(
                        ofType(evaluation, "azure-native:cosmosdb:DatabaseAccount").filter(
                            a => a.outputs.name === cosmosContainer.inputs.accountName,
                        ),
                        `Cosmos account of ${tenant.name}`,
                    );
                    const vaultEndpoint = one(
                        ofType(evaluation, "azure-native:network:PrivateEndpoint").filter(e => e.name.endsWith(`-pe-vault-${tenant.name}`)),
                        `vault endpoint of ${tenant.name}`,
                    );
                    const ordinal = (name: string) => Number(/-(\d+)$/.exec(name)?.[1] ?? 1) - 1;
                    return [
                        tenant.name,
                        {
                            cluster: cluster.aks.inputs.tags.cluster,
                            isolation: CLUSTER_KINDS[cluster.component.type],
                            namespace: namespace.outputs.metadata.name,
                            identityClientId: ownOne("azure-native:managedidentity:UserAssignedIdentity").outputs.clientId,
                            eventHub: hub.outputs.name,
                            serviceBusQueue: ownOne("azure-native:servicebus:Queue").inputs.queueName,
                            checkpointContainer: container.outputs.name,
                            checkpointContainerUrl: `${account.outputs.primaryEndpoints.blob}${container.outputs.name}`,
                            adxDatabase: data.adxDatabase.outputs.name,
                            cosmosEndpoint: cosmosAccount.outputs.documentEndpoint,
                            cosmosContainer: cosmosContainer.outputs.name,
                            cosmosAccount: ordinal(cosmosAccount.name),
                            endpointSubnet: ordinal(vaultEndpoint.inputs.subnet.id.split("/").pop()),
                            keyVaultUri: ownOne("azure-native:keyvault:Vault").outputs.properties.vaultUri,
                            adminGroupObjectId: ownOne("azuread:index/group:Group").outputs.objectId,
                            // Its cluster's, which the cluster registers; what it holds is test/tenants.test.ts's.
                            kubeconfig: cluster.component.outputs.tenantKubeconfig,
                            otlpEndpoint: `http://${collector.inputs.values.fullnameOverride}.${collector.inputs.namespace}.svc.cluster.local:${grpcPort}`,
                            edge: {
                                gateway: `${gateway.inputs.metadata.namespace}/${gateway.inputs.metadata.name}`,
                                listener: listener.name,
                                hostnames: listener.hostname,
                            },
                            deviceQuota: tenant.deviceQuota,
                            decommission: tenant.decommission ?? false,
                            // A real stack's tenants fit one IoT hub: its one stamp, whose hub the stamps output names.
                            stamp: "stamp-1",
                        },
                    ];
                }),
            );
            assert.deepStrictEqual(outputs.tenants, expected);
            const [iotHub] = ofType(evaluation, "azure-native:iothub:IotHubResource");
            const [dps] = ofType(evaluation, "azure-native:deviceprovisioningservices:IotDpsResource");
            assert.deepStrictEqual(outputs.stamps, {
                "stamp-1": {
                    iotHubName: iotHub.outputs.name,
                    iotHubHostName: iotHub.outputs.properties.hostName,
                    tenants: declared.map(t => t.name),
                    devices: declared.reduce((total, t) => total + t.deviceQuota, 0),
                },
            });
            assert.deepStrictEqual(outputs.provisioning, {
                idScope: dps.outputs.properties.idScope,
                globalEndpoint: "global.azure-devices-provisioning.net",
                serviceOperationsHostName: dps.outputs.properties.serviceOperationsHostName,
            });
            assert.strictEqual(streams.length, Object.values(outputs.tenants).filter((t: any) => t.isolation === "dedicated").length);
        });

        it("exports each cluster's ingest: its namespace, identity, hub, consumer group, checkpoints, tenant queues and KEDA scaler", () => {
            for (const tier of ofType(evaluation, COMPONENT_TYPES.ingestTier)) {
                const aks = one(
                    ofType(evaluation, "azure-native:containerservice:ManagedCluster").filter(c => tier.parent === c.parent),
                    `cluster of ${tier.name}`,
                );
                const clusterName = aks.inputs.tags.cluster;
                const own = (type: string, suffix: string) =>
                    one(
                        childrenOf(evaluation, tier, type).filter(r => r.name.endsWith(suffix)),
                        `${suffix} of ${tier.name}`,
                    );
                const group = own("azure-native:eventhub:ConsumerGroup", "-cg");
                const container = own("azure-native:storage:BlobContainer", "-checkpoints");
                const config = own("kubernetes:core/v1:ConfigMap", "-config");
                assert.deepStrictEqual(outputs.ingest[clusterName], {
                    namespace: "telemetry-ingest",
                    identityClientId: own("azure-native:managedidentity:UserAssignedIdentity", "-identity-identity").outputs.clientId,
                    eventHub: group.inputs.eventHubName,
                    consumerGroup: `ingest-${clusterName}`,
                    checkpointContainerUrl: config.inputs.data.CHECKPOINT_BLOB_CONTAINER_URL,
                    tenantQueues: JSON.parse(config.inputs.data.TENANT_QUEUES),
                    kedaScalerClientId: own("azure-native:managedidentity:UserAssignedIdentity", "-keda-scaler-identity").outputs.clientId,
                });
                assert.ok(config.inputs.data.CHECKPOINT_BLOB_CONTAINER_URL.endsWith(`/${container.outputs.name}`));
                const tenantsThere = Object.entries(outputs.tenants)
                    .filter(([, t]: [string, any]) => t.cluster === clusterName)
                    .map(([name]) => name);
                assert.deepStrictEqual(Object.keys(outputs.ingest[clusterName].tenantQueues).sort(), tenantsThere.sort());
            }
        });

        it("puts each tenant's telemetry-config in the namespace and on the cluster its stack outputs name", () => {
            // Its data equals the tenant's stack outputs: "writes the telemetry-config the services read" in tenants.test.ts.
            for (const { name: tenant } of declared) {
                const exported = outputs.tenants[tenant];
                const config = one(
                    ofType(evaluation, "kubernetes:core/v1:ConfigMap").filter(
                        c => c.inputs.metadata.name === "telemetry-config" && c.inputs.data.TENANT_ID === tenant,
                    ),
                    `telemetry-config of ${tenant}`,
                );
                const cluster = clusterOfObject(evaluation, config);
                assert.deepStrictEqual(
                    [config.inputs.metadata.namespace, cluster.aks.outputs.name],
                    [exported.namespace, outputs.clusters[exported.cluster].name],
                    `${tenant}'s telemetry-config is elsewhere than its outputs say`,
                );
            }
        });

        it("gives each tenant one Service Bus queue in the region's namespace, with the lock, retries and expiry its processors rely on", () => {
            const serviceBus = one(ofType(evaluation, "azure-native:servicebus:Namespace"), "Service Bus namespace");
            assert.strictEqual(ofType(evaluation, "azure-native:servicebus:Queue").length, declared.length);
            for (const tenant of declared) {
                const queue = one(
                    childrenOf(evaluation, regionResourcesOf(evaluation, tenant.name), "azure-native:servicebus:Queue"),
                    `queue of ${tenant.name}`,
                );
                const {
                    queueName,
                    namespaceName,
                    lockDuration,
                    maxDeliveryCount,
                    deadLetteringOnMessageExpiration,
                    defaultMessageTimeToLive,
                } = queue.inputs;
                assert.deepStrictEqual(
                    {
                        queueName,
                        namespaceName,
                        lockDuration,
                        maxDeliveryCount,
                        deadLetteringOnMessageExpiration,
                        defaultMessageTimeToLive,
                    },
                    {
                        queueName: `telemetry-ingest-${tenant.name}`,
                        namespaceName: serviceBus.outputs.name,
                        lockDuration: "PT1M",
                        maxDeliveryCount: 10,
                        deadLetteringOnMessageExpiration: true,
                        defaultMessageTimeToLive: "P1D",
                    },
                    `queue of ${tenant.name}`,
                );
                assert.deepStrictEqual(
                    queue.propertyDependencies.namespaceName,
                    [serviceBus.urn],
                    `${tenant.name}'s queue is not in the Service Bus namespace`,
                );
                assert.strictEqual(queue.protect, !(tenant.decommission ?? false), `${tenant.name}'s queue protection`);
            }
        });
    });
}
