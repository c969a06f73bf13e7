import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    KUBE_DNS_LABEL,
    KUBE_DNS_VALUE,
    MANAGED_BY_LABEL,
    MANAGED_BY_VALUE,
    POD_SECURITY_AUDIT_LABEL,
    POD_SECURITY_ENFORCE_LABEL,
    POD_SECURITY_WARN_LABEL,
} from "../../lib/labels";
import { LINK_LOCAL_RANGE } from "../../lib/network";
import { API_SERVER_RULES, ciliumEgressPolicy, ENTRA_ID_SIGN_IN_RULES } from "./ciliumEgress";

/** The namespace of the OpenTelemetry collector every workload exports to. */
export const OBSERVABILITY_NAMESPACE = "observability";
/** The managed Prometheus agent and CoreDNS run there; so does the konnectivity agent the API server reaches webhooks through. */
export const KUBE_SYSTEM = "kube-system";
export const RESOURCE_QUOTA_NAME = "namespace-quota";
export const LIMIT_RANGE_NAME = "container-defaults";
/** The label Kubernetes puts on every namespace with its own name, to select namespaces by name. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** Ports tenant workloads use to reach Azure PaaS endpoints: HTTPS, and AMQP over TLS for Event Hubs and Service Bus. */
export const AZURE_EGRESS_PORTS = [443, 5671] as const;
/** OTLP gRPC and HTTP ports of the collector. */
export const OTLP_PORTS = [4317, 4318] as const;

/**
 * The private (RFC 1918) ranges. The region's VNet must lie in them (the config accepts no other address space),
 * and so do the pod overlay and service ranges; peered and on-premises networks almost always do.
 */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

/**
 * Internet addresses only, for platform namespaces (ACME, Azure Resource Manager, Application Insights ingestion are
 * public endpoints). Excepting every private range keeps out other namespaces' pods and services, every node and
 * private endpoint of the VNet; excepting the link-local range keeps out the node's instance metadata
 * (169.254.169.254, which would hand out the kubelet identity's tokens) and every other host-local address.
 */
export const PUBLIC_INTERNET = {
    ipBlock: { cidr: "0.0.0.0/0", except: [...PRIVATE_RANGES, LINK_LOCAL_RANGE] },
} satisfies k8s.types.input.networking.v1.NetworkPolicyPeer;

/** A namespace's ResourceQuota ceilings. */
export interface NamespaceQuota {
    /** CPU requested and limited, each. Required. */
    readonly cpu: string;
    /** Memory requested and limited, each. Required. */
    readonly memory: string;
    /** Pods. Required. */
    readonly pods: number;
    /** PersistentVolumeClaims. Default: no cap. */
    readonly persistentVolumeClaims?: number;
    /** Storage requested by all claims together. Default: no cap. */
    readonly storage?: string;
    /**
     * Whether Services of type LoadBalancer and NodePort are refused (`services.loadbalancers` and
     * `services.nodeports` capped at 0): such a Service opens the namespace's pods outside the edge. Default: false.
     */
    readonly noExternalServices?: boolean;
}

/** What a ResourceQuota's `hard` says for a namespace's ceilings. */
export function quotaHard(quota: NamespaceQuota): Record<string, string> {
    return {
        "requests.cpu": quota.cpu,
        "limits.cpu": quota.cpu,
        "requests.memory": quota.memory,
        "limits.memory": quota.memory,
        pods: String(quota.pods),
        ...(quota.persistentVolumeClaims === undefined ? {} : { persistentvolumeclaims: String(quota.persistentVolumeClaims) }),
        ...(quota.storage === undefined ? {} : { "requests.storage": quota.storage }),
        ...(quota.noExternalServices ? { "services.loadbalancers": "0", "services.nodeports": "0" } : {}),
    };
}

/**
 * Where a namespace's pods reach Azure services on `AZURE_EGRESS_PORTS`: the region's private-endpoint subnet (tenants:
 * nothing else, plus Entra ID's sign-in by name), or the internet (platform namespaces, see `PUBLIC_INTERNET`).
 */
export type AzureEgress = { readonly kind: "private-endpoints"; readonly subnets: readonly string[] } | { readonly kind: "internet" };

export interface NamespaceGuardrailsArgs {
    /** The namespace name. */
    readonly namespace: string;
    /** Labels for the namespace and every object in it (the tenant label for tenants). */
    readonly labels: Record<string, string>;
    /** Pod Security Admission level enforced (audit and warn are always `restricted`). */
    readonly podSecurity: "restricted" | "baseline" | "privileged";
    /** Namespace-wide ceilings. */
    readonly quota: NamespaceQuota;
    /** Defaults for containers that declare no requests or limits. */
    readonly limits: {
        readonly defaultCpu: string;
        readonly defaultMemory: string;
        readonly defaultRequestCpu: string;
        readonly defaultRequestMemory: string;
    };
    /** Other namespaces allowed to open connections into this one, on any port. Default: none. */
    readonly ingressFromNamespaces?: readonly string[];
    /** Where pods reach Azure services: the private-endpoint subnet (and Entra ID sign-in) or the internet. Required. */
    readonly azureEgress: AzureEgress;
    /** Whether pods reach the API server (controllers do; tenant workloads do not). Default: false. */
    readonly apiServerAccess?: boolean;
    /**
     * The cluster's edge (its Application Gateway for Containers, which proxies from its own subnet straight to pods
     * on the CNI overlay) and the only container ports it may reach here. Default: none, the edge reaches nothing.
     */
    readonly edge?: { readonly sourceCidr: pulumi.Input<string>; readonly ports: readonly number[] };
    /** Extra egress rules beyond DNS, the namespace itself, Azure endpoints and the collector. Default: none. */
    readonly extraEgress?: readonly k8s.types.input.networking.v1.NetworkPolicyEgressRule[];
    /** Labels of the Namespace object alone (lifecycle markers such as decommissioning). Default: none. */
    readonly namespaceLabels?: Record<string, string>;
    /** Annotations of the Namespace object alone (facts policies judge it by, such as the device quota). Default: none. */
    readonly namespaceAnnotations?: Record<string, string>;
    /** Resource options for the Namespace (e.g. `protect`). Default: none. */
    readonly namespaceOptions?: pulumi.CustomResourceOptions;
}

export interface NamespaceGuardrails {
    readonly namespace: k8s.core.v1.Namespace;
    readonly resourceQuota: k8s.core.v1.ResourceQuota;
    readonly limitRange: k8s.core.v1.LimitRange;
    readonly networkPolicies: readonly k8s.networking.v1.NetworkPolicy[];
    /** The egress a NetworkPolicy cannot express on Cilium: Entra ID sign-in by name, the API server (`ciliumEgress.ts`). */
    readonly ciliumPolicies: readonly k8s.apiextensions.CustomResource[];
}

/**
 * A namespace with the isolation every workload gets, tenant or platform: PSA labels, a ResourceQuota,
 * a LimitRange, default-deny NetworkPolicies and the few flows a workload needs (DNS, its own namespace,
 * ingress from the edge on the ports it names, egress to Azure endpoints outside the cluster and to the collector).
 */
export function createNamespaceGuardrails(
    name: string,
    args: NamespaceGuardrailsArgs,
    opts: pulumi.CustomResourceOptions,
): NamespaceGuardrails {
    const labels = { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, ...args.labels };
    const namespace = new k8s.core.v1.Namespace(
        `${name}-ns`,
        {
            metadata: {
                name: args.namespace,
                annotations: args.namespaceAnnotations,
                labels: {
                    ...labels,
                    ...args.namespaceLabels,
                    [POD_SECURITY_ENFORCE_LABEL]: args.podSecurity,
                    [POD_SECURITY_AUDIT_LABEL]: "restricted",
                    [POD_SECURITY_WARN_LABEL]: "restricted",
                },
            },
        },
        { ...opts, ...args.namespaceOptions },
    );
    const metadataIn = (objectName: string) => ({ name: objectName, namespace: namespace.metadata.name, labels });
    const childOpts = { ...opts, dependsOn: [namespace] };

    const resourceQuota = new k8s.core.v1.ResourceQuota(
        `${name}-quota`,
        {
            metadata: metadataIn(RESOURCE_QUOTA_NAME),
            spec: { hard: quotaHard(args.quota) },
        },
        childOpts,
    );

    const limitRange = new k8s.core.v1.LimitRange(
        `${name}-limits`,
        {
            metadata: metadataIn(LIMIT_RANGE_NAME),
            spec: {
                limits: [
                    {
                        type: "Container",
                        default: { cpu: args.limits.defaultCpu, memory: args.limits.defaultMemory },
                        defaultRequest: { cpu: args.limits.defaultRequestCpu, memory: args.limits.defaultRequestMemory },
                    },
                ],
            },
        },
        childOpts,
    );

    const policy = (role: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
        new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${role}`, { metadata: metadataIn(role), spec }, childOpts);
    const fromNamespaces = (args.ingressFromNamespaces ?? []).filter(ns => ns !== args.namespace);

    const networkPolicies = [
        policy("default-deny-all", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
        policy("allow-dns", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to: [
                        {
                            namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: KUBE_SYSTEM } },
                            podSelector: { matchLabels: { [KUBE_DNS_LABEL]: KUBE_DNS_VALUE } },
                        },
                    ],
                    ports: [
                        { protocol: "UDP", port: 53 },
                        { protocol: "TCP", port: 53 },
                    ],
                },
            ],
        }),
        policy("allow-same-namespace", {
            podSelector: {},
            policyTypes: ["Ingress", "Egress"],
            ingress: [{ from: [{ podSelector: {} }] }],
            egress: [{ to: [{ podSelector: {} }] }],
        }),
        // An empty `from` would admit every source, so without other namespaces to admit there is no such policy.
        ...(fromNamespaces.length === 0
            ? []
            : [
                  policy("allow-from-platform", {
                      podSelector: {},
                      policyTypes: ["Ingress"],
                      ingress: [
                          { from: fromNamespaces.map(ns => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns } } })) },
                      ],
                  }),
              ]),
        ...(args.edge === undefined
            ? []
            : [
                  policy("allow-from-edge", {
                      podSelector: {},
                      policyTypes: ["Ingress"],
                      ingress: [
                          {
                              from: [{ ipBlock: { cidr: args.edge.sourceCidr } }],
                              ports: args.edge.ports.map(port => ({ protocol: "TCP", port })),
                          },
                      ],
                  }),
              ]),
        policy("allow-azure-egress", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [
                {
                    to:
                        args.azureEgress.kind === "internet"
                            ? [PUBLIC_INTERNET]
                            : args.azureEgress.subnets.map(cidr => ({ ipBlock: { cidr } })),
                    ports: AZURE_EGRESS_PORTS.map(port => ({ protocol: "TCP", port })),
                },
                {
                    to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: OBSERVABILITY_NAMESPACE } } }],
                    ports: OTLP_PORTS.map(port => ({ protocol: "TCP", port })),
                },
                ...(args.extraEgress ?? []),
            ],
        }),
    ];

    const cilium = (role: string, egress: Parameters<typeof ciliumEgressPolicy>[4]) =>
        ciliumEgressPolicy(`${name}-cnp-${role}`, role, namespace.metadata.name, labels, egress, childOpts);
    const ciliumPolicies = [
        ...(args.azureEgress.kind === "private-endpoints" ? [cilium("allow-entra-id-signin", ENTRA_ID_SIGN_IN_RULES)] : []),
        ...(args.apiServerAccess ? [cilium("allow-api-server", API_SERVER_RULES)] : []),
    ];

    return { namespace, resourceQuota, limitRange, networkPolicies, ciliumPolicies };
}
