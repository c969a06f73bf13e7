import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { assignRole, RoleGrant } from "./azureRoles";

/** The audience AKS workload identity tokens are exchanged for. */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** The subject a Kubernetes service account's token carries. */
export const serviceAccountSubject = (namespace: string, serviceAccount: string): string =>
    `system:serviceaccount:${namespace}:${serviceAccount}`;

/**
 * KEDA's operator (the AKS add-on): a TriggerAuthentication with `azure-workload` makes it sign in as the identity
 * named there, so that identity federates this account. Only platform identities do; never a tenant's.
 */
export const KEDA_OPERATOR_ACCOUNT = { namespace: "kube-system", name: "keda-operator" } as const;

/** A Kubernetes service account that may act as a managed identity. */
export interface FederatedServiceAccount {
    readonly namespace: string;
    readonly name: string;
}

export interface ManagedIdentityArgs {
    /** The Azure name of the managed identity, unique in its resource group. Required. */
    readonly identityName: string;
    /** The resource group the identity is created in. Required. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** The Azure region of the identity. Required. */
    readonly location: pulumi.Input<string>;
    /** The subscription of the built-in role definitions granted. Required. */
    readonly subscriptionId: pulumi.Input<string>;
    /** Roles granted to the identity, each on the narrowest scope that works; `role` names the child resource. Required (may be empty). */
    readonly roles: readonly (RoleGrant & { readonly role: string })[];
    /** Tags of the identity. Required (may be empty). */
    readonly tags: Record<string, pulumi.Input<string>>;
    /** Options for the identity itself (e.g. `protect`). Default: none. */
    readonly identityOptions?: pulumi.CustomResourceOptions;
}

export interface ManagedIdentity {
    readonly identity: managedidentity.UserAssignedIdentity;
    readonly roleAssignments: readonly authorization.RoleAssignment[];
}

/** A user-assigned managed identity with its role assignments. */
export function managedIdentityWithRoles(name: string, args: ManagedIdentityArgs, opts: pulumi.CustomResourceOptions): ManagedIdentity {
    const identity = new managedidentity.UserAssignedIdentity(
        `${name}-identity`,
        {
            resourceName: args.identityName,
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            tags: args.tags,
        },
        { ...opts, ...args.identityOptions },
    );
    const roleAssignments = args.roles.map(grant =>
        assignRole(`${name}-role-${grant.role}`, identity.principalId, args.subscriptionId, grant, opts),
    );
    return { identity, roleAssignments };
}

export interface FederationArgs {
    /** The Azure name of the managed identity the service accounts act as. Required. */
    readonly identityName: pulumi.Input<string>;
    /** The identity's resource group. Required. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** The OIDC issuer URL of the cluster whose service account tokens the identity trusts. Required. */
    readonly issuerUrl: pulumi.Input<string>;
    /** The service accounts that may act as the identity, one federated credential each. Required. */
    readonly serviceAccounts: readonly FederatedServiceAccount[];
    /**
     * Prefixes each credential's Azure name (`<prefix>-<namespace>-<account>`). An identity that outlives the
     * cluster (a tenant's, when the tenant moves) trusts the new cluster before the old cluster's credentials are
     * deleted, so the two sets need distinct names. Default: none (`<namespace>-<account>`).
     */
    readonly credentialNamePrefix?: string;
}

/**
 * One federated credential per service account (issuer = the cluster, subject = the account), so that the
 * account acts as the identity without any secret.
 */
export function federateServiceAccounts(
    name: string,
    args: FederationArgs,
    opts: pulumi.CustomResourceOptions,
): managedidentity.FederatedIdentityCredential[] {
    const prefix = args.credentialNamePrefix === undefined ? "" : `${args.credentialNamePrefix}-`;
    // Azure rejects concurrent federated credential writes on one identity, so they are chained.
    const credentials: managedidentity.FederatedIdentityCredential[] = [];
    for (const account of args.serviceAccounts) {
        credentials.push(
            new managedidentity.FederatedIdentityCredential(
                `${name}-fic-${account.namespace}-${account.name}`,
                {
                    resourceName: args.identityName,
                    resourceGroupName: args.resourceGroupName,
                    federatedIdentityCredentialResourceName: `${prefix}${account.namespace}-${account.name}`,
                    issuer: args.issuerUrl,
                    subject: serviceAccountSubject(account.namespace, account.name),
                    audiences: [TOKEN_EXCHANGE_AUDIENCE],
                },
                { ...opts, dependsOn: credentials.slice(-1) },
            ),
        );
    }
    return credentials;
}

export interface WorkloadIdentityArgs extends ManagedIdentityArgs {
    /** The OIDC issuer URL of the cluster whose service account tokens the identity trusts. Required. */
    readonly issuerUrl: pulumi.Input<string>;
    /** The service accounts that may act as the identity, one federated credential each. Required. */
    readonly serviceAccounts: readonly FederatedServiceAccount[];
}

export interface WorkloadIdentity extends ManagedIdentity {
    readonly federatedCredentials: readonly managedidentity.FederatedIdentityCredential[];
}

/**
 * A managed identity that lives and dies with one cluster (a platform service's): the identity, its roles and
 * its federated credentials together. No secret exists anywhere.
 */
export function federatedWorkloadIdentity(name: string, args: WorkloadIdentityArgs, opts: pulumi.CustomResourceOptions): WorkloadIdentity {
    const managed = managedIdentityWithRoles(name, args, opts);
    const federatedCredentials = federateServiceAccounts(
        name,
        {
            identityName: managed.identity.name,
            resourceGroupName: args.resourceGroupName,
            issuerUrl: args.issuerUrl,
            serviceAccounts: args.serviceAccounts,
        },
        opts,
    );
    return { ...managed, federatedCredentials };
}
