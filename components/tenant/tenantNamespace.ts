import * as pulumi from "@pulumi/pulumi";
import { tenantEndpointSubnets } from "../../lib/tenantShards";
import * as k8s from "@pulumi/kubernetes";
import { TenantSpec } from "../../lib/config";
import { DECOMMISSION_LABEL, DEVICE_QUOTA_ANNOTATION, TENANT_LABEL, WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION } from "../../lib/labels";
import { AZURE_ROLES, assignRole } from "../common/azureRoles";
import { createNamespaceGuardrails } from "../common/namespaceGuardrails";
import { RegionServices } from "../common/regionServices";
import { TenantRegionResources } from "./tenantRegionResources";
import { federateServiceAccounts } from "../common/workloadIdentity";
import { createTenantScaling } from "./tenantScaling";
import { createTelemetryConfig } from "./telemetryConfig";
import { createTenantGitOps } from "./tenantGitOps";
import { FluxTarget } from "../platform/flux";
import { COMPONENT_TYPES } from "../../lib/componentTypes";
import { IngestSenderScope } from "../../lib/dataPath";

/** The service account the tenant's telemetry workloads run as. */
export const TENANT_SERVICE_ACCOUNT = "telemetry";

export interface TenantNamespaceArgs {
    /** The tenant as the stack file declares it, with its settings resolved. Required. */
    readonly tenant: TenantSpec;
    /** The region's services (data plane, resource group, subscription). Required. */
    readonly services: RegionServices;
    /** What the tenant owns in the region (queue, identity, vault, admin group), which outlives a move between clusters. Required. */
    readonly regionResources: TenantRegionResources;
    /** The cluster the tenant runs on. Required. */
    readonly cluster: NamespaceHost;
    /** The last ARM write to the cluster before the tenant's Flux configuration (AKS takes one at a time). Required. */
    readonly afterClusterWrite: pulumi.Resource;
}

/** What a tenant's namespace needs of the cluster it runs on (a `SharedCluster` or `DedicatedTenantCluster`). */
export interface NamespaceHost {
    /** Logical cluster name (`shared-1`, `dedicated-acme`). */
    readonly clusterName: string;
    /** The cluster's one Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** The cluster's OIDC issuer, trusted by the tenant identity's federated credentials. */
    readonly oidcIssuerUrl: pulumi.Input<string>;
    /** Where the tenant's workloads send OTLP. */
    readonly otlpEndpoint: pulumi.Input<string>;
    /** The cluster's ingest identity: it delivers the tenant's messages to its queue. */
    readonly ingestPrincipalId: pulumi.Input<string>;
    /** Where that identity may send: the whole Service Bus namespace (a shared cluster's), or each tenant's queue (a dedicated cluster's, granted here). */
    readonly ingestSenderScope: IngestSenderScope;
    /** The cluster's KEDA scaler identity (queue metrics only), which the tenant's TriggerAuthentication names. */
    readonly kedaScalerClientId: pulumi.Input<string>;
    /** The cluster as the tenant's Flux configuration addresses it. */
    readonly fluxTarget: FluxTarget;
    /** The subnet the cluster's edge proxies from: the only source admitted into the namespace from outside, on the tenant's edge ports. */
    readonly edgeSourceCidr: string;
}

/**
 * The cluster half of a tenant's landing zone: everything that exists because the tenant runs there. An isolated
 * namespace, its ServiceAccount federated to the tenant's identity through this cluster's issuer (KEDA's operator
 * never is: it scales the processor through the cluster's scaler identity), a dedicated cluster's ingest's right to
 * send to the tenant's queue, the admin group's Role, the config its services read, and a
 * namespace-scoped Flux configuration applying the tenant's own directory of the fleet repository into its namespace
 * only. Moving the tenant to another cluster rebuilds this component there; what the
 * tenant owns in the region stays in its `TenantRegionResources`. The namespace is protected until the tenant is
 * marked `decommission: true`.
 */
export class TenantNamespace extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    /** The tenant's Flux configuration, its ARM write to the cluster: the next tenant's waits for it. Not an output. */
    public readonly lastClusterWrite: pulumi.Resource;

    constructor(name: string, args: TenantNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        const { tenant, services, regionResources: own, cluster } = args;
        // The component's own inputs tell policies whose resources lie below it and in what lifecycle state.
        super(
            COMPONENT_TYPES.tenantNamespace,
            name,
            {
                tenant: tenant.name,
                cluster: cluster.clusterName,
                deviceQuota: tenant.deviceQuota,
                decommission: tenant.decommission,
            },
            opts,
        );
        const labels = { [TENANT_LABEL]: tenant.name };
        const azure = { parent: this };
        const kube = { parent: this, provider: cluster.provider };
        const guardrails = createNamespaceGuardrails(
            name,
            {
                namespace: tenant.name,
                labels,
                podSecurity: tenant.settings.podSecurity,
                quota: { ...tenant.settings.quota, noExternalServices: true },
                limits: tenant.settings.limits,
                // The region's services through their private endpoints, and Entra ID's sign-in; nothing else outside.
                azureEgress: {
                    kind: "private-endpoints",
                    subnets: tenantEndpointSubnets(services.shards, tenant.name).map(subnet => services.privateEndpointSubnets[subnet]),
                },
                edge: { sourceCidr: cluster.edgeSourceCidr, ports: tenant.settings.edge.ports },
                namespaceLabels: tenant.decommission ? { [DECOMMISSION_LABEL]: "true" } : {},
                namespaceAnnotations: { [DEVICE_QUOTA_ANNOTATION]: String(tenant.deviceQuota) },
                namespaceOptions: { protect: !tenant.decommission },
            },
            kube,
        );
        const namespace = guardrails.namespace.metadata.name;

        // Named after the cluster: on a move, the new cluster's credentials exist before the old one's are deleted.
        federateServiceAccounts(
            name,
            {
                identityName: own.identityName,
                resourceGroupName: services.resourceGroupName,
                issuerUrl: cluster.oidcIssuerUrl,
                serviceAccounts: [{ namespace: tenant.name, name: TENANT_SERVICE_ACCOUNT }],
                credentialNamePrefix: cluster.clusterName,
            },
            azure,
        );
        new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            {
                metadata: {
                    name: TENANT_SERVICE_ACCOUNT,
                    namespace,
                    labels,
                    annotations: { [WORKLOAD_IDENTITY_CLIENT_ID_ANNOTATION]: own.identityClientId },
                },
            },
            kube,
        );
        // Kubernetes RBAC authorizes the admins (this RoleBinding to their group). They need no Azure role on the
        // cluster: *Azure Kubernetes Service Cluster User Role* only lets `az aks get-credentials` list a kubeconfig,
        // which holds no secret with Entra ID integration; the stack outputs give it to them (`tenants.<t>.kubeconfig`).
        bindNamespaceAdmins(name, namespace, labels, own.adminGroupObjectId, kube);

        // A dedicated cluster's ingest delivers to this one queue (a shared cluster's sends at the Service Bus
        // namespace, granted once by its IngestTier: `ingestSenderScope`). On a move the grant follows the cluster.
        if (cluster.ingestSenderScope === "tenant-queue") {
            assignRole(
                `${name}-ingest-sender`,
                cluster.ingestPrincipalId,
                services.subscriptionId,
                { scope: own.queueId, roleGuid: AZURE_ROLES.serviceBusDataSender },
                azure,
            );
        }
        createTenantScaling(
            name,
            {
                namespace,
                labels,
                settings: tenant.settings,
                scalerClientId: cluster.kedaScalerClientId,
                queueName: own.queueName,
                serviceBusNamespace: services.dataPlane.serviceBusNamespaceName,
                azureTenantId: services.azureTenantId,
                subscriptionId: services.subscriptionId,
                resourceGroupName: services.resourceGroupName,
            },
            kube,
        );
        createTelemetryConfig(
            name,
            {
                tenant: tenant.name,
                dataPlane: services.dataPlane,
                regionResources: own,
                otlpEndpoint: cluster.otlpEndpoint,
            },
            namespace,
            labels,
            kube,
        );

        this.lastClusterWrite = createTenantGitOps(
            name,
            {
                tenant: tenant.name,
                namespace: guardrails.namespace,
                cluster: cluster.fluxTarget,
                services,
                afterClusterWrite: args.afterClusterWrite,
            },
            this,
        );

        this.namespace = namespace;
        this.registerOutputs({
            namespace: this.namespace,
            // Stack policies see a component's outputs, not its inputs: they tell whose resources lie below it.
            tenant: tenant.name,
            cluster: cluster.clusterName,
            deviceQuota: tenant.deviceQuota,
            decommission: tenant.decommission,
        });
    }
}

/** Tenant admins manage their workloads but only read the guardrails (quota, limits, network policy, scaling). */
function bindNamespaceAdmins(
    name: string,
    namespace: pulumi.Output<string>,
    labels: Record<string, string>,
    groupObjectId: pulumi.Output<string>,
    opts: pulumi.CustomResourceOptions,
): void {
    const readOnly = ["get", "list", "watch"];
    const role = new k8s.rbac.v1.Role(
        `${name}-admin-role`,
        {
            metadata: { name: "tenant-admin", namespace, labels },
            rules: [
                {
                    apiGroups: [""],
                    resources: [
                        "pods",
                        "pods/log",
                        "pods/exec",
                        "pods/portforward",
                        // Services stay writable (admission refuses ExternalName and externalIPs); endpoints and
                        // endpointslices do not: written by hand, they point a Service at any pod of any namespace.
                        "services",
                        "configmaps",
                        "secrets",
                        "persistentvolumeclaims",
                        "serviceaccounts",
                        "events",
                    ],
                    verbs: ["*"],
                },
                { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "replicasets"], verbs: ["*"] },
                { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: ["*"] },
                // Tenants expose services through routes on their own edge listener (lib/edge.ts), never through Ingresses.
                { apiGroups: ["gateway.networking.k8s.io"], resources: ["httproutes", "grpcroutes"], verbs: ["*"] },
                { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["*"] },
                { apiGroups: [""], resources: ["resourcequotas", "limitranges"], verbs: readOnly },
                { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: readOnly },
                { apiGroups: ["keda.sh"], resources: ["scaledobjects", "scaledjobs", "triggerauthentications"], verbs: readOnly },
            ],
        },
        opts,
    );
    new k8s.rbac.v1.RoleBinding(
        `${name}-admin-binding`,
        {
            metadata: { name: "tenant-admins", namespace, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: groupObjectId }],
        },
        opts,
    );
}
