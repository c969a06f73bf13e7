import * as crypto from "crypto";
import { promises as fsp } from "fs";
import * as path from "path";

/**
 * The file-system calls an atomic write needs, injectable so that a test can crash the write at any
 * step and check that the stack file is still the old one.
 */
export interface FileSystem {
    readFile(file: string): Promise<string>;
    /** Creates `file`, writes `data` and fsyncs it before closing: its bytes are on disk when this resolves. */
    writeFileDurably(file: string, data: string): Promise<void>;
    rename(from: string, to: string): Promise<void>;
    /** fsyncs a directory, so that a rename in it survives a power loss. */
    syncDirectory(dir: string): Promise<void>;
    unlink(file: string): Promise<void>;
}

export const nodeFileSystem: FileSystem = {
    readFile: file => fsp.readFile(file, "utf8"),
    async writeFileDurably(file, data) {
        // "wx": never follow or reuse an existing path, the temp name is ours alone.
        const handle = await fsp.open(file, "wx", 0o644);
        try {
            await handle.writeFile(data, "utf8");
            await handle.sync();
        } finally {
            await handle.close();
        }
    },
    rename: (from, to) => fsp.rename(from, to),
    async syncDirectory(dir) {
        const handle = await fsp.open(dir, "r");
        try {
            await handle.sync();
        } finally {
            await handle.close();
        }
    },
    unlink: file => fsp.unlink(file),
};

/**
 * The temp file sits next to the target (a rename is only atomic within one file system), and its
 * name starts with a dot and ends in `.tmp`, so neither `listStacks` nor the Pulumi CLI take it for a stack file.
 */
function tempFileFor(file: string): string {
    const suffix = `${process.pid}.${crypto.randomBytes(6).toString("hex")}.tmp`;
    return path.join(path.dirname(file), `.${path.basename(file)}.${suffix}`);
}

/**
 * Replaces `file` with `data` so that a reader (or a crash at any point) sees either the whole old
 * file or the whole new one: write and fsync a temp file, rename it over the target, fsync the directory.
 */
export async function writeFileAtomic(fs: FileSystem, file: string, data: string): Promise<void> {
    const temp = tempFileFor(file);
    try {
        await fs.writeFileDurably(temp, data);
        await fs.rename(temp, file);
    } catch (err) {
        // Best effort: after a real crash the temp file stays behind, hidden and harmless.
        await fs.unlink(temp).catch(() => undefined);
        throw err;
    }
    await fs.syncDirectory(path.dirname(file)).catch(ignoreUnsupportedDirectorySync);
}

/**
 * Some platforms and file systems cannot open or fsync a directory (Windows, some network and FUSE
 * mounts) and answer EISDIR, EPERM or EINVAL. The rename has happened by then, so the write stands;
 * write-file-atomic ignores these the same way. Any other error (EIO) is thrown.
 */
const UNSUPPORTED_DIRECTORY_SYNC = new Set(["EISDIR", "EPERM", "EINVAL"]);

function ignoreUnsupportedDirectorySync(err: unknown): void {
    if (!UNSUPPORTED_DIRECTORY_SYNC.has((err as NodeJS.ErrnoException).code ?? "")) {
        throw err;
    }
}
