import * as assert from "assert";
import { parser } from "@prometheus-io/lezer-promql";
import { ALERT_THRESHOLD_DEFAULTS, alertRules, alertsSchema } from "../lib/alertRules";
import { dashboardJson, dashboardSpecs } from "../lib/dashboards";
import { CUSTOM_SCRAPE_JOBS, isScraped } from "../lib/scrapedMetrics";
import { ALERT_TARGETS } from "../components/region/regionTelemetry";
import { scrapeConfig } from "../components/platform/metricsScraping";
import { evaluateRealStack, ofType, REAL_STACKS } from "./support/stacks";

/**
 * The PromQL of the alert rules and dashboards, parsed by Prometheus' own grammar (@prometheus-io/lezer-promql, the
 * parser of Prometheus' web UI), and the metrics each reads, against the list of what the clusters' collection keeps.
 */
function parsePromQL(expr: string): { errors: string[]; metrics: string[] } {
    const tree = parser.parse(expr);
    const errors: string[] = [];
    const metrics: string[] = [];
    tree.iterate({
        enter: node => {
            if (node.type.isError) {
                errors.push(`syntax error at ${node.from}: '${expr.slice(Math.max(0, node.from - 20), node.to + 20)}'`);
            }
            // A metric name is the Identifier directly under a VectorSelector.
            if (node.name === "Identifier" && node.node.parent?.name === "VectorSelector") {
                metrics.push(expr.slice(node.from, node.to));
            }
        },
    });
    return { errors, metrics };
}

const defaults = alertsSchema.parse({});
const rules = alertRules(defaults.thresholds, ALERT_TARGETS);
const panels = dashboardSpecs(ALERT_TARGETS).flatMap(spec =>
    spec.panels.map(panel => ({ name: `${spec.title}: ${panel.title}`, expr: panel.expr })),
);

describe("alert rules and dashboards", () => {
    it("reads each metric through a name the grammar sees, and flags a broken expression", () => {
        assert.deepStrictEqual(parsePromQL(`sum by (namespace) (rate(container_cpu_usage_seconds_total[5m])) > kube_node_info`).metrics, [
            "container_cpu_usage_seconds_total",
            "kube_node_info",
        ]);
        assert.notDeepStrictEqual(parsePromQL(`sum by (namespace (rate(x[5m]))`).errors, []);
    });

    for (const { name, expr } of [...rules.map(r => ({ name: r.alert, expr: r.expression })), ...panels]) {
        it(`${name}: parses as PromQL and reads only metrics the clusters' collection keeps`, () => {
            const { errors, metrics } = parsePromQL(expr);
            assert.deepStrictEqual(errors, [], expr);
            assert.ok(metrics.length > 0, `${expr} reads no metric`);
            assert.deepStrictEqual(
                metrics.filter(m => !isScraped(m)),
                [],
                `${name} reads metrics no scrape job keeps (lib/scrapedMetrics.ts)`,
            );
        });
    }

    it("refuses a query of a metric that nothing scrapes", () => {
        assert.strictEqual(isScraped("certmanager_certificate_expiration_timestamp_seconds"), true);
        assert.strictEqual(isScraped("kube_namespace_labels"), true, "the add-on keeps kube_.*_labels");
        assert.strictEqual(isScraped("keda_scaler_active"), false);
        assert.strictEqual(isScraped("gotk_reconcile_condition"), false);
    });

    it("covers every situation the on-call needs, each with a summary and what to do", () => {
        assert.deepStrictEqual(
            rules.map(r => r.alert),
            [
                "TenantQueueBacklogGrowing",
                "TenantQueueBacklogStale",
                "TenantIngestConsumerLag",
                "TenantProcessorsAtMaxReplicas",
                "TenantPodsRefusedByQuota",
                "SpotEvictionsBeyondBaseline",
                "CertificateExpiringSoon",
                "KubeletCertificateExpiringSoon",
                "FluxReconciliationFailing",
                "ClusterNodeNotReady",
                "ClusterSystemDeploymentUnavailable",
            ],
        );
        for (const rule of rules) {
            assert.ok(rule.summary.length > 20 && rule.action.length > 20, rule.alert);
            if (rule.scope === "tenant") {
                assert.match(rule.expression, /^label_replace\(.*"tenant", "\$1", "namespace", "\(\.\+\)"\)$/, rule.alert);
            }
        }
    });

    it("takes its thresholds from the config, with the documented defaults", () => {
        assert.deepStrictEqual(defaults.thresholds, ALERT_THRESHOLD_DEFAULTS);
        const tuned = alertRules(
            alertsSchema.parse({ thresholds: { backlogMessages: 1234, certificateExpiryDays: 7 } }).thresholds,
            ALERT_TARGETS,
        );
        assert.match(tuned.find(r => r.alert === "TenantQueueBacklogGrowing")!.expression, / > 1234\)/);
        assert.match(tuned.find(r => r.alert === "CertificateExpiringSoon")!.expression, / - time\(\) < 604800, "tenant"/);
        assert.throws(() => alertsSchema.parse({ thresholds: { quotaUsedRatio: 1.5 } }));
        assert.throws(() => alertsSchema.parse({ actionGroup: { webhooks: ["http://insecure.example.com/hook"] } }));
    });

    it("selects the tenant dashboard's panels by a tenant variable and its data source by type, not by uid", () => {
        const tenant = JSON.parse(dashboardJson(dashboardSpecs(ALERT_TARGETS)[1], ALERT_TARGETS));
        assert.deepStrictEqual(
            tenant.templating.list.map((v: { name: string; type: string }) => [v.name, v.type]),
            [
                ["datasource", "datasource"],
                ["tenant", "query"],
            ],
        );
        for (const panel of tenant.panels) {
            assert.match(panel.targets[0].expr, /namespace="\$tenant"/, panel.title);
            assert.deepStrictEqual(panel.datasource, { type: "prometheus", uid: "${datasource}" });
        }
    });

    it("keeps in each scrape job exactly the metrics the list says it keeps", () => {
        for (const job of CUSTOM_SCRAPE_JOBS) {
            const config = scrapeConfig(job) as { metric_relabel_configs: { regex: string }[] };
            assert.deepStrictEqual(config.metric_relabel_configs[0].regex.split("|"), [...job.keep], job.job);
        }
    });

    for (const stack of REAL_STACKS) {
        it(`${stack}: has one rule group per cluster on the region's Azure Monitor workspace, each rule sent to the action group`, async () => {
            const evaluation = await evaluateRealStack(stack);
            const clusters = ofType(evaluation, "azure-native:containerservice:ManagedCluster");
            const groups = ofType(evaluation, "azure-native:alertsmanagement:PrometheusRuleGroup");
            const [workspace] = ofType(evaluation, "azure-native:monitor:AzureMonitorWorkspace");
            const [actionGroup] = ofType(evaluation, "azure-native:monitor:ActionGroup");
            assert.deepStrictEqual(groups.map(g => g.inputs.clusterName).sort(), clusters.map(c => c.inputs.resourceName).sort());
            assert.deepStrictEqual(actionGroup.inputs.emailReceivers, [
                { name: "email-1", emailAddress: "platform-oncall@example.com", useCommonAlertSchema: true },
            ]);
            for (const group of groups) {
                assert.ok(group.propertyDependencies.scopes.includes(workspace.urn), "scoped to the workspace");
                assert.ok(group.propertyDependencies.rules.includes(actionGroup.urn), "rules sent to the action group");
                assert.deepStrictEqual(
                    group.inputs.rules.map((r: { alert: string }) => r.alert),
                    rules.map(r => r.alert),
                );
                for (const rule of group.inputs.rules) {
                    assert.strictEqual(rule.actions.length, 1, rule.alert);
                    assert.match(rule.actions[0].actionGroupId, new RegExp(`/${actionGroup.inputs.actionGroupName}$`), rule.alert);
                    assert.ok(rule.annotations.action, `${rule.alert} says what to do`);
                }
            }
        });
    }
});
