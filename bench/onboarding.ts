import type { RunResult, TargetedPlan } from "../provisioner/engine";
import { benchStackConfig } from "./stacks";

/**
 * Onboarding latency under the offline engine: what the provisioning service does before its targeted `up`
 * (provisioner/targetedEngine.ts) when one tenant joins a region of `longTailTenants`: evaluate the region as it is
 * and with the tenant, run the policy pack on the whole region after, diff the two graphs. Measured twice: cold (the
 * graph before is evaluated too) and warm (the next tenant: the graph before is the previous plan's, kept by the engine).
 */

export interface OnboardingRun {
    /** Evaluations, policy gate and diff: what the change waits for before the CLI runs. */
    readonly totalMs: number;
    /** The policy gate's share of it. */
    readonly policyMs: number;
    /** URNs the targeted `up` names. */
    readonly targets: number;
}

export interface OnboardingMeasurement {
    readonly kind: "onboard";
    readonly longTailTenants: number;
    readonly resources: number;
    readonly cold: OnboardingRun;
    readonly warm: OnboardingRun;
    /**
     * Mandatory violations the generated region has with the tenant (the same before it): counted, and let through as
     * advisory so that the whole plan is timed. The service refuses such a change; the benchmark's regions are to be
     * sized deployable (bench/stacks.ts), after which this is 0.
     */
    readonly mandatoryViolations: number;
    /** process.resourceUsage().maxRSS, in MB. */
    readonly peakRssMB: number;
}

const joining = (i: number) => ({ name: `joining-${i}`, deviceQuota: 1_500 });

export async function measureOnboarding(longTailTenants: number): Promise<OnboardingMeasurement> {
    const { OfflineEngine } = await import("../provisioner/offlineEngine");
    const { evaluatePolicies } = await import("../offline/policies");
    // Loaded before the clock starts, as the service's threads have it loaded.
    await import("../program");
    let policyMs = 0;
    let resources = 0;
    let mandatoryViolations = 0;
    const engine = new OfflineEngine({
        projectDir: "",
        // Counted in the bench's deployability column, not refused: the plan is timed whatever the region's sizing.
        azureLimits: false,
        policies: async evaluation => {
            resources = evaluation.resources.length;
            const started = performance.now();
            const report = await evaluatePolicies(evaluation);
            policyMs += performance.now() - started;
            mandatoryViolations = report.violations.filter(v => v.enforcementLevel === "mandatory").length;
            return { violations: report.violations.map(v => ({ ...v, enforcementLevel: "advisory" as const })) };
        },
    });
    const stack = `bench-${longTailTenants}`;
    const region = benchStackConfig(longTailTenants);
    const withTenants = (count: number) => ({
        ...region,
        "iot-fleet:tenants": [...(region["iot-fleet:tenants"] as unknown[]), ...Array.from({ length: count }, (_, i) => joining(i))],
    });
    const run = async (before: Record<string, unknown>, after: Record<string, unknown>): Promise<OnboardingRun> => {
        policyMs = 0;
        const started = performance.now();
        const plan: TargetedPlan = await engine.planTargets(stack, before, after);
        const totalMs = performance.now() - started;
        if (!plan.ok || plan.targets === undefined) {
            throw new Error(`the onboarding was refused: ${(plan as RunResult).log.join("\n")}`);
        }
        return { totalMs, policyMs, targets: plan.targets.length };
    };
    const cold = await run(withTenants(0), withTenants(1));
    const warm = await run(withTenants(1), withTenants(2));
    return {
        kind: "onboard",
        longTailTenants,
        resources,
        cold,
        warm,
        mandatoryViolations,
        peakRssMB: process.resourceUsage().maxRSS / 1024,
    };
}
