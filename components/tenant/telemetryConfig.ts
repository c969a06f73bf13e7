import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { TENANT_ATTRIBUTE } from "../../lib/labels";
import { TELEMETRY_TABLE } from "../../lib/telemetryTable";
import { AZURE_EGRESS_PORTS } from "../common/namespaceGuardrails";
import { DataPlaneEndpoints } from "../common/regionServices";
import { TenantRegionResources } from "./tenantRegionResources";

/** What a tenant's services connect to, written where they read it: the `telemetry-config` ConfigMap. */

export const TELEMETRY_CONFIG_MAP = "telemetry-config";

/** Cosmos DB's direct mode talks to the replicas on these TCP ports, besides 443 for the gateway. */
export const COSMOS_DIRECT_PORTS = { first: 10000, last: 20000 } as const;

export type CosmosConnectionMode = "Direct" | "Gateway";

/**
 * The Cosmos DB SDK connection mode that egress on these TCP ports allows: direct mode needs 443 and the whole
 * replica range, gateway mode only 443. A client left on the SDKs' default (direct) behind a policy that allows
 * 443 only fails to reach any replica.
 */
export function cosmosConnectionMode(allowedTcpPorts: readonly number[]): CosmosConnectionMode {
    const allowed = new Set(allowedTcpPorts);
    for (let port = COSMOS_DIRECT_PORTS.first; port <= COSMOS_DIRECT_PORTS.last; port++) {
        if (!allowed.has(port)) {
            return "Gateway";
        }
    }
    return allowed.has(443) ? "Direct" : "Gateway";
}

/** The mode tenant workloads must use, given the egress the tenant NetworkPolicy allows them. */
export const TENANT_COSMOS_CONNECTION_MODE = cosmosConnectionMode(AZURE_EGRESS_PORTS);

export interface TelemetryConfigArgs {
    /** The tenant's name. Required. */
    readonly tenant: string;
    /** The region's data plane. Required. */
    readonly dataPlane: DataPlaneEndpoints;
    /** What the tenant owns in the region (queue, identity, vault, Cosmos container). Required. */
    readonly regionResources: TenantRegionResources;
    /** Where the tenant's workloads send OTLP. Required. */
    readonly otlpEndpoint: pulumi.Input<string>;
}

/** The `telemetry-config` ConfigMap: what the tenant's services connect to, the same values as its stack outputs. */
export function createTelemetryConfig(
    name: string,
    args: TelemetryConfigArgs,
    namespace: pulumi.Output<string>,
    labels: Record<string, string>,
    opts: pulumi.CustomResourceOptions,
): void {
    const data = args.dataPlane;
    const own = args.regionResources;
    new k8s.core.v1.ConfigMap(
        `${name}-config`,
        {
            metadata: { name: TELEMETRY_CONFIG_MAP, namespace, labels },
            data: {
                TENANT_ID: args.tenant,
                AZURE_CLIENT_ID: own.identityClientId,
                SERVICE_BUS_NAMESPACE: data.serviceBusEndpoint,
                SERVICE_BUS_QUEUE: own.queueName,
                ADX_CLUSTER_URI: data.adxClusterUri,
                // The shared database, whose telemetry table shows the tenant its own rows only (row level security).
                ADX_DATABASE: data.adxDatabaseName,
                ADX_TABLE: TELEMETRY_TABLE,
                COSMOS_ENDPOINT: own.cosmosEndpoint,
                COSMOS_DATABASE: data.cosmosDatabaseName,
                COSMOS_CONTAINER: own.cosmosContainerName,
                COSMOS_CONNECTION_MODE: TENANT_COSMOS_CONNECTION_MODE,
                KEY_VAULT_URI: own.keyVaultUri,
                OTEL_EXPORTER_OTLP_ENDPOINT: args.otlpEndpoint,
                OTEL_RESOURCE_ATTRIBUTES: `${TENANT_ATTRIBUTE}=${args.tenant}`,
            },
        },
        opts,
    );
}
