import * as fs from "fs";
import * as path from "path";
import { stackFilePath } from "../lib/stackFile";
import { markAttention } from "./attention";
import { FileSystem, writeFileAtomic } from "./atomicFile";
import { OperationJournal, sha256, WriteIntent } from "./operationJournal";
import { FINISHED_KEPT, Operation, OperationStore } from "./operations";

/**
 * What the service does at start, before it listens: it removes the temp files of writes a crash cut
 * short, settles every stack file write the journal holds no outcome for, reports every operation
 * that was in flight as `interrupted` (saying what it had done), and keeps the last FINISHED_KEPT
 * finished operations readable.
 */

export interface RecoveryReport {
    /** Operations that were queued or running when the service stopped. */
    readonly interrupted: readonly string[];
    /** Stacks whose file held a written but unconfirmed change and was put back as it was before it. */
    readonly restored: readonly string[];
    /** Stacks marked as needing attention: the change may be partly deployed, or the file was edited meanwhile. */
    readonly marked: readonly string[];
    /** Temp files of cut writes, removed (names, not paths). */
    readonly removedTempFiles: readonly string[];
}

/** A temp file of writeFileAtomic (`.<name>.<pid>.<12 hex>.tmp`) or of the journal's compaction. */
const TEMP_FILE = /^(\..+\.\d+\.[0-9a-f]{12}|operations\.jsonl\.\d+)\.tmp$/;

function removeTempFiles(dirs: readonly string[]): string[] {
    const removed: string[] = [];
    for (const dir of dirs) {
        for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
            if (TEMP_FILE.test(name)) {
                fs.rmSync(path.join(dir, name), { force: true });
                removed.push(name);
            }
        }
    }
    return removed;
}

interface Settlement {
    /** What happened to the stack file, for the operations' error message. */
    readonly note: string;
    readonly restored?: boolean;
    readonly marked?: boolean;
}

/** Brings the stack file of a write without outcome to a known state. */
async function settleWrite(intent: WriteIntent, projectDir: string, fileSystem: FileSystem): Promise<Settlement> {
    const file = stackFilePath(intent.stack, projectDir);
    const current = await fileSystem.readFile(file).catch(() => undefined);
    if (current !== undefined && sha256(current) === sha256(intent.before)) {
        return { note: "nothing of it was written to the stack file" };
    }
    if (current !== undefined && sha256(current) === intent.afterSha256 && intent.engine === "offline") {
        await writeFileAtomic(fileSystem, file, intent.before);
        return { note: "its change was written but never confirmed: the stack file was put back as it was before it", restored: true };
    }
    const why =
        current !== undefined && sha256(current) === intent.afterSha256
            ? "its change was written and its update may have deployed part of it"
            : "the stack file differs both from before and from after its change (edited by hand?)";
    await markAttention(fileSystem, file, {
        since: new Date().toISOString(),
        reason: `the service stopped during a run: ${why}`,
        operations: intent.operations,
    });
    return { note: `${why}: the stack is marked as needing attention for an operator`, marked: true };
}

export async function recoverOperations(options: {
    readonly journal: OperationJournal;
    readonly store: OperationStore;
    readonly projectDir: string;
    readonly fs: FileSystem;
}): Promise<RecoveryReport> {
    const { journal, store, projectDir } = options;
    const removedTempFiles = removeTempFiles([projectDir, path.dirname(journal.file)]);
    const { operations, unsettled } = journal.read();
    const byId = new Map(operations.map(o => [o.id, o]));
    const notes = new Map<string, string>();
    const [restored, marked] = [new Set<string>(), new Set<string>()];
    for (const intent of unsettled) {
        const batch = intent.operations.map(id => byId.get(id)).filter((o): o is Operation => o !== undefined);
        if (batch.some(o => o.status === "succeeded")) {
            // The batch's verdict was recorded in part: a batch succeeds or fails as a whole, and this one passed.
            batch
                .filter(o => o.finishedAt === undefined)
                .forEach(o => finishAs(o, "succeeded", "its batch succeeded; its outputs were not recorded"));
            continue;
        }
        const settlement = await settleWrite(intent, projectDir, options.fs);
        intent.operations.forEach(id => notes.set(id, settlement.note));
        if (settlement.restored) {
            restored.add(intent.stack);
        }
        if (settlement.marked) {
            marked.add(intent.stack);
        }
    }
    const interrupted = operations.filter(o => o.finishedAt === undefined);
    for (const operation of interrupted) {
        finishAs(
            operation,
            "interrupted",
            `the service stopped while it was ${operation.status}; ${notes.get(operation.id) ?? "nothing of it was written to the stack file"}`,
        );
    }
    const kept = operations.slice(-FINISHED_KEPT);
    journal.compact(kept);
    store.restore(kept);
    return { interrupted: interrupted.map(o => o.id), restored: [...restored], marked: [...marked], removedTempFiles };
}

function finishAs(operation: Operation, status: "succeeded" | "interrupted", message: string): void {
    operation.log.push(`recovered at start-up: ${message}`);
    operation.status = status;
    operation.finishedAt = new Date().toISOString();
    if (status === "interrupted") {
        operation.error = { status: 503, message: `interrupted: ${message}; send the request again` };
    }
}
