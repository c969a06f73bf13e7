import { BUILT_IN_ENDPOINT, DataPath, TENANT_MESSAGE_PROPERTY, TENANT_TWIN_TAG } from "../lib/dataPath";
import { StampPlacement } from "../lib/stamps";

/** The data path as the plan shows it: what IoT Hub stamps and routes, what each ingest reads, and the migration's step. */
export interface DataPathReport {
    readonly enrichment: string;
    readonly routes: readonly {
        readonly route: string;
        /** The stamps whose IoT hubs carry the route. */
        readonly stamps: readonly string[];
        readonly condition: string;
        readonly eventHub: string;
        readonly readBy: string;
    }[];
    readonly untagged: string;
    readonly ingest: readonly {
        readonly cluster: string;
        readonly eventHub: string;
        readonly consumerGroup: string;
        readonly tenants: number;
    }[];
    /** The migration from per-tenant consumer groups: which phase this stack file is in and what comes next. */
    readonly migration: { readonly phase: 1 | 2; readonly steps: readonly string[] };
}

/** The order a region deployed with per-tenant consumer groups moves in (README, "Migrating to the ingest tier"). */
export const MIGRATION_STEPS = [
    "1. set migration.keepTenantConsumerGroups: true and run pulumi up: the ingest tier, dedicated streams and routes are created, tenant identities lose their hub roles, the tenants' consumer groups and offsets are kept",
    "2. deploy each cluster's ingest (fleet repository, namespace telemetry-ingest); it seeds its start from LEGACY_CHECKPOINT_CONTAINERS and delivers to the tenants' queues",
    "3. wait until every ingest is caught up: its lag (the KEDA metric of its ScaledObject) back to its steady level",
    "4. remove the tenants' own ingest workloads from the fleet repository",
    "5. set migration.keepTenantConsumerGroups: false (or remove it) and run pulumi up: the tenants' consumer groups and the ingest's legacy checkpoint reader go",
] as const;

export function dataPathReport(path: DataPath, stamps: StampPlacement): DataPathReport {
    const sharedHub = path.ingest.find(i => i.source === "shared");
    const stampOf = new Map(stamps.stamps.flatMap(s => s.dedicated.map(tenant => [tenant, s.name])));
    return {
        enrichment: `${TENANT_MESSAGE_PROPERTY} = ${TENANT_TWIN_TAG} on every endpoint (built-in included)`,
        routes: [
            {
                route: path.sharedRoute.name,
                stamps: stamps.stamps.map(s => s.name),
                condition: path.sharedRoute.condition,
                eventHub: sharedHub?.eventHub ?? "telemetry",
                readBy: [...path.ingest.filter(i => i.source === "shared").map(i => `ingest ${i.cluster}`), "ADX"].join(", "),
            },
            ...path.dedicated.map(d => ({
                route: d.route,
                stamps: [stampOf.get(d.tenant)!],
                condition: d.condition,
                eventHub: `${d.eventHub} (${d.kind === "namespace" ? "namespace of its own" : "hub of its own"})`,
                readBy: `ingest ${d.cluster}, ADX`,
            })),
        ],
        untagged: `no route matches: fallback route to the built-in endpoint '${BUILT_IN_ENDPOINT}', which no tenant principal can read`,
        ingest: path.ingest.map(i => ({
            cluster: i.cluster,
            eventHub: i.eventHub,
            consumerGroup: i.consumerGroup,
            tenants: Object.keys(i.tenantQueues).length,
        })),
        migration: { phase: path.legacyConsumerGroups.length > 0 ? 1 : 2, steps: MIGRATION_STEPS },
    };
}

export function renderDataPath(report: DataPathReport): string {
    const lines = ["Data path (device -> IoT Hub -> event hub -> ingest -> tenant queue):", `  enrichment: ${report.enrichment}`];
    for (const route of report.routes) {
        lines.push(
            `  route ${route.route} (on ${route.stamps.join(", ")}): ${route.condition}`,
            `      -> ${route.eventHub}, read by ${route.readBy}`,
        );
    }
    lines.push(`  untagged devices: ${report.untagged}`);
    for (const ingest of report.ingest) {
        lines.push(
            `  ingest ${ingest.cluster}: ${ingest.eventHub} through consumer group ${ingest.consumerGroup} -> ${ingest.tenants} tenant queue(s)`,
        );
    }
    const { phase, steps } = report.migration;
    lines.push(
        phase === 1
            ? "  migration from per-tenant consumer groups: PHASE 1 (steps 1-4): the tenants' consumer groups are kept; step 5 removes them once every ingest is caught up"
            : "  migration from per-tenant consumer groups: done, or a new region (a region deployed before the ingest tier starts at step 1):",
    );
    lines.push(...steps.map(step => `    ${step}`));
    return lines.join("\n");
}
