import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { OBSERVABILITY_NAMESPACE } from "./namespaceGuardrails";
import * as charts from "./platformCharts";
import { installCollector } from "./platformCollector";
import { PlatformContext } from "./platformContext";
import { installExternalDns } from "./platformExternalDns";
import { FLUX_CONFIGURATION_NAME, installFlux } from "./platformFlux";
import { createClusterIssuer, installCertManager, installIngressNginx } from "./platformIngress";

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
    /** Tags of every Azure resource the platform creates. Required. */
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
    /** The Git repository Flux reconciles and the cluster's directory in it (`fluxClusterPath`). Required. */
    readonly gitops: { readonly repositoryUrl: string; readonly branch: string; readonly path: string };
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
 * with workload identity, and Flux reconciling the cluster's GitOps path. Each installer has its own file.
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
