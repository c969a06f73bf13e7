/**
 * Label, annotation and tag keys used across the fleet. One key per concept, so that namespaces,
 * workloads, metrics, policies and Azure tags all agree on how a tenant is named.
 */
export const TENANT_LABEL = "iot-fleet.io/tenant";
export const CLUSTER_LABEL = "iot-fleet.io/cluster";
export const ISOLATION_LABEL = "iot-fleet.io/isolation";
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "iot-fleet";

export const POD_SECURITY_ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";
export const POD_SECURITY_AUDIT_LABEL = "pod-security.kubernetes.io/audit";
export const POD_SECURITY_WARN_LABEL = "pod-security.kubernetes.io/warn";

export const WORKLOAD_IDENTITY_USE_LABEL = "azure.workload.identity/use";
export const WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";

/** Azure tag keys. */
export const TAG_ENVIRONMENT = "environment";
export const TAG_REGION = "region";
export const TAG_TENANT = "tenant";
export const TAG_CLUSTER = "cluster";

/** The config namespace of every key in a stack file. */
export const CONFIG_NAMESPACE = "iot-fleet";

/** Node taints: the system pool keeps to system pods; AKS puts the Spot taint on Spot nodes (declared to avoid drift). */
export const SYSTEM_POOL_TAINT = "CriticalAddonsOnly=true:NoSchedule";
export const SPOT_TAINT = "kubernetes.azure.com/scalesetpriority=spot:NoSchedule";

/** Set on a tenant namespace while its tenant is being decommissioned (protection lifted). */
export const DECOMMISSION_LABEL = "iot-fleet.io/decommission";
/** The device quota of a tenant, on its namespace, so that policies can judge its placement. */
export const DEVICE_QUOTA_ANNOTATION = "iot-fleet.io/device-quota";

/** Node labels: the pool a node belongs to, and the workload tier its pool serves (a Spot pool and its baseline share one). */
export const POOL_LABEL = "iot-fleet.io/pool";
export const WORKLOAD_LABEL = "iot-fleet.io/workload";
