import * as crypto from "crypto";
import { FileSystem, writeFileAtomic } from "./atomicFile";
import { OperationJournal, sha256 } from "./operationJournal";
import { asOperationError } from "./operationErrors";
import { Operation, OperationError } from "./operations";

/** How a stack worker writes a batch that passed its preview, and takes a write back. */

export interface StackFileTarget {
    readonly fs: FileSystem;
    /** The stack file's path. */
    readonly file: string;
    readonly stack: string;
    /** The engine that will run the change (recovery undoes an offline one's write, marks an Automation API one's stack). */
    readonly engine: string;
    readonly journal?: OperationJournal;
}

/**
 * Records the intent in the journal, then writes the file. `writeId` names the journal's record when
 * there is one; `failure` is set when the batch must fail: someone edited the file by hand during the
 * preview (their edit wins: 409), or the write failed (rolled back; the record is to be settled).
 */
export async function writeWithIntent(
    target: StackFileTarget,
    batch: { readonly before: string; readonly text: string },
    operations: readonly Operation[],
    say: (line: string) => void,
): Promise<{ readonly writeId?: string; readonly failure?: OperationError }> {
    const { fs, file, stack, journal } = target;
    if ((await fs.readFile(file)) !== batch.before) {
        say("the stack file changed during the preview; it is left as it is");
        return { failure: { status: 409, message: `the stack file of ${stack} changed during the preview; send the request again` } };
    }
    const writeId = crypto.randomUUID();
    await Promise.all(operations.map(o => journal?.recordOperation(o)));
    await journal?.recordWrite({
        id: writeId,
        stack,
        engine: target.engine,
        operations: operations.map(o => o.id),
        before: batch.before,
        afterSha256: sha256(batch.text),
    });
    try {
        // Inside the try: a write that fails after its rename (the directory fsync) must be rolled back too.
        await writeFileAtomic(fs, file, batch.text);
    } catch (err) {
        await rollBack(fs, file, batch.before, batch.text, say);
        return { writeId, failure: asOperationError(err) };
    }
    return { writeId };
}

/** Puts the old file back, unless the write never happened or someone edited the file by hand during the run: their edit wins. */
export async function rollBack(fs: FileSystem, file: string, before: string, written: string, say: (line: string) => void): Promise<void> {
    const now = await fs.readFile(file);
    if (now === before) {
        return;
    }
    if (now !== written) {
        say("the stack file changed during the run; it is left as it is");
        return;
    }
    await writeFileAtomic(fs, file, before);
    say("the stack file was rolled back");
}
