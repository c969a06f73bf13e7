import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { assignRole, RoleGrant } from "./azureRoles";

/** The audience AKS workload identity tokens are exchanged for. */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** The subject a Kubernetes service account's token carries. */
export const serviceAccountSubject = (namespace: string, serviceAccount: string): string =>
    `system:serviceaccount:${namespace}:${serviceAccount}`;

export interface WorkloadIdentityArgs {
    /** The Azure name of the managed identity, unique in its resource group. Required. */
    readonly identityName: string;
    /** The resource group the identity is created in. Required. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** The Azure region of the identity. Required. */
    readonly location: pulumi.Input<string>;
    /** The subscription of the built-in role definitions granted. Required. */
    readonly subscriptionId: pulumi.Input<string>;
    /** The OIDC issuer URL of the cluster whose service account tokens the identity trusts. Required. */
    readonly issuerUrl: pulumi.Input<string>;
    /** The service accounts (`namespace/name`) that may act as the identity, one federated credential each. Required. */
    readonly serviceAccounts: readonly { readonly namespace: string; readonly name: string }[];
    /** Roles granted to the identity, each on the narrowest scope that works; `role` names the child resource. Required (may be empty). */
    readonly roles: readonly (RoleGrant & { readonly role: string })[];
    /** Tags of the identity. Required (may be empty). */
    readonly tags: Record<string, pulumi.Input<string>>;
    /** Options for the identity itself (e.g. `protect`). Default: none. */
    readonly identityOptions?: pulumi.CustomResourceOptions;
}

export interface WorkloadIdentity {
    readonly identity: managedidentity.UserAssignedIdentity;
    readonly federatedCredentials: readonly managedidentity.FederatedIdentityCredential[];
    readonly roleAssignments: readonly authorization.RoleAssignment[];
}

/**
 * A user-assigned managed identity that Kubernetes service accounts act as through workload identity:
 * one federated credential per service account (issuer = the cluster, subject = the account) and the
 * identity's role assignments. No secret exists anywhere.
 */
export function federatedWorkloadIdentity(name: string, args: WorkloadIdentityArgs, opts: pulumi.CustomResourceOptions): WorkloadIdentity {
    const identity = new managedidentity.UserAssignedIdentity(`${name}-identity`, {
        resourceName: args.identityName,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        tags: args.tags,
    }, { ...opts, ...args.identityOptions });
    // Azure rejects concurrent federated credential writes on one identity, so they are chained.
    const federatedCredentials: managedidentity.FederatedIdentityCredential[] = [];
    for (const account of args.serviceAccounts) {
        federatedCredentials.push(new managedidentity.FederatedIdentityCredential(`${name}-fic-${account.namespace}-${account.name}`, {
            resourceName: identity.name,
            resourceGroupName: args.resourceGroupName,
            federatedIdentityCredentialResourceName: `${account.namespace}-${account.name}`,
            issuer: args.issuerUrl,
            subject: serviceAccountSubject(account.namespace, account.name),
            audiences: [TOKEN_EXCHANGE_AUDIENCE],
        }, { ...opts, dependsOn: federatedCredentials.slice(-1) }));
    }
    const roleAssignments = args.roles.map(grant =>
        assignRole(`${name}-role-${grant.role}`, identity.principalId, args.subscriptionId, grant, opts));
    return { identity, federatedCredentials, roleAssignments };
}
