import * as k8s from "@pulumi/kubernetes";
import { APP_COMPONENT_LABEL, APP_INSTANCE_LABEL } from "../../lib/labels";
import { INGRESS_NAMESPACE, NAMESPACE_NAME_LABEL, PUBLIC_INTERNET } from "../common/namespaceGuardrails";
import * as charts from "./charts";
import { PLATFORM_LABELS, PlatformContext, allowIngress, platformNamespace, release } from "./platformContext";

/** The ingress tier of the platform: ingress-nginx, and cert-manager with its Let's Encrypt ClusterIssuer. */

const CERT_MANAGER_NAMESPACE = "cert-manager";
const CLUSTER_ISSUER_NAME = "letsencrypt";
const LETSENCRYPT_SERVER = "https://acme-v02.api.letsencrypt.org/directory";

/** Ceilings sized for two replicas of each component plus one rolling-update surge. */
const INGRESS_QUOTA = { cpu: "8", memory: "8Gi", pods: 20 };
const CERT_MANAGER_QUOTA = { cpu: "4", memory: "4Gi", pods: 15 };

export function installIngressNginx(ctx: PlatformContext): k8s.helm.v3.Release {
    const namespace = platformNamespace(ctx, INGRESS_NAMESPACE, {
        // ingress-nginx does not commit to the restricted profile (nginx binds 80/443 through added capabilities).
        podSecurity: "baseline",
        quota: INGRESS_QUOTA,
        // The controller proxies to backends in every namespace.
        extraEgress: [{ to: [{ namespaceSelector: {} }] }],
    });
    const controller = { [APP_INSTANCE_LABEL]: charts.CHARTS.ingressNginx.releaseName, [APP_COMPONENT_LABEL]: "controller" };
    // Clients and the Azure LB health probe reach HTTP(S) from anywhere; the API server calls the admission webhook.
    const publicTraffic = allowIngress(ctx, namespace, "allow-public-and-webhook", controller, [
        ...charts.INGRESS_TRAFFIC_PORTS,
        charts.INGRESS_ADMISSION_WEBHOOK_PORT,
    ]);
    return release(ctx, "ingress-nginx", charts.CHARTS.ingressNginx, namespace, charts.ingressNginxValues(), [publicTraffic]);
}

export function installCertManager(ctx: PlatformContext): k8s.helm.v3.Release {
    const http = [{ protocol: "TCP", port: 80 }];
    const namespace = platformNamespace(ctx, CERT_MANAGER_NAMESPACE, {
        podSecurity: "restricted",
        quota: CERT_MANAGER_QUOTA,
        // The HTTP-01 self-check fetches the challenge on port 80 from the public load balancer, which may hairpin to the controller.
        extraEgress: [
            { to: [PUBLIC_INTERNET], ports: http },
            { to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: INGRESS_NAMESPACE } } }], ports: http },
        ],
    });
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
    return release(ctx, "cert-manager", charts.CHARTS.certManager, namespace, charts.certManagerValues(CERT_MANAGER_NAMESPACE), [webhook]);
}

export function createClusterIssuer(ctx: PlatformContext, certManager: k8s.helm.v3.Release): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        `${ctx.name}-cluster-issuer`,
        {
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: CLUSTER_ISSUER_NAME, labels: PLATFORM_LABELS },
            spec: {
                acme: {
                    server: LETSENCRYPT_SERVER,
                    email: ctx.args.dns.acmeEmail,
                    privateKeySecretRef: { name: `${CLUSTER_ISSUER_NAME}-account-key` },
                    solvers: [{ http01: { ingress: { ingressClassName: charts.INGRESS_CLASS_NAME } } }],
                },
            },
        },
        { ...ctx.k8sOpts, dependsOn: [certManager] },
    );
}
