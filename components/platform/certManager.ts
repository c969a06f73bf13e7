import * as k8s from "@pulumi/kubernetes";
import { APP_COMPONENT_LABEL, APP_INSTANCE_LABEL } from "../../lib/labels";
import { AZURE_ROLES } from "../common/azureRoles";
import * as charts from "./charts";
import {
    PLATFORM_LABELS,
    PlatformContext,
    allowIngress,
    identityReady,
    platformIdentity,
    platformNamespace,
    release,
} from "./platformContext";

/**
 * cert-manager and its Let's Encrypt ClusterIssuer. Certificates are proved through DNS-01 in the region's Azure
 * DNS zone, signed in with workload identity: the edge's tenant certificates are wildcards (`*.<tenant>.<zone>`),
 * which only DNS-01 can prove, and no HTTP listener is needed for challenges.
 */

const CERT_MANAGER_NAMESPACE = "cert-manager";
const CLUSTER_ISSUER_NAME = "letsencrypt";
const LETSENCRYPT_SERVER = "https://acme-v02.api.letsencrypt.org/directory";

/** Ceilings sized for two replicas of each component plus one rolling-update surge. */
const CERT_MANAGER_QUOTA = { cpu: "4", memory: "4Gi", pods: 15 };

export interface CertManager {
    readonly release: k8s.helm.v3.Release;
    readonly issuer: k8s.apiextensions.CustomResource;
}

export function installCertManager(ctx: PlatformContext): CertManager {
    const { args } = ctx;
    const namespace = platformNamespace(ctx, CERT_MANAGER_NAMESPACE, { podSecurity: "restricted", quota: CERT_MANAGER_QUOTA });
    const webhook = allowIngress(
        ctx,
        namespace,
        "allow-webhook",
        {
            [APP_INSTANCE_LABEL]: charts.CHARTS.certManager.releaseName,
            [APP_COMPONENT_LABEL]: "webhook",
        },
        [charts.CERT_MANAGER_WEBHOOK_PORT],
    );
    // DNS-01 writes the `_acme-challenge` TXT records in the zone, and nothing outside it.
    const identity = platformIdentity(
        ctx,
        "cert-manager",
        { namespace: CERT_MANAGER_NAMESPACE, name: charts.CERT_MANAGER_SERVICE_ACCOUNT },
        [{ role: "dns-zone", scope: args.dns.zoneId, roleGuid: AZURE_ROLES.dnsZoneContributor }],
    );
    const certManager = release(
        ctx,
        "cert-manager",
        charts.CHARTS.certManager,
        namespace,
        charts.certManagerValues(CERT_MANAGER_NAMESPACE, identity.identity.clientId),
        [webhook, ...identityReady(identity)],
    );
    const issuer = new k8s.apiextensions.CustomResource(
        `${ctx.name}-cluster-issuer`,
        {
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: CLUSTER_ISSUER_NAME, labels: PLATFORM_LABELS },
            spec: {
                acme: {
                    server: LETSENCRYPT_SERVER,
                    email: args.dns.acmeEmail,
                    privateKeySecretRef: { name: `${CLUSTER_ISSUER_NAME}-account-key` },
                    solvers: [
                        {
                            dns01: {
                                azureDNS: {
                                    hostedZoneName: args.dns.zoneName,
                                    resourceGroupName: args.dns.zoneResourceGroupName,
                                    subscriptionID: args.subscriptionId,
                                    environment: "AzurePublicCloud",
                                    managedIdentity: { clientID: identity.identity.clientId },
                                },
                            },
                        },
                    ],
                },
            },
        },
        { ...ctx.k8sOpts, dependsOn: [certManager] },
    );
    return { release: certManager, issuer };
}
