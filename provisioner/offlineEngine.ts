import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { Evaluation } from "../offline/evaluate";
import { SELF_REFERENCE_NAME } from "../lib/naming";
import { readStackConfig, stackFilePath } from "../lib/stackFile";
import { registrationDiff, RegistrationFingerprints, registrationFingerprints, updateTargets } from "../offline/registrationDiff";
import { Engine, ReportedViolation, RunOptions, RunResult, TargetedPlan } from "./engine";
import type { EvaluationThreads } from "./evaluationThreads";
import { StackDocument, stackFileName } from "./stackDocument";

/**
 * The policy check the offline engine runs on an evaluation: `evaluatePolicies` of
 * `offline/policies.ts` (the policy pack's policies run in-process), or a stand-in in tests.
 */
export type PolicyEvaluator = (evaluation: Evaluation) => Promise<{ readonly violations: readonly ReportedViolation[] }>;

/** The root resource of every stack: the one a targeted update names when nothing else changes. */
const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

export interface OfflineEngineOptions {
    readonly projectDir: string;
    readonly policies: PolicyEvaluator;
    /**
     * Threads to evaluate on, off the caller's event loop (they run the pack's own policies, `evaluatePolicies`,
     * whatever `policies` says). Default: none, evaluations run in-process with `policies`.
     */
    readonly threads?: EvaluationThreads;
    /** Whether a config over an Azure limit is refused (`EvaluateOptions.azureLimits`); only the benchmark turns it off. Default: true. */
    readonly azureLimits?: boolean;
}

/**
 * The engine without a CLI or a cloud: runs the program in-process under mocks (`evaluateStack`) and
 * the policies on what it registered. A preview is that evaluation's verdict; `up` has nothing to
 * change, so it is the same verdict, reusing the preview's evaluation when the config is unchanged
 * (a preview followed by an up costs one evaluation). Also previews configs that are in no file (dry runs).
 */
export class OfflineEngine implements Engine {
    readonly name = "offline";
    /** The last preview per stack, keyed by its config, for the `up` that usually follows. */
    private readonly lastPreview = new Map<string, { readonly key: string; readonly result: RunResult }>();
    /** The registered graph of the last config planned per stack (its fingerprints), the next change's starting point. */
    private readonly lastGraph = new Map<string, { readonly key: string; readonly fingerprints: RegistrationFingerprints }>();

    constructor(private readonly options: OfflineEngineOptions) {}

    async preview(stack: string, options: RunOptions = {}): Promise<RunResult> {
        const stackConfig =
            options.stackFileText === undefined
                ? this.readConfig(stack)
                : StackDocument.parse(options.stackFileText, stackFileName(stack)).config();
        const result = await this.previewConfig(stack, stackConfig, options);
        this.lastPreview.set(stack, { key: JSON.stringify(stackConfig), result });
        return result;
    }

    async up(stack: string, options: RunOptions = {}): Promise<RunResult> {
        const stackConfig = this.readConfig(stack);
        const cached = this.lastPreview.get(stack);
        if (cached?.key === JSON.stringify(stackConfig)) {
            options.onOutput?.(
                `offline up of ${stack}: nothing to deploy; the preview's verdict stands (${cached.result.ok ? "passed" : "failed"})`,
            );
            return cached.result;
        }
        return this.previewConfig(stack, stackConfig, options);
    }

    /** Evaluates a stack's full `config:` map as given, without reading or writing its file. */
    async previewConfig(stack: string, stackConfig: Record<string, unknown>, options: RunOptions = {}): Promise<RunResult> {
        if (this.options.threads) {
            return this.options.threads.preview(stack, stackConfig, options);
        }
        return (await this.gate(stack, stackConfig, options)).result;
    }

    /**
     * The offline plan of a change for a targeted update: the policy gate on the whole region after the change
     * (previewConfig's verdict), and the URNs the change creates, deletes or updates, from the registered graphs
     * before and after (offline/registrationDiff.ts). The graph before is the one this engine computed last for
     * that config (the previous change's "after"), or evaluated now.
     */
    async planTargets(
        stack: string,
        beforeConfig: Record<string, unknown>,
        afterConfig: Record<string, unknown>,
        options: RunOptions = {},
    ): Promise<TargetedPlan> {
        if (this.options.threads) {
            return this.options.threads.planTargets(stack, beforeConfig, afterConfig, options);
        }
        const say = (line: string) => options.onOutput?.(line);
        const started = Date.now();
        let before = this.lastGraph.get(stack)?.key === JSON.stringify(beforeConfig) ? this.lastGraph.get(stack)?.fingerprints : undefined;
        if (before === undefined) {
            say(`offline evaluation of ${stack} as it is, for the graph the change starts from`);
            const { evaluateStack } = await import("../offline/evaluate");
            before = registrationFingerprints(
                (
                    await evaluateStack({
                        stack,
                        stackConfig: beforeConfig,
                        azureLimits: this.options.azureLimits,
                        previousOutputs: options.previousOutputs,
                    })
                ).resources,
            );
        }
        const { result, evaluation } = await this.gate(stack, afterConfig, options);
        if (!result.ok || evaluation === undefined) {
            return result;
        }
        const after = registrationFingerprints(evaluation.resources);
        this.lastGraph.set(stack, { key: JSON.stringify(afterConfig), fingerprints: after });
        const diff = registrationDiff(before, after);
        const targets = updateTargets(diff);
        const root = evaluation.resources.find(r => r.type === ROOT_STACK_TYPE)?.urn;
        // The program's reference to its own outputs is a read, which a targeted update skips unless named: named, it
        // reads the last update's outputs, as a whole update would (pulumi/pulumi#2332, #887).
        const selfReference = root?.replace(/::pulumi:pulumi:Stack::[^:]+$/, `::pulumi:pulumi:StackReference::${SELF_REFERENCE_NAME}`);
        const log = [
            ...result.log,
            `offline plan: ${diff.created.length} to create, ${diff.updated.length} to update, ${diff.deleted.length} to delete ` +
                `of ${evaluation.resources.length} resources (${Date.now() - started} ms)`,
        ];
        say(log[log.length - 1]);
        // Nothing in the graph changes: the up still runs, on the stack alone, for its outputs.
        const changed = targets.length > 0 || root === undefined ? targets : [root];
        return { ...result, log, targets: selfReference === undefined ? changed : [...changed, selfReference] };
    }

    /** The program under mocks, then the policies on what it registered; the evaluation is kept only in this thread. */
    private async gate(
        stack: string,
        stackConfig: Record<string, unknown>,
        options: RunOptions,
    ): Promise<{ readonly result: RunResult; readonly evaluation?: Evaluation }> {
        const log: string[] = [];
        const say = (line: string) => {
            log.push(line);
            options.onOutput?.(line);
        };
        let sequence = 0;
        const emit = (event: Omit<EngineEvent, "sequence" | "timestamp">) =>
            options.onEvent?.({ sequence: sequence++, timestamp: Math.floor(Date.now() / 1000), ...event });

        say(`offline preview of ${stack}: running the program under mocks`);
        let evaluation: Evaluation;
        try {
            // Loaded on first use: the program is heavy, and a service that evaluates on threads never loads it here.
            const { evaluateStack } = await import("../offline/evaluate");
            evaluation = await evaluateStack({
                stack,
                stackConfig,
                azureLimits: this.options.azureLimits,
                previousOutputs: options.previousOutputs,
            });
        } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            say(`the program failed: ${message}`);
            emit({ diagnosticEvent: { message, color: "never", severity: "error" } });
            return { result: { ok: false, failure: "preview-error", policyViolations: [], log } };
        }
        say(`${evaluation.resources.length} resources registered in ${evaluation.durationMs} ms`);

        const report = await this.options.policies(evaluation);
        const violations = report.violations.filter(v => v.enforcementLevel !== "disabled");
        for (const v of violations) {
            say(`[${v.enforcementLevel}] ${v.policyName}: ${v.message}${v.urn ? ` (${v.urn})` : ""}`);
            emit({
                policyEvent: {
                    resourceUrn: v.urn || undefined,
                    message: v.message,
                    color: "never",
                    policyName: v.policyName,
                    policyPackName: "iot-fleet",
                    policyPackVersion: "offline",
                    policyPackVersionTag: "offline",
                    enforcementLevel: v.enforcementLevel === "mandatory" ? "mandatory" : "warning",
                },
            });
        }
        const mandatory = violations.filter(v => v.enforcementLevel === "mandatory").length;
        say(
            mandatory === 0
                ? "policies passed"
                : `${mandatory} mandatory policy violation${mandatory === 1 ? "" : "s"}: the change is refused`,
        );
        const result: RunResult = {
            ok: mandatory === 0,
            ...(mandatory > 0 ? { failure: "policy" as const } : {}),
            policyViolations: violations,
            outputs: evaluation.outputs,
            log,
        };
        return { result, evaluation };
    }

    private readConfig(stack: string): Record<string, unknown> {
        return readStackConfig(stackFilePath(stack, this.options.projectDir));
    }
}
