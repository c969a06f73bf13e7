import * as pulumi from "@pulumi/pulumi";
import { OBSERVABILITY_NAMESPACE } from "../common/namespaceGuardrails";
import * as charts from "./charts";
import { installCollector } from "./collector";
import { ClusterPlatformArgs, PlatformContext } from "./platformContext";
import { installExternalDns } from "./externalDns";
import { installMetricsScraping } from "./metricsScraping";
import { FLUX_CONFIGURATION_NAME, installFlux } from "./flux";
import { createClusterIssuer, installCertManager, installIngressNginx } from "./ingress";
import { createTenantAdmission } from "./tenantAdmission";
import { COMPONENT_TYPES } from "../../lib/componentTypes";

export type { ClusterPlatformArgs };

/**
 * What every AKS cluster of the fleet runs besides tenants: guarded platform namespaces, ingress-nginx,
 * cert-manager with a Let's Encrypt ClusterIssuer, external-dns and an OpenTelemetry collector signing in
 * with workload identity, Flux reconciling the cluster's GitOps path, and the admission policy that holds tenant
 * Services to the rules RBAC cannot express. Each installer has its own file.
 */
export class ClusterPlatform extends pulumi.ComponentResource {
    public readonly ingressClassName: pulumi.Output<string>;
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

        const ingress = installIngressNginx(ctx);
        const certManager = installCertManager(ctx);
        installMetricsScraping(ctx, certManager);
        const issuer = createClusterIssuer(ctx, certManager);
        const externalDns = installExternalDns(ctx);
        const collector = installCollector(ctx);
        const flux = installFlux(ctx);
        createTenantAdmission(ctx);

        // Deriving the outputs from the releases makes consumers wait for the controllers to be ready.
        this.ingressClassName = ingress.status.apply(() => charts.INGRESS_CLASS_NAME);
        this.otlpEndpoint = collector.release.status.apply(() => charts.collectorOtlpEndpoint(OBSERVABILITY_NAMESPACE));
        this.externalDnsClientId = externalDns.clientId;
        this.collectorClientId = collector.clientId;
        this.clusterIssuerName = issuer.metadata.name;
        // The configuration's Azure name, known once it exists (azure-native reports it only as the output `name`).
        this.fluxConfigurationName = flux.id.apply(() => FLUX_CONFIGURATION_NAME);
        this.lastClusterWrite = flux;
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
