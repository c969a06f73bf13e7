import { EngineError, ReportedViolation, RunFailure } from "./engine";
import { ProvisionerError, stackFileConflict, withoutPaths } from "./errors";
import { OperationError } from "./operations";

/** How a failed run, or a failure around it, is reported on its operation. */

/** A policy refusal is the change's fault (422); the rest is Pulumi's side failing (502). */
export function failureError(failure: RunFailure, stack: string, policyViolations: readonly ReportedViolation[]): OperationError {
    switch (failure) {
        case "policy":
            return {
                status: 422,
                message:
                    "the change was refused by a mandatory policy; it was previewed from a staged copy and never written to the stack file",
                policyViolations,
            };
        case "preview-error":
            return {
                status: 502,
                policyViolations,
                message:
                    "the preview failed (the program, a provider or the Pulumi CLI; see the run's log); nothing was deployed and nothing was written to the stack file",
            };
        case "deploy-error":
            return {
                status: 502,
                policyViolations,
                message:
                    `the update failed part-way; the stack file keeps the change and stack ${stack} needs attention: ` +
                    `check it (pulumi refresh, pulumi up), then clear the mark with DELETE /v1/stacks/${stack}/attention; until then changes are refused with 409`,
            };
    }
}

export function asOperationError(err: unknown): OperationError {
    const mapped = stackFileConflict(err, "the stack file cannot be read; fix it by hand");
    if (mapped instanceof ProvisionerError) {
        return { status: mapped.status, message: mapped.message, problems: mapped.problems };
    }
    if (mapped instanceof EngineError) {
        return { status: mapped.status, message: withoutPaths(mapped.message) };
    }
    return { status: 500, message: withoutPaths(mapped instanceof Error ? mapped.message : String(mapped)) };
}
