import { AlertTargets } from "./alertRules";
import { SCRAPE_JOB } from "./scrapedMetrics";

/**
 * The Grafana dashboards of a region, as Grafana dashboard JSON (schema of Grafana 10/11): the fleet's, and a tenant's
 * picked from a `tenant` variable (one dashboard for every tenant rather than thousands). Panels query the region's
 * managed Prometheus data source, chosen through a `datasource` variable so that the JSON does not depend on the
 * data source's generated uid. Every query uses scraped metrics only (test/alertRules.test.ts checks them as it checks the rules).
 */

export interface DashboardPanel {
    readonly title: string;
    readonly expr: string;
    readonly unit?: string;
}

export interface DashboardSpec {
    readonly uid: string;
    readonly title: string;
    readonly panels: readonly DashboardPanel[];
    /** Whether the dashboard has the `tenant` variable (namespaces that have a processor autoscaler). */
    readonly perTenant: boolean;
}

/** The panels of the fleet dashboard and of the tenant dashboard. */
export function dashboardSpecs(targets: AlertTargets): DashboardSpec[] {
    const queue = `keda_scaler_metrics_value{job="${SCRAPE_JOB.keda}", scaledObject="${targets.processorScaledObject}"`;
    const lag = `keda_scaler_metrics_value{job="${SCRAPE_JOB.keda}", scaledObject="${targets.ingestScaledObject}"`;
    const hpa = `horizontalpodautoscaler="${targets.processorHpa}"`;
    return [
        {
            uid: "iot-fleet-overview",
            title: "iot-fleet: fleet overview",
            perTenant: false,
            panels: [
                {
                    title: "Ready nodes per cluster",
                    expr: `sum by (cluster) (kube_node_status_condition{condition="Ready", status="true"})`,
                },
                {
                    title: "Spot nodes per cluster",
                    expr: `count by (cluster) (kube_node_spec_taint{key="kubernetes.azure.com/scalesetpriority", value="spot"})`,
                },
                { title: "Queue backlog, top 10 tenants", expr: `topk(10, max by (namespace) (${queue}}))` },
                { title: "Ingest lag, top 10 tenants", expr: `topk(10, max by (namespace) (${lag}}))` },
                {
                    title: "Tenants at max processor replicas",
                    expr: `count(max by (cluster, namespace) (kube_horizontalpodautoscaler_status_current_replicas{${hpa}}) >= max by (cluster, namespace) (kube_horizontalpodautoscaler_spec_max_replicas{${hpa}}))`,
                },
                {
                    title: "Flux reconciliation errors",
                    expr: `sum by (cluster, controller) (rate(controller_runtime_reconcile_errors_total{job="${SCRAPE_JOB.flux}"}[15m]))`,
                },
                { title: "CPU used per cluster", expr: `sum by (cluster) (rate(container_cpu_usage_seconds_total[5m]))`, unit: "cores" },
            ],
        },
        {
            uid: "iot-fleet-tenant",
            title: "iot-fleet: tenant",
            perTenant: true,
            panels: [
                { title: "Queue backlog", expr: `max(${queue}, namespace="$tenant"})` },
                { title: "Ingest lag (events)", expr: `max(${lag}, namespace="$tenant"})` },
                {
                    title: "Processor replicas",
                    expr: `max(kube_horizontalpodautoscaler_status_current_replicas{namespace="$tenant", ${hpa}})`,
                },
                {
                    title: "Processor replicas allowed",
                    expr: `max(kube_horizontalpodautoscaler_spec_max_replicas{namespace="$tenant", ${hpa}})`,
                },
                {
                    title: "Quota used",
                    expr: `max by (resource) (kube_resourcequota{namespace="$tenant", type="used"}) / max by (resource) (kube_resourcequota{namespace="$tenant", type="hard"} > 0)`,
                    unit: "percentunit",
                },
                { title: "CPU used", expr: `sum(rate(container_cpu_usage_seconds_total{namespace="$tenant"}[5m]))`, unit: "cores" },
                { title: "Memory working set", expr: `sum(container_memory_working_set_bytes{namespace="$tenant"})`, unit: "bytes" },
                {
                    title: "Container restarts (1h)",
                    expr: `sum(increase(kube_pod_container_status_restarts_total{namespace="$tenant"}[1h]))`,
                },
            ],
        },
    ];
}

const PANEL_WIDTH = 12;
const PANEL_HEIGHT = 8;

/** Grafana's dashboard JSON for a spec: time series panels two to a row, the data source and tenant variables. */
export function dashboardJson(spec: DashboardSpec, targets: AlertTargets): string {
    const datasource = { type: "prometheus", uid: "${datasource}" };
    const variables: object[] = [{ name: "datasource", label: "Data source", type: "datasource", query: "prometheus" }];
    if (spec.perTenant) {
        variables.push({
            name: "tenant",
            label: "Tenant",
            type: "query",
            datasource,
            query: {
                query: `label_values(kube_horizontalpodautoscaler_spec_max_replicas{horizontalpodautoscaler="${targets.processorHpa}"}, namespace)`,
            },
            refresh: 2,
        });
    }
    return JSON.stringify({
        uid: spec.uid,
        title: spec.title,
        tags: ["iot-fleet"],
        editable: false,
        time: { from: "now-6h", to: "now" },
        refresh: "1m",
        schemaVersion: 39,
        templating: { list: variables },
        panels: spec.panels.map((panel, i) => ({
            id: i + 1,
            type: "timeseries",
            title: panel.title,
            datasource,
            gridPos: { x: (i % 2) * PANEL_WIDTH, y: Math.floor(i / 2) * PANEL_HEIGHT, w: PANEL_WIDTH, h: PANEL_HEIGHT },
            fieldConfig: { defaults: panel.unit ? { unit: panel.unit } : {}, overrides: [] },
            targets: [{ refId: "A", datasource, expr: panel.expr }],
        })),
    });
}
