import * as pulumi from "@pulumi/pulumi";
import { OBSERVABILITY_NAMESPACE } from "../common/namespaceGuardrails";
import * as charts from "./charts";
import { installCertManager } from "./certManager";
import { installCollector } from "./collector";
import { installEdgeLoadBalancer } from "./edge";
import { createEdgeGateway } from "./edgeGateway";
import { ClusterPlatformArgs, EdgeSubnet, PlatformContext } from "./platformContext";
import { installExternalDns } from "./externalDns";
import { installMetricsScraping } from "./metricsScraping";
import { FLUX_CONFIGURATION_NAME, installFlux } from "./flux";
import { createTenantAdmission } from "./tenantAdmission";
import { COMPONENT_TYPES } from "../../lib/componentTypes";

export type { ClusterPlatformArgs, EdgeSubnet };

/**
 * What every AKS cluster of the fleet runs besides tenants: guarded platform namespaces, the public edge
 * (Application Gateway for Containers with its WAF, driven through a Gateway with one listener per tenant),
 * cert-manager issuing each tenant's certificate through DNS-01, external-dns publishing the tenants' routes and an
 * OpenTelemetry collector signing in with workload identity, Flux reconciling the cluster's GitOps path, the extra
 * scrape jobs of managed Prometheus, and the admission policy that holds tenant Services to the rules RBAC cannot
 * express. Each installer has its own file.
 */
export class ClusterPlatform extends pulumi.ComponentResource {
    /** `<namespace>/<name>` of the edge Gateway, the parent every tenant route names. */
    public readonly gateway: pulumi.Output<string>;
    public readonly otlpEndpoint: pulumi.Output<string>;
    public readonly externalDnsClientId: pulumi.Output<string>;
    public readonly collectorClientId: pulumi.Output<string>;
    public readonly clusterIssuerName: pulumi.Output<string>;
    public readonly fluxConfigurationName: pulumi.Output<string>;
    /** The platform's last ARM write to the cluster (the Flux configuration), for the writes that must follow it. Not an output. */
    public readonly lastClusterWrite: pulumi.Resource;

    constructor(name: string, args: ClusterPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.clusterPlatform, name, {}, opts);
        const ctx: PlatformContext = { name, args, parent: this, k8sOpts: { parent: this, provider: args.provider } };

        const certManager = installCertManager(ctx);
        installMetricsScraping(ctx, certManager.release);
        const edge = createEdgeGateway(ctx, installEdgeLoadBalancer(ctx), certManager);
        const externalDns = installExternalDns(ctx);
        const collector = installCollector(ctx);
        const flux = installFlux(ctx);
        createTenantAdmission(ctx);

        this.gateway = edge.gatewayRef;
        // Deriving the endpoint from the release makes consumers wait for the collector to be ready.
        this.otlpEndpoint = collector.release.status.apply(() => charts.collectorOtlpEndpoint(OBSERVABILITY_NAMESPACE));
        this.externalDnsClientId = externalDns.clientId;
        this.collectorClientId = collector.clientId;
        this.clusterIssuerName = certManager.issuer.metadata.name;
        // The configuration's Azure name, known once it exists (azure-native reports it only as the output `name`).
        this.fluxConfigurationName = flux.id.apply(() => FLUX_CONFIGURATION_NAME);
        this.lastClusterWrite = flux;
        this.registerOutputs({
            gateway: this.gateway,
            otlpEndpoint: this.otlpEndpoint,
            externalDnsClientId: this.externalDnsClientId,
            collectorClientId: this.collectorClientId,
            clusterIssuerName: this.clusterIssuerName,
            fluxConfigurationName: this.fluxConfigurationName,
        });
    }
}
