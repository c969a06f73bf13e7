import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import {
    EDGE_GATEWAY_CLASS,
    EDGE_GATEWAY_NAME,
    EDGE_NAMESPACE,
    tenantCertificateSecret,
    tenantHostname,
    tenantListeners,
} from "../../lib/edge";
import { CertManager } from "./certManager";
import { EdgeLoadBalancer } from "./edge";
import { PLATFORM_LABELS, PlatformContext, optionsIn, platformNamespace } from "./platformContext";

/**
 * The Kubernetes half of the edge, in the `edge` namespace: the Gateway with one listener per tenant (lib/edge.ts),
 * a wildcard certificate per tenant that the listener serves, and the WAF policy attached to the whole Gateway.
 * The namespace runs no pods; tenants never read it, so their certificates' private keys stay out of their reach.
 */

/** Nothing runs in the edge namespace: it holds configuration only. */
const EDGE_QUOTA = { cpu: "0", memory: "0", pods: 0 };
/** The annotation through which the ALB controller finds the AGC of a bring-your-own deployment. */
const ALB_ID_ANNOTATION = "alb.networking.azure.io/alb-id";
/** The Gateway address type naming an AGC frontend. */
const ALB_FRONTEND_ADDRESS_TYPE = "alb.networking.azure.io/alb-frontend";

export interface EdgeGateway {
    readonly gateway: k8s.apiextensions.CustomResource;
    /** `<namespace>/<name>`: what a tenant's route names as its parent. */
    readonly gatewayRef: pulumi.Output<string>;
}

export function createEdgeGateway(ctx: PlatformContext, edge: EdgeLoadBalancer, certManager: CertManager): EdgeGateway {
    const { args } = ctx;
    const namespace = platformNamespace(ctx, EDGE_NAMESPACE, { podSecurity: "restricted", quota: EDGE_QUOTA });
    const inEdge = optionsIn(ctx, namespace);
    const metadata = (name: string) => ({ name, namespace: namespace.guardrails.namespace.metadata.name, labels: PLATFORM_LABELS });

    // Sorted by tenant, keyed by tenant: adding a tenant adds a certificate and never renames another.
    const certificates = [...args.tenants].sort().map(
        tenant =>
            new k8s.apiextensions.CustomResource(
                `${ctx.name}-edge-cert-${tenant}`,
                {
                    apiVersion: "cert-manager.io/v1",
                    kind: "Certificate",
                    metadata: metadata(`tenant-${tenant}`),
                    spec: {
                        secretName: tenantCertificateSecret(tenant),
                        dnsNames: [tenantHostname(tenant, args.dns.zoneName)],
                        issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: certManager.issuer.metadata.name },
                        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
                    },
                },
                { ...inEdge, dependsOn: [namespace.guardrails.namespace, certManager.issuer] },
            ),
    );
    const gateway = new k8s.apiextensions.CustomResource(
        `${ctx.name}-edge-gateway`,
        {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "Gateway",
            metadata: { ...metadata(EDGE_GATEWAY_NAME), annotations: { [ALB_ID_ANNOTATION]: edge.trafficController.id } },
            spec: {
                gatewayClassName: EDGE_GATEWAY_CLASS,
                addresses: [{ type: ALB_FRONTEND_ADDRESS_TYPE, value: edge.frontendName }],
                listeners: tenantListeners(args.tenants, args.dns.zoneName),
            },
        },
        { ...inEdge, dependsOn: [namespace.guardrails.namespace, edge.controller, ...certificates] },
    );
    // Attached to the Gateway, the WAF inspects every request on every listener before any route sees it.
    new k8s.apiextensions.CustomResource(
        `${ctx.name}-edge-waf`,
        {
            apiVersion: "alb.networking.azure.io/v1",
            kind: "WebApplicationFirewallPolicy",
            metadata: metadata("edge-waf"),
            spec: {
                targetRef: {
                    group: "gateway.networking.k8s.io",
                    kind: "Gateway",
                    name: gateway.metadata.name,
                    namespace: gateway.metadata.namespace,
                },
                webApplicationFirewall: { id: edge.wafPolicy.id },
            },
        },
        { ...inEdge, dependsOn: [gateway] },
    );
    return { gateway, gatewayRef: pulumi.interpolate`${gateway.metadata.namespace}/${gateway.metadata.name}` };
}
