import * as assert from "assert";
import * as fs from "fs";
import { FileSystem, nodeFileSystem } from "../provisioner/atomicFile";
import { Engine, RunResult } from "../provisioner/engine";
import { ProvisionerError } from "../provisioner/errors";
import { newRun, Operation, recordEvent, recordLine, RUN_EVENTS_KEPT, RUN_LOG_LINES_KEPT } from "../provisioner/operations";
import { Provisioner } from "../provisioner/provisioner";
import {
    accepted,
    FIXTURE_STACK,
    GatedEngine,
    linesOf,
    makeProject,
    offlineProvisioner,
    removeProject,
    stackText,
    tenantsInFile,
} from "./fixtures/provisioner/support";

/** The library with the offline engine for real: every change is written, evaluated with the policies, and rolled back on failure. */
describe("provisioner: the library over the offline engine", () => {
    let dir: string;
    let provisioner: Provisioner;
    beforeEach(() => {
        dir = makeProject();
        ({ provisioner } = offlineProvisioner(dir));
    });
    afterEach(() => removeProject(dir));

    it("onboards a tenant: pins it, previews and ups, and reports the tenant's stack outputs", async () => {
        const operation = await provisioner.whenFinished(
            accepted(await provisioner.onboard(FIXTURE_STACK, { name: "tailspin", deviceQuota: 4200 })).id,
        );
        assert.strictEqual(operation.status, "succeeded", JSON.stringify(operation.error));
        assert.deepStrictEqual(tenantsInFile(dir).at(-1), { name: "tailspin", deviceQuota: 4200, cluster: "shared-1" });
        const outputs = operation.outputs as Record<string, unknown>;
        assert.strictEqual(outputs.cluster, "shared-1");
        assert.strictEqual(outputs.serviceBusQueue, "telemetry-ingest-tailspin");
        assert.ok(
            linesOf(operation).some(line => line === "policies passed"),
            linesOf(operation).join("\n"),
        );
        assert.ok(
            linesOf(operation).some(line => /offline up of test-weu: nothing to deploy; the preview's verdict stands/.test(line)),
            "the up reuses the preview's evaluation",
        );
        assert.deepStrictEqual((await provisioner.getTenant(FIXTURE_STACK, "tailspin")).cluster, "shared-1");
    });

    it("needs both decommission steps: the first marks the tenant and runs, the explicit second removes it and runs", async () => {
        await assert.rejects(
            provisioner.decommission(FIXTURE_STACK, "fabrikam", { step: "remove" }),
            (err: unknown) =>
                err instanceof ProvisionerError && err.status === 409 && /is not marked for decommissioning/.test(err.message),
        );
        const mark = await provisioner.whenFinished(accepted(await provisioner.decommission(FIXTURE_STACK, "fabrikam")).id);
        assert.strictEqual(mark.status, "succeeded", JSON.stringify(mark.error));
        assert.strictEqual(mark.step, "mark");
        assert.strictEqual((mark.outputs as { decommission: boolean }).decommission, true);
        assert.deepStrictEqual(tenantsInFile(dir).find(t => t.name === "fabrikam")?.decommission, true, "still in the file after step 1");

        const retried = await provisioner.decommission(FIXTURE_STACK, "fabrikam");
        assert.deepStrictEqual(
            [retried.kind, tenantsInFile(dir).some(t => t.name === "fabrikam")],
            ["unchanged", true],
            "a retried step 1 removes nothing",
        );
        const remove = await provisioner.whenFinished(
            accepted(await provisioner.decommission(FIXTURE_STACK, "fabrikam", { step: "remove" })).id,
        );
        assert.strictEqual(remove.status, "succeeded", JSON.stringify(remove.error));
        assert.strictEqual(remove.step, "remove");
        assert.deepStrictEqual(
            tenantsInFile(dir).map(t => t.name),
            ["contoso"],
        );
    });

    it("rolls the stack file back when a mandatory policy refuses the change", async () => {
        const before = stackText(dir);
        const operation = await provisioner.whenFinished(
            accepted(await provisioner.onboard(FIXTURE_STACK, { name: "refused-one", deviceQuota: 10 })).id,
        );
        assert.strictEqual(operation.status, "failed");
        assert.strictEqual(operation.error?.status, 422);
        assert.deepStrictEqual(
            operation.error?.policyViolations?.map(v => [v.policyName, v.enforcementLevel]),
            [["test-refused-tenants", "mandatory"]],
        );
        assert.ok(
            operation.runs[0].events.some(e => e.policyEvent?.policyName === "test-refused-tenants"),
            "the violation is an engine event too",
        );
        assert.ok(linesOf(operation).includes("the preview ran on a staged copy: the stack file was not touched"));
        assert.strictEqual(stackText(dir), before);
    });

    /** Onboards `names` as one batch: a first change holds the worker until all of them are queued behind it. */
    async function onboardAsOneBatch(engine: Engine, names: readonly string[]): Promise<{ gated: GatedEngine; operations: Operation[] }> {
        const gated = new GatedEngine(engine);
        ({ provisioner } = offlineProvisioner(dir, { engine: gated }));
        gated.hold();
        const blocker = accepted(await provisioner.onboard(FIXTURE_STACK, { name: "first", deviceQuota: 10 }));
        const batch = [];
        for (const name of names) {
            batch.push(accepted(await provisioner.onboard(FIXTURE_STACK, { name, deviceQuota: 10 })));
        }
        gated.release();
        await provisioner.whenFinished(blocker.id);
        return { gated, operations: await Promise.all(batch.map(o => provisioner.whenFinished(o.id))) };
    }

    it("fails only the culprit of a batch a policy refused and applies the changes around it", async () => {
        const {
            gated,
            operations: [a, b, c],
        } = await onboardAsOneBatch(offlineProvisioner(dir).offline, ["good-a", "refused-b", "good-c"]);
        assert.deepStrictEqual([a.status, b.status, c.status], ["succeeded", "failed", "succeeded"]);
        assert.strictEqual(b.error?.status, 422);
        assert.ok(
            a.log.includes("a policy refused the preview of 3 changes together: running them in halves to find the culprit"),
            a.log.join("\n"),
        );
        assert.deepStrictEqual(
            a.runs.map(run => run.changes.length),
            [3, 1],
            "the batch's run, then its half's",
        );
        assert.deepStrictEqual(
            tenantsInFile(dir).map(t => t.name),
            ["contoso", "fabrikam", "first", "good-a", "good-c"],
        );
        assert.deepStrictEqual(gated.previews.length, 5, "1 for first, 1 for the batch, then good-a; refused-b; good-c");
    });

    it("bisects a refused batch: one culprit among 8 changes costs 5 more runs, not 8", async () => {
        const names = ["good-0", "good-1", "good-2", "good-3", "good-4", "refused-5", "good-6", "good-7"];
        const { gated, operations } = await onboardAsOneBatch(offlineProvisioner(dir).offline, names);
        assert.deepStrictEqual(
            operations.map(o => o.status),
            names.map(n => (n.startsWith("refused-") ? "failed" : "succeeded")),
        );
        // good-0..3 pass as a half; good-4..7 then must fail, so it is split unrun: good-4+refused-5 fails, good-4 passes,
        // refused-5 fails alone, good-6+7 pass.
        assert.deepStrictEqual(gated.previews.length, 1 + 1 + 5);
        assert.deepStrictEqual(
            [0, 4, 5, 6].map(i => operations[i].runs.map(run => run.changes.length)),
            [
                [8, 4],
                [8, 2, 1],
                [8, 2, 1],
                [8, 2],
            ],
        );
        assert.deepStrictEqual(
            tenantsInFile(dir).map(t => t.name),
            ["contoso", "fabrikam", "first", ...names.filter(n => !n.startsWith("refused-"))],
        );
    });

    it("fails a whole batch whose preview failed for another reason than a policy, without looking for a culprit", async () => {
        const before = stackText(dir);
        const outage: Engine = {
            name: "offline",
            preview: async () => ({ ok: false, failure: "preview-error", policyViolations: [], log: ["the provider timed out"] }),
            up: async () => assert.fail("no up after a failed preview"),
        };
        const { gated, operations } = await onboardAsOneBatch(outage, ["good-a", "good-b", "good-c"]);
        assert.deepStrictEqual(
            operations.map(o => [o.status, o.error?.status, o.runs.length]),
            [
                ["failed", 502, 1],
                ["failed", 502, 1],
                ["failed", 502, 1],
            ],
        );
        assert.ok(
            operations.every(o => !o.log.some(line => /culprit/.test(line))),
            operations[0].log.join("\n"),
        );
        assert.strictEqual(gated.previews.length, 2, "first's, then the batch's: an outage is not run again for each change");
        assert.strictEqual(stackText(dir), before);
    });

    it("keeps the mark of a failed up in memory when its file cannot be written, so the stack still refuses changes", async () => {
        const offline = offlineProvisioner(dir).offline;
        const failingUp: Engine = {
            name: "offline",
            preview: (stack, options) => offline.preview(stack, options),
            up: async () => ({ ok: false, failure: "deploy-error", policyViolations: [], log: ["creating namespace: connection reset"] }),
        };
        const noMarkFiles: FileSystem = {
            ...nodeFileSystem,
            writeFileDurably: (file, data) =>
                /attention\.json/.test(file)
                    ? Promise.reject(new Error("ENOSPC: no space left on device"))
                    : nodeFileSystem.writeFileDurably(file, data),
        };
        ({ provisioner } = offlineProvisioner(dir, { engine: failingUp, fs: noMarkFiles }));
        const failed = await provisioner.whenFinished(
            accepted(await provisioner.onboard(FIXTURE_STACK, { name: "tailspin", deviceQuota: 10 })).id,
        );
        assert.strictEqual(failed.error?.status, 502, JSON.stringify(failed.error));
        assert.ok(
            linesOf(failed).some(line => /cannot write the stack's attention mark \(ENOSPC.*\): it is kept in memory/.test(line)),
            linesOf(failed).join("\n"),
        );
        assert.ok(!fs.readdirSync(dir).some(file => /attention/.test(file)), "no mark file was written");
        await assert.rejects(
            provisioner.onboard(FIXTURE_STACK, { name: "next", deviceQuota: 1 }),
            (err: unknown) =>
                err instanceof ProvisionerError &&
                err.status === 409 &&
                /needs attention .*up failed for: onboard tailspin/.test(err.message),
        );
        assert.strictEqual(await provisioner.clearAttention(FIXTURE_STACK), true);
        accepted(await provisioner.onboard(FIXTURE_STACK, { name: "next", deviceQuota: 1 }));
    });
});

async function until(condition: () => boolean): Promise<void> {
    for (let waited = 0; !condition(); waited += 10) {
        assert.ok(waited < 5000, "timed out waiting");
        await new Promise(resolve => setTimeout(resolve, 10));
    }
}

describe("provisioner: queues per stack", () => {
    it("runs changes of different stacks in parallel and those of one stack one batch at a time", async () => {
        const dir = makeProject(["one", "two"]);
        const running = new Map<string, () => void>();
        const order: string[] = [];
        const engine: Engine = {
            name: "offline",
            preview: stack =>
                new Promise<RunResult>(resolve => {
                    order.push(`start ${stack}`);
                    running.set(stack, () => {
                        order.push(`end ${stack}`);
                        resolve({ ok: true, policyViolations: [], log: [] });
                    });
                }),
            up: async () => ({ ok: true, policyViolations: [], log: [], outputs: {} }),
        };
        try {
            const { provisioner } = offlineProvisioner(dir, { engine });
            const first = accepted(await provisioner.onboard("one", { name: "a", deviceQuota: 1 }));
            const second = accepted(await provisioner.onboard("one", { name: "b", deviceQuota: 1 }));
            const other = accepted(await provisioner.onboard("two", { name: "c", deviceQuota: 1 }));
            await until(() => order.length === 2);
            // Which stack starts first depends on file I/O; what matters is that both run at once and b is not among them.
            assert.deepStrictEqual([...order].sort(), ["start one", "start two"], "stack two does not wait for stack one; b waits for a");
            running.get("two")!();
            assert.strictEqual((await provisioner.whenFinished(other.id)).status, "succeeded");
            running.get("one")!();
            await provisioner.whenFinished(first.id);
            await until(() => order.length === 5);
            assert.deepStrictEqual(order.slice(2), ["end two", "end one", "start one"]);
            running.get("one")!();
            assert.strictEqual((await provisioner.whenFinished(second.id)).status, "succeeded");
        } finally {
            removeProject(dir);
        }
    });
});

describe("provisioner: run records", () => {
    it("keep the last lines and events of a run within their caps and count what they dropped", () => {
        const run = newRun("offline", ["onboard a"]);
        for (let i = 0; i < RUN_LOG_LINES_KEPT + 5; i++) {
            recordLine(run, `line ${i}`);
        }
        for (let i = 0; i < RUN_EVENTS_KEPT + 3; i++) {
            recordEvent(run, { sequence: i, timestamp: 0 });
        }
        assert.deepStrictEqual(
            [run.log.length, run.log[0], run.log.at(-1), run.droppedLines],
            [RUN_LOG_LINES_KEPT, "line 5", `line ${RUN_LOG_LINES_KEPT + 4}`, 5],
        );
        assert.deepStrictEqual([run.events.length, run.events[0].sequence, run.droppedEvents], [RUN_EVENTS_KEPT, 3, 3]);
    });
});
