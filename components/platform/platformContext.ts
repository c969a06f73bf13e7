import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CLUSTER_LABEL, PLATFORM_LABEL } from "../../lib/labels";
import { KUBE_SYSTEM, NamespaceGuardrails, NamespaceGuardrailsArgs, createNamespaceGuardrails } from "../common/namespaceGuardrails";
import { ChartRef } from "./charts";
import { WorkloadIdentity, federatedWorkloadIdentity } from "../common/workloadIdentity";

/** What every installer of the cluster platform builds with: the component's arguments and the helpers. */

export interface ClusterPlatformArgs {
    /** The cluster's one Kubernetes provider; every in-cluster object goes through it. Required. */
    readonly provider: k8s.Provider;
    /** Logical cluster name (`shared-1`, `dedicated-acme`): GitOps path and Azure identity names. Required. */
    readonly clusterName: string;
    /** The AKS resource name: the Flux extension's target and external-dns's TXT owner id (unique across regions). Required. */
    readonly aksClusterName: pulumi.Input<string>;
    /** The last ARM write to the cluster before the platform's: AKS takes one write at a time, so the Flux extension waits for it. Required. */
    readonly afterClusterWrite: pulumi.Resource;
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
    /** The /24 delegated to the cluster's Application Gateway for Containers. Required. */
    readonly edgeSubnet: EdgeSubnet;
    /** The tenants on the cluster: each gets a listener and a certificate at the edge. Required. */
    readonly tenants: readonly string[];
}

/** A subnet delegated to Application Gateway for Containers: its id to associate, its range to admit into tenant namespaces. */
export interface EdgeSubnet {
    readonly id: pulumi.Input<string>;
    readonly cidr: string;
}

/** Container defaults in platform namespaces; every chart also sets its own requests and limits. */
const PLATFORM_LIMITS: NamespaceGuardrailsArgs["limits"] = {
    defaultCpu: "500m",
    defaultMemory: "512Mi",
    defaultRequestCpu: "50m",
    defaultRequestMemory: "64Mi",
};

/** The label every platform-owned object carries. */
export const PLATFORM_LABELS = { [PLATFORM_LABEL]: "true" } as const;

export interface PlatformContext {
    /** The component's name, the prefix of every child's. */
    readonly name: string;
    readonly args: ClusterPlatformArgs;
    /** The ClusterPlatform component, parent of every child. */
    readonly parent: pulumi.Resource;
    /** Options of every Kubernetes object: the component as parent, the cluster's provider. */
    readonly k8sOpts: pulumi.CustomResourceOptions;
}

export interface PlatformNamespace {
    readonly name: string;
    readonly guardrails: NamespaceGuardrails;
}

/** A platform namespace with the tenant guardrails, labelled as platform-owned. */
export function platformNamespace(
    ctx: PlatformContext,
    name: string,
    spec: Pick<NamespaceGuardrailsArgs, "podSecurity" | "quota" | "extraEgress">,
): PlatformNamespace {
    const guardrails = createNamespaceGuardrails(
        `${ctx.name}-${name}`,
        {
            namespace: name,
            labels: { ...PLATFORM_LABELS, [CLUSTER_LABEL]: ctx.args.clusterName },
            limits: PLATFORM_LIMITS,
            // ama-metrics scrapes every platform namespace from kube-system.
            ingressFromNamespaces: [KUBE_SYSTEM],
            // Platform components are controllers (they watch the API) and call public Azure and ACME endpoints.
            azureEgress: { kind: "internet" },
            apiServerAccess: true,
            ...spec,
        },
        ctx.k8sOpts,
    );
    return { name, guardrails };
}

/** Options of an object in a platform namespace: created once the namespace exists. */
export const optionsIn = (ctx: PlatformContext, namespace: PlatformNamespace): pulumi.CustomResourceOptions => ({
    ...ctx.k8sOpts,
    dependsOn: [namespace.guardrails.namespace],
});

/** Everything a release must find in place: the namespace, its quota defaults and its network flows. */
const guardrailResources = ({ guardrails }: PlatformNamespace): pulumi.Resource[] => [
    guardrails.namespace,
    guardrails.resourceQuota,
    guardrails.limitRange,
    ...guardrails.networkPolicies,
    ...guardrails.ciliumPolicies,
];

/** A NetworkPolicy admitting traffic to some pods of a platform namespace on some ports; no `from` admits any source. */
export function allowIngress(
    ctx: PlatformContext,
    namespace: PlatformNamespace,
    role: string,
    podLabels: Record<string, string>,
    ports: readonly number[],
    from?: k8s.types.input.networking.v1.NetworkPolicyPeer[],
): k8s.networking.v1.NetworkPolicy {
    return new k8s.networking.v1.NetworkPolicy(
        `${ctx.name}-${namespace.name}-netpol-${role}`,
        {
            metadata: { name: role, namespace: namespace.guardrails.namespace.metadata.name, labels: PLATFORM_LABELS },
            spec: {
                podSelector: { matchLabels: podLabels },
                policyTypes: ["Ingress"],
                ingress: [{ ...(from ? { from } : {}), ports: ports.map(port => ({ protocol: "TCP", port })) }],
            },
        },
        optionsIn(ctx, namespace),
    );
}

/** A pinned Helm chart installed into a guarded platform namespace, after everything it depends on. */
export function release(
    ctx: PlatformContext,
    role: string,
    chart: ChartRef,
    namespace: PlatformNamespace,
    values: pulumi.Input<Record<string, unknown>>,
    dependsOn: pulumi.Resource[] = [],
): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(
        `${ctx.name}-${role}`,
        {
            name: chart.releaseName,
            chart: chart.chart,
            version: chart.version,
            ...(chart.repo === undefined ? {} : { repositoryOpts: { repo: chart.repo } }),
            namespace: namespace.guardrails.namespace.metadata.name,
            values,
            cleanupOnFail: true,
        },
        { ...ctx.k8sOpts, dependsOn: [...guardrailResources(namespace), ...dependsOn] },
    );
}

/**
 * The managed identity a platform ServiceAccount signs in as (through the fleet's shared workload identity
 * helper), named after the cluster so that every cluster of the region's resource group gets its own.
 */
export function platformIdentity(
    ctx: PlatformContext,
    role: string,
    serviceAccount: { namespace: string; name: string },
    roles: Parameters<typeof federatedWorkloadIdentity>[1]["roles"],
): WorkloadIdentity {
    return federatedWorkloadIdentity(
        `${ctx.name}-${role}`,
        {
            identityName: `id-${ctx.args.clusterName}-${role}`,
            resourceGroupName: ctx.args.resourceGroupName,
            location: ctx.args.location,
            subscriptionId: ctx.args.subscriptionId,
            issuerUrl: ctx.args.oidcIssuerUrl,
            serviceAccounts: [serviceAccount],
            roles,
            tags: ctx.args.tags,
        },
        { parent: ctx.parent },
    );
}

/** Pods of a release must not start before their identity can exchange tokens and holds its roles. */
export const identityReady = (workload: WorkloadIdentity): pulumi.Resource[] => [
    ...workload.federatedCredentials,
    ...workload.roleAssignments,
];
