import { privateDnsZoneNames, privateEndpointCount } from "../privateLink";
import { DAYS_PER_MONTH, RegionPrices } from "../prices";
import { GB } from "./arithmetic";
import { CostAssumptions } from "./assumptions";

/**
 * What the fleet's egress controls cost a month (`lib/privateLink.ts`, `components/common/ciliumEgress.ts`):
 * - container network security (ACNS, for the tenants' Entra ID rule by name) on every node of every cluster;
 * - a private endpoint per region service and per tenant vault, and the data they carry: tenant readers of the
 *   telemetry hub (`eventHubFullStreamReaders` full streams) and the processing queues (each batch in and out);
 *   ADX and IoT Hub reach Event Hubs as trusted services, not through an endpoint;
 * - the private DNS zones (queries not priced: a few million a month cost cents).
 */
export interface NetworkCost {
    readonly acns: { readonly nodes: number; readonly monthly: number };
    readonly privateEndpoints: { readonly count: number; readonly processedGB: number; readonly monthly: number };
    readonly privateDnsZones: { readonly count: number; readonly monthly: number };
    readonly monthly: number;
}

export interface NetworkLoad {
    /** Expected nodes of every cluster of the region. */
    readonly nodes: number;
    readonly tenants: number;
    /** The region's device-state accounts, each with a private endpoint (`shardTenants`). Default 1. */
    readonly cosmosAccounts?: number;
    readonly devices: number;
    /** The region's Azure location (the ADX zone is per region). */
    readonly location: string;
}

export function networkCost(load: NetworkLoad, region: RegionPrices, a: CostAssumptions): NetworkCost {
    const acns = { nodes: load.nodes, monthly: load.nodes * region.acnsPerNodeMonth };
    const streamGBPerMonth = (load.devices * a.messagesPerDevicePerDay * a.messageBytes * DAYS_PER_MONTH) / GB;
    const processedGB = streamGBPerMonth * (a.eventHubFullStreamReaders + 2);
    const count = privateEndpointCount(load.tenants, load.cosmosAccounts);
    const privateEndpoints = {
        count,
        processedGB,
        monthly: count * region.privateLink.endpoint + processedGB * region.privateLink.processedPerGB,
    };
    const zones = privateDnsZoneNames(load.location).length;
    const privateDnsZones = { count: zones, monthly: zones * region.privateLink.dnsZone };
    return { acns, privateEndpoints, privateDnsZones, monthly: acns.monthly + privateEndpoints.monthly + privateDnsZones.monthly };
}
