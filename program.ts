import * as pulumi from "@pulumi/pulumi";
import { ConfigError, FleetConfig } from "./lib/config";
import { SELF_REFERENCE_NAME } from "./lib/naming";
import { placeTenants, Placement, placementSettings, previousPlacementOf } from "./lib/placement";
import { previousShardsOf, SHARD_OUTPUTS, shardTenants } from "./lib/tenantShards";
import { stampPlanOf, stampPlanProblems } from "./lib/stampPlan";
import { previousStampsOf } from "./lib/stamps";
import { tenantHostname, tenantListenerName } from "./lib/edge";
import { JoinedFleet } from "./components/cluster/fleetManager";
import { TENANT_COSMOS_CONNECTION_MODE } from "./components/tenant/telemetryConfig";
import { Region } from "./components/region/region";

/**
 * The stack output the next run reads its previous placement from (`tenants.<name>.cluster`), each tenant's ingest
 * stamp (`tenants.<name>.stamp`), private-endpoint subnet and device-state account (`tenants.<name>.endpointSubnet`,
 * `.cosmosAccount`).
 */
export const PLACEMENT_OUTPUT = "tenants";

/**
 * This stack's `tenants` output from its last update, read through a StackReference to itself (the Pulumi Cloud and
 * DIY backends alike answer it with the last update's outputs; a stack with none yet, on its first `up`, answers
 * nothing). The offline engine answers it with the outputs it is given.
 */
async function readPreviousTenants(): Promise<unknown> {
    const self = new pulumi.StackReference(SELF_REFERENCE_NAME, {
        name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    });
    const details = await self.getOutputDetails(PLACEMENT_OUTPUT);
    return details.value ?? details.secretValue;
}

/**
 * The whole region stack: placement and shards decided up front (pure, from where the last update put each tenant),
 * then the Region component. Returns the stack outputs the telemetry services read through StackReference.
 */
export async function fleetProgram(config: FleetConfig) {
    const previous = await readPreviousTenants();
    const placement: Placement = placeTenants(config.tenants, placementSettings(config), previousPlacementOf(previous));
    const shards = shardTenants(
        config.tenants.map(t => t.name),
        config.quotas.cosmosContainersPerAccount,
        previousShardsOf(previous),
    );
    const previousStamps = previousStampsOf(previous);
    const stamps = stampPlanOf(config, placement, previousStamps);
    // Validation placed the stamps afresh; kept tenants that grew can overfill theirs: refused before anything registers.
    const overStamps = stampPlanProblems(config, placement, previousStamps);
    if (overStamps.length > 0) {
        throw new ConfigError(overStamps, `stack ${pulumi.getStack()}`);
    }
    const joinedFleet =
        config.fleet.mode === "join"
            ? (new pulumi.StackReference(config.fleet.stackReference!).getOutput("fleet") as pulumi.Output<JoinedFleet>)
            : undefined;
    const region = new Region(`${config.environment}-${config.region.shortName}`, { config, placement, stamps, joinedFleet, shards });
    const landingZones = await region.addLandingZones();
    const data = region.dataPlane.endpoints;

    return {
        fleet: {
            id: region.fleet.fleetId,
            name: region.fleet.fleetName,
            resourceGroupName: region.fleet.fleetResourceGroupName,
        },
        region: {
            name: config.region.shortName,
            location: config.region.location,
            resourceGroupName: region.resourceGroupName,
        },
        clusters: Object.fromEntries(
            [...region.clusters.entries()].map(([name, cluster]) => [
                name,
                {
                    kind: placement.clusters.find(c => c.name === name)!.kind,
                    name: cluster.aksName,
                    resourceId: cluster.clusterId,
                    oidcIssuerUrl: cluster.oidcIssuerUrl,
                    kubeconfig: cluster.kubeconfig,
                },
            ]),
        ),
        ingest: Object.fromEntries(
            [...region.clusters.entries()].map(([name, cluster]) => [
                name,
                {
                    namespace: cluster.ingest.namespace,
                    identityClientId: cluster.ingest.identityClientId,
                    eventHub: cluster.ingest.eventHubName,
                    consumerGroup: cluster.ingest.consumerGroup,
                    checkpointContainerUrl: cluster.ingest.checkpointContainerUrl,
                    tenantQueues: cluster.ingest.tenantQueues,
                    kedaScalerClientId: cluster.ingest.scalerClientId,
                },
            ]),
        ),
        [PLACEMENT_OUTPUT]: Object.fromEntries(
            config.tenants.map(tenant => {
                const placed = placement.tenants.get(tenant.name)!;
                const { regionResources: own, namespace } = landingZones.get(tenant.name)!;
                return [
                    tenant.name,
                    {
                        cluster: placed.cluster,
                        isolation: placed.kind,
                        namespace: namespace.namespace,
                        identityClientId: own.identityClientId,
                        eventHub: placed.kind === "dedicated" ? data.dedicatedStreams[tenant.name].eventHubName : data.eventHubName,
                        serviceBusQueue: own.queueName,
                        checkpointContainer: own.checkpointContainer,
                        checkpointContainerUrl: own.checkpointContainerUrl,
                        adxDatabase: data.adxDatabaseName,
                        cosmosEndpoint: own.cosmosEndpoint,
                        cosmosContainer: own.cosmosContainerName,
                        [SHARD_OUTPUTS.cosmosAccount]: shards.cosmosAccountOf.get(tenant.name)!,
                        [SHARD_OUTPUTS.endpointSubnet]: shards.endpointSubnetOf.get(tenant.name)!,
                        keyVaultUri: own.keyVaultUri,
                        adminGroupObjectId: own.adminGroupObjectId,
                        // How its admins reach the cluster: Kubernetes RBAC binds their group in its namespace; no Azure role is needed.
                        kubeconfig: region.clusters.get(placed.cluster)!.tenantKubeconfig,
                        otlpEndpoint: region.clusters.get(placed.cluster)!.otlpEndpoint,
                        // What a tenant's HTTPRoute or GRPCRoute names: its parent Gateway, its listener, the names it may use.
                        edge: {
                            gateway: region.clusters.get(placed.cluster)!.edgeGateway,
                            listener: tenantListenerName(tenant.name),
                            hostnames: tenantHostname(tenant.name, config.dns.zoneName),
                        },
                        deviceQuota: tenant.deviceQuota,
                        decommission: tenant.decommission,
                        // The ingest stamp its devices connect to, what the next update reads to keep it there (stamps below).
                        stamp: stamps.tenants.get(tenant.name)!.stamp,
                    },
                ];
            }),
        ),
        // Stamp -> its IoT hub and tenants; the provisioning side gives each tenant's enrollment group its stamp's hub.
        stamps: Object.fromEntries(
            stamps.stamps.map(stamp => [
                stamp.name,
                {
                    iotHubName: data.stampHubs[stamp.name].name,
                    iotHubHostName: data.stampHubs[stamp.name].hostName,
                    tenants: stamp.tenants,
                    devices: stamp.devices,
                },
            ]),
        ),
        provisioning: {
            idScope: data.provisioning.idScope,
            globalEndpoint: data.provisioning.globalEndpoint,
            serviceOperationsHostName: data.provisioning.serviceOperationsHostName,
        },
        endpoints: {
            eventHubsNamespace: data.eventHubsEndpoint,
            eventHubName: data.eventHubName,
            serviceBusNamespace: data.serviceBusEndpoint,
            adxClusterUri: data.adxClusterUri,
            adxDatabase: data.adxDatabaseName,
            cosmosEndpoint: data.cosmosEndpoint,
            cosmosDatabase: data.cosmosDatabaseName,
            cosmosConnectionMode: TENANT_COSMOS_CONNECTION_MODE,
            iotHubHostName: data.iotHubHostName,
            keyVaultUri: region.keyVaultUri,
            grafanaEndpoint: region.observability.grafanaEndpoint,
            appInsightsConnectionString: region.observability.appInsightsConnectionString,
        },
    };
}
