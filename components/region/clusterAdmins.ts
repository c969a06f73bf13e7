import * as pulumi from "@pulumi/pulumi";
import * as azuread from "@pulumi/azuread";
import { FleetConfig } from "../../lib/config";

/**
 * The region's cluster admins: an Entra ID group with cluster-admin on every AKS cluster of the region (through Entra
 * ID and Azure RBAC), with the deployer in it. The resources keep the names and parent they had inside `Region`.
 */
export function createClusterAdmins(name: string, config: FleetConfig, deployerObjectId: pulumi.Output<string>, parent: pulumi.Resource) {
    const admins = new azuread.Group(
        `${name}-cluster-admins`,
        {
            displayName: `iot-fleet ${config.environment} ${config.region.shortName} cluster admins`,
            description: "Cluster-admin on every AKS cluster of the region, through Entra ID and Azure RBAC.",
            securityEnabled: true,
            preventDuplicateNames: true,
            owners: [deployerObjectId],
        },
        { parent },
    );
    // Group membership is in the deployer's next token at once; the RoleAssignment each cluster also makes
    // can take minutes to reach AKS, and the first `pulumi up` would meet 403s from the Kubernetes API meanwhile.
    const deployerAdmin = new azuread.GroupMember(
        `${name}-cluster-admins-deployer`,
        { groupObjectId: admins.objectId, memberObjectId: deployerObjectId },
        { parent },
    );
    return { admins, deployerAdmin };
}
