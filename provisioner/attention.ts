import * as path from "path";
import { FileSystem, writeFileAtomic } from "./atomicFile";
import { ProvisionerError } from "./errors";

/**
 * A stack whose `up` failed part-way needs an operator: part of the change may be deployed (protected
 * resources included), so the stack file keeps it, and the service refuses further changes to the
 * stack (409) until an operator has looked (`pulumi refresh`, `pulumi up` by hand) and cleared the mark.
 * The mark is a file next to the stack file, so that it survives a restart of the service; its name
 * starts with a dot, so neither `listStacks` nor the Pulumi CLI take it for a stack file.
 */
export interface AttentionMark {
    /** When the failed `up` ended (ISO 8601). */
    readonly since: string;
    readonly reason: string;
    /** The operations whose `up` failed. */
    readonly operations: readonly string[];
}

const attentionFilePath = (stackFile: string): string =>
    path.join(path.dirname(stackFile), `.${path.basename(stackFile, ".yaml")}.attention.json`);

/** The stack's mark, or undefined when it has none. A mark that is no valid JSON still marks the stack. */
export async function readAttention(fs: FileSystem, stackFile: string): Promise<AttentionMark | undefined> {
    let text: string;
    try {
        text = await fs.readFile(attentionFilePath(stackFile));
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") {
            return undefined;
        }
        throw err;
    }
    try {
        return JSON.parse(text) as AttentionMark;
    } catch {
        return { since: "unknown", reason: `the mark ${path.basename(attentionFilePath(stackFile))} is not valid JSON`, operations: [] };
    }
}

export function markAttention(fs: FileSystem, stackFile: string, mark: AttentionMark): Promise<void> {
    return writeFileAtomic(fs, attentionFilePath(stackFile), `${JSON.stringify(mark, null, 2)}\n`);
}

/** Removes the mark; false when the stack had none. */
export async function clearAttention(fs: FileSystem, stackFile: string): Promise<boolean> {
    try {
        await fs.unlink(attentionFilePath(stackFile));
        return true;
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") {
            return false;
        }
        throw err;
    }
}

export function attentionConflict(stack: string, mark: AttentionMark): ProvisionerError {
    return ProvisionerError.conflict(
        `stack ${stack} needs attention since ${mark.since} (${mark.reason}); the service changes it again once an operator ` +
            `has checked the stack (pulumi refresh, pulumi up) and cleared the mark with DELETE /v1/stacks/${stack}/attention`,
    );
}
