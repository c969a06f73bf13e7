import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CLUSTER_LABEL, PLATFORM_LABEL } from "../lib/labels";
import { KUBE_SYSTEM, NamespaceGuardrails, NamespaceGuardrailsArgs, createNamespaceGuardrails } from "./namespaceGuardrails";
import { ChartRef } from "./platformCharts";
import { WorkloadIdentity, federatedWorkloadIdentity } from "./workloadIdentity";
import type { ClusterPlatformArgs } from "./clusterPlatform";

/** The helpers every installer of the cluster platform builds with. */

/** Container defaults in platform namespaces; every chart also sets its own requests and limits. */
const PLATFORM_LIMITS: NamespaceGuardrailsArgs["limits"] = {
    defaultCpu: "500m", defaultMemory: "512Mi", defaultRequestCpu: "50m", defaultRequestMemory: "64Mi",
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
export function platformNamespace(ctx: PlatformContext, name: string,
    spec: Pick<NamespaceGuardrailsArgs, "podSecurity" | "quota" | "extraEgress">): PlatformNamespace {
    const guardrails = createNamespaceGuardrails(`${ctx.name}-${name}`, {
        namespace: name,
        labels: { ...PLATFORM_LABELS, [CLUSTER_LABEL]: ctx.args.clusterName },
        limits: PLATFORM_LIMITS,
        // ama-metrics scrapes every platform namespace from kube-system.
        ingressFromNamespaces: [KUBE_SYSTEM],
        ...spec,
    }, ctx.k8sOpts);
    return { name, guardrails };
}

/** Options of an object in a platform namespace: created once the namespace exists. */
export const inNamespace = (ctx: PlatformContext, namespace: PlatformNamespace): pulumi.CustomResourceOptions =>
    ({ ...ctx.k8sOpts, dependsOn: [namespace.guardrails.namespace] });

/** Everything a release must find in place: the namespace, its quota defaults and its network flows. */
const guardrailResources = ({ guardrails }: PlatformNamespace): pulumi.Resource[] =>
    [guardrails.namespace, guardrails.resourceQuota, guardrails.limitRange, ...guardrails.networkPolicies];

/** A NetworkPolicy admitting traffic to some pods of a platform namespace on some ports; no `from` admits any source. */
export function allowIngress(ctx: PlatformContext, namespace: PlatformNamespace, role: string, podLabels: Record<string, string>,
    ports: readonly number[], from?: k8s.types.input.networking.v1.NetworkPolicyPeer[]): k8s.networking.v1.NetworkPolicy {
    return new k8s.networking.v1.NetworkPolicy(`${ctx.name}-${namespace.name}-netpol-${role}`, {
        metadata: { name: role, namespace: namespace.guardrails.namespace.metadata.name, labels: PLATFORM_LABELS },
        spec: {
            podSelector: { matchLabels: podLabels },
            policyTypes: ["Ingress"],
            ingress: [{ ...(from ? { from } : {}), ports: ports.map(port => ({ protocol: "TCP", port })) }],
        },
    }, inNamespace(ctx, namespace));
}

/** A pinned Helm chart installed into a guarded platform namespace, after everything it depends on. */
export function release(ctx: PlatformContext, role: string, chart: ChartRef, namespace: PlatformNamespace,
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
export function platformIdentity(ctx: PlatformContext, role: string, serviceAccount: { namespace: string; name: string },
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
export const identityReady = (workload: WorkloadIdentity): pulumi.Resource[] => [...workload.federatedCredentials, ...workload.roleAssignments];
