import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { readAttention } from "../provisioner/attention";
import { nodeFileSystem } from "../provisioner/atomicFile";
import { Engine } from "../provisioner/engine";
import { OperationJournal } from "../provisioner/operationJournal";
import { FINISHED_KEPT, Operation } from "../provisioner/operations";
import { Provisioner } from "../provisioner/provisioner";
import { accepted, FIXTURE_STACK, makeProject, offlineProvisioner, removeProject, stackText } from "./fixtures/provisioner/support";

/**
 * Recovery at start-up, from states a kill leaves: a service whose `up` never returns stands for one
 * killed between writing the stack file and recording the verdict; a new Provisioner on the same
 * directories is the restarted service.
 */

const stateDirOf = (dir: string) => path.join(dir, ".provisioner");

/** A provisioner whose engine previews for real and then hangs in `up`, as a service killed there would have. */
async function cutAfterTheWrite(dir: string, engineName: Engine["name"]): Promise<Operation> {
    const { offline } = offlineProvisioner(dir);
    const hanging: Engine = {
        name: engineName,
        preview: (stack, options) => offline.preview(stack, options),
        up: () => new Promise(() => undefined),
    };
    const provisioner = new Provisioner({ projectDir: dir, engine: hanging, dryRunEngine: offline, stateDir: stateDirOf(dir) });
    const operation = accepted(await provisioner.onboard(FIXTURE_STACK, { name: "cut", deviceQuota: 10 }));
    for (let waited = 0; !/- name: cut\n/.test(stackText(dir)); waited += 20) {
        assert.ok(waited < 60_000, "the change was never written");
        await new Promise(resolve => setTimeout(resolve, 20));
    }
    return operation;
}

function restarted(dir: string): Provisioner {
    const { offline } = offlineProvisioner(dir);
    return new Provisioner({ projectDir: dir, engine: offline, dryRunEngine: offline, stateDir: stateDirOf(dir) });
}

describe("provisioner: recovery at start-up", () => {
    let dir: string;
    beforeEach(() => (dir = makeProject()));
    afterEach(() => removeProject(dir));

    it("puts back the stack file of a change written but never confirmed by the offline engine, and reports its operation interrupted", async () => {
        const before = stackText(dir);
        const { id } = await cutAfterTheWrite(dir, "offline");
        const provisioner = restarted(dir);
        const report = await provisioner.recover();
        assert.deepStrictEqual([report.interrupted, report.restored, report.marked], [[id], [FIXTURE_STACK], []]);
        assert.strictEqual(stackText(dir), before);
        const operation = provisioner.operation(id)!;
        assert.strictEqual(operation.status, "interrupted");
        assert.match(operation.error!.message, /written but never confirmed: the stack file was put back as it was before it/);
        assert.strictEqual(operation.error!.status, 503);
    });

    it("keeps a change the Automation API may have deployed in part, and marks the stack for an operator", async () => {
        const { id } = await cutAfterTheWrite(dir, "automation");
        const written = stackText(dir);
        const report = await restarted(dir).recover();
        assert.deepStrictEqual([report.interrupted, report.restored, report.marked], [[id], [], [FIXTURE_STACK]]);
        assert.strictEqual(stackText(dir), written);
        const mark = await readAttention(nodeFileSystem, path.join(dir, `Pulumi.${FIXTURE_STACK}.yaml`));
        assert.match(mark!.reason, /the service stopped during a run: its change was written and its update may have deployed part of it/);
        assert.deepStrictEqual(mark!.operations, [id]);
    });

    it("leaves a stack file edited by hand since the cut write as it is, and marks the stack", async () => {
        await cutAfterTheWrite(dir, "offline");
        fs.appendFileSync(path.join(dir, `Pulumi.${FIXTURE_STACK}.yaml`), "# edited by hand\n");
        const edited = stackText(dir);
        const report = await restarted(dir).recover();
        assert.deepStrictEqual(report.marked, [FIXTURE_STACK]);
        assert.strictEqual(stackText(dir), edited);
    });

    it("keeps finished operations readable across restarts, the last FINISHED_KEPT of them, and removes stale temp files", async () => {
        const journal = new OperationJournal(stateDirOf(dir));
        const old = (i: number): Operation => ({
            id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
            stack: FIXTURE_STACK,
            tenant: `t${i}`,
            kind: "onboard",
            status: "succeeded",
            createdAt: "2026-01-01T00:00:00.000Z",
            finishedAt: "2026-01-01T00:00:01.000Z",
            log: [],
            runs: [],
        });
        for (let i = 0; i < FINISHED_KEPT + 5; i++) {
            await journal.recordOperation(old(i));
        }
        fs.writeFileSync(path.join(dir, `.Pulumi.${FIXTURE_STACK}.yaml.4242.0123456789ab.tmp`), "half a write");
        const provisioner = restarted(dir);
        const report = await provisioner.recover();
        assert.deepStrictEqual(report.removedTempFiles, [`.Pulumi.${FIXTURE_STACK}.yaml.4242.0123456789ab.tmp`]);
        assert.strictEqual(provisioner.operation(old(4).id), undefined, "the oldest beyond the bound are gone");
        assert.strictEqual(provisioner.operation(old(5).id)?.tenant, "t5");
        assert.strictEqual(provisioner.operation(old(FINISHED_KEPT + 4).id)?.status, "succeeded");
        assert.strictEqual(
            fs.readFileSync(journal.file, "utf8").split("\n").filter(Boolean).length,
            FINISHED_KEPT,
            "the journal was compacted",
        );
    });

    it("records an accepted operation before answering, so that a restart finds it even if nothing else happened", async () => {
        const { offline } = offlineProvisioner(dir);
        const never: Engine = { name: "offline", preview: () => new Promise(() => undefined), up: () => new Promise(() => undefined) };
        const first = new Provisioner({ projectDir: dir, engine: never, dryRunEngine: offline, stateDir: stateDirOf(dir) });
        const { id } = accepted(await first.onboard(FIXTURE_STACK, { name: "queued", deviceQuota: 1 }));
        const provisioner = restarted(dir);
        await provisioner.recover();
        assert.strictEqual(provisioner.operation(id)?.status, "interrupted");
        assert.match(
            provisioner.operation(id)!.error!.message,
            /stopped while it was (queued|running); nothing of it was written to the stack file/,
        );
    });
});
