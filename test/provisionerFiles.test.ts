import * as assert from "assert";
import * as fs from "fs";
import { listStacks, readStackConfig, stackFilePath } from "../lib/stackFile";
import { FileSystem, nodeFileSystem, writeFileAtomic } from "../provisioner/atomicFile";
import { accepted, FIXTURE_STACK, makeProject, offlineProvisioner, removeProject, stackText } from "./fixtures/provisioner/support";

class SimulatedCrash extends Error {}

/**
 * The real file system, except that the process "dies" at one step: nothing after it runs, the
 * clean-up of the temp file included (a dead process cleans nothing up).
 */
function crashingAt(step: "mid-write" | "before-rename"): FileSystem {
    return {
        ...nodeFileSystem,
        async writeFileDurably(file, data) {
            if (step === "mid-write") {
                fs.writeFileSync(file, data.slice(0, Math.floor(data.length / 2)));
                throw new SimulatedCrash("crash in the middle of writing");
            }
            await nodeFileSystem.writeFileDurably(file, data);
        },
        async rename(from, to) {
            if (step === "before-rename") {
                throw new SimulatedCrash("crash between write and rename");
            }
            await nodeFileSystem.rename(from, to);
        },
        unlink: async () => {
            throw new SimulatedCrash("already dead");
        },
    };
}

const tempFiles = (dir: string) => fs.readdirSync(dir).filter(f => f.endsWith(".tmp"));

describe("provisioner: atomic stack file writes", () => {
    let dir: string;
    let file: string;
    let before: string;
    beforeEach(() => {
        dir = makeProject();
        file = stackFilePath(FIXTURE_STACK, dir);
        before = stackText(dir);
    });
    afterEach(() => removeProject(dir));

    it("replaces the file whole and leaves no temp file behind", async () => {
        await writeFileAtomic(nodeFileSystem, file, `${before}# edited\n`);
        assert.strictEqual(stackText(dir), `${before}# edited\n`);
        assert.deepStrictEqual(tempFiles(dir), []);
    });

    for (const step of ["mid-write", "before-rename"] as const) {
        it(`leaves the previous stack file intact after a crash ${step === "mid-write" ? "in the middle of the write" : "between the write and the rename"}`, async () => {
            await assert.rejects(writeFileAtomic(crashingAt(step), file, before.replace("18000", "99999")), SimulatedCrash);
            assert.strictEqual(stackText(dir), before);
            assert.strictEqual(tempFiles(dir).length, 1, "the dead process left its temp file");
            assert.match(tempFiles(dir)[0], /^\.Pulumi\.test-weu\.yaml\.\d+\.[0-9a-f]{12}\.tmp$/);
            assert.deepStrictEqual(listStacks(dir), [FIXTURE_STACK], "the leftover is not taken for a stack");
            assert.strictEqual((readStackConfig(file)["iot-fleet:tenants"] as unknown[]).length, 2);
            await writeFileAtomic(nodeFileSystem, file, `${before}# next write\n`);
            assert.strictEqual(stackText(dir), `${before}# next write\n`, "later writes are not disturbed by the leftover");
        });
    }

    it("removes its temp file when a write fails and the process lives on", async () => {
        const failingRename: FileSystem = {
            ...nodeFileSystem,
            rename: async () => {
                throw new Error("EXDEV");
            },
        };
        await assert.rejects(writeFileAtomic(failingRename, file, "x"), /EXDEV/);
        assert.deepStrictEqual(tempFiles(dir), []);
        assert.strictEqual(stackText(dir), before);
    });

    const failingDirectorySync = (code: string, times = Infinity): FileSystem => {
        let failures = 0;
        return {
            ...nodeFileSystem,
            syncDirectory: async dir => {
                if (failures++ < times) {
                    throw Object.assign(new Error(`${code}: fsync of ${dir}`), { code });
                }
            },
        };
    };

    it("keeps a write whose directory fsync the platform does not support (EISDIR, EPERM, EINVAL), and throws any other error", async () => {
        for (const code of ["EISDIR", "EPERM", "EINVAL"]) {
            await writeFileAtomic(failingDirectorySync(code), file, `${before}# ${code}\n`);
            assert.strictEqual(stackText(dir), `${before}# ${code}\n`);
        }
        await assert.rejects(writeFileAtomic(failingDirectorySync("EIO"), file, before), /EIO/);
    });

    it("rolls the change back when the write fails after its rename, so no change stays in the file without having run", async () => {
        const { provisioner } = offlineProvisioner(dir, { fs: failingDirectorySync("EIO", 1) });
        const operation = await provisioner.whenFinished(
            accepted(await provisioner.onboard(FIXTURE_STACK, { name: "tailspin", deviceQuota: 4200 })).id,
        );
        assert.deepStrictEqual([operation.status, operation.error?.status], ["failed", 500]);
        assert.match(operation.error!.message, /EIO/);
        assert.strictEqual(stackText(dir), before);
    });

    it("fails the operation of a change whose write crashed, and the stack file stays as it was", async () => {
        const { provisioner } = offlineProvisioner(dir, { fs: crashingAt("before-rename") });
        const { id } = accepted(await provisioner.onboard(FIXTURE_STACK, { name: "tailspin", deviceQuota: 4200 }));
        const operation = await provisioner.whenFinished(id);
        assert.strictEqual(operation.status, "failed");
        assert.deepStrictEqual(operation.error, { status: 500, message: "crash between write and rename" });
        assert.strictEqual(stackText(dir), before);
    });
});
