import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { APP_INSTANCE_LABEL, APP_NAME_LABEL } from "../../lib/labels";
import { AZURE_ROLES } from "../common/azureRoles";
import { OBSERVABILITY_NAMESPACE, OTLP_PORTS } from "../common/namespaceGuardrails";
import * as charts from "./charts";
import {
    PLATFORM_LABELS,
    PlatformContext,
    allowIngress,
    identityReady,
    optionsIn,
    platformIdentity,
    platformNamespace,
    release,
} from "./platformContext";

/** Ceilings sized for two replicas plus one rolling-update surge. */
const OBSERVABILITY_QUOTA = { cpu: "4", memory: "4Gi", pods: 10 };

/**
 * The OpenTelemetry collector every namespace exports OTLP to, reading the Application Insights connection
 * string from Key Vault through the Secrets Store CSI driver; returns its identity's client id.
 */
export function installCollector(ctx: PlatformContext): { release: k8s.helm.v3.Release; clientId: pulumi.Output<string> } {
    const { args } = ctx;
    const namespace = platformNamespace(ctx, OBSERVABILITY_NAMESPACE, { podSecurity: "restricted", quota: OBSERVABILITY_QUOTA });
    const otlp = allowIngress(
        ctx,
        namespace,
        "allow-otlp-from-all-namespaces",
        {
            [APP_NAME_LABEL]: charts.CHARTS.otelCollector.chart,
            [APP_INSTANCE_LABEL]: charts.CHARTS.otelCollector.releaseName,
        },
        OTLP_PORTS,
        [{ namespaceSelector: {} }],
    );
    // The collector may read the connection-string secret and nothing else in the vault.
    const identity = platformIdentity(ctx, "collector", { namespace: OBSERVABILITY_NAMESPACE, name: charts.COLLECTOR_SERVICE_ACCOUNT }, [
        { role: "connection-string", scope: args.appInsightsConnectionStringSecret.id, roleGuid: AZURE_ROLES.keyVaultSecretsUser },
    ]);
    const clientId = identity.identity.clientId;
    const secretProviderClass = new k8s.apiextensions.CustomResource(
        `${ctx.name}-collector-secrets`,
        {
            apiVersion: "secrets-store.csi.x-k8s.io/v1",
            kind: "SecretProviderClass",
            metadata: {
                name: charts.COLLECTOR_SECRET_PROVIDER_CLASS,
                namespace: namespace.guardrails.namespace.metadata.name,
                labels: PLATFORM_LABELS,
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
        },
        optionsIn(ctx, namespace),
    );
    const values = charts.otelCollectorValues({ clientId });
    const collector = release(ctx, "otel-collector", charts.CHARTS.otelCollector, namespace, values, [
        otlp,
        secretProviderClass,
        ...identityReady(identity),
    ]);
    return { release: collector, clientId };
}
