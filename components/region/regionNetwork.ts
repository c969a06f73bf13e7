import * as pulumi from "@pulumi/pulumi";
import * as network from "@pulumi/azure-native/network";
import { FleetConfig } from "../../lib/config";
import { edgeAddressSpace, edgeSubnetOf, privateEndpointSubnet } from "../../lib/network";
import { EdgeSubnet } from "../platform/clusterPlatform";

/** What the region's VNet is built from. */
export interface RegionNetworkArgs {
    /** The validated stack configuration (address space, edge range, location). */
    readonly config: FleetConfig;
    /** The region's resource group. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Each cluster's /24 node subnet, by cluster name (`planClusterSubnets`). */
    readonly clusterSubnets: ReadonlyMap<string, string>;
    /** The region's name prefix (`regionPrefix`). */
    readonly prefix: string;
    /** Tags of the VNet. */
    readonly tags: Record<string, string>;
}

/** The region's VNet and its subnets. */
export interface RegionNetwork {
    readonly vnet: network.VirtualNetwork;
    /** Slot 0 of the address space: every private endpoint of the region (`RegionPrivateLink`). */
    readonly endpointSubnet: network.Subnet;
    readonly endpointSubnetCidr: string;
    /** Each cluster's node subnet id, by cluster name. */
    readonly subnetIds: ReadonlyMap<string, pulumi.Output<string>>;
    /** Each cluster's edge subnet (its Application Gateway for Containers' /24), by cluster name. */
    readonly edgeSubnets: ReadonlyMap<string, EdgeSubnet>;
}

/**
 * The region's VNet over its address space and its edge range: the private-endpoint subnet, a node /24 per cluster
 * and, per cluster, a /24 of the edge range delegated to Application Gateway for Containers (one per deployment).
 * The resources keep the names and parent they had inside `Region`.
 */
export function createRegionNetwork(name: string, args: RegionNetworkArgs, parent: pulumi.Resource): RegionNetwork {
    const { config, resourceGroupName, tags } = args;
    const vnet = new network.VirtualNetwork(
        `${name}-vnet`,
        {
            virtualNetworkName: `vnet-${args.prefix}`,
            resourceGroupName,
            location: config.region.location,
            addressSpace: { addressPrefixes: [config.region.addressSpace, edgeAddressSpace(config.region)] },
            tags,
        },
        { parent },
    );
    // Azure refuses concurrent writes to one VNet (AnotherOperationInProgress), so each subnet waits for the one before.
    let previousSubnet: network.Subnet | undefined;
    const subnet = (role: string, cidr: string, delegations?: network.SubnetArgs["delegations"]) =>
        (previousSubnet = new network.Subnet(
            `${name}-subnet-${role}`,
            {
                subnetName: `snet-${role}`,
                virtualNetworkName: vnet.name,
                resourceGroupName,
                addressPrefix: cidr,
                delegations,
            },
            { parent, dependsOn: previousSubnet ? [previousSubnet] : [] },
        ));
    const endpointSubnetCidr = privateEndpointSubnet(config.region.addressSpace);
    const endpointSubnet = subnet("private-endpoints", endpointSubnetCidr);
    const subnetIds = new Map([...args.clusterSubnets].map(([cluster, cidr]) => [cluster, subnet(cluster, cidr).id]));
    const agcDelegation = [{ name: "application-gateway-for-containers", serviceName: "Microsoft.ServiceNetworking/trafficControllers" }];
    const edgeSubnets = new Map(
        [...args.clusterSubnets].map(([cluster, nodeCidr]) => {
            const cidr = edgeSubnetOf(config.region.addressSpace, edgeAddressSpace(config.region), nodeCidr);
            return [cluster, { id: subnet(`edge-${cluster}`, cidr, agcDelegation).id, cidr }];
        }),
    );
    return { vnet, endpointSubnet, endpointSubnetCidr, subnetIds, edgeSubnets };
}
