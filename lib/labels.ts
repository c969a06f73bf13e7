/**
 * Label, annotation and tag keys used across the fleet. One key per concept, so that namespaces,
 * workloads, metrics, policies and Azure tags all agree on how a tenant is named.
 *
 * The keys the policy pack judges by are defined in the pack (it must build on its own) and re-exported here.
 */
export {
    DECOMMISSION_LABEL,
    DEVICE_QUOTA_ANNOTATION,
    POD_SECURITY_ENFORCE_LABEL,
    SYSTEM_POOL_TAINT,
    TAG_TENANT,
    TENANT_LABEL,
    WORKLOAD_LABEL,
} from "../policy/labels";
export const CLUSTER_LABEL = "iot-fleet.io/cluster";
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY_VALUE = "iot-fleet";

export const POD_SECURITY_AUDIT_LABEL = "pod-security.kubernetes.io/audit";
export const POD_SECURITY_WARN_LABEL = "pod-security.kubernetes.io/warn";

export const WORKLOAD_IDENTITY_USE_LABEL = "azure.workload.identity/use";
export const WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";

/** Azure tag keys. */
export const TAG_ENVIRONMENT = "environment";
export const TAG_REGION = "region";
export const TAG_CLUSTER = "cluster";

/** The config namespace of every key in a stack file. */
export const CONFIG_NAMESPACE = "iot-fleet";

/** AKS puts the Spot taint on Spot nodes (declared to avoid drift). */
export const SPOT_TAINT = "kubernetes.azure.com/scalesetpriority=spot:NoSchedule";

/** Node label: the pool a node belongs to. */
export const POOL_LABEL = "iot-fleet.io/pool";

/** Marks the namespaces and objects the cluster platform owns, as opposed to tenant ones. */
export const PLATFORM_LABEL = "iot-fleet.io/platform";
/** Kubernetes' recommended labels, which the platform charts put on their pods. */
export const APP_NAME_LABEL = "app.kubernetes.io/name";
export const APP_INSTANCE_LABEL = "app.kubernetes.io/instance";
export const APP_COMPONENT_LABEL = "app.kubernetes.io/component";
/** The label (and its value) of the cluster DNS pods (CoreDNS on AKS), the only DNS server tenants may query. */
export const KUBE_DNS_LABEL = "k8s-app";
export const KUBE_DNS_VALUE = "kube-dns";

/** The OpenTelemetry resource attribute every log, metric and trace carries its tenant in. */
export const TENANT_ATTRIBUTE = "tenant.id";
