/**
 * The label, annotation, tag and taint keys the policies judge by. They live in the pack, which must
 * build on its own (`pulumi policy publish` uploads only this folder); lib/labels.ts re-exports them,
 * so the program and the pack always agree on one key per concept.
 */

/** The tenant a Kubernetes object belongs to, on namespaces, workloads and metrics alike. */
export const TENANT_LABEL = "iot-fleet.io/tenant";
/** Pod Security Admission's enforce level on a namespace. */
export const POD_SECURITY_ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

/** The Azure tag naming the tenant a resource was made for. */
export const TAG_TENANT = "tenant";

/** The system pool keeps to system pods. */
export const SYSTEM_POOL_TAINT = "CriticalAddonsOnly=true:NoSchedule";

/** Set on a tenant namespace while its tenant is being decommissioned (protection lifted). */
export const DECOMMISSION_LABEL = "iot-fleet.io/decommission";
/** The device quota of a tenant, on its namespace, so that policies can judge its placement. */
export const DEVICE_QUOTA_ANNOTATION = "iot-fleet.io/device-quota";

/** Node label: the workload tier a pool serves (a Spot pool and its baseline share one). */
export const WORKLOAD_LABEL = "iot-fleet.io/workload";
