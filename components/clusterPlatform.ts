import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as kubernetesconfiguration from "@pulumi/azure-native/kubernetesconfiguration";
import { CLUSTER_LABEL } from "../lib/labels";
import { CLUSTER_POD_CIDR, CLUSTER_SERVICE_CIDR } from "../lib/network";
import { AZURE_ROLES } from "./azureRoles";
import {
    INGRESS_NAMESPACE, KUBE_SYSTEM, NAMESPACE_NAME_LABEL, NamespaceGuardrails, NamespaceGuardrailsArgs, OBSERVABILITY_NAMESPACE, OTLP_PORTS,
    createNamespaceGuardrails,
} from "./namespaceGuardrails";
import * as charts from "./platformCharts";
import { WorkloadIdentity, federatedWorkloadIdentity } from "./workloadIdentity";

/** Marks the namespaces the platform owns, as opposed to tenant namespaces. */
export const PLATFORM_LABEL = "iot-fleet.io/platform";

const CERT_MANAGER_NAMESPACE = "cert-manager";
const EXTERNAL_DNS_NAMESPACE = "external-dns";
/** Built-in Reader; not in AZURE_ROLES because only external-dns needs it. */
const READER_ROLE = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const CLUSTER_ISSUER_NAME = "letsencrypt";
const LETSENCRYPT_SERVER = "https://acme-v02.api.letsencrypt.org/directory";
const FLUX_NAMESPACE = "flux-system";
const FLUX_CONFIGURATION_NAME = "fleet";
const FLUX_SYNC_INTERVAL_SECONDS = 120;
const FLUX_TIMEOUT_SECONDS = 600;

/** Container defaults in platform namespaces; every chart also sets its own requests and limits. */
const PLATFORM_LIMITS: NamespaceGuardrailsArgs["limits"] = {
    defaultCpu: "500m", defaultMemory: "512Mi", defaultRequestCpu: "50m", defaultRequestMemory: "64Mi",
};
/** Ceilings sized for two replicas of each component plus one rolling-update surge. */
const INGRESS_QUOTA = { cpu: "8", memory: "8Gi", pods: 20 };
const CERT_MANAGER_QUOTA = { cpu: "4", memory: "4Gi", pods: 15 };
const EXTERNAL_DNS_QUOTA = { cpu: "1", memory: "1Gi", pods: 5 };
const OBSERVABILITY_QUOTA = { cpu: "4", memory: "4Gi", pods: 10 };

export interface ClusterPlatformArgs {
    /** The cluster's one Kubernetes provider; every in-cluster object goes through it. Required. */
    readonly provider: k8s.Provider;
    /** Logical cluster name (`shared-1`, `dedicated-acme`): GitOps path and Azure identity names. Required. */
    readonly clusterName: string;
    /** The AKS resource name: the Flux extension's target and external-dns's TXT owner id (unique across regions). Required. */
    readonly aksClusterName: pulumi.Input<string>;
    /** Resource group of the cluster; the platform identities are created there too. Required. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Azure region of the identities. Required. */
    readonly location: pulumi.Input<string>;
    /** The cluster's OIDC issuer, trusted by every federated credential. Required. */
    readonly oidcIssuerUrl: pulumi.Input<string>;
    /** Tags of every Azure resource the platform creates. Required (may be empty). */
    readonly tags: Record<string, string>;
    /** The Azure DNS zone external-dns manages and the ACME account contact. Required. */
    readonly dns: {
        /** Zone name; external-dns only touches records under it. */
        readonly zoneName: string;
        /** Zone resource id; the only scope external-dns may write to. */
        readonly zoneId: pulumi.Input<string>;
        /** Resource group of the zone (in `subscriptionId`). */
        readonly zoneResourceGroupName: pulumi.Input<string>;
        /** Let's Encrypt account email. */
        readonly acmeEmail: string;
    };
    /** The Git repository Flux reconciles `./clusters/<clusterName>` from. Required. */
    readonly gitops: { readonly repositoryUrl: string; readonly branch: string };
    /** The regional Key Vault holding the Application Insights connection string (RBAC authorization). Required. */
    readonly keyVault: { readonly name: pulumi.Input<string>; readonly tenantId: pulumi.Input<string> };
    /** The Key Vault secret with the connection string; the collector may read this secret only. Required. */
    readonly appInsightsConnectionStringSecret: { readonly id: pulumi.Input<string>; readonly name: string };
    /** Subscription of the role definitions and of the DNS zone. Required. */
    readonly subscriptionId: pulumi.Input<string>;
}

/**
 * What every AKS cluster of the fleet runs besides tenants: guarded platform namespaces, ingress-nginx,
 * cert-manager with a Let's Encrypt ClusterIssuer, external-dns and an OpenTelemetry collector signing in
 * with workload identity, and Flux reconciling the cluster's GitOps path.
 */
export class ClusterPlatform extends pulumi.ComponentResource {
    public readonly ingressClassName: pulumi.Output<string>;
    public readonly otlpEndpoint: pulumi.Output<string>;
    public readonly externalDnsClientId: pulumi.Output<string>;
    public readonly collectorClientId: pulumi.Output<string>;
    public readonly clusterIssuerName: pulumi.Output<string>;
    public readonly fluxConfigurationName: pulumi.Output<string>;

    constructor(name: string, args: ClusterPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iot-fleet:index:ClusterPlatform", name, {}, opts);
        const ctx: PlatformContext = { name, args, parent: this, k8sOpts: { parent: this, provider: args.provider } };

        const ingress = installIngressNginx(ctx);
        const certManager = installCertManager(ctx);
        const issuer = createClusterIssuer(ctx, certManager);
        const externalDns = installExternalDns(ctx);
        const collector = installCollector(ctx);
        const flux = installFlux(ctx);

        // Deriving the outputs from the releases makes consumers wait for the controllers to be ready.
        this.ingressClassName = ingress.status.apply(() => charts.INGRESS_CLASS_NAME);
        this.otlpEndpoint = collector.release.status.apply(() => charts.collectorOtlpEndpoint(OBSERVABILITY_NAMESPACE));
        this.externalDnsClientId = externalDns.clientId;
        this.collectorClientId = collector.clientId;
        this.clusterIssuerName = issuer.metadata.name;
        // The configuration's Azure name, known once it exists (azure-native reports it only as the output `name`).
        this.fluxConfigurationName = flux.id.apply(() => FLUX_CONFIGURATION_NAME);
        this.registerOutputs({
            ingressClassName: this.ingressClassName,
            otlpEndpoint: this.otlpEndpoint,
            externalDnsClientId: this.externalDnsClientId,
            collectorClientId: this.collectorClientId,
            clusterIssuerName: this.clusterIssuerName,
            fluxConfigurationName: this.fluxConfigurationName,
        });
    }
}

interface PlatformContext {
    readonly name: string;
    readonly args: ClusterPlatformArgs;
    readonly parent: pulumi.Resource;
    /** Options of every Kubernetes object: the component as parent, the cluster's provider. */
    readonly k8sOpts: pulumi.CustomResourceOptions;
}

interface PlatformNamespace {
    readonly name: string;
    readonly guardrails: NamespaceGuardrails;
}

/** A platform namespace with the tenant guardrails, labelled as platform-owned. */
function platformNamespace(ctx: PlatformContext, name: string,
    spec: Pick<NamespaceGuardrailsArgs, "podSecurity" | "quota" | "extraEgress">): PlatformNamespace {
    const guardrails = createNamespaceGuardrails(`${ctx.name}-${name}`, {
        namespace: name,
        labels: { [PLATFORM_LABEL]: "true", [CLUSTER_LABEL]: ctx.args.clusterName },
        limits: PLATFORM_LIMITS,
        // ama-metrics scrapes every platform namespace from kube-system.
        ingressFromNamespaces: [KUBE_SYSTEM],
        ...spec,
    }, ctx.k8sOpts);
    return { name, guardrails };
}

/** Everything a release must find in place: the namespace, its quota defaults and its network flows. */
const guardrailResources = ({ guardrails }: PlatformNamespace): pulumi.Resource[] =>
    [guardrails.namespace, guardrails.resourceQuota, guardrails.limitRange, ...guardrails.networkPolicies];

/** A NetworkPolicy admitting traffic to some pods of a platform namespace on some ports; no `from` admits any source. */
function allowIngress(ctx: PlatformContext, namespace: PlatformNamespace, role: string, podLabels: Record<string, string>,
    ports: readonly number[], from?: k8s.types.input.networking.v1.NetworkPolicyPeer[]): k8s.networking.v1.NetworkPolicy {
    return new k8s.networking.v1.NetworkPolicy(`${ctx.name}-${namespace.name}-netpol-${role}`, {
        metadata: { name: role, namespace: namespace.guardrails.namespace.metadata.name, labels: { [PLATFORM_LABEL]: "true" } },
        spec: {
            podSelector: { matchLabels: podLabels },
            policyTypes: ["Ingress"],
            ingress: [{ ...(from ? { from } : {}), ports: ports.map(port => ({ protocol: "TCP", port })) }],
        },
    }, { ...ctx.k8sOpts, dependsOn: [namespace.guardrails.namespace] });
}

function release(ctx: PlatformContext, role: string, chart: charts.ChartRef, namespace: PlatformNamespace,
    values: pulumi.Input<Record<string, unknown>>, dependsOn: pulumi.Resource[] = []): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(`${ctx.name}-${role}`, {
        name: chart.releaseName,
        chart: chart.chart,
        version: chart.version,
        repositoryOpts: { repo: chart.repo },
        namespace: namespace.guardrails.namespace.metadata.name,
        values,
        cleanupOnFail: true,
    }, { ...ctx.k8sOpts, dependsOn: [...guardrailResources(namespace), ...dependsOn] });
}

/**
 * The managed identity a platform ServiceAccount signs in as (through the fleet's shared workload identity
 * helper), named after the cluster so that every cluster of the region's resource group gets its own.
 */
function platformIdentity(ctx: PlatformContext, role: string, serviceAccount: { namespace: string; name: string },
    roles: Parameters<typeof federatedWorkloadIdentity>[1]["roles"]): WorkloadIdentity {
    return federatedWorkloadIdentity(`${ctx.name}-${role}`, {
        identityName: `id-${ctx.args.clusterName}-${role}`,
        resourceGroupName: ctx.args.resourceGroupName,
        location: ctx.args.location,
        subscriptionId: ctx.args.subscriptionId,
        issuerUrl: ctx.args.oidcIssuerUrl,
        serviceAccounts: [serviceAccount],
        roles,
        tags: ctx.args.tags,
    }, { parent: ctx.parent });
}

/** Pods of a release must not start before their identity can exchange tokens and holds its roles. */
const identityReady = (workload: WorkloadIdentity): pulumi.Resource[] => [...workload.federatedCredentials, ...workload.roleAssignments];

function installIngressNginx(ctx: PlatformContext): k8s.helm.v3.Release {
    const namespace = platformNamespace(ctx, INGRESS_NAMESPACE, {
        // ingress-nginx does not commit to the restricted profile (nginx binds 80/443 through added capabilities).
        podSecurity: "baseline",
        quota: INGRESS_QUOTA,
        // The controller proxies to backends in every namespace.
        extraEgress: [{ to: [{ namespaceSelector: {} }] }],
    });
    const controller = { "app.kubernetes.io/instance": charts.CHARTS.ingressNginx.releaseName, "app.kubernetes.io/component": "controller" };
    // Clients and the Azure LB health probe reach HTTP(S) from anywhere; the API server calls the admission webhook.
    const publicTraffic = allowIngress(ctx, namespace, "allow-public-and-webhook", controller,
        [...charts.INGRESS_TRAFFIC_PORTS, charts.INGRESS_ADMISSION_WEBHOOK_PORT]);
    return release(ctx, "ingress-nginx", charts.CHARTS.ingressNginx, namespace, charts.ingressNginxValues(), [publicTraffic]);
}

function installCertManager(ctx: PlatformContext): k8s.helm.v3.Release {
    const http = [{ protocol: "TCP", port: 80 }];
    const namespace = platformNamespace(ctx, CERT_MANAGER_NAMESPACE, {
        podSecurity: "restricted",
        quota: CERT_MANAGER_QUOTA,
        // The HTTP-01 self-check fetches the challenge on port 80 from the public load balancer, which may hairpin to the controller.
        extraEgress: [
            { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [CLUSTER_POD_CIDR, CLUSTER_SERVICE_CIDR] } }], ports: http },
            { to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: INGRESS_NAMESPACE } } }], ports: http },
        ],
    });
    const webhook = allowIngress(ctx, namespace, "allow-webhook", {
        "app.kubernetes.io/instance": charts.CHARTS.certManager.releaseName, "app.kubernetes.io/component": "webhook",
    }, [charts.CERT_MANAGER_WEBHOOK_PORT]);
    return release(ctx, "cert-manager", charts.CHARTS.certManager, namespace, charts.certManagerValues(CERT_MANAGER_NAMESPACE), [webhook]);
}

function createClusterIssuer(ctx: PlatformContext, certManager: k8s.helm.v3.Release): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(`${ctx.name}-cluster-issuer`, {
        apiVersion: "cert-manager.io/v1",
        kind: "ClusterIssuer",
        metadata: { name: CLUSTER_ISSUER_NAME, labels: { [PLATFORM_LABEL]: "true" } },
        spec: {
            acme: {
                server: LETSENCRYPT_SERVER,
                email: ctx.args.dns.acmeEmail,
                privateKeySecretRef: { name: `${CLUSTER_ISSUER_NAME}-account-key` },
                solvers: [{ http01: { ingress: { ingressClassName: charts.INGRESS_CLASS_NAME } } }],
            },
        },
    }, { ...ctx.k8sOpts, dependsOn: [certManager] });
}

function installExternalDns(ctx: PlatformContext): { release: k8s.helm.v3.Release; clientId: pulumi.Output<string> } {
    const { args } = ctx;
    const namespace = platformNamespace(ctx, EXTERNAL_DNS_NAMESPACE, { podSecurity: "restricted", quota: EXTERNAL_DNS_QUOTA });
    const identity = platformIdentity(ctx, "external-dns", { namespace: EXTERNAL_DNS_NAMESPACE, name: charts.EXTERNAL_DNS_SERVICE_ACCOUNT }, [
        { role: "dns-zone", scope: args.dns.zoneId, roleGuid: AZURE_ROLES.dnsZoneContributor },
        // external-dns lists the zones of its resource group, which needs read access at that scope.
        {
            role: "dns-resource-group",
            scope: pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${args.dns.zoneResourceGroupName}`,
            roleGuid: READER_ROLE,
        },
    ]);
    // azure.json holds no secret with workload identity: only where the zone is and how to sign in.
    const azureConfig = new k8s.core.v1.ConfigMap(`${ctx.name}-external-dns-azure-config`, {
        metadata: {
            name: charts.EXTERNAL_DNS_AZURE_CONFIG,
            namespace: namespace.guardrails.namespace.metadata.name,
            labels: { [PLATFORM_LABEL]: "true" },
        },
        data: {
            "azure.json": charts.externalDnsAzureConfig(identity.identity.tenantId, args.subscriptionId, args.dns.zoneResourceGroupName),
        },
    }, { ...ctx.k8sOpts, dependsOn: [namespace.guardrails.namespace] });
    const clientId = identity.identity.clientId;
    // The AKS name carries environment and region: logical names like `shared-1` repeat in every region sharing the zone.
    const values = charts.externalDnsValues({ clientId, zoneName: args.dns.zoneName, txtOwnerId: args.aksClusterName });
    const externalDns = release(ctx, "external-dns", charts.CHARTS.externalDns, namespace, values, [azureConfig, ...identityReady(identity)]);
    return { release: externalDns, clientId };
}

function installCollector(ctx: PlatformContext): { release: k8s.helm.v3.Release; clientId: pulumi.Output<string> } {
    const { args } = ctx;
    const namespace = platformNamespace(ctx, OBSERVABILITY_NAMESPACE, { podSecurity: "restricted", quota: OBSERVABILITY_QUOTA });
    const otlp = allowIngress(ctx, namespace, "allow-otlp-from-all-namespaces", {
        "app.kubernetes.io/name": charts.CHARTS.otelCollector.chart, "app.kubernetes.io/instance": charts.CHARTS.otelCollector.releaseName,
    }, OTLP_PORTS, [{ namespaceSelector: {} }]);
    // The collector may read the connection-string secret and nothing else in the vault.
    const identity = platformIdentity(ctx, "collector", { namespace: OBSERVABILITY_NAMESPACE, name: charts.COLLECTOR_SERVICE_ACCOUNT }, [
        { role: "connection-string", scope: args.appInsightsConnectionStringSecret.id, roleGuid: AZURE_ROLES.keyVaultSecretsUser },
    ]);
    const clientId = identity.identity.clientId;
    const secretProviderClass = new k8s.apiextensions.CustomResource(`${ctx.name}-collector-secrets`, {
        apiVersion: "secrets-store.csi.x-k8s.io/v1",
        kind: "SecretProviderClass",
        metadata: {
            name: charts.COLLECTOR_SECRET_PROVIDER_CLASS,
            namespace: namespace.guardrails.namespace.metadata.name,
            labels: { [PLATFORM_LABEL]: "true" },
        },
        spec: {
            provider: "azure",
            parameters: {
                usePodIdentity: "false",
                clientID: clientId,
                keyvaultName: args.keyVault.name,
                tenantId: args.keyVault.tenantId,
                objects: charts.keyVaultSecretObjects(args.appInsightsConnectionStringSecret.name, charts.CONNECTION_STRING_FILE),
            },
        },
    }, { ...ctx.k8sOpts, dependsOn: [namespace.guardrails.namespace] });
    const values = charts.otelCollectorValues({ clientId });
    const collector = release(ctx, "otel-collector", charts.CHARTS.otelCollector, namespace, values,
        [otlp, secretProviderClass, ...identityReady(identity)]);
    return { release: collector, clientId };
}

/** The AKS GitOps extension and one cluster-scoped Flux configuration reconciling `./clusters/<clusterName>`. */
function installFlux(ctx: PlatformContext): kubernetesconfiguration.FluxConfiguration {
    const { args } = ctx;
    const cluster = {
        resourceGroupName: args.resourceGroupName,
        clusterRp: "Microsoft.ContainerService",
        clusterResourceName: "managedClusters",
        clusterName: args.aksClusterName,
    };
    const extension = new kubernetesconfiguration.Extension(`${ctx.name}-flux`, {
        ...cluster,
        extensionName: "flux",
        extensionType: "microsoft.flux",
        autoUpgradeMinorVersion: true,
        releaseTrain: "Stable",
        scope: { cluster: { releaseNamespace: FLUX_NAMESPACE } },
    }, { parent: ctx.parent });
    return new kubernetesconfiguration.FluxConfiguration(`${ctx.name}-flux-config`, {
        ...cluster,
        fluxConfigurationName: FLUX_CONFIGURATION_NAME,
        namespace: FLUX_NAMESPACE,
        scope: kubernetesconfiguration.ScopeType.Cluster,
        sourceKind: kubernetesconfiguration.SourceKindType.GitRepository,
        gitRepository: {
            url: args.gitops.repositoryUrl,
            repositoryRef: { branch: args.gitops.branch },
            syncIntervalInSeconds: FLUX_SYNC_INTERVAL_SECONDS,
            timeoutInSeconds: FLUX_TIMEOUT_SECONDS,
        },
        kustomizations: {
            cluster: {
                path: `./clusters/${args.clusterName}`,
                prune: true,
                syncIntervalInSeconds: FLUX_SYNC_INTERVAL_SECONDS,
                timeoutInSeconds: FLUX_TIMEOUT_SECONDS,
            },
        },
    }, { parent: ctx.parent, dependsOn: [extension] });
}
