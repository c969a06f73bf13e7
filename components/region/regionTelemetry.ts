import * as pulumi from "@pulumi/pulumi";
import { AlertTargets } from "../../lib/alertRules";
import { FleetConfig, RESERVED_NAMESPACES } from "../../lib/configSchema";
import { regionPrefix } from "../../lib/naming";
import { Placement } from "../../lib/placement";
import { DedicatedTenantCluster } from "../cluster/dedicatedTenantCluster";
import { RegionCluster } from "../cluster/regionClusters";
import { RegionServices } from "../common/regionServices";
import { scaledObjectName } from "../common/kedaObjects";
import { INGEST_DEPLOYMENT } from "../platform/ingestTier";
import { PROCESSOR_DEPLOYMENT } from "../tenant/tenantScaling";
import { RegionAlerts } from "./alertRules";
import { RegionDashboards } from "./dashboards";
import { RegionDataPlane } from "./regionDataPlane";
import { RegionObservability } from "./regionObservability";
import { TelemetryRollups } from "./telemetryRollups";
import { TelemetryTiers } from "./telemetryTiers";

/**
 * What the Region builds over its data plane and clusters once they exist: telemetry tiers, rollups, alerts and
 * dashboards. Kept apart from `region.ts`, which only calls these.
 */

/** What a region's tiers, rollups, alerts and dashboards are built from. */
export interface RegionTelemetryScope {
    readonly name: string;
    readonly parent: pulumi.Resource;
    readonly config: FleetConfig;
    readonly placement: Placement;
    readonly services: RegionServices;
    readonly dataPlane: RegionDataPlane;
}

/** The names the alert rules and dashboards select tenant workloads by: KEDA names a ScaledObject's HPA `keda-hpa-<name>`. */
export const ALERT_TARGETS: AlertTargets = {
    processorScaledObject: scaledObjectName(PROCESSOR_DEPLOYMENT),
    ingestScaledObject: scaledObjectName(INGEST_DEPLOYMENT),
    processorHpa: `keda-hpa-${scaledObjectName(PROCESSOR_DEPLOYMENT)}`,
    platformNamespaces: [...RESERVED_NAMESPACES, "kube-.*"],
};

/** The warm and cold tiers: the shared store, and one per tenant with a compliance tag on a dedicated cluster. */
export function createTelemetryTiers(scope: RegionTelemetryScope): TelemetryTiers {
    const { config, placement, services, dataPlane } = scope;
    return new TelemetryTiers(
        `${scope.name}-tiers`,
        {
            resourceGroupName: services.resourceGroupName,
            location: services.location,
            tags: services.tags,
            namePrefix: regionPrefix(config.environment, config.region.shortName),
            uniqueSuffix: services.uniqueSuffix,
            tiers: config.telemetry,
            tenants: config.tenants.map(t => ({
                name: t.name,
                compliance: t.compliance,
                dedicated: placement.tenants.get(t.name)!.kind === "dedicated",
                decommission: t.decommission,
            })),
            adx: {
                cluster: dataPlane.adx.cluster,
                database: dataPlane.adx.database,
                clusterPrincipalId: dataPlane.adx.cluster.identity.apply(identity => identity?.principalId as string),
                schema: dataPlane.adx.schema,
            },
            subscriptionId: services.subscriptionId,
            azureTenantId: services.azureTenantId,
        },
        { parent: scope.parent },
    );
}

/** The action group and a Prometheus rule group per cluster, and the fleet and tenant dashboards. */
export function createAlertsAndDashboards(
    scope: RegionTelemetryScope,
    clusters: ReadonlyMap<string, RegionCluster>,
    observability: RegionObservability,
): void {
    const { config, placement, services } = scope;
    new RegionAlerts(
        `${scope.name}-alerts`,
        {
            resourceGroupName: services.resourceGroupName,
            location: services.location,
            tags: services.tags,
            namePrefix: regionPrefix(config.environment, config.region.shortName),
            azureMonitorWorkspaceId: services.azureMonitorWorkspaceId,
            clusters: [...clusters.entries()].map(([name, cluster]) => ({
                name,
                aksName: cluster.aksName,
                clusterId: cluster.clusterId,
                tenant: cluster instanceof DedicatedTenantCluster ? placement.clusters.find(c => c.name === name)!.tenants[0] : undefined,
            })),
            alerts: config.alerts,
            targets: ALERT_TARGETS,
        },
        { parent: scope.parent },
    );
    new RegionDashboards(
        `${scope.name}-dashboards`,
        { grafanaEndpoint: observability.grafanaEndpoint, adminAccess: [services.deployerAdmin], targets: ALERT_TARGETS },
        { parent: scope.parent },
    );
}

/** The rollups, once the telemetry table's row level security (and so its tenant-to-principal function) exists. */
export function createTelemetryRollups(scope: RegionTelemetryScope, tiers: TelemetryTiers, rowSecurity: pulumi.Resource): TelemetryRollups {
    const { config, services, dataPlane } = scope;
    return new TelemetryRollups(
        `${scope.name}-rollups`,
        {
            resourceGroupName: services.resourceGroupName,
            clusterName: dataPlane.endpoints.adxClusterName,
            databaseName: dataPlane.endpoints.adxDatabaseName,
            hotDays: config.telemetry.hotDays,
            adminGroupObjectId: services.adminGroupObjectId,
            azureTenantId: services.azureTenantId,
            after: [rowSecurity, tiers.lastScript],
        },
        { parent: scope.parent },
    );
}
