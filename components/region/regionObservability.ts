import * as pulumi from "@pulumi/pulumi";
import * as applicationinsights from "@pulumi/azure-native/applicationinsights";
import * as authorization from "@pulumi/azure-native/authorization";
import * as dashboard from "@pulumi/azure-native/dashboard";
import * as monitor from "@pulumi/azure-native/monitor";
import * as operationalinsights from "@pulumi/azure-native/operationalinsights";
import { dashedName } from "../common/azureNames";
import { AZURE_ROLES, assignPrincipalRole, assignRole, systemPrincipalId } from "../common/azureRoles";
import { COMPONENT_TYPES } from "../../lib/componentTypes";

const DEFAULT_LOG_RETENTION_DAYS = 30;
/** Admin rights are best held by a group whose membership is managed in Entra ID. */
const DEFAULT_GRAFANA_ADMIN_PRINCIPAL_TYPE = "Group";
/** Monitoring Reader covers the workspace resource only; Grafana's PromQL queries need this data-plane role as well. */
const MONITORING_DATA_READER = "b0d8363b-8ddd-447d-831f-62ca05bff136";

export interface RegionObservabilityArgs {
    /** Resource group that holds every observability resource. No default. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Azure region of every resource. No default. */
    readonly location: pulumi.Input<string>;
    /** Environment/region tags put on every resource that accepts tags. No default. */
    readonly tags: Record<string, string>;
    /** Lowercase, dash-separated prefix of every Azure name, e.g. "iotfleet-prod-weu"; trimmed to fit each name limit. No default. */
    readonly namePrefix: string;
    /** Lowercase alphanumeric 6-char random suffix for globally unique names. No default. */
    readonly uniqueSuffix: pulumi.Input<string>;
    /** Days Log Analytics (and so workspace-based Application Insights) keeps data. Default 30. */
    readonly logRetentionDays?: number;
    /** Entra object id made Grafana Admin. Default: none, no admin is assigned. */
    readonly grafanaAdminPrincipalId?: pulumi.Input<string>;
    /** What grafanaAdminPrincipalId is; the SDK would otherwise send "User", which Azure rejects for a group. Default "Group". */
    readonly grafanaAdminPrincipalType?: "User" | "Group";
}

/** Logs, managed Prometheus, Grafana and Application Insights for one region. */
export class RegionObservability extends pulumi.ComponentResource {
    public readonly logAnalyticsWorkspaceId: pulumi.Output<string>;
    public readonly azureMonitorWorkspaceId: pulumi.Output<string>;
    public readonly grafanaEndpoint: pulumi.Output<string>;
    public readonly grafanaId: pulumi.Output<string>;
    /** Secret. */
    public readonly appInsightsConnectionString: pulumi.Output<string>;
    /** Secret. */
    public readonly appInsightsInstrumentationKey: pulumi.Output<string>;

    constructor(name: string, args: RegionObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.regionObservability, name, {}, opts);
        const placement = { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags };

        const logs = new operationalinsights.Workspace(
            `${name}-logs`,
            {
                ...placement,
                workspaceName: `${args.namePrefix}-logs`,
                sku: { name: operationalinsights.WorkspaceSkuNameEnum.PerGB2018 },
                retentionInDays: args.logRetentionDays ?? DEFAULT_LOG_RETENTION_DAYS,
            },
            { parent: this },
        );
        const prometheus = new monitor.AzureMonitorWorkspace(
            `${name}-prometheus`,
            {
                ...placement,
                azureMonitorWorkspaceName: `${args.namePrefix}-prometheus`,
            },
            { parent: this },
        );
        const grafana = new dashboard.Grafana(
            `${name}-grafana`,
            {
                ...placement,
                // Grafana workspace names are capped at 23 characters.
                workspaceName: dashedName(args.namePrefix, "gf", args.uniqueSuffix, 23),
                sku: { name: "Standard" },
                identity: { type: dashboard.ManagedServiceIdentityType.SystemAssigned },
                properties: {
                    apiKey: dashboard.ApiKey.Disabled,
                    grafanaIntegrations: { azureMonitorWorkspaceIntegrations: [{ azureMonitorWorkspaceResourceId: prometheus.id }] },
                },
            },
            { parent: this },
        );
        const { subscriptionId } = authorization.getClientConfigOutput({ parent: this });
        const grafanaPrincipalId = systemPrincipalId(grafana);
        for (const [role, roleGuid] of [
            ["reader", AZURE_ROLES.monitoringReader],
            ["data-reader", MONITORING_DATA_READER],
        ]) {
            assignRole(
                `${name}-grafana-prometheus-${role}`,
                grafanaPrincipalId,
                subscriptionId,
                { scope: prometheus.id, roleGuid },
                { parent: this },
            );
        }
        if (args.grafanaAdminPrincipalId !== undefined) {
            // Not assignRole, which only grants to managed identities.
            assignPrincipalRole(
                `${name}-grafana-admin`,
                { id: args.grafanaAdminPrincipalId, type: args.grafanaAdminPrincipalType ?? DEFAULT_GRAFANA_ADMIN_PRINCIPAL_TYPE },
                subscriptionId,
                { scope: grafana.id, roleGuid: AZURE_ROLES.grafanaAdmin },
                { parent: this },
            );
        }
        const appInsights = new applicationinsights.Component(
            `${name}-appinsights`,
            {
                ...placement,
                resourceName: `${args.namePrefix}-appinsights`,
                kind: "web",
                applicationType: applicationinsights.ApplicationType.Web,
                ingestionMode: applicationinsights.IngestionMode.LogAnalytics,
                workspaceResourceId: logs.id,
            },
            { parent: this },
        );

        this.logAnalyticsWorkspaceId = logs.id;
        this.azureMonitorWorkspaceId = prometheus.id;
        this.grafanaEndpoint = grafana.properties.endpoint;
        this.grafanaId = grafana.id;
        this.appInsightsConnectionString = pulumi.secret(appInsights.connectionString);
        this.appInsightsInstrumentationKey = pulumi.secret(appInsights.instrumentationKey);
        this.registerOutputs({
            logAnalyticsWorkspaceId: this.logAnalyticsWorkspaceId,
            azureMonitorWorkspaceId: this.azureMonitorWorkspaceId,
            grafanaEndpoint: this.grafanaEndpoint,
            grafanaId: this.grafanaId,
            appInsightsConnectionString: this.appInsightsConnectionString,
            appInsightsInstrumentationKey: this.appInsightsInstrumentationKey,
        });
    }
}
