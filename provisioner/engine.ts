import * as fs from "fs";
import * as path from "path";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { PolicyViolation } from "../offline/policies";

/**
 * The one boundary between the provisioning service and Pulumi. Everything above it (stack file
 * edits, queues, rollback, HTTP) is the same whichever engine runs; tests run it for real with the
 * offline engine. A preview runs on the candidate stack file text it is given (the stack file is
 * written only once the change has passed); `up` runs on the stack file, which the service has written.
 */

/**
 * A policy violation as both engines report it: the offline run's `PolicyViolation` without the policy's
 * description, which the CLI's policy events do not carry.
 */
export type ReportedViolation = Pick<PolicyViolation, "policyName" | "enforcementLevel" | "urn" | "message">;

export interface RunOptions {
    /** One line of human-readable progress. Default: none. */
    readonly onOutput?: (line: string) => void;
    /** A structured engine event (the Automation API's shape; the offline engine emits the same kinds). Default: none. */
    readonly onEvent?: (event: EngineEvent) => void;
    /**
     * For a preview: the stack file's text to preview instead of the file on disk (a candidate staged
     * for its preview; the stack file is not touched). Default: the stack file.
     */
    readonly stackFileText?: string;
    /**
     * The URNs the run is limited to (`--target`), as an offline plan computed them (`TargetedPlan`); the engine
     * updates, creates and deletes those alone. Default: none, the whole stack.
     */
    readonly targets?: readonly string[];
    /**
     * For an offline plan: the stack's outputs from its last update, which the program reads back through its
     * self-reference to keep every tenant on its cluster, stamp, endpoint subnet and account (program.ts). Default:
     * none, as on a stack's first update.
     */
    readonly previousOutputs?: Record<string, unknown>;
}

/**
 * Why a run failed, which decides what the service does with the stack file:
 * - `policy`: the preview met a mandatory policy violation; nothing was deployed.
 * - `preview-error`: the preview failed otherwise (the program, a provider, the CLI, a timeout); nothing was deployed.
 * - `deploy-error`: `up` failed; part of the change may be deployed (protected resources included), so the
 *   stack file must keep it: rolling it back would make the next `up` try to delete what was created.
 */
export type RunFailure = "policy" | "preview-error" | "deploy-error";

export interface RunResult {
    /** False when the run failed: the change must not stand (see `failure`). */
    readonly ok: boolean;
    /** Why the run failed; set exactly when `ok` is false. */
    readonly failure?: RunFailure;
    readonly policyViolations: readonly ReportedViolation[];
    /** Stack outputs as plain values (secrets shown as "[secret]"): after an `up`, and offline after a preview too. */
    readonly outputs?: Record<string, unknown>;
    readonly log: readonly string[];
}

/** An offline preview's verdict with the URNs a targeted update of the change must name (OfflineEngine.planTargets). */
export interface TargetedPlan extends RunResult {
    /** Set when the plan passed: never empty (the stack alone when nothing else changes), sorted. */
    readonly targets?: readonly string[];
}

export interface Engine {
    readonly name: "automation" | "offline";
    preview(stack: string, options?: RunOptions): Promise<RunResult>;
    up(stack: string, options?: RunOptions): Promise<RunResult>;
    /** The stack's outputs from its last update, as plain values; none where the engine has no deployed state. */
    deployedOutputs?(stack: string): Promise<Record<string, unknown>>;
}

/**
 * A failure that is nobody's change, raised before anything ran: the stack is missing in the backend
 * (404), another update holds its lock (409), or the CLI cannot work at all (502: not logged in, a broken
 * install). The service fails the whole batch with this status and does not look for a culprit.
 */
export class EngineError extends Error {
    constructor(
        readonly status: 404 | 409 | 502,
        message: string,
    ) {
        super(message);
        this.name = "EngineError";
    }
}

/** Whether an executable `pulumi` is on the PATH: the Automation API engine needs the CLI. */
export function pulumiOnPath(pathVariable = process.env.PATH ?? ""): boolean {
    const names = process.platform === "win32" ? ["pulumi.exe", "pulumi.cmd"] : ["pulumi"];
    return pathVariable
        .split(path.delimiter)
        .filter(Boolean)
        .some(dir =>
            names.some(name => {
                try {
                    fs.accessSync(path.join(dir, name), fs.constants.X_OK);
                    return true;
                } catch {
                    return false;
                }
            }),
        );
}

export type EngineChoice = "automation" | "offline" | "auto";

/** `auto` takes the Automation API whenever the CLI is installed, the offline engine otherwise. */
export function chooseEngine(choice: EngineChoice, cliAvailable = pulumiOnPath()): "automation" | "offline" {
    return choice === "auto" ? (cliAvailable ? "automation" : "offline") : choice;
}
