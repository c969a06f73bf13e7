import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { Operation } from "./operations";

/**
 * The durable record of operations: an append-only file of JSON lines, each write fsynced before
 * the caller goes on (a 202 is sent only once its operation's line is on disk). Lines are:
 * - `{ "operation": {...} }`: the operation as it is now (the last line of an id wins);
 * - `{ "write": {...} }`: the intent to replace a stack file, recorded before the file is written;
 * - `{ "settled": "<write id>" }`: that write's operations have their verdict recorded.
 * An intent without its `settled` line tells recovery that the service died between writing a stack
 * file and recording what became of it. Appends are grouped: lines that arrive during an fsync go
 * to disk together with the next one. Chosen over an embedded database to need no native module.
 */

/** A stack file write about to happen, with what recovery needs to undo it. */
export interface WriteIntent {
    readonly id: string;
    readonly stack: string;
    /** The engine that will run the change: offline deploys nothing, the Automation API may deploy part of it. */
    readonly engine: string;
    readonly operations: readonly string[];
    /** The stack file before the write. */
    readonly before: string;
    /** sha256 of the text written. */
    readonly afterSha256: string;
}

type JournalLine = { readonly operation: Operation } | { readonly write: WriteIntent } | { readonly settled: string };

export interface JournalContents {
    /** Every operation recorded, in order of first appearance. */
    readonly operations: Operation[];
    /** Writes whose outcome was never recorded. */
    readonly unsettled: WriteIntent[];
}

export const sha256 = (text: string): string => crypto.createHash("sha256").update(text, "utf8").digest("hex");

/** Rewrites the journal from what is kept once it has grown past this many bytes of appends. */
const COMPACT_AFTER_BYTES = 64 * 1024 * 1024;

export class OperationJournal {
    readonly file: string;
    private pending: string[] = [];
    private waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
    private flushing = false;
    private appendedBytes = 0;

    constructor(dir: string) {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        this.file = path.join(dir, "operations.jsonl");
    }

    /** What the journal holds; a torn last line (the process died mid-append) is ignored, as it was never acknowledged. */
    read(): JournalContents {
        let text = "";
        try {
            text = fs.readFileSync(this.file, "utf8");
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
                throw err;
            }
        }
        const operations = new Map<string, Operation>();
        const writes = new Map<string, WriteIntent>();
        for (const line of text.split("\n").filter(l => l !== "")) {
            let parsed: JournalLine;
            try {
                parsed = JSON.parse(line) as JournalLine;
            } catch {
                continue;
            }
            if ("operation" in parsed) {
                operations.delete(parsed.operation.id);
                operations.set(parsed.operation.id, parsed.operation);
            } else if ("write" in parsed) {
                writes.set(parsed.write.id, parsed.write);
            } else {
                writes.delete(parsed.settled);
            }
        }
        return { operations: [...operations.values()], unsettled: [...writes.values()] };
    }

    /** Replaces the journal, atomically, with these operations only (recovery settles every write first). */
    compact(operations: readonly Operation[]): void {
        const temp = `${this.file}.${process.pid}.tmp`;
        const fd = fs.openSync(temp, "w", 0o600);
        try {
            fs.writeFileSync(fd, operations.map(operation => `${JSON.stringify({ operation: forJournal(operation) })}\n`).join(""));
            fs.fsyncSync(fd);
        } finally {
            fs.closeSync(fd);
        }
        fs.renameSync(temp, this.file);
        this.appendedBytes = 0;
    }

    /** Whether enough has been appended since the last compaction that the journal should be rewritten. */
    get wantsCompaction(): boolean {
        return this.appendedBytes > COMPACT_AFTER_BYTES;
    }

    recordOperation(operation: Operation): Promise<void> {
        return this.append({ operation: forJournal(operation) });
    }

    recordWrite(intent: WriteIntent): Promise<void> {
        return this.append({ write: intent });
    }

    recordSettled(writeId: string): Promise<void> {
        return this.append({ settled: writeId });
    }

    private append(line: JournalLine): Promise<void> {
        this.pending.push(`${JSON.stringify(line)}\n`);
        const written = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
        if (!this.flushing) {
            void this.flush();
        }
        return written;
    }

    private async flush(): Promise<void> {
        this.flushing = true;
        while (this.pending.length > 0) {
            const [lines, waiters] = [this.pending.join(""), this.waiters];
            this.pending = [];
            this.waiters = [];
            try {
                const handle = await fs.promises.open(this.file, "a", 0o600);
                try {
                    await handle.writeFile(lines, "utf8");
                    await handle.datasync();
                } finally {
                    await handle.close();
                }
                this.appendedBytes += Buffer.byteLength(lines);
                waiters.forEach(w => w.resolve());
            } catch (err) {
                waiters.forEach(w => w.reject(err));
            }
        }
        this.flushing = false;
    }
}

/** Engine events are many and only ever wanted live: the journal keeps runs without them. */
function forJournal(operation: Operation): Operation {
    return { ...operation, runs: operation.runs.map(run => ({ ...run, events: [] })) };
}
