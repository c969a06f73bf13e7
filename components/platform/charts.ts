import * as pulumi from "@pulumi/pulumi";
import {
    POOL_LABEL,
    TENANT_ATTRIBUTE,
    TENANT_LABEL,
    WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION,
    WORKLOAD_IDENTITY_USE_LABEL,
} from "../../lib/labels";
import { CLUSTER_DNS_SERVICE_IP } from "../../lib/network";

/**
 * The Helm charts of the cluster platform and the values each is installed with, as pure functions.
 * Value keys follow each chart's upstream values.yaml at the pinned version (several charts reject
 * unknown keys through their values.schema.json).
 */

export interface ChartRef {
    readonly chart: string;
    readonly version: string;
    /** The chart repository; none for a chart named by an `oci://` reference. */
    readonly repo?: string;
    /** The Helm release name; it prefixes the names of the objects the chart creates. */
    readonly releaseName: string;
}

/** Every chart pinned to one version; bumping one is a reviewed change. */
export const CHARTS = {
    // The ALB controller of Application Gateway for Containers; Microsoft ships the chart only as an OCI artifact.
    // 1.12.1 implements Gateway API v1.5.1 (Microsoft Learn, "Release notes for ALB Controller", latest Helm release).
    albController: {
        chart: "oci://mcr.microsoft.com/application-lb/charts/alb-controller",
        version: "1.12.1",
        releaseName: "alb-controller",
    },
    certManager: { chart: "cert-manager", version: "v1.17.2", repo: "https://charts.jetstack.io", releaseName: "cert-manager" },
    externalDns: {
        chart: "external-dns",
        version: "1.16.1",
        repo: "https://kubernetes-sigs.github.io/external-dns/",
        releaseName: "external-dns",
    },
    otelCollector: {
        chart: "opentelemetry-collector",
        version: "0.127.2",
        repo: "https://open-telemetry.github.io/opentelemetry-helm-charts",
        releaseName: "otel-collector",
    },
} as const satisfies Record<string, ChartRef>;

/** The cert-manager webhook's container port (`webhook.securePort`), called by the API server. */
export const CERT_MANAGER_WEBHOOK_PORT = 10250;
/** The cert-manager controller's ServiceAccount (the chart's default name), named in its federated credential. */
export const CERT_MANAGER_SERVICE_ACCOUNT = "cert-manager";

/** Platform workloads run on the on-demand `api` pool: the system pool is tainted CriticalAddonsOnly and processing runs on Spot. */
export const PLATFORM_NODE_SELECTOR = { "kubernetes.io/os": "linux", [POOL_LABEL]: "api" } as const;

/** The external-dns ServiceAccount, named in its federated credential's subject. */
export const EXTERNAL_DNS_SERVICE_ACCOUNT = "external-dns";
/** The ConfigMap holding external-dns's azure.json (no secret in it: workload identity signs in). */
export const EXTERNAL_DNS_AZURE_CONFIG = "external-dns-azure";

/** The collector's Kubernetes names: `fullnameOverride` makes the Service name independent of the release name. */
export const COLLECTOR_NAME = "otel-collector";
export const COLLECTOR_SERVICE_ACCOUNT = "otel-collector";
export const COLLECTOR_SECRET_PROVIDER_CLASS = "otel-collector-secrets";
export const COLLECTOR_SECRETS_PATH = "/mnt/secrets";
/** The file the Secrets Store CSI driver writes the Application Insights connection string to. */
export const CONNECTION_STRING_FILE = "appinsights-connection-string";
/** Stamped when telemetry cannot be tied to a tenant namespace (platform pods, unknown senders). */
export const UNATTRIBUTED_TENANT = "unattributed";
const SECRETS_VOLUME = "secrets-store";

/** The in-cluster OTLP gRPC endpoint of the collector. */
export const collectorOtlpEndpoint = (namespace: string): string => `http://${COLLECTOR_NAME}.${namespace}.svc.cluster.local:4317`;

const resources = (requestCpu: string, requestMemory: string, limitCpu: string, limitMemory: string) => ({
    requests: { cpu: requestCpu, memory: requestMemory },
    limits: { cpu: limitCpu, memory: limitMemory },
});

const HIGH_AVAILABILITY = { replicaCount: 2, podDisruptionBudget: { enabled: true, minAvailable: 1 } } as const;

/**
 * The ALB controller (values per Microsoft Learn, "ALB Controller Helm Chart"): two replicas on the api pool,
 * signed in with workload identity, installing the Gateway API CRDs it implements.
 */
export function albControllerValues(namespace: string, clientId: pulumi.Input<string>): Record<string, unknown> {
    return {
        albController: {
            namespace,
            podIdentity: { clientID: clientId },
            installGatewayApiCRDs: true,
            controller: { replicaCount: 2, nodeSelector: PLATFORM_NODE_SELECTOR },
        },
    };
}

/**
 * cert-manager with its CRDs, every component twice behind a PodDisruptionBudget, leader election kept in its own
 * namespace, signed in to Azure DNS with workload identity (cert-manager's AzureDNS docs, "Managed Identity Using AAD
 * Workload Identity"). The DNS-01 self-check asks the cluster DNS, not the zone's public name servers, which the
 * namespace's egress does not reach.
 */
export function certManagerValues(namespace: string, clientId: pulumi.Input<string>): Record<string, unknown> {
    const component = (cpu: string, memory: string) => ({
        ...HIGH_AVAILABILITY,
        nodeSelector: PLATFORM_NODE_SELECTOR,
        resources: resources("20m", "64Mi", cpu, memory),
    });
    return {
        crds: { enabled: true, keep: true },
        global: { leaderElection: { namespace } },
        ...component("500m", "512Mi"),
        serviceAccount: {
            name: CERT_MANAGER_SERVICE_ACCOUNT,
            labels: { [WORKLOAD_IDENTITY_USE_LABEL]: "true" },
            annotations: { [WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]: clientId },
        },
        podLabels: { [WORKLOAD_IDENTITY_USE_LABEL]: "true" },
        extraArgs: ["--dns01-recursive-nameservers-only", `--dns01-recursive-nameservers=${CLUSTER_DNS_SERVICE_IP}:53`],
        webhook: component("250m", "256Mi"),
        cainjector: component("250m", "512Mi"),
        startupapicheck: { nodeSelector: PLATFORM_NODE_SELECTOR, resources: resources("10m", "32Mi", "100m", "128Mi") },
        prometheus: { enabled: true },
    };
}

export interface ExternalDnsValuesArgs {
    readonly clientId: pulumi.Input<string>;
    readonly zoneName: string;
    /** Unique among every external-dns writing the zone: with `policy: sync` an instance deletes records it owns and no longer sees. */
    readonly txtOwnerId: pulumi.Input<string>;
}

/** external-dns on Azure DNS with workload identity (the upstream AKS recipe: azure.json mounted at /etc/kubernetes). */
export function externalDnsValues(args: ExternalDnsValuesArgs): Record<string, unknown> {
    return {
        fullnameOverride: CHARTS.externalDns.releaseName,
        provider: { name: "azure" },
        serviceAccount: {
            create: true,
            name: EXTERNAL_DNS_SERVICE_ACCOUNT,
            labels: { [WORKLOAD_IDENTITY_USE_LABEL]: "true" },
            annotations: { [WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]: args.clientId },
        },
        podLabels: { [WORKLOAD_IDENTITY_USE_LABEL]: "true" },
        extraVolumes: [{ name: "azure-config-file", configMap: { name: EXTERNAL_DNS_AZURE_CONFIG } }],
        extraVolumeMounts: [{ name: "azure-config-file", mountPath: "/etc/kubernetes", readOnly: true }],
        // Names come from Gateway routes alone, each within its listener's hostname: a tenant's route publishes nothing
        // outside `*.<tenant>.<zone>`, and the hostname annotation, which no listener checks, is ignored.
        sources: ["gateway-httproute", "gateway-grpcroute"],
        extraArgs: ["--ignore-hostname-annotation"],
        domainFilters: [args.zoneName],
        txtOwnerId: args.txtOwnerId,
        policy: "sync",
        registry: "txt",
        nodeSelector: PLATFORM_NODE_SELECTOR,
        resources: resources("20m", "64Mi", "200m", "256Mi"),
    };
}

/** The azure.json external-dns reads: where the zone is, and that it signs in through workload identity. */
export function externalDnsAzureConfig(
    tenantId: pulumi.Input<string>,
    subscriptionId: pulumi.Input<string>,
    resourceGroup: pulumi.Input<string>,
): pulumi.Output<string> {
    return pulumi.jsonStringify({ tenantId, subscriptionId, resourceGroup, useWorkloadIdentityExtension: true });
}

/** The `objects` parameter of an Azure SecretProviderClass: one Key Vault secret written to `alias`. */
export function keyVaultSecretObjects(secretName: string, alias: string): string {
    return ["array:", "  - |", `    objectName: ${secretName}`, "    objectType: secret", `    objectAlias: ${alias}`, ""].join("\n");
}

export interface CollectorValuesArgs {
    readonly clientId: pulumi.Input<string>;
}

/**
 * The OpenTelemetry collector gateway: contrib image (it has the azuremonitor exporter), the k8sattributes
 * preset (it creates the ClusterRole the processor needs), the connection string read from a CSI-mounted file.
 */
export function otelCollectorValues(args: CollectorValuesArgs): Record<string, unknown> {
    return {
        mode: "deployment",
        fullnameOverride: COLLECTOR_NAME,
        image: { repository: "otel/opentelemetry-collector-contrib" },
        ...HIGH_AVAILABILITY,
        presets: { kubernetesAttributes: { enabled: true } },
        serviceAccount: {
            create: true,
            name: COLLECTOR_SERVICE_ACCOUNT,
            annotations: { [WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]: args.clientId },
        },
        podLabels: { [WORKLOAD_IDENTITY_USE_LABEL]: "true" },
        // The chart sets no security context; these satisfy the namespace's restricted Pod Security level.
        podSecurityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            fsGroup: 10001,
            seccompProfile: { type: "RuntimeDefault" },
        },
        securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
        },
        nodeSelector: PLATFORM_NODE_SELECTOR,
        resources: resources("200m", "512Mi", "1", "1Gi"),
        // Only OTLP is received; the chart's Jaeger and Zipkin ports stay closed.
        ports: Object.fromEntries(["jaeger-compact", "jaeger-thrift", "jaeger-grpc", "zipkin"].map(port => [port, { enabled: false }])),
        extraVolumes: [
            {
                name: SECRETS_VOLUME,
                csi: {
                    driver: "secrets-store.csi.k8s.io",
                    readOnly: true,
                    volumeAttributes: { secretProviderClass: COLLECTOR_SECRET_PROVIDER_CLASS },
                },
            },
        ],
        extraVolumeMounts: [{ name: SECRETS_VOLUME, mountPath: COLLECTOR_SECRETS_PATH, readOnly: true }],
        config: collectorConfig(),
    };
}

/**
 * The collector pipeline. The tenant comes from the sender's network identity, never from what it claims:
 * client-set `tenant.id` and `k8s.namespace.name` are dropped, k8sattributes finds the sending pod by
 * connection IP and copies its namespace's tenant label into `tenant.id` (it never overwrites a present
 * value, hence the drop first), and telemetry no tenant namespace sent is stamped `unattributed`.
 */
export function collectorConfig(): Record<string, unknown> {
    const pipeline = {
        receivers: ["otlp"],
        processors: ["memory_limiter", "resource/drop-claimed-tenant", "k8sattributes", "transform/default-tenant", "batch"],
        exporters: ["azuremonitor"],
    };
    const defaultTenant = [
        {
            context: "resource",
            statements: [`set(attributes["${TENANT_ATTRIBUTE}"], "${UNATTRIBUTED_TENANT}") where attributes["${TENANT_ATTRIBUTE}"] == nil`],
        },
    ];
    return {
        receivers: {
            otlp: { protocols: { grpc: { endpoint: "${env:MY_POD_IP}:4317" }, http: { endpoint: "${env:MY_POD_IP}:4318" } } },
        },
        processors: {
            memory_limiter: { check_interval: "5s", limit_percentage: 80, spike_limit_percentage: 25 },
            "resource/drop-claimed-tenant": {
                attributes: [
                    { key: TENANT_ATTRIBUTE, action: "delete" },
                    { key: "k8s.namespace.name", action: "delete" },
                ],
            },
            k8sattributes: {
                pod_association: [{ sources: [{ from: "connection" }] }],
                extract: { labels: [{ tag_name: TENANT_ATTRIBUTE, key: TENANT_LABEL, from: "namespace" }] },
            },
            "transform/default-tenant": {
                error_mode: "ignore",
                trace_statements: defaultTenant,
                metric_statements: defaultTenant,
                log_statements: defaultTenant,
            },
            batch: {},
        },
        exporters: {
            azuremonitor: { connection_string: "${file:" + `${COLLECTOR_SECRETS_PATH}/${CONNECTION_STRING_FILE}` + "}" },
        },
        service: { pipelines: { traces: pipeline, metrics: pipeline, logs: pipeline } },
    };
}
