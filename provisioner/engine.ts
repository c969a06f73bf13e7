import * as fs from "fs";
import * as path from "path";
import type { EngineEvent } from "@pulumi/pulumi/automation";

/**
 * The one boundary between the provisioning service and Pulumi. Everything above it (stack file
 * edits, queues, rollback, HTTP) is the same whichever engine runs; tests run it for real with the
 * offline engine. The stack's configuration is always read from its stack file, which the service
 * has written before calling either method.
 */

export interface PolicyViolation {
    readonly policyName: string;
    readonly enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled";
    readonly urn: string;
    readonly message: string;
}

export interface RunOptions {
    /** One line of human-readable progress. */
    readonly onOutput?: (line: string) => void;
    /** A structured engine event (the Automation API's shape; the offline engine emits the same kinds). */
    readonly onEvent?: (event: EngineEvent) => void;
}

export interface RunResult {
    /** False when the program failed or a mandatory policy was violated: the change must not stand. */
    readonly ok: boolean;
    readonly policyViolations: readonly PolicyViolation[];
    /** Stack outputs as plain values (secrets shown as "[secret]"): after an `up`, and offline after a preview too. */
    readonly outputs?: Record<string, unknown>;
    readonly log: readonly string[];
}

export interface Engine {
    readonly name: "automation" | "offline";
    preview(stack: string, options?: RunOptions): Promise<RunResult>;
    up(stack: string, options?: RunOptions): Promise<RunResult>;
}

/**
 * A failure that is nobody's change: the stack is missing in the backend (404) or another update
 * holds its lock (409). The service fails the whole batch with this status and does not look for a culprit.
 */
export class EngineError extends Error {
    constructor(readonly status: 404 | 409, message: string) {
        super(message);
        this.name = "EngineError";
    }
}

/** Whether an executable `pulumi` is on the PATH: the Automation API engine needs the CLI. */
export function pulumiOnPath(pathVariable = process.env.PATH ?? ""): boolean {
    const names = process.platform === "win32" ? ["pulumi.exe", "pulumi.cmd"] : ["pulumi"];
    return pathVariable.split(path.delimiter).filter(Boolean).some(dir => names.some(name => {
        try {
            fs.accessSync(path.join(dir, name), fs.constants.X_OK);
            return true;
        } catch {
            return false;
        }
    }));
}

export type EngineChoice = "automation" | "offline" | "auto";

/** `auto` takes the Automation API whenever the CLI is installed, the offline engine otherwise. */
export function chooseEngine(choice: EngineChoice, cliAvailable = pulumiOnPath()): "automation" | "offline" {
    return choice === "auto" ? (cliAvailable ? "automation" : "offline") : choice;
}
