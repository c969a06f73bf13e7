import * as pulumi from "@pulumi/pulumi";
import * as keyvault from "@pulumi/azure-native/keyvault";
import { AZURE_ROLES, assignDeployerRole } from "../common/azureRoles";

/** The region's Key Vault, and the Application Insights connection string the clusters' collectors read from it. */

export const APP_INSIGHTS_SECRET_NAME = "appinsights-connection-string";

export interface RegionVaultArgs {
    /** The vault's globally unique name. Required. */
    readonly vaultName: pulumi.Input<string>;
    /** The region's resource group. Required. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** The region's Azure location. Required. */
    readonly location: string;
    /** Environment and region tags. Required. */
    readonly tags: Record<string, string>;
    /** Who runs the deployment, in which Entra ID tenant and subscription. Required. */
    readonly client: {
        readonly objectId: pulumi.Input<string>;
        readonly tenantId: pulumi.Input<string>;
        readonly subscriptionId: pulumi.Input<string>;
    };
    /** The value of the App Insights secret. Required. */
    readonly appInsightsConnectionString: pulumi.Input<string>;
}

/** An RBAC vault with purge protection, and the App Insights secret in it; children of `parent`, named `<name>-kv...`. */
export function createRegionVault(
    name: string,
    args: RegionVaultArgs,
    parent: pulumi.Resource,
): { vault: keyvault.Vault; appInsightsSecret: keyvault.Secret } {
    const vault = new keyvault.Vault(
        `${name}-kv`,
        {
            vaultName: args.vaultName,
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            properties: {
                tenantId: args.client.tenantId,
                sku: { family: "A", name: keyvault.SkuName.Standard },
                enableRbacAuthorization: true,
                enableSoftDelete: true,
                softDeleteRetentionInDays: 90,
                enablePurgeProtection: true,
            },
            tags: args.tags,
        },
        { parent },
    );
    // azure-native creates a secret through ARM but deletes it through the vault's data plane, which on an RBAC
    // vault needs a data-plane role: without it, replacing the secret or destroying the stack fails with 403.
    // The secret depends on the grant, so that a destroy deletes the secret before the grant.
    const deployerSecretsOfficer = assignDeployerRole(
        `${name}-kv-deployer-secrets-officer`,
        args.client.objectId,
        args.client.subscriptionId,
        { scope: vault.id, roleGuid: AZURE_ROLES.keyVaultSecretsOfficer },
        { parent },
    );
    const appInsightsSecret = new keyvault.Secret(
        `${name}-appinsights-secret`,
        {
            vaultName: vault.name,
            resourceGroupName: args.resourceGroupName,
            secretName: APP_INSIGHTS_SECRET_NAME,
            properties: { value: args.appInsightsConnectionString },
            tags: args.tags,
        },
        { parent, dependsOn: [deployerSecretsOfficer] },
    );
    return { vault, appInsightsSecret };
}
