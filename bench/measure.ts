import { configLimitRows, limitProblems } from "../lib/azureLimits";
import type { Evaluation } from "../offline/evaluate";
import { measureOnboarding } from "./onboarding";
import { benchStackConfig } from "./stacks";

/**
 * One measurement in a process of its own, so that its peak RSS is its own:
 *   measure fleet <longTailTenants>          the fleet program on a generated stack
 *   measure onboard <longTailTenants>        one tenant onboarded into it, offline (bench/onboarding.ts)
 *   measure floor <longTailTenants> <count> [<type>]
 *       <count> bare resources of one type (default ConfigMap) through the same harness: the SDK's floor
 * Prints one `RESULT <json>` line.
 */

export interface Measurement {
    readonly kind: "fleet" | "floor";
    readonly longTailTenants: number;
    readonly tenants: number;
    /** Loading the program's modules (the fleet program, or @pulumi/kubernetes for the floor). */
    readonly importMs: number;
    /** evaluateStack, modules already loaded: config validation, program, every registration. */
    readonly evaluateMs: number;
    /**
     * The process's CPU time (user + system, all its threads: the garbage collector's too) during evaluateStack. On a
     * machine shared with other work, wall time grows with the load while this mostly does not.
     */
    readonly evaluateCpuMs: number;
    /** The policy pack's policies over the evaluation, in-process (fleet only; 0 for the floor). */
    readonly policyMs: number;
    /** Mandatory policy violations of the evaluated region (fleet only). */
    readonly mandatoryViolations: number;
    /** Azure limits the region's config exceeds (`limitProblems` of lib/azureLimits.ts; fleet only). */
    readonly limitProblems: number;
    readonly resources: number;
    readonly resourcesByType: Readonly<Record<string, number>>;
    /** process.resourceUsage().maxRSS, in MB. */
    readonly peakRssMB: number;
    /** The largest V8 heap seen between registrations, in MB (timers do not fire during an evaluation). */
    readonly peakHeapMB: number;
}

export const RESULT_PREFIX = "RESULT ";
/** Sample the heap every this many registrations: often enough to see the peak, rarely enough to cost nothing. */
const HEAP_SAMPLE_EVERY = 250;
const MB = 1024 * 1024;

/** Whether the evaluated region could be deployed: its mandatory policy violations (and how long the pack took) and Azure limits exceeded. */
async function regionDeployability(
    evaluation: Evaluation,
): Promise<Pick<Measurement, "policyMs" | "mandatoryViolations" | "limitProblems">> {
    const { evaluatePolicies } = await import("../offline/policies");
    const started = performance.now();
    const report = await evaluatePolicies(evaluation);
    return {
        policyMs: performance.now() - started,
        mandatoryViolations: report.violations.filter(v => v.enforcementLevel === "mandatory").length,
        limitProblems: limitProblems(configLimitRows(evaluation.config)).length,
    };
}

async function measure(kind: Measurement["kind"], longTailTenants: number, count: number, bareType: string): Promise<Measurement> {
    const stackConfig = benchStackConfig(longTailTenants);
    const tenants = (stackConfig["iot-fleet:tenants"] as unknown[]).length;
    const importStarted = performance.now();
    const { evaluateStack } = await import("../offline/evaluate");
    let program: (() => unknown) | undefined;
    if (kind === "fleet") {
        await import("../program");
    } else {
        const k8s = await import("@pulumi/kubernetes");
        const bare = (await import("./bareResources")).BARE_RESOURCES[bareType];
        if (bare === undefined) {
            throw new Error(`no bare builder for ${bareType}`);
        }
        // The fleet program lets each tenant's registrations go out before it builds the next tenant
        // (Region.addLandingZones); the floor waits a turn after as many bare resources as the fleet has resources per tenant.
        const perTurn = Math.max(1, Math.round(count / tenants));
        program = async () => {
            const provider = new k8s.Provider("floor-k8s", { kubeconfig: "{}" });
            for (let i = 0; i < count; i++) {
                bare(`floor-${i}`, provider);
                if ((i + 1) % perTurn === 0) {
                    await new Promise(resolve => setImmediate(resolve));
                }
            }
            return {};
        };
    }
    const importMs = performance.now() - importStarted;

    let peakHeap = process.memoryUsage().heapUsed;
    const onResource = (registered: number) => {
        if (registered % HEAP_SAMPLE_EVERY === 0) {
            peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
        }
    };
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    // Limits are counted below rather than refused: the deployability column shows them.
    const evaluation = await evaluateStack({ stack: `bench-${longTailTenants}`, stackConfig, program, onResource, azureLimits: false });
    const evaluateMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);
    const deployability =
        kind === "fleet" ? await regionDeployability(evaluation) : { policyMs: 0, mandatoryViolations: 0, limitProblems: 0 };
    const resourcesByType: Record<string, number> = {};
    for (const resource of evaluation.resources) {
        resourcesByType[resource.type] = (resourcesByType[resource.type] ?? 0) + 1;
    }
    return {
        kind,
        longTailTenants,
        tenants,
        importMs,
        evaluateMs,
        evaluateCpuMs: (cpu.user + cpu.system) / 1000,
        ...deployability,
        resources: evaluation.resources.length,
        resourcesByType,
        peakRssMB: process.resourceUsage().maxRSS / 1024,
        peakHeapMB: Math.max(peakHeap, process.memoryUsage().heapUsed) / MB,
    };
}

if (require.main === module) {
    const [kind, tenants, count, bareType = "kubernetes:core/v1:ConfigMap"] = process.argv.slice(2);
    if (
        (kind !== "fleet" && kind !== "floor" && kind !== "onboard") ||
        !/^\d+$/.test(tenants ?? "") ||
        (kind === "floor" && !/^\d+$/.test(count ?? ""))
    ) {
        console.error(
            "usage: measure fleet <longTailTenants> | measure onboard <longTailTenants> | " +
                "measure floor <longTailTenants> <count> [<type in bench/bareResources.ts>]",
        );
        process.exit(2);
    }
    (kind === "onboard" ? measureOnboarding(Number(tenants)) : measure(kind, Number(tenants), Number(count ?? 0), bareType)).then(
        result => {
            console.log(RESULT_PREFIX + JSON.stringify(result));
            // The Pulumi runtime may keep handles open after disconnect; the measurement is complete.
            process.exit(0);
        },
        err => {
            console.error(err);
            process.exit(1);
        },
    );
}
