import { BARE_CONFIGMAP } from "./bareResources";
import { Measurement } from "./measure";
import type { OnboardingMeasurement } from "./onboarding";
import { GENERATED_SHARED_CLUSTER_CAPACITY } from "./stacks";

/** The benchmark's targets on the reference machine (2 cores). */
export const TARGETS = {
    size: 1_000,
    maxSeconds: 10,
    maxRssMB: 1_536,
    scaledSize: 5_000,
    maxScaleFactor: 5.5,
    maxFloorRatio: 1.5,
};

export interface BenchRow {
    readonly fleet: Measurement;
    readonly floor: Measurement;
}

/** Bare resources of one type through the same harness. */
export interface TypeFloor {
    readonly type: string;
    readonly floor: Measurement;
}

export interface TargetCheck {
    readonly name: string;
    readonly actual: string;
    readonly met: boolean;
}

export interface BenchResults {
    readonly date: string;
    readonly machine: {
        readonly cores: number;
        readonly cpuModel: string;
        readonly memoryGB: number;
        readonly node: string;
        readonly platform: string;
    };
    readonly tree: { readonly commit: string; readonly subject: string; readonly uncommittedPaths: readonly string[] };
    readonly mode: string;
    readonly childHeapLimitMB: number;
    readonly rows: readonly BenchRow[];
    readonly typeFloors: readonly TypeFloor[];
    readonly targets: readonly TargetCheck[];
    /** One tenant onboarded into a region of each onboarding size (bench/onboarding.ts). */
    readonly onboarding: readonly OnboardingMeasurement[];
}

const perResourceMs = (m: Measurement) => m.evaluateMs / m.resources;
export const floorRatio = (row: BenchRow) => perResourceMs(row.fleet) / perResourceMs(row.floor);

/**
 * What the fleet's own mix of resource types costs per resource at the SDK's floor: each type at its type floor,
 * types without one at the bare-ConfigMap floor of the same row.
 */
function mixFloorMs(row: BenchRow, typeFloors: readonly TypeFloor[]): number {
    const floorOf = new Map(typeFloors.map(t => [t.type, perResourceMs(t.floor)]));
    const configMapMs = floorOf.get(BARE_CONFIGMAP) ?? perResourceMs(row.floor);
    let total = 0;
    for (const [type, count] of Object.entries(row.fleet.resourcesByType)) {
        total += count * (floorOf.get(type) ?? configMapMs);
    }
    return total / row.fleet.resources;
}
const seconds = (ms: number) => (ms / 1000).toFixed(1);

export function checkTargets(rows: readonly BenchRow[]): TargetCheck[] {
    const at = (size: number) => rows.find(r => r.fleet.longTailTenants === size);
    const checks: TargetCheck[] = [];
    const base = at(TARGETS.size);
    if (base) {
        checks.push({
            name: `${TARGETS.size} tenants evaluate in < ${TARGETS.maxSeconds} s`,
            actual: `${seconds(base.fleet.evaluateMs)} s`,
            met: base.fleet.evaluateMs < TARGETS.maxSeconds * 1000,
        });
        checks.push({
            name: `${TARGETS.size} tenants peak RSS < ${TARGETS.maxRssMB} MB`,
            actual: `${Math.round(base.fleet.peakRssMB)} MB`,
            met: base.fleet.peakRssMB < TARGETS.maxRssMB,
        });
        const scaled = at(TARGETS.scaledSize);
        if (scaled) {
            const factor = scaled.fleet.evaluateMs / base.fleet.evaluateMs;
            checks.push({
                name: `${TARGETS.scaledSize} tenants take <= ${TARGETS.maxScaleFactor}x the ${TARGETS.size}-tenant time`,
                actual: `${factor.toFixed(2)}x (CPU time ${(scaled.fleet.evaluateCpuMs / base.fleet.evaluateCpuMs).toFixed(2)}x)`,
                met: factor <= TARGETS.maxScaleFactor,
            });
        }
    }
    for (const row of rows) {
        const ratio = floorRatio(row);
        checks.push({
            name: `${row.fleet.longTailTenants} tenants: per-resource time <= ${TARGETS.maxFloorRatio}x the bare-ConfigMap floor`,
            actual: `${ratio.toFixed(2)}x`,
            met: ratio <= TARGETS.maxFloorRatio,
        });
    }
    return checks;
}

const HEADER = [
    "long-tail",
    "tenants",
    "resources",
    "per tenant",
    "marginal/tenant",
    "import s",
    "evaluate s",
    "CPU s",
    "ms/resource",
    "peak RSS MB",
    "peak heap MB",
    "floor evaluate s",
    "floor ms/resource",
    "floor RSS MB",
    "vs floor",
    "mix floor ms/resource",
    "vs mix floor",
    "policies s",
    "mandatory violations / limit problems",
];

function rowCells(rows: readonly BenchRow[], typeFloors: readonly TypeFloor[]): string[][] {
    return rows.map((row, i) => {
        const { fleet, floor } = row;
        const previous = rows[i - 1]?.fleet;
        const marginal = previous ? ((fleet.resources - previous.resources) / (fleet.tenants - previous.tenants)).toFixed(1) : "";
        return [
            String(fleet.longTailTenants),
            String(fleet.tenants),
            String(fleet.resources),
            (fleet.resources / fleet.tenants).toFixed(1),
            marginal,
            seconds(fleet.importMs),
            seconds(fleet.evaluateMs),
            seconds(fleet.evaluateCpuMs),
            perResourceMs(fleet).toFixed(2),
            String(Math.round(fleet.peakRssMB)),
            String(Math.round(fleet.peakHeapMB)),
            seconds(floor.evaluateMs),
            perResourceMs(floor).toFixed(2),
            String(Math.round(floor.peakRssMB)),
            `${floorRatio(row).toFixed(2)}x`,
            mixFloorMs(row, typeFloors).toFixed(2),
            `${(perResourceMs(fleet) / mixFloorMs(row, typeFloors)).toFixed(2)}x`,
            seconds(fleet.policyMs),
            `${fleet.mandatoryViolations} / ${fleet.limitProblems}`,
        ];
    });
}

/** The table as aligned plain text, for the console. */
export function tableLines(rows: readonly BenchRow[], typeFloors: readonly TypeFloor[]): string[] {
    const cells = [HEADER, ...rowCells(rows, typeFloors)];
    const widths = HEADER.map((_, column) => Math.max(...cells.map(line => line[column].length)));
    return cells.map(line => line.map((cell, column) => cell.padStart(widths[column])).join("  "));
}

/** Resources each added tenant brings, by type, between the two largest sizes. */
function perTenantMix(rows: readonly BenchRow[]): [string, number][] {
    if (rows.length < 2) {
        return [];
    }
    const [small, large] = rows.slice(-2).map(r => r.fleet);
    const tenants = large.tenants - small.tenants;
    return Object.entries(large.resourcesByType)
        .map(([type, count]): [string, number] => [type, (count - (small.resourcesByType[type] ?? 0)) / tenants])
        .filter(([, perTenant]) => perTenant > 0)
        .sort((a, b) => b[1] - a[1]);
}

export function markdownReport(results: BenchResults): string {
    const m = results.machine;
    const table = [HEADER, HEADER.map(() => "---:"), ...rowCells(results.rows, results.typeFloors)].map(
        cells => `| ${cells.join(" | ")} |`,
    );
    const dirty = results.tree.uncommittedPaths;
    return [
        "# Evaluation benchmark",
        "",
        `${results.date}: ${m.cores} cores (${m.cpuModel}), ${m.memoryGB} GB, Node ${m.node}, ${m.platform}.`,
        `Tree: ${results.tree.commit} "${results.tree.subject}"${dirty.length > 0 ? `, plus uncommitted changes to ${dirty.join(", ")}` : ""}.`,
        `Children: ${results.mode}, one process per measurement, --max-old-space-size=${results.childHeapLimitMB}.`,
        "",
        "Each size is that many long-tail tenants of 1,500 devices plus 3 dedicated ones (500,000 devices) on prod-weu's config, with",
        `shared clusters of up to ${GENERATED_SHARED_CLUSTER_CAPACITY.maxTenants} tenants, sized for its own Azure limits (bench/stacks.ts): 2 M devices at 1,000. CPU s is the process's CPU time during the evaluation (all`,
        "threads), steadier than wall time when the machine is shared; the last column is deployability: the region's mandatory",
        "policy violations and the Azure limits its config exceeds (`limitProblems`, lib/azureLimits.ts).",
        "The floor registers as many bare `kubernetes:core/v1:ConfigMap`s through the same harness (`evaluateStack`), waiting a turn",
        "of the event loop as often as the fleet does (after each tenant's worth of resources). The mix floor prices the fleet's own",
        "mix of types at each type's floor (below), the types without one at the ConfigMap floor.",
        "",
        ...table,
        "",
        "## Targets",
        "",
        ...results.targets.map(t => `- ${t.met ? "met" : "**missed**"}: ${t.name} (${t.actual})`),
        "",
        "## Onboarding one tenant (offline plan: evaluations, policy gate on the whole region, diff)",
        "",
        "| long-tail | resources | cold s (two evaluations) | warm s (graph before kept) | of which policies s | targets | peak RSS MB | mandatory violations (let through) |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ...results.onboarding.map(
            o =>
                `| ${o.longTailTenants} | ${o.resources} | ${seconds(o.cold.totalMs)} | ${seconds(o.warm.totalMs)} | ${seconds(o.warm.policyMs)} | ${o.warm.targets} | ${Math.round(o.peakRssMB)} | ${o.mandatoryViolations} |`,
        ),
        "",
        "## Floor by type",
        "",
        ...results.typeFloors.map(
            t =>
                `- ${perResourceMs(t.floor).toFixed(3)} ms per bare ${t.type} (${t.floor.resources} resources, peak RSS ${Math.round(t.floor.peakRssMB)} MB)`,
        ),
        "",
        "## Resources each added tenant brings",
        "",
        ...perTenantMix(results.rows).map(([type, perTenant]) => `- ${perTenant.toFixed(2)} ${type}`),
        "",
    ].join("\n");
}
