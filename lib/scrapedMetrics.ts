/**
 * Every metric a cluster sends to the region's Azure Monitor workspace, by scrape job: what alert rules and
 * dashboards may query. Two sources:
 * - the managed Prometheus add-on's default targets (`azureMonitorProfile.metrics` in components/cluster/aksCluster.ts,
 *   forwarded by the data collection rule of components/cluster/clusterMonitoring.ts) under the minimal ingestion
 *   profile, which keeps only the names below. They are copied from the add-on's keep lists
 *   (Azure/prometheus-collector, otelcollector/shared/configmap/mp/tomlparser-default-targets-metrics-keep-list.go,
 *   `*Regex_minimal_mac`; Microsoft Learn, "Minimal ingestion profile for Prometheus metrics in Azure Monitor");
 * - the jobs this project adds through the add-on's `ama-metrics-prometheus-config` ConfigMap
 *   (components/platform/metricsScraping.ts), whose keep lists are generated from `CUSTOM_SCRAPE_JOBS`.
 * The OpenTelemetry collector (components/platform/collector.ts) exports to Application Insights, not to the
 * workspace: nothing it receives is queryable by PromQL, so it adds no name here.
 */

/** A scrape job's name (its `job` label) and the metric names or name patterns it keeps. */
export interface ScrapeJob {
    readonly job: string;
    /** Metric names, or RE2 patterns of them (the add-on's own lists use `kube_.*_labels`). */
    readonly keep: readonly string[];
}

const names = (pipeList: string): readonly string[] => pipeList.split("|");

/** The default targets the add-on scrapes (`job` label as the add-on sets it), minimal ingestion profile. */
export const DEFAULT_TARGET_JOBS: readonly ScrapeJob[] = [
    {
        job: "kubelet",
        keep: names(
            "kubelet_volume_stats_capacity_bytes|kubelet_volume_stats_used_bytes|kubelet_node_name|kubelet_running_pods|kubelet_running_pod_count|kubelet_running_sum_containers|kubelet_running_containers|kubelet_running_container_count|volume_manager_total_volumes|kubelet_node_config_error|kubelet_runtime_operations_total|kubelet_runtime_operations_errors_total|kubelet_runtime_operations_duration_seconds_bucket|kubelet_runtime_operations_duration_seconds_sum|kubelet_runtime_operations_duration_seconds_count|kubelet_pod_start_duration_seconds_bucket|kubelet_pod_start_duration_seconds_sum|kubelet_pod_start_duration_seconds_count|kubelet_pod_worker_duration_seconds_bucket|kubelet_pod_worker_duration_seconds_sum|kubelet_pod_worker_duration_seconds_count|storage_operation_duration_seconds_bucket|storage_operation_duration_seconds_sum|storage_operation_duration_seconds_count|storage_operation_errors_total|kubelet_cgroup_manager_duration_seconds_bucket|kubelet_cgroup_manager_duration_seconds_sum|kubelet_cgroup_manager_duration_seconds_count|kubelet_pleg_relist_interval_seconds_bucket|kubelet_pleg_relist_interval_seconds_count|kubelet_pleg_relist_interval_seconds_sum|kubelet_pleg_relist_duration_seconds_bucket|kubelet_pleg_relist_duration_seconds_count|kubelet_pleg_relist_duration_seconds_sum|rest_client_requests_total|rest_client_request_duration_seconds_bucket|rest_client_request_duration_seconds_sum|rest_client_request_duration_seconds_count|process_resident_memory_bytes|process_cpu_seconds_total|go_goroutines|kubernetes_build_info|kubelet_certificate_manager_client_ttl_seconds|kubelet_certificate_manager_client_expiration_renew_errors|kubelet_server_expiration_renew_errors|kubelet_certificate_manager_server_ttl_seconds|kubelet_volume_stats_available_bytes|kubelet_volume_stats_inodes_free|kubelet_volume_stats_inodes_used|kubelet_volume_stats_inodes|kube_persistentvolumeclaim_access_mode|kube_persistentvolumeclaim_labels|kube_persistentvolume_status_phase",
        ),
    },
    {
        job: "cadvisor",
        keep: names(
            "container_spec_cpu_quota|container_spec_cpu_period|container_memory_rss|container_network_receive_bytes_total|container_network_transmit_bytes_total|container_network_receive_packets_total|container_network_transmit_packets_total|container_network_receive_packets_dropped_total|container_network_transmit_packets_dropped_total|container_fs_reads_total|container_fs_writes_total|container_fs_reads_bytes_total|container_fs_writes_bytes_total|container_cpu_usage_seconds_total|container_memory_working_set_bytes|container_memory_cache|container_memory_swap|container_cpu_cfs_throttled_periods_total|container_cpu_cfs_periods_total|kubernetes_build_info|container_start_time_seconds",
        ),
    },
    {
        job: "kube-state-metrics",
        keep: names(
            "kube_job_status_succeeded|kube_job_spec_completions|kube_daemonset_status_desired_number_scheduled|kube_daemonset_status_current_number_scheduled|kube_daemonset_status_number_misscheduled|kube_daemonset_status_number_ready|kube_deployment_status_replicas_ready|kube_pod_container_status_last_terminated_reason|kube_pod_container_status_waiting_reason|kube_pod_container_status_restarts_total|kube_node_status_allocatable|kube_pod_owner|kube_pod_container_resource_requests|kube_pod_status_phase|kube_pod_container_resource_limits|kube_replicaset_owner|kube_resourcequota|kube_namespace_status_phase|kube_node_status_capacity|kube_node_info|kube_pod_info|kube_deployment_spec_replicas|kube_deployment_status_replicas_available|kube_deployment_status_replicas_updated|kube_statefulset_status_replicas_ready|kube_statefulset_status_replicas|kube_statefulset_status_replicas_updated|kube_job_status_start_time|kube_job_status_active|kube_job_failed|kube_horizontalpodautoscaler_status_desired_replicas|kube_horizontalpodautoscaler_status_current_replicas|kube_horizontalpodautoscaler_spec_min_replicas|kube_horizontalpodautoscaler_spec_max_replicas|kubernetes_build_info|kube_node_status_condition|kube_node_spec_taint|kube_pod_container_info|kube_.*_labels|kube_.*_annotations|kube_service_info|kube_pod_container_status_running|kube_pod_container_status_waiting|kube_pod_container_status_terminated|kube_pod_container_state_started|kube_pod_created|kube_pod_start_time|kube_pod_container_status_ready|kube_pod_deletion_timestamp|kube_pod_status_reason",
        ),
    },
    {
        job: "node",
        keep: names(
            "node_filesystem_readonly|node_memory_MemTotal_bytes|node_cpu_seconds_total|node_memory_MemAvailable_bytes|node_memory_Buffers_bytes|node_memory_Cached_bytes|node_memory_MemFree_bytes|node_memory_Slab_bytes|node_filesystem_avail_bytes|node_filesystem_size_bytes|node_time_seconds|node_exporter_build_info|node_load1|node_vmstat_pgmajfault|node_network_receive_bytes_total|node_network_transmit_bytes_total|node_network_receive_drop_total|node_network_transmit_drop_total|node_disk_io_time_seconds_total|node_disk_io_time_weighted_seconds_total|node_load5|node_load15|node_disk_read_bytes_total|node_disk_written_bytes_total|node_uname_info|node_boot_time_seconds",
        ),
    },
];

/** A job this project adds: which pods it scrapes (namespace, a pod label and its value, the metrics port) and what it keeps. */
export interface CustomScrapeJob extends ScrapeJob {
    readonly namespace: string;
    readonly podLabel: string;
    /** RE2 alternatives of the pod label's value. */
    readonly podLabelValues: readonly string[];
    readonly port: number;
    /** Keep the labels the target sets (KEDA's `namespace` is the ScaledObject's, the tenant's, not the operator's). */
    readonly honorLabels: boolean;
}

/** The job names the rules and dashboards select on. */
export const SCRAPE_JOB = { keda: "keda-operator", certManager: "cert-manager", flux: "flux" } as const;

/**
 * KEDA's operator (the AKS add-on, in kube-system), cert-manager's controller and Flux's controllers
 * (the AKS GitOps extension, in flux-system). Metric names: KEDA "Prometheus integration" (keda.sh/docs/latest/integrations/prometheus),
 * cert-manager "Prometheus Metrics" (cert-manager.io/docs/devops-tips/prometheus-metrics), and controller-runtime's
 * reconcile metrics, which every Flux controller serves (fluxcd.io/flux/monitoring/metrics).
 */
export const CUSTOM_SCRAPE_JOBS: readonly CustomScrapeJob[] = [
    {
        job: SCRAPE_JOB.keda,
        namespace: "kube-system",
        podLabel: "app",
        podLabelValues: ["keda-operator"],
        port: 8080,
        honorLabels: true,
        keep: ["keda_scaler_metrics_value", "keda_scaler_errors_total", "keda_scaled_object_errors_total"],
    },
    {
        job: SCRAPE_JOB.certManager,
        namespace: "cert-manager",
        podLabel: "app.kubernetes.io/component",
        podLabelValues: ["controller"],
        port: 9402,
        honorLabels: true,
        keep: ["certmanager_certificate_expiration_timestamp_seconds", "certmanager_certificate_ready_status"],
    },
    {
        job: SCRAPE_JOB.flux,
        namespace: "flux-system",
        podLabel: "app",
        podLabelValues: ["source-controller", "kustomize-controller", "helm-controller"],
        port: 8080,
        honorLabels: false,
        keep: ["controller_runtime_reconcile_errors_total", "controller_runtime_reconcile_total"],
    },
];

const ALL_JOBS: readonly ScrapeJob[] = [...DEFAULT_TARGET_JOBS, ...CUSTOM_SCRAPE_JOBS];

/** Whether some scrape job keeps a metric of this name (a pattern matches the whole name, as Prometheus' relabel regexes do). */
export function isScraped(metric: string): boolean {
    return ALL_JOBS.some(job => job.keep.some(pattern => new RegExp(`^(?:${pattern})$`).test(metric)));
}
