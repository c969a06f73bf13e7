import * as pulumi from "@pulumi/pulumi";
import * as eventhub from "@pulumi/azure-native/eventhub";
import * as network from "@pulumi/azure-native/network";
import * as privatedns from "@pulumi/azure-native/privatedns";
import * as servicebus from "@pulumi/azure-native/servicebus";
import { COMPONENT_TYPES } from "../../lib/componentTypes";
import { DataPlaneSizing } from "../../lib/dataPlane";
import {
    PRIVATE_LINK_TARGETS,
    PrivateLinkService,
    privateDnsZoneNames,
    privateLinkProblem,
    REGION_PRIVATE_LINK_SERVICES,
} from "../../lib/privateLink";
import { DataPlaneEndpoints } from "../common/regionServices";

export interface RegionPrivateLinkArgs {
    /** The region's resource group, which holds the zones and endpoints. Required. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** The region's Azure location: the endpoints' location and the ADX zone's region name. Required. */
    readonly location: string;
    /** Environment and region tags. Required. */
    readonly tags: Record<string, string>;
    /** Prefix of the endpoints' Azure names (`pe-<prefix>-<service>`). Required. */
    readonly namePrefix: string;
    /** The region's VNet, which every private DNS zone is linked to (the clusters' nodes resolve through Azure DNS). Required. */
    readonly virtualNetworkId: pulumi.Input<string>;
    /**
     * The private-endpoint subnets by index (`privateEndpointSubnets`): the region services' endpoints take their
     * addresses in the first, device-state account `k`'s in subnet `k`, each tenant vault's in its own (`shardTenants`). Required.
     */
    readonly subnetIds: readonly pulumi.Input<string>[];
    /** The subscription of the region's resources (the ADX cluster's id is built from its name). Required. */
    readonly subscriptionId: pulumi.Input<string>;
    /** The region's Key Vault. Required. */
    readonly regionVaultId: pulumi.Input<string>;
    /** The region's data plane: Service Bus, Event Hubs, the checkpoint account, every Cosmos DB account and ADX get an endpoint each. Required. */
    readonly dataPlane: DataPlaneEndpoints;
    /** The Service Bus tier, which must offer private endpoints (Premium). Required. */
    readonly serviceBusSku: DataPlaneSizing["serviceBusSku"];
}

/**
 * The region's private endpoints: one per service tenant workloads use (`PRIVATE_LINK_TARGETS`) and per further
 * device-state account, plus one per tenant vault (`addTenantVault`), in the private-endpoint subnets; each registers its A records in the private DNS zones
 * through a zone group, and every zone is linked to the region's VNet, so that the services' usual names resolve to
 * the endpoints inside it. Tenant pods may send to that subnet only (the namespace guardrails).
 *
 * Public access: Service Bus is closed (`publicNetworkAccess: Disabled`): only tenants' processors, through the
 * endpoint, use it. Event Hubs denies every public address but lets trusted Microsoft services through, because IoT
 * Hub routes into it with its managed identity and ADX's data connection reads it with the cluster's identity, both
 * from outside the VNet (learn.microsoft.com/azure/iot-hub/virtual-network-support, "Egress connectivity from IoT Hub
 * to other Azure resources"; learn.microsoft.com/azure/event-hubs/network-security, "Trusted Microsoft services").
 * The vaults, the checkpoint account, Cosmos DB and ADX keep public access: see the README's egress section.
 */
export class RegionPrivateLink extends pulumi.ComponentResource {
    private readonly args: RegionPrivateLinkArgs;
    private readonly componentName: string;
    private readonly zoneIds: ReadonlyMap<string, pulumi.Output<string>>;
    private readonly endpointsByRole = new Map<string, network.PrivateEndpoint>();

    constructor(name: string, args: RegionPrivateLinkArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.regionPrivateLink, name, {}, opts);
        const refusal = privateLinkProblem({ serviceBusSku: args.serviceBusSku });
        if (refusal) {
            throw new Error(refusal);
        }
        this.args = args;
        this.componentName = name;
        const parent = { parent: this };
        const zoneIds = new Map<string, pulumi.Output<string>>();
        for (const zoneName of privateDnsZoneNames(args.location)) {
            // Resource names from the zone's distinctive label: `privatelink.westeurope.kusto.windows.net` -> `westeurope-kusto`.
            const role = zoneName
                .replace(/^privatelink\./, "")
                .split(".")
                .slice(0, -2)
                .join("-");
            const zone = new privatedns.PrivateZone(
                `${name}-zone-${role}`,
                { privateZoneName: zoneName, resourceGroupName: args.resourceGroupName, location: "global", tags: args.tags },
                parent,
            );
            new privatedns.VirtualNetworkLink(
                `${name}-zone-${role}-link`,
                {
                    privateZoneName: zoneName,
                    resourceGroupName: args.resourceGroupName,
                    virtualNetworkLinkName: `link-${args.namePrefix}`,
                    location: "global",
                    virtualNetwork: { id: args.virtualNetworkId },
                    // The endpoints' zone groups write the records; nodes must not register theirs.
                    registrationEnabled: false,
                    tags: args.tags,
                },
                { parent: this, dependsOn: [zone] },
            );
            zoneIds.set(zoneName, zone.id);
        }
        this.zoneIds = zoneIds;
        const data = args.dataPlane;
        const targets: Record<PrivateLinkService, pulumi.Input<string>> = {
            keyVault: args.regionVaultId,
            serviceBus: data.serviceBusNamespaceId,
            eventHubs: data.eventHubsNamespaceId,
            checkpointBlob: data.checkpointStorageAccountId,
            cosmos: data.cosmosAccountId,
            // The data plane exports the ADX cluster's name; its id follows from it (and waits for the cluster).
            adx: pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${args.resourceGroupName}/providers/Microsoft.Kusto/clusters/${data.adxClusterName}`,
        };
        for (const service of REGION_PRIVATE_LINK_SERVICES) {
            // keyVault -> key-vault: the role in the endpoint's names.
            this.endpoint(
                service.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`),
                service,
                targets[service],
                0,
            );
        }
        // Further device-state accounts, each in the subnet of its ordinal (`lib/tenantShards.ts` keeps room there).
        data.cosmosAccounts.slice(1).forEach((account, i) => this.endpoint(`cosmos-${i + 2}`, "cosmos", account.id, i + 1));

        new eventhub.NamespaceNetworkRuleSet(
            `${name}-eventhubs-network`,
            {
                resourceGroupName: args.resourceGroupName,
                namespaceName: data.eventHubsNamespaceName,
                publicNetworkAccess: eventhub.PublicNetworkAccessFlag.Enabled,
                defaultAction: eventhub.DefaultAction.Deny,
                trustedServiceAccessEnabled: true,
                ipRules: [],
                virtualNetworkRules: [],
            },
            { parent: this, dependsOn: [this.endpointsByRole.get("event-hubs")!] },
        );
        new servicebus.NamespaceNetworkRuleSet(
            `${name}-servicebus-network`,
            {
                resourceGroupName: args.resourceGroupName,
                namespaceName: data.serviceBusNamespaceName,
                publicNetworkAccess: servicebus.PublicNetworkAccessFlag.Disabled,
                defaultAction: servicebus.DefaultAction.Deny,
                trustedServiceAccessEnabled: false,
                ipRules: [],
                virtualNetworkRules: [],
            },
            { parent: this, dependsOn: [this.endpointsByRole.get("service-bus")!] },
        );
        this.registerOutputs({});
    }

    /** The private endpoints by role: the service's name in kebab case (`key-vault` is the region vault's), `vault-<tenant>` for tenant vaults. */
    public get endpoints(): ReadonlyMap<string, network.PrivateEndpoint> {
        return this.endpointsByRole;
    }

    /**
     * The private endpoint of a tenant's own vault in private-endpoint subnet `subnet`, keyed by the tenant's name (so
     * that a move between clusters keeps it).
     */
    public addTenantVault(tenant: string, vaultId: pulumi.Input<string>, subnet: number): network.PrivateEndpoint {
        return this.endpoint(`vault-${tenant}`, "keyVault", vaultId, subnet);
    }

    private endpoint(role: string, service: PrivateLinkService, targetId: pulumi.Input<string>, subnet: number): network.PrivateEndpoint {
        const { args, componentName: name } = this;
        const target = PRIVATE_LINK_TARGETS[service];
        const endpointName = `pe-${args.namePrefix}-${role}`;
        const endpoint = new network.PrivateEndpoint(
            `${name}-pe-${role}`,
            {
                privateEndpointName: endpointName,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                subnet: { id: args.subnetIds[subnet] },
                privateLinkServiceConnections: [{ name: endpointName, privateLinkServiceId: targetId, groupIds: [target.groupId] }],
                tags: args.tags,
            },
            { parent: this },
        );
        new network.PrivateDnsZoneGroup(
            `${name}-pe-${role}-dns`,
            {
                privateDnsZoneGroupName: "default",
                privateEndpointName: endpointName,
                resourceGroupName: args.resourceGroupName,
                privateDnsZoneConfigs: target.zones(args.location).map(zoneName => ({
                    name: zoneName.replace(/\./g, "-"),
                    privateDnsZoneId: this.zoneIds.get(zoneName)!,
                })),
            },
            { parent: this, dependsOn: [endpoint] },
        );
        this.endpointsByRole.set(role, endpoint);
        return endpoint;
    }
}
