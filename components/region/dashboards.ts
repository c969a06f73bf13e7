import * as pulumi from "@pulumi/pulumi";
import * as grafana from "@pulumiverse/grafana";
import * as authorization from "@pulumi/azure-native/authorization";
import { AlertTargets } from "../../lib/alertRules";
import { COMPONENT_TYPES } from "../../lib/componentTypes";
import { dashboardJson, dashboardSpecs } from "../../lib/dashboards";

/**
 * Azure Managed Grafana's Entra ID application: a token issued for it is accepted as a bearer token by every Managed
 * Grafana workspace's HTTP API (Microsoft Learn, "How to call Grafana APIs in Azure Managed Grafana"; the resource
 * `az grafana` asks tokens for).
 */
const MANAGED_GRAFANA_APP_ID = "ce34e7e5-485f-4d76-964f-b3d2b16d1e4f";

export interface RegionDashboardsArgs {
    /** The region's Managed Grafana endpoint (`https://<name>.<region>.grafana.azure.com`). No default. */
    readonly grafanaEndpoint: pulumi.Input<string>;
    /** What makes the deployer a Grafana Admin (its membership of the admin group); the dashboards wait for it. No default. */
    readonly adminAccess: readonly pulumi.Resource[];
    /** The object names the panels select on. No default. */
    readonly targets: AlertTargets;
}

/**
 * The region's dashboards in its Managed Grafana, through the Grafana provider (@pulumiverse/grafana): Azure has no ARM
 * resource for a dashboard inside a Managed Grafana workspace (`Microsoft.Dashboard/dashboards` is the separate Azure
 * Monitor dashboards service), so the dashboards are Grafana API objects, kept in code and reviewed as JSON. The provider
 * signs in with the deployer's Entra token for Managed Grafana, fetched at each deployment: no API key or service
 * account token is stored (the workspace keeps `apiKey: Disabled`).
 */
export class RegionDashboards extends pulumi.ComponentResource {
    public readonly dashboardUids: readonly string[];

    constructor(name: string, args: RegionDashboardsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.regionDashboards, name, {}, opts);
        const token = authorization.getClientTokenOutput({ endpoint: MANAGED_GRAFANA_APP_ID }, { parent: this }).token;
        const provider = new grafana.Provider(
            `${name}-grafana`,
            { url: args.grafanaEndpoint, auth: pulumi.secret(token) },
            { parent: this },
        );
        const options = { parent: this, provider, dependsOn: [...args.adminAccess] };
        const folder = new grafana.oss.Folder(`${name}-folder`, { title: "iot-fleet", uid: "iot-fleet" }, options);
        const specs = dashboardSpecs(args.targets);
        for (const spec of specs) {
            new grafana.oss.Dashboard(
                `${name}-${spec.uid}`,
                {
                    folder: folder.uid,
                    configJson: dashboardJson(spec, args.targets),
                    overwrite: true,
                    message: "Managed by iot-fleet (Pulumi)",
                },
                options,
            );
        }
        this.dashboardUids = specs.map(s => s.uid);
        this.registerOutputs({ dashboardUids: this.dashboardUids });
    }
}
