import { ConfigError } from "../lib/config";
import { FileSystem, writeFileAtomic } from "./atomicFile";
import { Engine, EngineError, PolicyViolation, RunOptions } from "./engine";
import { ProvisionerError } from "./errors";
import { Operation, OperationError, OperationStore } from "./operations";
import { StackDocument } from "./stackDocument";
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
}

interface BatchChange {
    readonly item: QueuedChange;
    readonly result: AppliedChange;
}

/** Changes applied together, and the stack file they make. */
interface Batch {
    readonly changes: readonly BatchChange[];
    readonly text: string;
}

type Verdict = { readonly ok: true; readonly outputs?: Record<string, unknown> }
    | { readonly ok: false; readonly policyViolations: readonly PolicyViolation[] };

/**
 * The one writer of a stack file, with group commit. Changes queue up while a run is in progress;
 * the next run takes all of them, applies them in arrival order (a change that is invalid on its
 * own fails alone), writes the file once and runs preview, then up, once. If that run fails, the
 * file goes back to what it was and the changes are run one at a time, so only the culprits fail.
 */
export class StackWorker {
    private readonly queue: QueuedChange[] = [];
    private draining = false;

    constructor(private readonly options: StackWorkerOptions) {}

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
                for (const { operation } of batch.filter(b => b.operation.finishedAt === undefined)) {
                    this.options.operations.fail(operation, asOperationError(err));
                }
            }
        }
        this.draining = false;
    }

    private async runBatch(queued: readonly QueuedChange[]): Promise<void> {
        queued.forEach(item => this.options.operations.start(item.operation));
        const batch = await this.applyAll(queued);
        if (batch === undefined) {
            return;
        }
        const verdict = await this.run(batch);
        if (verdict.ok || batch.changes.length === 1) {
            batch.changes.forEach(c => this.settle(c, verdict));
            return;
        }
        for (const { item } of batch.changes) {
            item.operation.log.push("the batch failed as a whole: running this change on its own to find the culprit");
            const alone = await this.applyAll([item]);
            if (alone) {
                this.settle(alone.changes[0], await this.run(alone));
            }
        }
    }

    /**
     * Applies each change, in arrival order, to the file as it is now. Changes that fail or change
     * nothing are settled here; the rest come back with the text of the file they make together.
     */
    private async applyAll(queued: readonly QueuedChange[]): Promise<Batch | undefined> {
        let doc = StackDocument.parse(await this.options.fs.readFile(this.options.file), this.options.file);
        const changes: BatchChange[] = [];
        for (const item of queued) {
            const trial = doc.clone();
            try {
                const result = applyChange(trial, item.change, this.options.stack);
                item.operation.step = result.step;
                if (result.outcome === "unchanged") {
                    item.operation.log.push(`${result.summary}: nothing to change`);
                    this.options.operations.succeed(item.operation);
                    continue;
                }
                doc = trial;
                changes.push({ item, result });
            } catch (err) {
                this.options.operations.fail(item.operation, asOperationError(err));
            }
        }
        return changes.length > 0 ? { changes, text: doc.toString() } : undefined;
    }

    /** Writes the batch's file, previews with the policies, ups when the preview passes; rolls the file back otherwise. */
    private async run(batch: Batch): Promise<Verdict> {
        const { fs, file, engine, stack } = this.options;
        const operations = batch.changes.map(c => c.item.operation);
        const say = (line: string) => operations.forEach(o => o.log.push(line));
        const runOptions: RunOptions = { onOutput: say, onEvent: event => operations.forEach(o => o.events.push(event)) };
        const summaries = batch.changes.map(c => c.result.summary);
        say(`${engine.name} run of ${stack} for ${summaries.length} change${summaries.length === 1 ? "" : "s"}: ${summaries.join("; ")}`);
        const before = await fs.readFile(file);
        await writeFileAtomic(fs, file, batch.text);
        try {
            const preview = await engine.preview(stack, runOptions);
            const result = preview.ok ? await engine.up(stack, runOptions) : preview;
            if (result.ok) {
                return { ok: true, outputs: result.outputs };
            }
            await this.rollBack(before, batch.text, say);
            return { ok: false, policyViolations: result.policyViolations };
        } catch (err) {
            await this.rollBack(before, batch.text, say);
            throw err;
        }
    }

    /** Puts the old file back, unless someone edited the file by hand during the run: their edit wins. */
    private async rollBack(before: string, written: string, say: (line: string) => void): Promise<void> {
        if (await this.options.fs.readFile(this.options.file) !== written) {
            say("the stack file changed during the run; it is left as it is");
            return;
        }
        await writeFileAtomic(this.options.fs, this.options.file, before);
        say("the stack file was rolled back");
    }

    private settle({ item, result }: BatchChange, verdict: Verdict): void {
        if (verdict.ok) {
            const tenants = verdict.outputs?.tenants as Record<string, unknown> | undefined;
            this.options.operations.succeed(item.operation, result.step === "remove" ? undefined : tenants?.[result.tenant]);
        } else {
            this.options.operations.fail(item.operation, {
                status: 422,
                message: "the change was refused: the program failed or a mandatory policy was violated; the stack file was rolled back",
                policyViolations: verdict.policyViolations,
            });
        }
    }
}

function asOperationError(err: unknown): OperationError {
    if (err instanceof ProvisionerError) {
        return { status: err.status, message: err.message, problems: err.problems };
    }
    if (err instanceof EngineError) {
        return { status: err.status, message: err.message };
    }
    if (err instanceof ConfigError) {
        return { status: 409, message: "the stack file cannot be read; fix it by hand", problems: err.problems };
    }
    return { status: 500, message: err instanceof Error ? err.message : String(err) };
}
