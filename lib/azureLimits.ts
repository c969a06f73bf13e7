import { CONSUMER_GROUP_LIMITS, EVENT_HUBS_PER_NAMESPACE, SERVICE_BUS_ENTITY_LIMITS } from "../policy/dataPlaneLimits";
import { FleetConfig, fleetConfigSchema } from "./configSchema";
import { dataPlaneSizing } from "./dataPlane";
import { DataPath, DataPathConfig, dataPath, namespaceEventHubs } from "./dataPath";
import { ConfigProblem } from "./errors";
import { CONFIG_NAMESPACE } from "./labels";
import { Placement, PlacementConfig, PlacementTenant, placeTenants, placementSettings } from "./placement";
import { AzureLimitRow, LIMIT_SOURCES } from "./azureLimitRow";
import { warmStores } from "./telemetryTiers";
import { shardLimitRows, shardTenants } from "./tenantShards";
import { stampHubsOf, stampPlanOf } from "./stampPlan";
import { stampLimitRows } from "./stampLimits";

export { AzureLimitRow, LIMIT_SOURCES } from "./azureLimitRow";

/**
 * Every Azure limit the region's design touches, counted from the config and the placement before anything
 * registers. A row is generic ({limit, scope, used, max, source}) so that other parts of the design add theirs.
 * `limitProblems` turns the rows over their maximum into config problems (exit 2 from `npm start`, a refused
 * `pulumi up`); `npm start` prints every row with its headroom.
 */

/** Fixed by Azure: no support request raises it. */
export const ROLE_ASSIGNMENTS_PER_SUBSCRIPTION = 4000;
export const FEDERATED_CREDENTIALS_PER_IDENTITY = 20;

/**
 * Azure role assignments the program makes, by what brings them; `test/dataPath.test.ts` holds these to the
 * registered graph of both real stacks and of a generated one.
 * - region (6): the IoT Hub's sender on the shared hub, ADX's receiver on it, the deployer's secrets officer on the
 *   region vault, and the observability stack's three (Grafana and its workspaces);
 * - cluster (13): AKS (network contributor on its subnet, deployer cluster admin, monitoring: 4), external-dns (zone,
 *   resource group: 2), collector (its secret: 1), ingest (receiver on its hub, contributor on its checkpoint container,
 *   sender: 3), the KEDA scaler's monitoring reader on the Service Bus namespace (1), the edge's ALB controller (its
 *   Application Gateway for Containers, its subnet, its WAF policy: 3) and cert-manager's DNS-01 writer on the zone (1).
 *   The ingest's sender is one per cluster (`ingestSenderScope`): on the Service Bus namespace for a shared cluster,
 *   on its tenant's queue for a dedicated one (registered with that tenant's namespace, still one per cluster);
 * - tenant (3): its identity's receiver on its queue and secrets user on its vault, its admins' secrets officer on the
 *   vault. Its admins hold no role on the cluster: Kubernetes RBAC authorizes them and the stack outputs carry the
 *   kubeconfig *Azure Kubernetes Service Cluster User Role* would have let them list;
 * - dedicated stream (2): the IoT Hub's sender on the tenant's own hub, ADX's receiver on it (its data connection);
 * - migration: the ingest's reader of the tenants' legacy checkpoints, per shared cluster, while phase 1 lasts;
 * - warm store: ADX's writer on each warm-tier account, the shared one and each regulated dedicated tenant's.
 */
export const ROLE_ASSIGNMENTS = { region: 6, cluster: 13, tenant: 3, dedicatedStream: 2, legacyCheckpointReader: 1, warmStore: 1 } as const;

/** The tenants as the role assignment count reads them: their names and compliance tags (which give some a warm store of their own). */
type CountedTenant = { readonly name: string; readonly compliance: readonly string[] };

/** Role assignments one region stack makes. */
export function stackRoleAssignments(tenants: readonly CountedTenant[], placement: Placement, path: DataPath): number {
    const sharedClusters = placement.clusters.filter(c => c.kind === "shared").length;
    const stores = warmStores(tenants.map(t => ({ ...t, dedicated: placement.tenants.get(t.name)!.kind === "dedicated" })));
    return (
        ROLE_ASSIGNMENTS.warmStore * stores.length +
        ROLE_ASSIGNMENTS.region +
        ROLE_ASSIGNMENTS.cluster * placement.clusters.length +
        ROLE_ASSIGNMENTS.tenant * tenants.length +
        ROLE_ASSIGNMENTS.dedicatedStream * path.dedicated.length +
        (path.legacyConsumerGroups.length > 0 ? ROLE_ASSIGNMENTS.legacyCheckpointReader * sharedClusters : 0)
    );
}

/**
 * Federated credentials of the identity that holds the most: a tenant's identity trusts its `telemetry` account
 * on its cluster (two while it moves between clusters); the ingest identity trusts its ServiceAccount and KEDA's
 * operator; the scaler identity KEDA's operator alone.
 */
export const MOST_FEDERATED_CREDENTIALS_PER_IDENTITY = 2;

/** What the limits are counted from: the stack's config, placement and data path, and its subscription's other assignments. */
export interface LimitInputs {
    readonly eventHubsSku: "Standard" | "Premium";
    readonly eventHubsCapacity: number;
    readonly serviceBusSku: "Standard" | "Premium";
    readonly serviceBusCapacity: number;
    readonly tenants: readonly CountedTenant[];
    readonly placement: Placement;
    readonly path: DataPath;
    /** The subscription's role assignments made outside this stack: other region stacks plus `subscription.otherRoleAssignments`. */
    readonly otherRoleAssignments: number;
    /** The subscription as the config names it, for the row's scope. */
    readonly subscription: string;
}

export function azureLimitRows(inputs: LimitInputs): AzureLimitRow[] {
    const { path } = inputs;
    const inSharedNamespace = path.dedicated.filter(d => d.kind === "hub").length;
    const eventHubsPerNamespace =
        inputs.eventHubsSku === "Premium" ? EVENT_HUBS_PER_NAMESPACE.Premium * inputs.eventHubsCapacity : EVENT_HUBS_PER_NAMESPACE.Standard;
    const serviceBusEntities =
        inputs.serviceBusSku === "Premium"
            ? SERVICE_BUS_ENTITY_LIMITS.premiumPerMessagingUnit * inputs.serviceBusCapacity
            : SERVICE_BUS_ENTITY_LIMITS.standard;
    return [
        {
            limit: "role assignments per subscription",
            scope: `subscription ${inputs.subscription}`,
            used: stackRoleAssignments(inputs.tenants, inputs.placement, path) + inputs.otherRoleAssignments,
            max: ROLE_ASSIGNMENTS_PER_SUBSCRIPTION,
            source: LIMIT_SOURCES.rbac,
        },
        {
            limit: "federated identity credentials per managed identity",
            scope: "the identity with the most",
            used: MOST_FEDERATED_CREDENTIALS_PER_IDENTITY,
            max: FEDERATED_CREDENTIALS_PER_IDENTITY,
            source: LIMIT_SOURCES.federatedCredentials,
        },
        {
            limit: "consumer groups per event hub",
            scope: `event hub ${path.ingest.find(i => i.source === "shared")?.eventHub ?? "telemetry"}`,
            used: path.sharedHubConsumerGroups.length,
            max: CONSUMER_GROUP_LIMITS[inputs.eventHubsSku],
            source: LIMIT_SOURCES.eventHubs,
        },
        {
            limit: "event hubs per namespace",
            scope: "the region's Event Hubs namespace",
            used: 1 + inSharedNamespace,
            max: eventHubsPerNamespace,
            source: LIMIT_SOURCES.eventHubs,
        },
        {
            limit: "queues and topics per Service Bus namespace",
            scope: `the region's Service Bus namespace (${inputs.serviceBusSku})`,
            used: inputs.tenants.length,
            max: serviceBusEntities,
            source: LIMIT_SOURCES.serviceBus,
        },
    ];
}

/** The rows over their maximum, as config problems: each names the limit, the count and Microsoft's page. */
export function limitProblems(rows: readonly AzureLimitRow[]): ConfigProblem[] {
    return rows
        .filter(row => row.used > row.max)
        .map(row => ({
            path: `${CONFIG_NAMESPACE}:tenants`,
            message: `Azure limit exceeded: ${row.limit} (${row.scope}): ${row.used} needed, ${row.max} allowed (${row.source})`,
        }));
}

/** What the role assignment count reads of a stack config: its tenants, placement settings and data path keys. */
type RoleAssignmentConfig = PlacementConfig & DataPathConfig & { readonly tenants: readonly (PlacementTenant & CountedTenant)[] };

/** Role assignments a stack config makes (what another stack of its subscription counts). */
export function configRoleAssignments(config: RoleAssignmentConfig): number {
    const placement = placeTenants(config.tenants, placementSettings(config));
    return stackRoleAssignments(config.tenants, placement, dataPath(config, placement));
}

/** What the other stacks of a subscription group use of the subscription's limits. */
export interface OtherStacksUsage {
    readonly roleAssignments: number;
    /** Their stamps' IoT hubs. */
    readonly iotHubs: number;
    /** One Device Provisioning Service each. */
    readonly provisioningServices: number;
    /** Key vaults with private endpoints: each region's and each tenant's. */
    readonly keyVaults: number;
}
export const NO_OTHER_STACKS: OtherStacksUsage = { roleAssignments: 0, iotHubs: 0, provisioningServices: 0, keyVaults: 0 };

/**
 * Every limit row of a validated stack config; `others` is what the other region stacks of its subscription group
 * (`subscription.group`) use, counted from their stack files. The private endpoints and device-state accounts are
 * counted as a first run shards them (`shardTenants` without the stack's outputs). The stack's own record can spread
 * the same tenants over more subnets or accounts (the room removed tenants left, which later runs fill first), each
 * within its capacity; the `Region` checks the address plan again with it.
 */
export function configLimitRows(config: FleetConfig, others: OtherStacksUsage = NO_OTHER_STACKS): AzureLimitRow[] {
    const placement = placeTenants(config.tenants, placementSettings(config));
    const sizing = dataPlaneSizing(config);
    const path = dataPath(config, placement);
    const subscription = config.subscription.group ?? `of stack ${config.environment}-${config.region.shortName}`;
    const rows = azureLimitRows({
        eventHubsSku: sizing.eventHubsSku,
        eventHubsCapacity: sizing.eventHubsCapacity,
        serviceBusSku: sizing.serviceBusSku,
        serviceBusCapacity: sizing.serviceBusCapacity,
        tenants: config.tenants,
        placement,
        path,
        otherRoleAssignments: others.roleAssignments + config.subscription.otherRoleAssignments,
        subscription,
    });
    const ingest = stampLimitRows({
        stamps: stampHubsOf(config, stampPlanOf(config, placement)),
        eventHubsSku: sizing.eventHubsSku,
        eventHubPartitionCount: sizing.eventHubPartitionCount,
        namespaceHubs: namespaceEventHubs(config.tenants, path),
        devices: config.tenants.reduce((total, t) => total + t.deviceQuota, 0),
        tenants: config.tenants.length,
        otherStacks: others,
        quotas: config.quotas,
        subscription,
    });
    const shards = shardTenants(
        config.tenants.map(t => t.name),
        config.quotas.cosmosContainersPerAccount,
    );
    return [
        ...rows,
        ...ingest,
        ...shardLimitRows(shards, {
            addressSpace: config.region.addressSpace,
            highScalePrivateEndpoints: config.region.highScalePrivateEndpoints,
            containersPerAccount: config.quotas.cosmosContainersPerAccount,
            keyVaultsWithPrivateEndpoints: config.quotas.keyVaultsWithPrivateEndpoints,
            otherStacksKeyVaults: others.keyVaults,
            subscription,
        }),
    ];
}

type ParsedStack = NonNullable<ReturnType<typeof fleetConfigSchema.safeParse>["data"]>;

/**
 * What the other stacks of the config's subscription group use, from their `iot-fleet:` keys. A stack file the schema
 * refuses counts nothing here: its own plan reports it.
 */
export function otherStacksUsage(config: FleetConfig, otherStacks: readonly Record<string, unknown>[] = []): OtherStacksUsage {
    const group = config.subscription.group;
    const siblings =
        group === undefined
            ? []
            : otherStacks
                  .map(raw => fleetConfigSchema.safeParse(raw).data)
                  .filter((other): other is ParsedStack => other !== undefined && other.subscription.group === group);
    return siblings.reduce(
        (total, other) => ({
            roleAssignments: total.roleAssignments + configRoleAssignments(other),
            iotHubs: total.iotHubs + stampPlanOf(other, placeTenants(other.tenants, placementSettings(other))).stamps.length,
            provisioningServices: total.provisioningServices + 1,
            // Each region's vault and each tenant's have a private endpoint.
            keyVaults: total.keyVaults + 1 + other.tenants.length,
        }),
        NO_OTHER_STACKS,
    );
}

/** How `parseFleetConfig` checks the limits. */
export interface LimitCheckOptions {
    /**
     * The raw `iot-fleet:` keys of every other stack file of the project (`otherStackConfigs`): those of the same
     * `subscription.group` count toward its role assignments. Default: none (the stack alone in its subscription).
     */
    readonly otherStacks?: readonly Record<string, unknown>[];
    /**
     * Whether a config over an Azure limit is refused. Only the benchmark turns it off: it measures the evaluation of
     * regions over other limits (a 1,000-tenant region's tenants outgrow one private-endpoint subnet and one Cosmos DB
     * account). Default: true.
     */
    readonly azureLimits?: boolean;
}

/** The config problems of a valid config's limits: none when the check is off. */
export function azureLimitProblems(config: FleetConfig, options: LimitCheckOptions): ConfigProblem[] {
    return options.azureLimits === false ? [] : limitProblems(configLimitRows(config, otherStacksUsage(config, options.otherStacks)));
}
