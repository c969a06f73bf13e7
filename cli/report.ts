import { FleetConfig } from "../lib/config";
import { CapacityReport, headroom } from "../lib/capacity";
import { stampPlanOf } from "../lib/stampPlan";
import { dataPath } from "../lib/dataPath";
import { DataPathReport, dataPathReport, renderDataPath } from "./dataPathReport";
import { CostEstimate, CostResult } from "../lib/cost/estimate";
import { TelemetryTiersCost, TierCost } from "../lib/cost/telemetryTiers";
import { systemPoolSpec, workloadPoolSpecs } from "../lib/nodePools";
import { Placement } from "../lib/placement";
import { Evaluation } from "../offline/evaluate";
import { PolicyReport } from "../offline/policies";

/** What `npm start` shows, as one JSON-able document; the text view renders exactly this. */
export interface PlanReport {
    readonly stack: string;
    readonly region: { readonly name: string; readonly location: string; readonly tenants: number; readonly devices: number };
    readonly clusters: readonly {
        readonly name: string;
        readonly kind: string;
        readonly pools: readonly {
            readonly pool: string;
            readonly vmSize: string;
            readonly spot: boolean;
            readonly minCount: number;
            readonly maxCount: number;
        }[];
        readonly tenants: readonly {
            readonly name: string;
            readonly deviceQuota: number;
            readonly targetMessageCount: number;
            readonly pinned: boolean;
        }[];
    }[];
    readonly resources: { readonly total: number; readonly byType: Readonly<Record<string, number>> };
    readonly policies: {
        readonly mandatory: number;
        readonly advisory: number;
        readonly byPolicy: readonly {
            readonly policy: string;
            readonly enforcementLevel: string;
            readonly fix: string;
            readonly violations: readonly { readonly urn: string; readonly message: string }[];
        }[];
    };
    readonly capacity: CapacityReport;
    readonly dataPath: DataPathReport;
    /** The estimate, or what the price table lacks to make one. */
    readonly cost: CostResult;
    readonly evaluationMs: number;
}

export function buildPlanReport(
    config: FleetConfig,
    placement: Placement,
    evaluation: Evaluation,
    policies: PolicyReport,
    capacity: CapacityReport,
    cost: CostResult,
): PlanReport {
    const tenants = new Map(config.tenants.map(t => [t.name, t]));
    const pools = [systemPoolSpec(config.clusterDefaults), ...workloadPoolSpecs(config.clusterDefaults)].map(p => ({
        pool: p.poolName,
        vmSize: p.vmSize,
        spot: p.spot,
        minCount: p.minCount,
        maxCount: p.maxCount,
    }));
    const byType: Record<string, number> = {};
    for (const resource of evaluation.resources) {
        byType[resource.type] = (byType[resource.type] ?? 0) + 1;
    }
    const byPolicy = policies.policies
        .map(p => ({
            policy: p.name,
            enforcementLevel: p.enforcementLevel,
            fix: p.description,
            violations: policies.violations.filter(v => v.policyName === p.name).map(v => ({ urn: v.urn, message: v.message })),
        }))
        .filter(p => p.violations.length > 0);
    return {
        stack: evaluation.stack,
        region: {
            name: config.region.shortName,
            location: config.region.location,
            tenants: config.tenants.length,
            devices: config.tenants.reduce((sum, t) => sum + t.deviceQuota, 0),
        },
        clusters: placement.clusters.map(cluster => ({
            name: cluster.name,
            kind: cluster.kind,
            pools,
            tenants: cluster.tenants.map(name => {
                const tenant = tenants.get(name)!;
                return {
                    name,
                    deviceQuota: tenant.deviceQuota,
                    pinned: tenant.cluster !== undefined,
                    targetMessageCount: tenant.settings.processing.targetMessageCount,
                };
            }),
        })),
        resources: {
            total: evaluation.resources.length,
            byType: Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b))),
        },
        policies: { mandatory: policies.mandatory, advisory: policies.advisory, byPolicy },
        capacity,
        dataPath: dataPathReport(dataPath(config, placement), stampPlanOf(config, placement)),
        cost,
        evaluationMs: evaluation.durationMs,
    };
}

const count = (n: number) => Math.round(n).toLocaleString("en-US");
const eur = (n: number) => `€${n.toLocaleString("en-US", { maximumFractionDigits: n < 10 ? 3 : 0 })}`;
const pad = (text: string, width: number) => text.padEnd(width);

export function renderPlan(report: PlanReport): string {
    return (
        [
            renderTree(report),
            renderResources(report),
            renderPolicies(report),
            renderDataPath(report.dataPath),
            renderCapacity(report.capacity),
            renderCost(report.cost),
        ].join("\n\n") + "\n"
    );
}

function renderTree(report: PlanReport): string {
    const { region } = report;
    const lines = [
        `Region ${region.name} (${region.location}) · stack ${report.stack} · ${region.tenants} tenants · ${count(region.devices)} devices`,
    ];
    report.clusters.forEach((cluster, i) => {
        const last = i === report.clusters.length - 1;
        const [branch, stem] = last ? ["└─", "   "] : ["├─", "│  "];
        lines.push(`${branch} ${cluster.name} (${cluster.kind})`);
        for (const pool of cluster.pools) {
            const size = pool.minCount === pool.maxCount ? `${pool.minCount}` : `${pool.minCount}–${pool.maxCount}`;
            lines.push(
                `${stem}  pool ${pad(pool.pool, 9)} ${pad(pool.vmSize, 18)} ${pad(pool.spot ? "Spot" : "on-demand", 10)} ${size} nodes`,
            );
        }
        for (const tenant of cluster.tenants) {
            lines.push(
                `${stem}  tenant ${pad(tenant.name, 20)} ${count(tenant.deviceQuota).padStart(9)} devices · ${tenant.targetMessageCount} msg/replica${tenant.pinned ? "" : " · unpinned"}`,
            );
        }
    });
    return lines.join("\n");
}

function renderResources(report: PlanReport): string {
    const rows = Object.entries(report.resources.byType).map(([type, n]) => `  ${String(n).padStart(6)}  ${type}`);
    return [`Resources: ${count(report.resources.total)} in ${(report.evaluationMs / 1000).toFixed(1)} s`, ...rows].join("\n");
}

function renderPolicies(report: PlanReport): string {
    const { policies } = report;
    const lines = [`Policies: ${policies.mandatory} mandatory, ${policies.advisory} advisory violation(s)`];
    if (policies.byPolicy.length === 0) {
        lines.push("  ✓ every policy passes");
    }
    for (const policy of policies.byPolicy) {
        lines.push(
            `  ${policy.enforcementLevel === "mandatory" ? "✗" : "!"} ${policy.policy} (${policy.enforcementLevel}) · ${policy.violations.length} violation(s)`,
        );
        for (const violation of policy.violations) {
            lines.push(`      ${violation.urn || "(stack)"}`, `        ${violation.message}`);
        }
        lines.push(`      why and how to fix: ${policy.fix}`);
    }
    return lines.join("\n");
}

export function renderCapacity(capacity: CapacityReport): string {
    const lines = ["Azure limits (checked before anything registers):"];
    for (const row of capacity.limits) {
        const room = headroom(row.used, row.max);
        lines.push(
            `  ${pad(row.limit, 52)} ${count(row.used)}/${count(row.max)} (${room.freePercent.toFixed(0)}% free) · ${row.scope}${room.free < 0 ? " · OVER THE LIMIT" : ""}`,
        );
    }
    lines.push("Capacity:");
    for (const shared of capacity.shared) {
        lines.push(
            `  ${pad(shared.cluster, 22)} tenants ${shared.tenants.used}/${shared.tenants.max} (${shared.tenants.freePercent.toFixed(0)}% free)` +
                ` · devices ${count(shared.devices.used)}/${count(shared.devices.max)} (${shared.devices.freePercent.toFixed(0)}% free)${shared.overCapacity ? " · OVER CAPACITY" : ""}`,
        );
    }
    for (const dedicated of capacity.dedicated) {
        lines.push(`  ${pad(dedicated.cluster, 22)} dedicated to ${dedicated.tenant} · ${count(dedicated.devices)} devices`);
    }
    for (const stamp of capacity.stamps) {
        lines.push(
            `  ${pad(stamp.stamp, 22)} IoT hub · tenants ${stamp.tenants} · devices ${count(stamp.devices.used)}/${count(stamp.devices.max)} ` +
                `(${stamp.devices.freePercent.toFixed(0)}% free)${stamp.dedicated.length > 0 ? ` · routes to ${stamp.dedicated.join(", ")}` : ""}`,
        );
    }
    for (const unpinned of capacity.unpinned) {
        lines.push(
            `  unpinned: ${unpinned.tenant} placed on ${unpinned.cluster} (${unpinned.reason}); pin it with cluster: ${unpinned.cluster}`,
        );
    }
    return lines.join("\n");
}

export function renderCost(cost: CostResult): string {
    if (!cost.priced) {
        return `Cost estimate: not priced: ${cost.missing.map(m => `${m.path}: ${m.message}`).join("; ")}`;
    }
    const lines = [
        `Cost estimate (EUR/month, ${cost.region} list prices as of ${cost.pricesAsOf}): ${eur(cost.totals.monthly)} · ${eur(cost.totals.perDevice)} per device`,
    ];
    for (const cluster of cost.clusters) {
        const pools = cluster.pools.map(
            p => `${p.pool} ${p.expectedNodes}×${p.pricing}${p.saturated ? ` SATURATED (max ${p.maxCount})` : ""}`,
        );
        const edge = `edge ${eur(cluster.edge.monthly)} (${cluster.edge.capacityUnits} CU, WAF ${eur(cluster.edge.waf)})`;
        lines.push(`  cluster ${pad(cluster.cluster, 22)} ${eur(cluster.monthly).padStart(10)}  (${pools.join(", ")}, ${edge})`);
    }
    lines.push(...renderRegionServices(cost));
    lines.push(...renderTelemetryTiers(cost.regionServices.telemetryTiers));
    const { acns, privateEndpoints, privateDnsZones } = cost.network;
    lines.push(
        `  egress controls${" ".repeat(16)}${eur(cost.network.monthly).padStart(10)}  (ACNS FQDN filtering on ${acns.nodes} nodes ${eur(acns.monthly)}, ` +
            `${privateEndpoints.count} private endpoints ${eur(privateEndpoints.monthly)} with ${Math.round(privateEndpoints.processedGB).toLocaleString("en-US")} GB through them, ` +
            `${privateDnsZones.count} private DNS zones ${eur(privateDnsZones.monthly)})`,
    );
    lines.push("  per tenant:");
    for (const tenant of cost.tenants) {
        lines.push(`    ${pad(tenant.tenant, 20)} ${eur(tenant.monthly).padStart(10)}  ${eur(tenant.perDevice)}/device`);
    }
    const { spotProcessing, reservedNodes } = cost.savings;
    lines.push(
        `  savings: Spot processing ${eur(spotProcessing.saved)} (${(spotProcessing.share * 100).toFixed(0)}%), ` +
            `reserved system and processing-baseline nodes ${eur(reservedNodes.saved)} (${(reservedNodes.share * 100).toFixed(0)}%), total ${eur(cost.savings.total)}`,
    );
    return lines.join("\n");
}

/** Each tier of the telemetry with its days, stored GB and cost, then the same queryable period in ADX alone. */
function renderTelemetryTiers(t: TelemetryTiersCost): string[] {
    const gb = (value: number) => `${Math.round(value).toLocaleString("en-US")} GB`;
    const tier = (label: string, days: string, c: TierCost, detail: string) =>
        `    ${pad(label, 9)} ${pad(days, 16)} ${gb(c.storedGB).padStart(12)} ${eur(c.monthly).padStart(10)}  ${detail}`;
    return [
        `  telemetry tiers: tiered ${eur(t.tiered)} against hot-only ${eur(t.hotOnly.monthly)} (saves ${eur(t.saving)})`,
        tier("hot", `${t.hot.days} days`, t.hot, `ADX ${t.hot.adxInstances} instances ${eur(t.hot.adxCompute)} + storage`),
        tier("warm", `to ${t.warm.days} days`, t.warm, "Parquet, Cool blobs (GRS), queryable from ADX"),
        tier("cold", `${t.cold.days} days more`, t.cold, "Parquet, Archive blobs (GRS)"),
        tier(
            "hot-only",
            `${t.hotOnly.days} days`,
            t.hotOnly,
            `ADX alone: ${t.hotOnly.adxInstances}×${t.hotOnly.adxSku} ${eur(t.hotOnly.adxCompute)} cache the warm period`,
        ),
    ];
}

function renderRegionServices(cost: CostEstimate): string[] {
    const { adx, iotHub, provisioning, eventHubs, shortfalls } = cost.regionServices;
    const lines = [
        `  region services${" ".repeat(16)}${eur(cost.regionServices.monthly).padStart(10)}  (ADX ${adx.instances}×${adx.sku} ${eur(adx.monthly)}, ` +
            `IoT Hub ${iotHub.stamps} stamp(s) × ${iotHub.units}×${iotHub.tier} ${eur(iotHub.monthly)}, DPS ${eur(provisioning.monthly)}, Event Hubs ${eventHubs.sku} ${eventHubs.capacity} ${eventHubs.sku === "Premium" ? "PU" : "TU"} ` +
            `${eur(eventHubs.monthly)}, egress ${eur(cost.totals.egress)})`,
    ];
    for (const shortfall of shortfalls) {
        lines.push(
            `  SHORT ${shortfall.service}: ${shortfall.configured} configured, the load needs ${shortfall.needed}; set ${shortfall.key} to ${shortfall.fix}`,
        );
    }
    if (shortfalls.length === 0) {
        lines.push("  data plane: IoT Hub, Event Hubs and ADX as configured carry every tenant at its full quota");
    }
    return lines;
}
