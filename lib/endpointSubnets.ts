import { addressSlots, subnetAt } from "./network";

/**
 * The /24s of a region's private endpoints. The first is slot 0 of the address space, the subnet every region has
 * had (its endpoints and their subnet never move). A region whose tenants outgrow it (`lib/tenantShards.ts`) takes
 * further ones from the top of the lower half downwards (slot 127, 126, … of a /16), away from the shared clusters,
 * which count up from slot 1: `planClusterSubnets` refuses a shared cluster that would reach them.
 */
export function privateEndpointSubnets(addressSpace: string, count: number): string[] {
    const space = addressSlots(addressSpace);
    return Array.from({ length: count }, (_, i) => subnetAt(space, i === 0 ? 0 : space.half - i));
}

/** The first private-endpoint subnet (slot 0), where the region services' endpoints are. */
export const privateEndpointSubnet = (addressSpace: string): string => privateEndpointSubnets(addressSpace, 1)[0];
