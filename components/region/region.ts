import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as authorization from "@pulumi/azure-native/authorization";
import * as dns from "@pulumi/azure-native/dns";
import * as resources from "@pulumi/azure-native/resources";
import { FleetConfig } from "../../lib/config";
import { dataPath } from "../../lib/dataPath";
import { dataPlaneSizing } from "../../lib/dataPlane";
import { TAG_ENVIRONMENT, TAG_REGION } from "../../lib/labels";
import { compactName, regionPrefix, regionResourceGroupName } from "../../lib/naming";
import { Placement } from "../../lib/placement";
import { shardTenants, TenantShards } from "../../lib/tenantShards";
import { stampHubsOf, stampPlanOf } from "../../lib/stampPlan";
import { StampPlacement } from "../../lib/stamps";
import { DedicatedTenantCluster } from "../cluster/dedicatedTenantCluster";
import { FleetManager, JoinedFleet } from "../cluster/fleetManager";
import { RegionDataPlane } from "./regionDataPlane";
import { RegionObservability } from "./regionObservability";
import { isolateTelemetryRows } from "./telemetryIsolation";
import { RegionPrivateLink } from "./regionPrivateLink";
import { warnUnpinnedTenants } from "./unpinnedTenants";
import { createRegionNetwork } from "./regionNetwork";
import { createClusterAdmins } from "./clusterAdmins";
import { APP_INSIGHTS_SECRET_NAME, createRegionVault } from "./regionVault";
import { createRegionClusters, RegionCluster } from "../cluster/regionClusters";
import { RegionServices } from "../common/regionServices";
import { buildTenantLandingZone, TenantLandingZone } from "../tenant/tenantLandingZone";
import { COMPONENT_TYPES } from "../../lib/componentTypes";
import { createAlertsAndDashboards, createTelemetryRollups, createTelemetryTiers, RegionTelemetryScope } from "./regionTelemetry";
import { TelemetryTiers } from "./telemetryTiers";

export interface RegionArgs {
    /** The validated stack configuration. */
    readonly config: FleetConfig;
    /** Where each tenant runs, from `placeTenants`. */
    readonly placement: Placement;
    /** Which ingest stamp (IoT hub) each tenant's devices connect to, from `stampPlanOf`. Default: `stampPlanOf(config, placement)`. */
    readonly stamps?: StampPlacement;
    /** The fleet to join when `config.fleet.mode` is `join`, read from the creating stack. Default: none. */
    readonly joinedFleet?: pulumi.Output<JoinedFleet>;
    /**
     * Each tenant's private-endpoint subnet and device-state account, kept from the stack's outputs (`shardTenants`).
     * Default: as a first run shards the tenants.
     */
    readonly shards?: TenantShards;
}

/**
 * One Azure region of the fleet: its network, Key Vault, observability and IoT data plane,
 * the clusters placement asks for, and their Fleet Manager membership. The constructor builds all of that;
 * `addLandingZones` then builds every tenant's landing zone: its region resources here, its namespace on its cluster.
 */
export class Region extends pulumi.ComponentResource {
    public readonly resourceGroupName: pulumi.Output<string>;
    public readonly clusters: ReadonlyMap<string, RegionCluster>;
    public readonly fleet: FleetManager;
    public readonly dataPlane: RegionDataPlane;
    public readonly observability: RegionObservability;
    public readonly keyVaultUri: pulumi.Output<string>;
    /** The private endpoints tenant pods reach the region's services through, and their DNS zones. */
    public readonly privateLink: RegionPrivateLink;
    private readonly args: RegionArgs;
    /** The component's name, the prefix of its tenants' names. */
    private readonly componentName: string;
    private readonly services: RegionServices;
    private readonly telemetry: RegionTelemetryScope;
    private readonly tiers: TelemetryTiers;

    constructor(name: string, args: RegionArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.region, name, {}, opts);
        this.args = args;
        this.componentName = name;
        const { config, placement } = args;
        const shards =
            args.shards ??
            shardTenants(
                config.tenants.map(t => t.name),
                config.quotas.cosmosContainersPerAccount,
            );
        const prefix = regionPrefix(config.environment, config.region.shortName);
        const tags = { [TAG_ENVIRONMENT]: config.environment, [TAG_REGION]: config.region.shortName };
        const location = config.region.location;
        const parent = { parent: this };
        warnUnpinnedTenants(placement, this);
        const path = dataPath(config, placement);
        const client = authorization.getClientConfigOutput({ parent: this });

        const group = new resources.ResourceGroup(
            `${name}-rg`,
            {
                resourceGroupName: regionResourceGroupName(config.environment, config.region.shortName),
                location,
                tags,
            },
            parent,
        );
        this.resourceGroupName = group.name;
        const suffix = new random.RandomString(`${name}-suffix`, { length: 6, special: false, upper: false }, parent).result;
        const { vnet, endpointSubnets, subnetIds, edgeSubnets } = createRegionNetwork(
            name,
            {
                config,
                resourceGroupName: group.name,
                clusters: placement.clusters,
                endpointSubnets: shards.endpointSubnets,
                prefix,
                tags,
            },
            this,
        );

        const { admins, deployerAdmin } = createClusterAdmins(name, config, client.objectId, this);

        this.observability = new RegionObservability(
            `${name}-observability`,
            {
                resourceGroupName: group.name,
                location,
                tags,
                namePrefix: prefix,
                uniqueSuffix: suffix,
                grafanaAdminPrincipalId: admins.objectId,
            },
            parent,
        );
        const sizing = dataPlaneSizing(config);
        this.dataPlane = new RegionDataPlane(
            `${name}-data`,
            {
                resourceGroupName: group.name,
                location,
                tags,
                namePrefix: prefix,
                uniqueSuffix: suffix,
                path,
                stamps: stampHubsOf(config, args.stamps ?? stampPlanOf(config, placement)),
                decommissioning: config.tenants.filter(t => t.decommission).map(t => t.name),
                sizing,
                cosmosAccounts: shards.cosmosAccounts,
            },
            parent,
        );

        const { vault, appInsightsSecret } = createRegionVault(
            name,
            {
                vaultName: pulumi.interpolate`kv-${compactName(config.environment, config.region.shortName)}-${suffix}`,
                resourceGroupName: group.name,
                location,
                tags,
                client,
                appInsightsConnectionString: this.observability.appInsightsConnectionString,
            },
            this,
        );
        this.keyVaultUri = vault.properties.apply(p => p.vaultUri ?? "");
        this.privateLink = new RegionPrivateLink(
            `${name}-private-link`,
            {
                resourceGroupName: group.name,
                location,
                tags,
                namePrefix: prefix,
                subscriptionId: client.subscriptionId,
                virtualNetworkId: vnet.id,
                subnetIds: endpointSubnets.map(subnet => subnet.id),
                regionVaultId: vault.id,
                dataPlane: this.dataPlane.endpoints,
                serviceBusSku: sizing.serviceBusSku,
            },
            parent,
        );

        const zone = new dns.Zone(
            `${name}-dns`,
            { zoneName: config.dns.zoneName, resourceGroupName: group.name, location: "global", tags },
            parent,
        );

        const services: RegionServices = {
            environment: config.environment,
            regionShortName: config.region.shortName,
            location,
            resourceGroupName: group.name,
            subscriptionId: client.subscriptionId,
            azureTenantId: client.tenantId,
            uniqueSuffix: suffix,
            deployerObjectId: client.objectId,
            adminGroupObjectId: admins.objectId,
            deployerAdmin,
            logAnalyticsWorkspaceId: this.observability.logAnalyticsWorkspaceId,
            azureMonitorWorkspaceId: this.observability.azureMonitorWorkspaceId,
            keyVault: { id: vault.id, name: vault.name, uri: this.keyVaultUri },
            appInsightsConnectionStringSecret: { id: appInsightsSecret.id, name: APP_INSIGHTS_SECRET_NAME },
            dns: { zoneName: config.dns.zoneName, zoneId: zone.id, acmeEmail: config.dns.acmeEmail },
            gitops: config.gitops,
            kubeloginMode: config.kubeconfigLogin,
            sizing: config.clusterDefaults,
            dataPlane: this.dataPlane.endpoints,
            dataPath: path,
            privateEndpointSubnets: endpointSubnets.map(subnet => subnet.cidr),
            shards,
            tags,
        };
        this.services = services;
        this.telemetry = { name, parent: this, config, placement, services, dataPlane: this.dataPlane };
        this.tiers = createTelemetryTiers(this.telemetry);
        this.clusters = createRegionClusters(
            name,
            { services, clusters: placement.clusters, tenants: config.tenants, subnetIds, edgeSubnets },
            this,
        );
        createAlertsAndDashboards(this.telemetry, this.clusters, this.observability);

        this.fleet = new FleetManager(
            `${name}-fleet`,
            {
                mode: config.fleet.mode,
                fleetName: `fleet-iotfleet-${config.environment}`,
                resourceGroupName: group.name,
                location,
                joined: args.joinedFleet,
                upgradeChannel: config.clusterDefaults.upgradeChannel,
                nodeOsUpgradeChannel: config.clusterDefaults.nodeOsUpgradeChannel,
                members: [...this.clusters.entries()].map(([clusterName, cluster]) => ({
                    memberName: fleetMemberName(config.region.shortName, clusterName),
                    clusterId: cluster.clusterId,
                    group: cluster instanceof DedicatedTenantCluster ? "dedicated" : "shared",
                    afterClusterWrite: cluster.lastClusterWrite,
                })),
                tags,
            },
            parent,
        );

        this.registerOutputs({
            resourceGroupName: this.resourceGroupName,
            keyVaultUri: this.keyVaultUri,
            fleetId: this.fleet.fleetId,
        });
    }

    /**
     * Builds each tenant's landing zone, in stack-file order, one tenant at a time: what it owns in the region
     * (keyed by the tenant's name alone, so that a move between clusters keeps it), then its namespace on the
     * cluster placement chose; then the ADX row isolation that names every tenant's identity.
     * Registering a resource takes several turns of the event loop: a program that builds a whole region in one
     * synchronous pass holds every resource of it half-registered at once, which made most of the memory and GC
     * time of an offline evaluation (bench/). Waiting a turn after each tenant lets its registrations go out
     * before the next tenant is built; against the real engine the wait is negligible.
     */
    public async addLandingZones(): Promise<ReadonlyMap<string, TenantLandingZone>> {
        const landingZones = new Map<string, TenantLandingZone>();
        // Each tenant's Flux configuration is an ARM write to its cluster: they follow its Fleet membership one by one.
        const lastWrites = new Map<string, pulumi.Resource>();
        for (const tenant of this.args.config.tenants) {
            const clusterName = this.args.placement.tenants.get(tenant.name)!.cluster;
            const cluster = this.clusters.get(clusterName)!;
            const afterClusterWrite =
                lastWrites.get(clusterName) ?? this.fleet.members.get(fleetMemberName(this.args.config.region.shortName, clusterName))!;
            const landingZone = buildTenantLandingZone({
                tenant,
                services: this.services,
                region: { resource: this, componentName: this.componentName },
                cluster,
                afterClusterWrite,
            });
            lastWrites.set(clusterName, landingZone.namespace.lastClusterWrite);
            this.privateLink.addTenantVault(
                tenant.name,
                landingZone.regionResources.keyVaultId,
                this.services.shards.endpointSubnetOf.get(tenant.name)!,
            );
            landingZones.set(tenant.name, landingZone);
            await new Promise(resolve => setImmediate(resolve));
        }
        const { services } = this;
        const rowSecurity = isolateTelemetryRows(
            this.componentName,
            {
                resourceGroupName: services.resourceGroupName,
                clusterName: services.dataPlane.adxClusterName,
                databaseName: services.dataPlane.adxDatabaseName,
                entraTenantId: services.azureTenantId,
                platformGroupObjectId: services.adminGroupObjectId,
                exportPrincipal: this.tiers.exportPrincipal,
                tenants: [...landingZones].map(([tenant, zone]) => ({ tenant, clientId: zone.regionResources.identityClientId })),
                // The scripts, not the whole data plane: the dedicated streams' ADX connections below wait for this one.
                after: [...this.dataPlane.adx.schema, this.tiers.lastScript],
            },
            this,
        );
        this.dataPlane.tenantStreams.forEach(stream => stream.ingestIntoAdx(this.dataPlane.adx, rowSecurity));
        createTelemetryRollups(this.telemetry, this.tiers, rowSecurity);
        return landingZones;
    }
}

/** A cluster's Fleet Manager member name: clusters of every region join one fleet, so the region is part of it. */
const fleetMemberName = (regionShortName: string, clusterName: string): string => `${regionShortName}-${clusterName}`;
