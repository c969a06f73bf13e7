import { Placement } from "./placement";
import { ADX_CONSUMER_GROUP, tenantQueueName } from "./naming";

/**
 * The tenant-partitioned data path, decided from the config and the placement alone: how IoT Hub stamps and
 * routes each message, which event hub each cluster's ingest reads, and where it delivers each tenant's messages.
 * The program (components/region, components/platform), the limits check (`azureLimits.ts`) and the plan read it.
 *
 * Device convention: every device twin carries its tenant in `tags.tenant` (set by whatever registers devices).
 * IoT Hub stamps it on every message as the application property `tenant` (a message enrichment), and routes on it:
 * - a dedicated tenant's messages go to an event hub of its own (`dedicatedRouteCondition`);
 * - every other message whose twin has the tag goes to the shared `telemetry` hub (`sharedRouteCondition`);
 * - a message whose twin has no `tags.tenant` matches no route and falls back to the built-in endpoint, which no
 *   tenant principal can read: IoT Hub would stamp the literal path string `$twin.tags.tenant` on it (Microsoft Learn,
 *   "Message enrichments for device-to-cloud IoT Hub messages"), so it must never reach a tenant's stream.
 * Routing queries (`IS_DEFINED`, `=`, `<>`, `AND`, twin tags): Microsoft Learn, "IoT Hub message routing query syntax".
 */

/** The twin path every device carries its tenant in, and the message property the enrichment stamps it as. */
export const TENANT_TWIN_TAG = "$twin.tags.tenant";
export const TENANT_MESSAGE_PROPERTY = "tenant";
/** The shared hub every long-tail tenant's messages land in. */
export const SHARED_EVENT_HUB = "telemetry";
/** IoT Hub's built-in endpoint: the fallback route's target, where untagged messages wait (readable by platform operators only). */
export const BUILT_IN_ENDPOINT = "events";
export const SHARED_ENDPOINT = "telemetry-eventhub";
export const SHARED_ROUTE = "telemetry";

/** Azure creates it with every event hub; it counts against the tier's limit. */
export const DEFAULT_CONSUMER_GROUP = "$Default";

/**
 * Partitions of a dedicated tenant's hub. A dedicated tenant has at least the dedicated threshold's devices (50,000
 * by default, about 85 messages/s at the cost model's 144 a day); 8 partitions carry 8 MB/s of ingress on Standard and
 * let its ingest run up to 8 consumers.
 */
export const DEDICATED_HUB_PARTITIONS = 8;

/** A dedicated tenant's own hub, in the region's namespace or its own. */
export const dedicatedEventHubName = (tenant: string): string => `telemetry-${tenant}`;
export const dedicatedEndpointName = (tenant: string): string => `tenant-${tenant}`;
export const dedicatedRouteName = (tenant: string): string => `tenant-${tenant}`;
/** The consumer group a cluster's ingest reads its hub through. */
export const ingestConsumerGroup = (cluster: string): string => `ingest-${cluster}`;
/** The blob container a cluster's ingest checkpoints in (EventProcessorClient's blob metadata). */
export const ingestCheckpointContainer = (cluster: string): string => `ingest-${cluster}`;

const quoted = (tenant: string): string => `'${tenant}'`;

/** Messages of this tenant only. Tenant names are DNS labels: no quote to escape. */
export const dedicatedRouteCondition = (tenant: string): string => `${TENANT_TWIN_TAG} = ${quoted(tenant)}`;

/**
 * Tagged messages of no dedicated tenant: the shared hub never carries a dedicated tenant's telemetry, so no
 * shared-cluster principal can read it; untagged messages match no route and go to the fallback (built-in) endpoint.
 */
export function sharedRouteCondition(dedicatedTenants: readonly string[]): string {
    return [`IS_DEFINED(${TENANT_TWIN_TAG})`, ...dedicatedTenants.map(t => `${TENANT_TWIN_TAG} <> ${quoted(t)}`)].join(" AND ");
}

/** Where a dedicated tenant's stream lives: a hub of its own in the region's namespace, or a namespace of its own. */
export type DedicatedStreamKind = "hub" | "namespace";

/** The keys of a stack's config the data path reads. */
export interface DataPathConfig {
    readonly tenants: readonly { readonly name: string; readonly compliance: readonly string[] }[];
    readonly eventHubs: { readonly ownNamespaceCompliance: readonly string[] };
    readonly migration: { readonly keepTenantConsumerGroups: boolean };
}

export interface DedicatedStream {
    readonly tenant: string;
    readonly cluster: string;
    readonly kind: DedicatedStreamKind;
    readonly eventHub: string;
    readonly endpoint: string;
    readonly route: string;
    readonly condition: string;
}

/** What one cluster's ingest reads and where it delivers. */
export interface ClusterIngest {
    readonly cluster: string;
    /** `shared` reads the region's shared hub and skips other clusters' tenants; `dedicated` reads its tenant's own hub. */
    readonly source: "shared" | "dedicated";
    readonly eventHub: string;
    readonly consumerGroup: string;
    readonly checkpointContainer: string;
    /** Tenant -> Service Bus queue, for this cluster's tenants only. */
    readonly tenantQueues: Readonly<Record<string, string>>;
    /** Where its identity holds *Azure Service Bus Data Sender* (`ingestSenderScope`). */
    readonly senderScope: IngestSenderScope;
}

/**
 * Where a cluster's ingest may send, in one role assignment per cluster (Azure allows 4,000 per subscription, fixed).
 * Service Bus RBAC scopes are the namespace, a queue or topic, or a topic subscription (Microsoft Learn, "Authenticate
 * and authorize an application with Microsoft Entra ID to access Azure Service Bus entities"): no scope holds exactly
 * a shared cluster's tenants' queues, so its ingest sends at the namespace. *Data Sender* grants the send data action
 * only (Microsoft Learn, "Azure built-in roles", Azure Service Bus Data Sender): it never receives or peeks, so it can
 * read no tenant's queue; what it could do wrong is enqueue into another cluster's tenant's queue, which only the
 * platform's own ingest, already the reader of every long-tail tenant's telemetry on the shared hub, could. A
 * dedicated cluster's ingest delivers to its one tenant's queue, which is that exact scope; it is a principal of its
 * tenant for the `tenant-data-isolation` policy, which refuses it anything wider.
 */
export type IngestSenderScope = "service-bus-namespace" | "tenant-queue";
export const ingestSenderScope = (source: ClusterIngest["source"]): IngestSenderScope =>
    source === "shared" ? "service-bus-namespace" : "tenant-queue";

export interface DataPath {
    readonly sharedRoute: { readonly name: string; readonly endpoint: string; readonly condition: string };
    readonly dedicated: readonly DedicatedStream[];
    readonly ingest: readonly ClusterIngest[];
    /** Consumer groups of the shared hub: `$Default`, ADX's, one per shared cluster, and the tenants' own while a migration keeps them. */
    readonly sharedHubConsumerGroups: readonly string[];
    /** Tenants whose pre-migration consumer group on the shared hub is kept (phase 1 of the migration); empty otherwise. */
    readonly legacyConsumerGroups: readonly string[];
}

export function dataPath(config: DataPathConfig, placement: Placement): DataPath {
    const compliance = new Map(config.tenants.map(t => [t.name, t.compliance]));
    const ownNamespace = new Set(config.eventHubs.ownNamespaceCompliance);
    const dedicated = placement.clusters
        .filter(c => c.kind === "dedicated")
        .map((c): DedicatedStream => {
            const tenant = c.tenants[0];
            const kind = (compliance.get(tenant) ?? []).some(tag => ownNamespace.has(tag)) ? "namespace" : "hub";
            return {
                tenant,
                cluster: c.name,
                kind,
                eventHub: dedicatedEventHubName(tenant),
                endpoint: dedicatedEndpointName(tenant),
                route: dedicatedRouteName(tenant),
                condition: dedicatedRouteCondition(tenant),
            };
        });
    const ingest = placement.clusters.map((c): ClusterIngest => ({
        cluster: c.name,
        source: c.kind,
        eventHub: c.kind === "shared" ? SHARED_EVENT_HUB : dedicatedEventHubName(c.tenants[0]),
        consumerGroup: ingestConsumerGroup(c.name),
        checkpointContainer: ingestCheckpointContainer(c.name),
        tenantQueues: Object.fromEntries(c.tenants.map(t => [t, tenantQueueName(t)])),
        senderScope: ingestSenderScope(c.kind),
    }));
    const legacyConsumerGroups = config.migration.keepTenantConsumerGroups ? config.tenants.map(t => t.name) : [];
    return {
        sharedRoute: { name: SHARED_ROUTE, endpoint: SHARED_ENDPOINT, condition: sharedRouteCondition(dedicated.map(d => d.tenant)) },
        dedicated,
        ingest,
        sharedHubConsumerGroups: [
            DEFAULT_CONSUMER_GROUP,
            ADX_CONSUMER_GROUP,
            ...ingest.filter(i => i.source === "shared").map(i => i.consumerGroup),
            ...legacyConsumerGroups,
        ],
        legacyConsumerGroups,
    };
}

/**
 * How a cluster's ingest scales: one consumer per partition at most (a second reader of a partition in the same
 * consumer group only takes it over), at least one so the stream never waits for a cold start. KEDA's target is the
 * unprocessed events per replica across the partitions it owns; 1,000 is about a second of a shared hub's peak.
 */
export const INGEST_UNPROCESSED_EVENT_THRESHOLD = 1000;
export const ingestReplicas = (partitions: number) => ({ minReplicas: 1, maxReplicas: partitions });

/** An event hub of the region's namespace: the devices whose messages it carries and the consumers that read all of it. */
export interface NamespaceEventHub {
    readonly devices: number;
    readonly fullReaders: number;
}

/**
 * The event hubs of the region's namespace and who reads all of each: ADX's data connection and each shared cluster's
 * ingest read the whole shared hub (lib/dataPath.ts), so its egress grows with the shared clusters; a dedicated hub kept
 * in the namespace is read by ADX and its cluster's ingest. A dedicated tenant with a namespace of its own loads this one not at all.
 */
export function namespaceEventHubs(
    tenants: readonly { readonly name: string; readonly deviceQuota: number }[],
    path: DataPath,
): NamespaceEventHub[] {
    const devices = new Map(tenants.map(t => [t.name, t.deviceQuota]));
    const dedicated = new Set(path.dedicated.map(d => d.tenant));
    const longTail = tenants.filter(t => !dedicated.has(t.name)).reduce((total, t) => total + t.deviceQuota, 0);
    return [
        { devices: longTail, fullReaders: 1 + path.ingest.filter(i => i.source === "shared").length },
        ...path.dedicated.filter(d => d.kind === "hub").map(d => ({ devices: devices.get(d.tenant)!, fullReaders: 2 })),
    ];
}
