import { AttentionMark, attentionConflict, clearAttention, markAttention, readAttention } from "./attention";
import { FileSystem } from "./atomicFile";
import { Engine, EngineError, ReportedViolation, RunFailure, RunOptions, RunResult } from "./engine";
import { OperationJournal } from "./operationJournal";
import { rollBack, writeWithIntent } from "./stackFileWrite";
import { newRun, Operation, OperationStore, recordEvent, recordLine } from "./operations";
import { asOperationError, failureError } from "./operationErrors";
import { StackDocument, stackFileName } from "./stackDocument";
import { AppliedChange, applyChange, TenantChange } from "./tenantChanges";

export interface QueuedChange {
    readonly operation: Operation;
    readonly change: TenantChange;
}

export interface StackWorkerOptions {
    readonly stack: string;
    /** The stack file's path. */
    readonly file: string;
    readonly fs: FileSystem;
    readonly engine: Engine;
    readonly operations: OperationStore;
    /** Where the intent of each stack file write is recorded before the write. Default: none (nothing survives a crash). */
    readonly journal?: OperationJournal;
}

interface BatchChange {
    readonly item: QueuedChange;
    readonly result: AppliedChange;
}

/** Changes applied together, the stack file they were applied to and the one they make. */
interface Batch {
    readonly changes: readonly BatchChange[];
    readonly before: string;
    readonly text: string;
}

type Verdict =
    | { readonly ok: true; readonly outputs?: Record<string, unknown> }
    | { readonly ok: false; readonly failure: RunFailure; readonly policyViolations: readonly ReportedViolation[] };

/**
 * The one writer of a stack file, with group commit. Changes queue up while a run is in progress;
 * the next run takes all of them, applies them in arrival order (a change that is invalid on its
 * own fails alone) and previews the file they make from a staged copy: the stack file is written
 * only once the preview has passed, then `up` runs once. If the preview fails, nothing was deployed
 * nor written; if a policy refused it, the batch is bisected so that only the culprits fail, while
 * any other preview failure (an outage, a timeout) fails the whole batch. If `up` fails, part of the
 * change may be deployed: the file keeps it and the stack is marked as needing attention, which
 * refuses further changes until an operator clears it. Each write is recorded in the journal before
 * it happens and settled after its verdicts, so that recovery (recovery.ts) can undo one cut by a crash.
 */
export class StackWorker {
    private readonly queue: QueuedChange[] = [];
    private draining = false;
    /** A mark whose file could not be written: kept in memory so that the stack still refuses changes. */
    private unsavedMark?: AttentionMark;

    constructor(private readonly options: StackWorkerOptions) {}

    /** The stack's attention mark (see attention.ts), from its file or, if that could not be written, from memory. */
    async attention(): Promise<AttentionMark | undefined> {
        return this.unsavedMark ?? readAttention(this.options.fs, this.options.file);
    }

    /** Clears the stack's mark, file and memory; false when it had none. */
    async clearAttention(): Promise<boolean> {
        const inMemory = this.unsavedMark !== undefined;
        this.unsavedMark = undefined;
        return (await clearAttention(this.options.fs, this.options.file)) || inMemory;
    }

    enqueue(item: QueuedChange): void {
        this.queue.push(item);
        if (!this.draining) {
            void this.drain();
        }
    }

    private async drain(): Promise<void> {
        this.draining = true;
        while (this.queue.length > 0) {
            const batch = this.queue.splice(0);
            try {
                await this.runBatch(batch);
            } catch (err) {
                // Never leave an operation hanging: whatever escaped (an unreadable file, a failed write) fails what is left.
                await Promise.all(
                    batch
                        .filter(b => b.operation.finishedAt === undefined)
                        .map(b => this.options.operations.fail(b.operation, asOperationError(err))),
                );
            }
        }
        this.draining = false;
    }

    /** Runs changes as one batch; true when its run passed (and so every change in it that changed something is applied). */
    private async runBatch(queued: readonly QueuedChange[]): Promise<boolean> {
        queued.forEach(item => this.options.operations.start(item.operation));
        const mark = await this.attention();
        if (mark) {
            const refusal = asOperationError(attentionConflict(this.options.stack, mark));
            await Promise.all(queued.map(item => this.options.operations.fail(item.operation, refusal)));
            return false;
        }
        const batch = await this.applyAll(queued);
        if (batch === undefined) {
            return false;
        }
        const outcome = await this.run(batch);
        if (outcome === undefined) {
            return false;
        }
        const { verdict, writeId } = outcome;
        if (verdict.ok || verdict.failure !== "policy" || batch.changes.length === 1) {
            // An outage or a timeout is nobody's change: looking for a culprit would only run the failure again for each.
            await Promise.all(batch.changes.map(c => this.settle(c, verdict)));
        }
        if (writeId !== undefined) {
            // The verdicts are recorded, or the file is rolled back and the culprit search below starts afresh.
            await this.options.journal?.recordSettled(writeId);
        }
        if (verdict.ok || verdict.failure !== "policy" || batch.changes.length === 1) {
            return verdict.ok;
        }
        await this.findCulprits(
            batch.changes.map(c => c.item),
            true,
        );
        return false;
    }

    /**
     * Bisects changes whose preview a policy refused (nothing was deployed, the file is as before): each
     * half runs as a batch of its own, and a failing half is split again, so that one culprit among n
     * changes costs about 2·log2(n) runs rather than n. When the first half passes, the second is known to
     * fail (together they are the batch that failed), so it is split without being run whole.
     */
    private async findCulprits(changes: readonly QueuedChange[], knownToFail: boolean): Promise<void> {
        if (!knownToFail || changes.length === 1) {
            await this.runBatch(changes);
            return;
        }
        const half = Math.floor(changes.length / 2);
        const [first, second] = [changes.slice(0, half), changes.slice(half)];
        for (const { operation } of changes) {
            operation.log.push(
                `a policy refused the preview of ${changes.length} changes together: running them in halves to find the culprit`,
            );
        }
        const firstPassed = await this.runBatch(first);
        await this.findCulprits(second, firstPassed);
    }

    /**
     * Applies each change, in arrival order, to the file as it is now. Changes that fail or change
     * nothing are settled here; the rest come back with the text of the file they make together.
     */
    private async applyAll(queued: readonly QueuedChange[]): Promise<Batch | undefined> {
        const before = await this.options.fs.readFile(this.options.file);
        let doc = StackDocument.parse(before, stackFileName(this.options.stack));
        const changes: BatchChange[] = [];
        for (const item of queued) {
            const trial = doc.clone();
            try {
                const result = applyChange(trial, item.change, this.options.stack);
                item.operation.step = result.step;
                // The pin is decided here, on the file as it is now, not when the request arrived: earlier changes may have filled a cluster.
                item.operation.cluster = result.view?.cluster;
                if (result.outcome === "unchanged") {
                    item.operation.log.push(`${result.summary}: nothing to change`);
                    await this.options.operations.succeed(item.operation);
                    continue;
                }
                doc = trial;
                changes.push({ item, result });
            } catch (err) {
                await this.options.operations.fail(item.operation, asOperationError(err));
            }
        }
        return changes.length > 0 ? { changes, before, text: doc.toString() } : undefined;
    }

    /**
     * Previews the batch's file from a staged copy; once it passes, records the intent, writes the file
     * and ups. A failed preview leaves the file untouched; an engine error before anything deployed
     * rolls the write back; a failed up keeps it and marks the stack. `writeId` names the journal's
     * record of the write, when there was one: the caller settles it once the verdicts are recorded.
     * Undefined when the operations have already failed (the write did not happen).
     */
    private async run(batch: Batch): Promise<{ readonly verdict: Verdict; readonly writeId?: string } | undefined> {
        const { engine, stack } = this.options;
        const operations = batch.changes.map(c => c.item.operation);
        const record = newRun(
            engine.name,
            batch.changes.map(c => c.result.summary),
        );
        operations.forEach(o => o.runs.push(record));
        const say = (line: string) => recordLine(record, line);
        const runOptions: RunOptions = { onOutput: say, onEvent: event => recordEvent(record, event) };
        say(
            `${engine.name} run of ${stack} for ${record.changes.length} change${record.changes.length === 1 ? "" : "s"}: ${record.changes.join("; ")}`,
        );
        const preview = await engine.preview(stack, { ...runOptions, stackFileText: batch.text });
        if (!preview.ok) {
            say("the preview ran on a staged copy: the stack file was not touched");
            return { verdict: failed(preview) };
        }
        const writeId = await this.write(batch, operations, say);
        if (writeId === undefined) {
            return undefined;
        }
        let up: RunResult;
        try {
            up = await this.up(runOptions, () => rollBack(this.options.fs, this.options.file, batch.before, batch.text, say));
        } catch (err) {
            // Nothing ran (see up()) and the file is rolled back: the write is settled with these failures.
            await Promise.all(operations.map(o => this.options.operations.fail(o, asOperationError(err))));
            await this.options.journal?.recordSettled(writeId);
            throw err;
        }
        if (up.ok) {
            return { verdict: { ok: true, outputs: up.outputs }, writeId };
        }
        if (up.failure !== "deploy-error") {
            // The offline engine's up is its preview's verdict: nothing was deployed.
            await rollBack(this.options.fs, this.options.file, batch.before, batch.text, say);
            return { verdict: failed(up), writeId };
        }
        await this.markAttention(
            {
                since: new Date().toISOString(),
                reason: `up failed for: ${record.changes.join("; ")}`,
                operations: operations.map(o => o.id),
            },
            say,
        );
        say(
            "the update failed: the stack file keeps the change, since part of it may be deployed; the stack is marked as needing attention",
        );
        return { verdict: failed(up), writeId };
    }

    /** Records the intent and writes the batch's file (stackFileWrite.ts); the operations have failed when it returns undefined. */
    private async write(batch: Batch, operations: readonly Operation[], say: (line: string) => void): Promise<string | undefined> {
        const { fs, file, engine, stack, journal } = this.options;
        const outcome = await writeWithIntent({ fs, file, stack, engine: engine.name, journal }, batch, operations, say);
        const failure = outcome.failure;
        if (failure !== undefined) {
            await Promise.all(operations.map(o => this.options.operations.fail(o, failure)));
            if (outcome.writeId !== undefined) {
                await journal?.recordSettled(outcome.writeId);
            }
            return undefined;
        }
        return outcome.writeId;
    }

    /** Marks the stack; if the mark's file cannot be written, the mark stays in memory, so that the stack still refuses changes. */
    private async markAttention(mark: AttentionMark, say: (line: string) => void): Promise<void> {
        try {
            await markAttention(this.options.fs, this.options.file, mark);
        } catch (err) {
            this.unsavedMark = mark;
            say(
                `cannot write the stack's attention mark (${err instanceof Error ? err.message : String(err)}): ` +
                    "it is kept in memory and lost if the service restarts before an operator clears it",
            );
        }
    }

    /** An EngineError means nothing ran (lock held, stack gone, CLI unusable): roll back. Anything else may have deployed part of the change. */
    private async up(runOptions: RunOptions, rollBack: () => Promise<void>): Promise<RunResult> {
        try {
            return await this.options.engine.up(this.options.stack, runOptions);
        } catch (err) {
            if (err instanceof EngineError) {
                await rollBack();
                throw err;
            }
            const message = err instanceof Error ? err.message : String(err);
            runOptions.onOutput?.(`up failed: ${message}`);
            return { ok: false, failure: "deploy-error", policyViolations: [], log: [message] };
        }
    }

    private settle({ item, result }: BatchChange, verdict: Verdict): Promise<void> {
        if (verdict.ok) {
            const tenants = verdict.outputs?.tenants as Record<string, unknown> | undefined;
            return this.options.operations.succeed(item.operation, result.step === "remove" ? undefined : tenants?.[result.tenant]);
        }
        return this.options.operations.fail(item.operation, failureError(verdict.failure, this.options.stack, verdict.policyViolations));
    }
}

function failed(result: RunResult): Verdict {
    return { ok: false, failure: result.failure ?? "preview-error", policyViolations: result.policyViolations };
}
