import * as k8s from "@pulumi/kubernetes";
import { stringify } from "yaml";
import { CustomScrapeJob, CUSTOM_SCRAPE_JOBS, SCRAPE_JOB } from "../../lib/scrapedMetrics";
import { KUBE_SYSTEM, NAMESPACE_NAME_LABEL } from "../common/namespaceGuardrails";
import { PLATFORM_LABELS, PlatformContext } from "./platformContext";

/**
 * The managed Prometheus add-on reads extra scrape jobs from this ConfigMap in kube-system (Microsoft Learn, "Create,
 * validate and apply a custom configuration file for Prometheus metrics in Azure Monitor": `ama-metrics-prometheus-config`,
 * key `prometheus-config`, run by the add-on's ReplicaSet).
 */
const SCRAPE_CONFIG_MAP = "ama-metrics-prometheus-config";
const SCRAPE_CONFIG_KEY = "prometheus-config";

/** Prometheus' meta label of a pod label: every character outside [a-zA-Z0-9_] becomes `_`. */
const podLabelMeta = (label: string): string => `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;

/** One `scrape_configs` entry: the job's pods by namespace and label, their metrics port, and only the metrics it keeps. */
export function scrapeConfig(job: CustomScrapeJob): Record<string, unknown> {
    return {
        job_name: job.job,
        honor_labels: job.honorLabels,
        kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [job.namespace] } }],
        relabel_configs: [
            { source_labels: [podLabelMeta(job.podLabel)], action: "keep", regex: job.podLabelValues.join("|") },
            { source_labels: ["__meta_kubernetes_pod_ip"], target_label: "__address__", replacement: `$1:${job.port}` },
            { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
        ],
        metric_relabel_configs: [{ source_labels: ["__name__"], action: "keep", regex: job.keep.join("|") }],
    };
}

/**
 * What alert rules and dashboards read besides the add-on's default targets: KEDA's scaler metrics (tenant queue
 * backlog and ingest lag), cert-manager's certificate expiry and Flux's reconcile errors (`CUSTOM_SCRAPE_JOBS`).
 * cert-manager's namespace denies all ingress, so its metrics port is opened to kube-system, where the add-on runs.
 */
export function installMetricsScraping(ctx: PlatformContext, certManager: k8s.helm.v3.Release): void {
    new k8s.core.v1.ConfigMap(
        `${ctx.name}-prometheus-scrape-config`,
        {
            metadata: { name: SCRAPE_CONFIG_MAP, namespace: KUBE_SYSTEM, labels: PLATFORM_LABELS },
            data: { [SCRAPE_CONFIG_KEY]: stringify({ scrape_configs: CUSTOM_SCRAPE_JOBS.map(scrapeConfig) }) },
        },
        ctx.k8sOpts,
    );
    const certManagerJob = CUSTOM_SCRAPE_JOBS.find(job => job.job === SCRAPE_JOB.certManager)!;
    new k8s.networking.v1.NetworkPolicy(
        `${ctx.name}-cert-manager-netpol-allow-metrics-scraping`,
        {
            metadata: { name: "allow-metrics-scraping", namespace: certManagerJob.namespace, labels: PLATFORM_LABELS },
            spec: {
                podSelector: { matchLabels: { [certManagerJob.podLabel]: certManagerJob.podLabelValues[0] } },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: KUBE_SYSTEM } } }],
                        ports: [{ protocol: "TCP", port: certManagerJob.port }],
                    },
                ],
            },
        },
        { ...ctx.k8sOpts, dependsOn: [certManager] },
    );
}
