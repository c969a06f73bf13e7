import * as k8s from "@pulumi/kubernetes";
import { TENANT_LABEL } from "../../lib/labels";
import { PlatformContext } from "./platformContext";

/** The policy's name; its binding is named after it. */
export const TENANT_SERVICE_POLICY = "iot-fleet-tenant-services";

/**
 * Each rule the API server holds a tenant's Services to, as a CEL validation: what RBAC cannot say (tenants may
 * write Services, but not every kind of Service). An ExternalName Service or one with externalIPs stands for any
 * address (another tenant's pods, kube-system) behind the tenant's own name and routes (CVE-2020-8554,
 * CVE-2021-25740); LoadBalancer and NodePort Services are capped at 0 by the tenant's ResourceQuota.
 */
export const TENANT_SERVICE_VALIDATIONS = [
    {
        expression: "object.spec.type != 'ExternalName'",
        message: "Services of type ExternalName are refused in tenant namespaces: expose your own pods through a ClusterIP Service.",
        reason: "Forbidden",
    },
    {
        expression: "!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0",
        message: "Services with externalIPs are refused in tenant namespaces: tenants are reached through the edge only.",
        reason: "Forbidden",
    },
] as const;

/**
 * The in-cluster half of the tenant Service rules: tenants apply their manifests through Flux, which the policy
 * pack never sees, so the API server refuses them itself with a ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1,
 * GA since Kubernetes 1.30; the fleet runs 1.33) bound to every namespace that carries the tenant label.
 * The pack's service-exposure holds what Pulumi registers to the same rules.
 */
export function createTenantAdmission(ctx: PlatformContext): k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding {
    const tenantNamespaces = { matchExpressions: [{ key: TENANT_LABEL, operator: "Exists" }] };
    const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
        `${ctx.name}-tenant-services`,
        {
            metadata: { name: TENANT_SERVICE_POLICY },
            spec: {
                failurePolicy: "Fail",
                matchConstraints: {
                    resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["services"] }],
                },
                validations: [...TENANT_SERVICE_VALIDATIONS],
            },
        },
        ctx.k8sOpts,
    );
    return new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
        `${ctx.name}-tenant-services-binding`,
        {
            metadata: { name: TENANT_SERVICE_POLICY },
            spec: {
                policyName: policy.metadata.name,
                validationActions: ["Deny"],
                matchResources: { namespaceSelector: tenantNamespaces },
            },
        },
        ctx.k8sOpts,
    );
}
