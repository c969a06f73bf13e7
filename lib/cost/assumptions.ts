import { TRAFFIC_PROFILE, TrafficProfile } from "../ingestLoad";

/**
 * The traffic profile the cost model prices and the engineering rules of thumb it rests on: everything the
 * estimate knows about load comes from here and the tenants' `deviceQuota`. Tests pass their own to check the
 * arithmetic with round numbers.
 */

export interface CostAssumptions extends TrafficProfile {
    /** Device messages one ingest vCPU forwards per second (read from Event Hubs, route to the tenant queue in batches). */
    readonly ingestMessagesPerVcpuSecond: number;
    /** Device messages one processing vCPU handles per second (decode, validate, enrich, rules, state). */
    readonly processingMessagesPerVcpuSecond: number;
    /** API requests a device causes per day (dashboards and apps reading its state and history). */
    readonly apiRequestsPerDevicePerDay: number;
    readonly apiRequestsPerVcpuSecond: number;
    /** Bytes of an API request and its response through the edge, which sets the edge's capacity units (2.22 Mbps each). */
    readonly apiBytesPerRequest: number;
    /** Share of a node's CPU the autoscaled workloads are sized to use: headroom for bursts and scale-out lag. */
    readonly targetCpuUtilisation: number;
    /** Share of a node's vCPUs left to workloads after kubelet reservations and daemonsets. */
    readonly nodeCpuForWorkloads: number;
    /** Pods a node takes for workloads: AKS maxPods (110 in components/cluster/aksCluster.ts) minus the daemonset pods. */
    readonly workloadPodsPerNode: number;
    /** Device messages the ingest tier packs into one Service Bus message. */
    readonly deviceMessagesPerQueueMessage: number;
    /** Queue messages per second one Service Bus Premium MU sustains. */
    readonly queueMessagesPerSecondPerMessagingUnit: number;
    /** Raw JSON bytes per byte ADX keeps (compressed columns and indexes). */
    readonly adxCompressionRatio: number;
    /** Share of the SSD cache the hot window may fill: merges and cold-data queries need the rest. */
    readonly adxCacheUtilisation: number;
    /** Device-state writes (upserts) per device per day, coalesced by processing to state changes. */
    readonly stateWritesPerDevicePerDay: number;
    readonly stateWriteRU: number;
    /** Device-state point reads per device per day (API and rules). */
    readonly stateReadsPerDevicePerDay: number;
    readonly stateReadRU: number;
    readonly stateBytesPerDevice: number;
    /** Raw JSON bytes per byte of the Parquet archive. */
    readonly parquetCompressionRatio: number;
    /** The age at which a retention of "never" is priced: the archive grows without end. */
    readonly neverRetentionHorizonDays: number;
    readonly logGBPerNodePerDay: number;
    readonly logGBPerClusterPerDay: number;
    /** Application log bytes per telemetry message (sampled: batch summaries and errors, not a line per message). */
    readonly logBytesPerMessage: number;
    readonly prometheusSeriesPerNode: number;
    readonly prometheusSeriesPerTenant: number;
    readonly prometheusScrapeIntervalSeconds: number;
    readonly grafanaActiveUsers: number;
    /** Bytes a connected device receives per day: MQTT keep-alive responses, PUBACKs, twin and C2D, with TLS/TCP/IP framing. */
    readonly deviceDownlinkBytesPerDay: number;
    readonly firmwareBytesPerDevicePerYear: number;
    /** Device Provisioning Service operations per device per month: registrations when a device boots or re-provisions. */
    readonly dpsOperationsPerDevicePerMonth: number;
    /** Bytes delivered to tenants' own systems (webhooks, exports, API) per byte of device telemetry. */
    readonly tenantDeliveryFactor: number;
}

/** The traffic profile of the fleet and the engineering rules of thumb the model rests on. */
export const COST_ASSUMPTIONS: CostAssumptions = {
    ...TRAFFIC_PROFILE,
    // Forwarding is I/O-bound: batched receive, envelope parse, batched send.
    ingestMessagesPerVcpuSecond: 1_000,
    // ~5 ms of CPU per message for decode, validation, enrichment from a cached registry, rules and state.
    processingMessagesPerVcpuSecond: 200,
    // About one dashboard or app read per device per hour.
    apiRequestsPerDevicePerDay: 24,
    apiRequestsPerVcpuSecond: 100,
    // A JSON read of a device's state or a page of its history, headers included.
    apiBytesPerRequest: 4_000,
    targetCpuUtilisation: 0.6,
    // kube-reserved, eviction threshold and ~0.6 vCPU of daemonsets (Cilium, CSI, monitoring agents) per node.
    nodeCpuForWorkloads: 0.85,
    // 110 maxPods minus ~12 daemonset and system pods on every node.
    workloadPodsPerNode: 98,
    // One queue message per tenant per receive batch keeps Service Bus operations per device low.
    deviceMessagesPerQueueMessage: 20,
    // Microsoft's sizing guidance for 1 KB messages on one MU, conservatively.
    queueMessagesPerSecondPerMessagingUnit: 1_000,
    // JSON telemetry in a dynamic column compresses less than typed columns, and ADX adds term indexes.
    adxCompressionRatio: 6,
    adxCacheUtilisation: 0.8,
    // Connectivity, configuration and alarm changes; per-message writes would cost ~35x more RU.
    stateWritesPerDevicePerDay: 4,
    // A ~2 KB document upserted with the default indexing policy.
    stateWriteRU: 10,
    stateReadsPerDevicePerDay: 12,
    stateReadRU: 1,
    stateBytesPerDevice: 2_000,
    // Typed, columnar, zstd-compressed readings.
    parquetCompressionRatio: 8,
    // The tiers' own days come from `iot-fleet:telemetry`; an archive kept forever is priced at 5 years of age.
    neverRetentionHorizonDays: 5 * 365,
    // Container Insights at its cost-optimised collection profile: system pods, events, inventory.
    logGBPerNodePerDay: 0.2,
    // Control-plane and platform (ingress, cert-manager, Flux, KEDA) logs.
    logGBPerClusterPerDay: 0.5,
    logBytesPerMessage: 10,
    // The managed Prometheus minimal ingestion profile: node, kubelet and cAdvisor series.
    prometheusSeriesPerNode: 1_000,
    // kube-state-metrics of the namespace's objects, KEDA and the tenant's own service metrics.
    prometheusSeriesPerTenant: 300,
    prometheusScrapeIntervalSeconds: 30,
    // The platform team and on-call; tenants see their data through the API, not Grafana.
    grafanaActiveUsers: 10,
    // ~100 bytes on the wire per MQTT keep-alive (every 300 s) and per PUBACK, plus ~15 KB of twin and commands.
    deviceDownlinkBytesPerDay: 60_000,
    // A 2 MB firmware image (or delta) four times a year.
    firmwareBytesPerDevicePerYear: 8_000_000,
    // Devices register through DPS at every boot (the SDKs' pattern, so that a moved device finds its new hub): about a
    // reboot a month (firmware updates, power cycles); enrollment-group writes of the provisioning side are negligible.
    dpsOperationsPerDevicePerMonth: 1,
    // Each message is delivered once to the tenant's systems as enriched JSON over HTTPS (~1.5x its size).
    tenantDeliveryFactor: 1.5,
};
