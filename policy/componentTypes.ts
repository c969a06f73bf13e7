/**
 * The type tokens of the fleet's ComponentResources, in one place: the components register under them, the
 * policies find a resource's tenant and cluster by them, and the tests select by them. Part of a resource's URN:
 * changing one without an alias deletes and recreates every resource below it.
 */
export const COMPONENT_TYPES = {
    region: "iot-fleet:index:Region",
    regionDataPlane: "iot-fleet:index:RegionDataPlane",
    regionObservability: "iot-fleet:index:RegionObservability",
    telemetryTiers: "iot-fleet:index:TelemetryTiers",
    telemetryRollups: "iot-fleet:index:TelemetryRollups",
    regionAlerts: "iot-fleet:index:RegionAlerts",
    regionDashboards: "iot-fleet:index:RegionDashboards",
    regionPrivateLink: "iot-fleet:index:RegionPrivateLink",
    fleetManager: "iot-fleet:index:FleetManager",
    sharedCluster: "iot-fleet:index:SharedCluster",
    dedicatedCluster: "iot-fleet:index:DedicatedTenantCluster",
    clusterPlatform: "iot-fleet:index:ClusterPlatform",
    tenantRegionResources: "iot-fleet:index:TenantRegionResources",
    tenantNamespace: "iot-fleet:index:TenantNamespace",
    tenantEventStream: "iot-fleet:index:TenantEventStream",
    ingestTier: "iot-fleet:index:IngestTier",
} as const;
