import * as pulumi from "@pulumi/pulumi";
import * as authorization from "@pulumi/azure-native/authorization";
import { roleAssignmentGuid } from "../../lib/naming";

/** Built-in Azure role definitions the fleet grants, by what they let a principal do. */
export const AZURE_ROLES = {
    aksRbacClusterAdmin: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    /** Receives, completes and dead-letters a queue's messages; no management operation. */
    serviceBusDataReceiver: "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",
    serviceBusDataSender: "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
    eventHubsDataReceiver: "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
    eventHubsDataSender: "2b629674-e913-4c01-ae53-ef4638d8f975",
    keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
    /** Reads and writes a vault's secrets, without the right to grant access to them. */
    keyVaultSecretsOfficer: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    storageBlobDataContributor: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    storageBlobDataReader: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    dnsZoneContributor: "befefa01-2a29-4197-83a8-272ff33ce314",
    monitoringReader: "43d0d8ad-25c7-4714-9337-8ba259a9fe05",
    grafanaAdmin: "22926164-76b3-42b3-bc55-97df8dab3e41",
    /** Lets an AKS cluster's identity join load balancers and NICs to a subnet of a VNet it does not own. */
    networkContributor: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    /** What the ALB controller needs on its Application Gateway for Containers (data actions Owner and Contributor lack). */
    appGwForContainersConfigurationManager: "fbc52c3f-28ad-4303-a892-8a056630b8f1",
} as const;

/** Role definition ids by the subscription id Output they are formed from, then by role GUID. */
const roleDefinitionIds = new WeakMap<object, Map<string, pulumi.Output<string>>>();

/**
 * The full role definition id Azure expects, from a built-in role's GUID. A region grants the same few roles
 * thousands of times (six per tenant), so the grants from one subscription id Output share one id Output per role.
 */
export function roleDefinitionId(subscriptionId: pulumi.Input<string>, roleGuid: string): pulumi.Output<string> {
    const format = () => pulumi.interpolate`/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
    if (!pulumi.Output.isInstance(subscriptionId)) {
        return format();
    }
    const byRole = roleDefinitionIds.get(subscriptionId) ?? roleDefinitionIds.set(subscriptionId, new Map()).get(subscriptionId)!;
    const id = byRole.get(roleGuid) ?? format();
    byRole.set(roleGuid, id);
    return id;
}

export interface RoleGrant {
    /** The resource id the role is scoped to; the narrowest that works. */
    readonly scope: pulumi.Input<string>;
    /** A value of AZURE_ROLES. */
    readonly roleGuid: string;
}

/** Grants a managed identity (a service principal) one role on one scope. */
export function assignRole(
    name: string,
    principalId: pulumi.Input<string>,
    subscriptionId: pulumi.Input<string>,
    grant: RoleGrant,
    opts: pulumi.CustomResourceOptions,
): authorization.RoleAssignment {
    return assignPrincipalRole(name, { id: principalId, type: "ServicePrincipal" }, subscriptionId, grant, opts);
}

/** Grants the members of an Entra ID security group one role on one scope. */
export function assignGroupRole(
    name: string,
    groupObjectId: pulumi.Input<string>,
    subscriptionId: pulumi.Input<string>,
    grant: RoleGrant,
    opts: pulumi.CustomResourceOptions,
): authorization.RoleAssignment {
    return assignPrincipalRole(name, { id: groupObjectId, type: "Group" }, subscriptionId, grant, opts);
}

/**
 * Grants the principal running Pulumi one role on one scope. It may be a user (`az login`) or a service principal
 * (CI), so the program names no `principalType`; azure-native's SDK then sends its default, `User`.
 */
export function assignDeployerRole(
    name: string,
    deployerObjectId: pulumi.Input<string>,
    subscriptionId: pulumi.Input<string>,
    grant: RoleGrant,
    opts: pulumi.CustomResourceOptions,
): authorization.RoleAssignment {
    return assignPrincipalRole(name, { id: deployerObjectId }, subscriptionId, grant, opts);
}

/** The principal a role goes to; Azure checks `principalType` against it, so a grant names its kind whenever it is known. */
export interface RolePrincipal {
    readonly id: pulumi.Input<string>;
    readonly type?: "ServicePrincipal" | "Group" | "User";
}

/**
 * Grants one principal one role on one scope, under the name `roleAssignmentGuid` derives from the three. Azure
 * refuses a second assignment of the same three under another name, and a replacement keeps the name whenever the
 * three stay the same, so the old assignment is deleted before its replacement is created.
 */
export function assignPrincipalRole(
    name: string,
    principal: RolePrincipal,
    subscriptionId: pulumi.Input<string>,
    grant: RoleGrant,
    opts: pulumi.CustomResourceOptions,
): authorization.RoleAssignment {
    const roleDefinition = roleDefinitionId(subscriptionId, grant.roleGuid);
    return new authorization.RoleAssignment(
        name,
        {
            roleAssignmentName: pulumi
                .all([grant.scope, principal.id, roleDefinition])
                .apply(([scope, principalId, role]) => roleAssignmentGuid(scope, principalId, role)),
            scope: grant.scope,
            principalId: principal.id,
            ...(principal.type === undefined ? {} : { principalType: principal.type }),
            roleDefinitionId: roleDefinition,
        },
        { deleteBeforeReplace: true, ...opts },
    );
}

/** Azure always returns the principal once SystemAssigned is requested; the cast only drops the `undefined` of the generic response type. */
export function systemPrincipalId(resource: {
    readonly identity: pulumi.Output<{ principalId: string } | undefined>;
}): pulumi.Output<string> {
    return resource.identity.apply(identity => identity?.principalId as string);
}
