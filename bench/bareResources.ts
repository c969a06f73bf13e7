import * as k8s from "@pulumi/kubernetes";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";

/**
 * Bare resources of the types a tenant brings most of, each with the fewest inputs its type takes: the SDK's
 * floor for that type, to compare the fleet with the floor of its own resource mix rather than ConfigMaps alone.
 */
export const BARE_RESOURCES: Readonly<Record<string, (name: string, provider: k8s.Provider) => void>> = {
    "kubernetes:core/v1:ConfigMap": (name, provider) => {
        new k8s.core.v1.ConfigMap(name, { metadata: { name, namespace: "default" }, data: { index: name } }, { provider });
    },
    "kubernetes:networking.k8s.io/v1:NetworkPolicy": (name, provider) => {
        new k8s.networking.v1.NetworkPolicy(
            name,
            {
                metadata: { name, namespace: "default" },
                spec: { podSelector: {}, policyTypes: ["Ingress"] },
            },
            { provider },
        );
    },
    "azure-native:authorization:RoleAssignment": name => {
        new authorization.RoleAssignment(name, {
            scope: `/subscriptions/bench/resourceGroups/${name}`,
            principalId: "bench",
            principalType: "ServicePrincipal",
            roleDefinitionId: "/providers/Microsoft.Authorization/roleDefinitions/bench",
        });
    },
    "azure-native:managedidentity:FederatedIdentityCredential": name => {
        new managedidentity.FederatedIdentityCredential(name, {
            resourceName: "bench",
            resourceGroupName: "bench",
            issuer: "https://bench",
            subject: name,
            audiences: ["bench"],
        });
    },
    "kubernetes:keda.sh/v1alpha1:ScaledObject": (name, provider) => {
        new k8s.apiextensions.CustomResource(
            name,
            {
                apiVersion: "keda.sh/v1alpha1",
                kind: "ScaledObject",
                metadata: { name, namespace: "default" },
                spec: { scaleTargetRef: { name }, triggers: [] },
            },
            { provider },
        );
    },
};

export const BARE_CONFIGMAP = "kubernetes:core/v1:ConfigMap";
