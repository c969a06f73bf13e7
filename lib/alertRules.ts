import { z } from "zod";
import { SCRAPE_JOB } from "./scrapedMetrics";

/**
 * The Prometheus alert rules every cluster of a region gets, as pure data: PromQL over the metrics in
 * `scrapedMetrics.ts` only (test/alertRules.test.ts parses each expression and checks every metric it reads),
 * thresholds from `iot-fleet:alerts.thresholds`, and an annotation saying what to do. Tenant rules carry the
 * tenant as a label (`tenant`, from the namespace, which is named after the tenant).
 */

/** Defaults of `alerts.thresholds`, sized on the tenant defaults (500 messages a processor replica, 64 events an ingest replica). */
export const ALERT_THRESHOLD_DEFAULTS = {
    /** Messages waiting in a tenant's queue above which a growing backlog alerts. */
    backlogMessages: 10_000,
    /** Minutes a tenant's queue may stay non-empty without draining once. */
    backlogMaxAgeMinutes: 30,
    /** Unprocessed Event Hubs events of a tenant's consumer group. */
    ingestLagEvents: 50_000,
    /** Minutes a tenant's processors may run at their maximum replicas. */
    maxReplicasMinutes: 15,
    /** Share of a tenant's ResourceQuota (pods, CPU or memory) from which new pods are refused. */
    quotaUsedRatio: 0.95,
    /** Spot nodes a cluster may lose within an hour (evictions beyond this are more than the baseline absorbs). */
    spotNodesLostPerHour: 2,
    /** Days before a certificate expires. */
    certificateExpiryDays: 14,
    /** Minutes Flux may keep failing to reconcile. */
    fluxFailingMinutes: 30,
    /** Minutes a node may stay NotReady. */
    nodeNotReadyMinutes: 10,
} as const;

const positive = z.number().positive();
const thresholdsSchema = z.strictObject({
    backlogMessages: positive.default(ALERT_THRESHOLD_DEFAULTS.backlogMessages),
    backlogMaxAgeMinutes: positive.default(ALERT_THRESHOLD_DEFAULTS.backlogMaxAgeMinutes),
    ingestLagEvents: positive.default(ALERT_THRESHOLD_DEFAULTS.ingestLagEvents),
    maxReplicasMinutes: positive.default(ALERT_THRESHOLD_DEFAULTS.maxReplicasMinutes),
    quotaUsedRatio: positive.max(1).default(ALERT_THRESHOLD_DEFAULTS.quotaUsedRatio),
    spotNodesLostPerHour: z.number().int().nonnegative().default(ALERT_THRESHOLD_DEFAULTS.spotNodesLostPerHour),
    certificateExpiryDays: positive.default(ALERT_THRESHOLD_DEFAULTS.certificateExpiryDays),
    fluxFailingMinutes: positive.default(ALERT_THRESHOLD_DEFAULTS.fluxFailingMinutes),
    nodeNotReadyMinutes: positive.default(ALERT_THRESHOLD_DEFAULTS.nodeNotReadyMinutes),
});
export type AlertThresholds = z.output<typeof thresholdsSchema>;

/** `iot-fleet:alerts`: who is told (an action group) and when (thresholds). */
export const alertsSchema = z.strictObject({
    actionGroup: z
        .strictObject({
            /** Action group short name, shown in SMS and e-mail (Azure: at most 12 characters). */
            shortName: z.string().min(1).max(12).default("iotfleet"),
            emails: z.array(z.email("expected an e-mail address for the on-call receiver")).default([]),
            /** HTTPS endpoints (an incident tool's webhook) that get the common alert schema. */
            webhooks: z.array(z.url({ protocol: /^https$/, error: "expected an https:// webhook URL" })).default([]),
        })
        .prefault({}),
    thresholds: thresholdsSchema.prefault({}),
});
export type AlertsConfig = z.output<typeof alertsSchema>;

/** One alert rule, as the Azure Monitor rule group takes it. */
export interface AlertRule {
    readonly alert: string;
    readonly expression: string;
    /** ISO 8601 duration the condition must hold. */
    readonly for: string;
    /** 0 (critical) to 4 (verbose), Azure Monitor's severities. */
    readonly severity: 0 | 1 | 2 | 3 | 4;
    /** Whether the rule is about one tenant (labelled `tenant`) or the whole cluster. */
    readonly scope: "tenant" | "cluster";
    readonly summary: string;
    /** What the person paged does first. */
    readonly action: string;
}

/** The names rules select on, from the components that create them. */
export interface AlertTargets {
    /** The HPA KEDA creates for a tenant's processor (`keda-hpa-<ScaledObject name>`). */
    readonly processorHpa: string;
    /** The ScaledObjects of a tenant's processor (Service Bus queue) and ingest (Event Hubs lag). */
    readonly processorScaledObject: string;
    readonly ingestScaledObject: string;
    /** Namespaces of the platform (with quotas of their own), left out of the tenant rules that read every namespace. */
    readonly platformNamespaces: readonly string[];
}

const minutes = (m: number): string => `PT${m}M`;
/** PromQL's `label_replace` that copies the namespace into the `tenant` label. */
const asTenant = (expr: string): string => `label_replace(${expr}, "tenant", "$1", "namespace", "(.+)")`;
const SPOT_NODES = `count by (cluster) (kube_node_spec_taint{key="kubernetes.azure.com/scalesetpriority", value="spot"})`;

/** The rules of one cluster's rule group, in the order the group lists them. */
export function alertRules(t: AlertThresholds, targets: AlertTargets): AlertRule[] {
    const queue = `keda_scaler_metrics_value{job="${SCRAPE_JOB.keda}", scaledObject="${targets.processorScaledObject}"}`;
    const lag = `keda_scaler_metrics_value{job="${SCRAPE_JOB.keda}", scaledObject="${targets.ingestScaledObject}"}`;
    const hpa = `horizontalpodautoscaler="${targets.processorHpa}"`;
    const tenantNamespaces = `namespace!~"${targets.platformNamespaces.join("|")}"`;
    return [
        {
            alert: "TenantQueueBacklogGrowing",
            expression: asTenant(
                `(max by (cluster, namespace) (${queue}) > ${t.backlogMessages}) and (max by (cluster, namespace) (deriv(${queue}[15m])) > 0)`,
            ),
            for: minutes(15),
            severity: 2,
            scope: "tenant",
            summary: `Tenant {{ $labels.tenant }}'s queue holds {{ $value }} messages and is still growing.`,
            action: "Check the tenant's processors: at max replicas raise processing.maxReplicas or quota; crash-looping, read their logs; else its devices send more than usual.",
        },
        {
            alert: "TenantQueueBacklogStale",
            expression: asTenant(`min by (cluster, namespace) (min_over_time(${queue}[${t.backlogMaxAgeMinutes}m])) > 0`),
            for: minutes(5),
            severity: 2,
            scope: "tenant",
            summary: `Tenant {{ $labels.tenant }}'s queue has not been empty for ${t.backlogMaxAgeMinutes} minutes: messages wait longer than that.`,
            action: "Look for poison messages in the tenant's dead-letter queue and for processors that receive but never complete; restart them if stuck.",
        },
        {
            alert: "TenantIngestConsumerLag",
            expression: asTenant(`max by (cluster, namespace) (${lag}) > ${t.ingestLagEvents}`),
            for: minutes(10),
            severity: 2,
            scope: "tenant",
            summary: `Tenant {{ $labels.tenant }}'s ingest is {{ $value }} events behind on the telemetry hub.`,
            action: "Check the ingest replicas (at ingest.maxReplicas?) and their checkpoints; events older than the hub's retention (3 days) are lost.",
        },
        {
            alert: "TenantProcessorsAtMaxReplicas",
            expression: asTenant(
                `max by (cluster, namespace) (kube_horizontalpodautoscaler_status_current_replicas{${hpa}}) >= max by (cluster, namespace) (kube_horizontalpodautoscaler_spec_max_replicas{${hpa}})`,
            ),
            for: minutes(t.maxReplicasMinutes),
            severity: 3,
            scope: "tenant",
            summary: `Tenant {{ $labels.tenant }}'s processors have run at their maximum replicas for ${t.maxReplicasMinutes} minutes.`,
            action: "Raise the tenant's processing.maxReplicas (and quota.pods) in the stack file if its load is legitimate, or move it to a dedicated cluster.",
        },
        {
            alert: "TenantPodsRefusedByQuota",
            expression: asTenant(
                `max by (cluster, namespace, resource) (kube_resourcequota{type="used", ${tenantNamespaces}}) / max by (cluster, namespace, resource) (kube_resourcequota{type="hard", ${tenantNamespaces}} > 0) >= ${t.quotaUsedRatio}`,
            ),
            for: minutes(5),
            severity: 2,
            scope: "tenant",
            summary: `Tenant {{ $labels.tenant }} uses {{ $value | humanizePercentage }} of its ResourceQuota for {{ $labels.resource }}: new pods are refused.`,
            action: "Raise the tenant's quota.* override in the stack file, or lower its maxReplicas; the config check refuses a quota that cannot hold both at their maximum.",
        },
        {
            alert: "SpotEvictionsBeyondBaseline",
            expression: `max_over_time(${SPOT_NODES}[1h:5m]) - (${SPOT_NODES} or on (cluster) (0 * count by (cluster) (kube_node_info))) > ${t.spotNodesLostPerHour}`,
            for: minutes(5),
            severity: 3,
            scope: "cluster",
            summary: `Cluster {{ $labels.cluster }} lost {{ $value }} Spot nodes within an hour.`,
            action: "Spot capacity is being reclaimed: check the on-demand baseline carries the processors (TenantProcessorsAtMaxReplicas); raise processingPool.baselineCount if evictions persist.",
        },
        {
            alert: "CertificateExpiringSoon",
            expression: asTenant(
                `min by (cluster, namespace, name) (certmanager_certificate_expiration_timestamp_seconds{job="${SCRAPE_JOB.certManager}"}) - time() < ${t.certificateExpiryDays * 86_400}`,
            ),
            for: minutes(60),
            severity: 2,
            scope: "tenant",
            summary: `Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in less than ${t.certificateExpiryDays} days.`,
            action: "cert-manager renews 30 days ahead, so renewal is failing: kubectl describe certificate, then the ClusterIssuer and the ACME challenge (DNS, ingress).",
        },
        {
            alert: "KubeletCertificateExpiringSoon",
            expression: `min by (cluster, node) (kubelet_certificate_manager_client_ttl_seconds) < ${t.certificateExpiryDays * 86_400}`,
            for: minutes(60),
            severity: 2,
            scope: "cluster",
            summary: `A kubelet client certificate on {{ $labels.cluster }} expires in less than ${t.certificateExpiryDays} days.`,
            action: "AKS rotates kubelet certificates; if rotation is stuck run az aks rotate-certs in a maintenance window.",
        },
        {
            alert: "FluxReconciliationFailing",
            expression: `sum by (cluster, controller) (increase(controller_runtime_reconcile_errors_total{job="${SCRAPE_JOB.flux}"}[${t.fluxFailingMinutes}m])) > 0 and sum by (cluster, controller) (increase(controller_runtime_reconcile_total{job="${SCRAPE_JOB.flux}", result="success"}[${t.fluxFailingMinutes}m])) == 0`,
            for: minutes(5),
            severity: 2,
            scope: "cluster",
            summary: `Flux's {{ $labels.controller }} on {{ $labels.cluster }} has failed every reconciliation for ${t.fluxFailingMinutes} minutes.`,
            action: "flux get all -A on the cluster; fix the last commit of the fleet repository's directory for this cluster, or the source's credentials.",
        },
        {
            alert: "ClusterNodeNotReady",
            expression: `max by (cluster, node) (kube_node_status_condition{condition="Ready", status="true"}) == 0`,
            for: minutes(t.nodeNotReadyMinutes),
            severity: 1,
            scope: "cluster",
            summary: `Node {{ $labels.node }} of {{ $labels.cluster }} has been NotReady for ${t.nodeNotReadyMinutes} minutes.`,
            action: "Check the node in the portal (AKS Diagnose and solve) and its pool's scale set; cordon and delete it if it does not recover.",
        },
        {
            alert: "ClusterSystemDeploymentUnavailable",
            expression: `max by (cluster, namespace, deployment) (kube_deployment_spec_replicas{namespace="kube-system"}) > max by (cluster, namespace, deployment) (kube_deployment_status_replicas_available{namespace="kube-system"})`,
            for: minutes(15),
            severity: 1,
            scope: "cluster",
            summary: `Deployment kube-system/{{ $labels.deployment }} on {{ $labels.cluster }} has fewer available replicas than desired.`,
            action: "kubectl -n kube-system describe deployment; the system pool may lack room (its count is fixed at creation).",
        },
    ];
}
