import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import { ConfigError, FleetConfig } from "../../lib/config";
import { CONFIG_NAMESPACE } from "../../lib/labels";
import { edgeAddressSpace, edgeSubnetOf, planClusterSubnets } from "../../lib/network";
import { Placement } from "../../lib/placement";
import { privateEndpointSubnets } from "../../lib/endpointSubnets";
import { EdgeSubnet } from "../platform/clusterPlatform";

/** What the region's VNet is built from. */
export interface RegionNetworkArgs {
    /** The validated stack configuration (address space, edge range, location). */
    readonly config: FleetConfig;
    /** The region's resource group. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** The region's clusters (`placeTenants`): each gets its /24 node subnet from `planClusterSubnets`. */
    readonly clusters: Placement["clusters"];
    /** How many private-endpoint subnets the region's tenants need (`shardTenants`); at least 1. */
    readonly endpointSubnets: number;
    /** The region's name prefix (`regionPrefix`). */
    readonly prefix: string;
    /** Tags of the VNet. */
    readonly tags: Record<string, string>;
}

/** The region's VNet and its subnets. */
export interface RegionNetwork {
    readonly vnet: network.VirtualNetwork;
    /** The private-endpoint subnets (`RegionPrivateLink`), by index: slot 0 of the address space first (`privateEndpointSubnets`). */
    readonly endpointSubnets: readonly { readonly id: pulumi.Output<string>; readonly cidr: string }[];
    /** Each cluster's node subnet id, by cluster name. */
    readonly subnetIds: ReadonlyMap<string, pulumi.Output<string>>;
    /** Each cluster's edge subnet (its Application Gateway for Containers' /24), by cluster name. */
    readonly edgeSubnets: ReadonlyMap<string, EdgeSubnet>;
}

/**
 * The region's VNet over its address space and its edge range: the private-endpoint subnet, a node /24 per cluster,
 * per cluster a /24 of the edge range delegated to Application Gateway for Containers (one per deployment), and the
 * further private-endpoint subnets a large region needs, last, so that adding one touches no other subnet.
 * The resources keep the names and parent they had inside `Region`.
 *
 * High Scale Private Endpoints (`region.highScalePrivateEndpoints`): the VNet's `privateEndpointVNetPolicies: Basic`
 * raises its endpoints from 1,000 to 5,000, and requires every private-endpoint subnet's network policies for private
 * endpoints to be `Enabled` or `RouteTableEnabled` (learn.microsoft.com/azure/private-link/increase-private-endpoint-vnet-limits);
 * `RouteTableEnabled` changes nothing in a VNet without route tables.
 */
export function createRegionNetwork(name: string, args: RegionNetworkArgs, parent: pulumi.Resource): RegionNetwork {
    const { config, resourceGroupName, tags } = args;
    const plan = planClusterSubnets(config.region.addressSpace, args.clusters, config.tenants, args.endpointSubnets);
    if (plan.problems.length > 0) {
        // parseFleetConfig reports these with their key paths; only a config that skipped it gets here.
        throw new ConfigError(plan.problems.map(p => ({ path: `${CONFIG_NAMESPACE}:region.addressSpace`, message: p.message })));
    }
    const highScale = config.region.highScalePrivateEndpoints;
    const vnet = new network.VirtualNetwork(
        `${name}-vnet`,
        {
            virtualNetworkName: `vnet-${args.prefix}`,
            resourceGroupName,
            location: config.region.location,
            addressSpace: { addressPrefixes: [config.region.addressSpace, edgeAddressSpace(config.region)] },
            ...(highScale ? { privateEndpointVNetPolicies: network.PrivateEndpointVNetPolicies.Basic } : {}),
            tags,
        },
        { parent },
    );
    // Azure refuses concurrent writes to one VNet (AnotherOperationInProgress), so each subnet waits for the one before.
    let previousSubnet: network.Subnet | undefined;
    const subnet = (role: string, cidr: string, extra: Pick<network.SubnetArgs, "delegations" | "privateEndpointNetworkPolicies"> = {}) =>
        (previousSubnet = new network.Subnet(
            `${name}-subnet-${role}`,
            {
                subnetName: `snet-${role}`,
                virtualNetworkName: vnet.name,
                resourceGroupName,
                addressPrefix: cidr,
                ...extra,
            },
            { parent, dependsOn: previousSubnet ? [previousSubnet] : [] },
        ));
    const endpointCidrs = privateEndpointSubnets(config.region.addressSpace, args.endpointSubnets);
    const endpointPolicies = highScale
        ? { privateEndpointNetworkPolicies: network.VirtualNetworkPrivateEndpointNetworkPolicies.RouteTableEnabled }
        : {};
    // The first keeps the name it always had; further ones are numbered from 2.
    const endpointSubnet = (index: number) => ({
        id: subnet(index === 0 ? "private-endpoints" : `private-endpoints-${index + 1}`, endpointCidrs[index], endpointPolicies).id,
        cidr: endpointCidrs[index],
    });
    const first = endpointSubnet(0);
    const subnetIds = new Map([...plan.subnets].map(([cluster, cidr]) => [cluster, subnet(cluster, cidr).id]));
    const agcDelegation = [{ name: "application-gateway-for-containers", serviceName: "Microsoft.ServiceNetworking/trafficControllers" }];
    const edgeSubnets = new Map(
        [...plan.subnets].map(([cluster, nodeCidr]) => {
            const cidr = edgeSubnetOf(config.region.addressSpace, edgeAddressSpace(config.region), nodeCidr);
            return [cluster, { id: subnet(`edge-${cluster}`, cidr, { delegations: agcDelegation }).id, cidr }];
        }),
    );
    const endpointSubnets = [first, ...endpointCidrs.slice(1).map((_, i) => endpointSubnet(i + 1))];
    return { vnet, endpointSubnets, subnetIds, edgeSubnets };
}
