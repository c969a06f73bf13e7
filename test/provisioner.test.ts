import * as assert from "assert";
import { loadStackFile, stackFilePath } from "../lib/stackFile";
import { Engine, RunResult } from "../provisioner/engine";
import { ProvisionerError } from "../provisioner/errors";
import { newRun, recordEvent, recordLine, RUN_EVENTS_KEPT, RUN_LOG_LINES_KEPT } from "../provisioner/operations";
import { Provisioner } from "../provisioner/provisioner";
import {
    accepted, FIXTURE_STACK, GatedEngine, linesOf, makeProject, offlineProvisioner, removeProject, stackText, tenantsInFile,
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
        const operation = await provisioner.whenFinished(accepted(await provisioner.onboard(FIXTURE_STACK, { name: "tailspin", deviceQuota: 4200 })).id);
        assert.strictEqual(operation.status, "succeeded", JSON.stringify(operation.error));
        assert.deepStrictEqual(tenantsInFile(dir).at(-1), { name: "tailspin", deviceQuota: 4200, cluster: "shared-1" });
        const outputs = operation.outputs as Record<string, unknown>;
        assert.strictEqual(outputs.cluster, "shared-1");
        assert.strictEqual(outputs.serviceBusQueue, "telemetry-ingest-tailspin");
        assert.ok(linesOf(operation).some(line => line === "policies passed"), linesOf(operation).join("\n"));
        assert.ok(linesOf(operation).some(line => /offline up of test-weu: nothing to deploy; the preview's verdict stands/.test(line)),
            "the up reuses the preview's evaluation");
        assert.deepStrictEqual((await provisioner.getTenant(FIXTURE_STACK, "tailspin")).cluster, "shared-1");
    });

    it("onboards 50 tenants sent at once: each is in the stack file exactly once, and the file stays valid", async () => {
        const names = Array.from({ length: 50 }, (_, i) => `tenant-${String(i).padStart(2, "0")}`);
        const outcomes = await Promise.all(names.map(name => provisioner.onboard(FIXTURE_STACK, { name, deviceQuota: 100 + names.indexOf(name) })));
        const operations = await Promise.all(outcomes.map(o => provisioner.whenFinished(accepted(o).id)));
        assert.deepStrictEqual(operations.filter(o => o.status !== "succeeded").map(o => o.error), []);
        const inFile = tenantsInFile(dir).map(t => t.name);
        assert.deepStrictEqual(inFile.filter(n => names.includes(n as string)).sort(), names);
        assert.strictEqual(new Set(inFile).size, inFile.length, "no tenant twice");
        assert.strictEqual(loadStackFile(stackFilePath(FIXTURE_STACK, dir)).tenants.length, 52);
        const runs = new Set(operations.flatMap(o => o.runs));
        assert.ok(runs.size <= 3, `group commit: 50 changes in ${runs.size} runs`);
        assert.ok([...runs].some(run => operations.filter(o => o.runs.includes(run)).length > 1), "a batch's run is kept once and shared");
    });

    it("keeps one tenant when the same onboarding comes twice, at once or later", async () => {
        const spec = { name: "tailspin", deviceQuota: 4200 };
        const [first, second] = await Promise.all([provisioner.onboard(FIXTURE_STACK, spec), provisioner.onboard(FIXTURE_STACK, { ...spec })]);
        assert.strictEqual(accepted(second).id, accepted(first).id, "the second request joins the first one's operation");
        await provisioner.whenFinished(accepted(first).id);
        const later = await provisioner.onboard(FIXTURE_STACK, spec);
        assert.deepStrictEqual(later, { kind: "unchanged", tenant: await provisioner.getTenant(FIXTURE_STACK, "tailspin") });
        assert.strictEqual(tenantsInFile(dir).filter(t => t.name === "tailspin").length, 1);
    });

    it("needs both decommission steps: the first marks the tenant and runs, the explicit second removes it and runs", async () => {
        await assert.rejects(provisioner.decommission(FIXTURE_STACK, "fabrikam", { step: "remove" }),
            (err: unknown) => err instanceof ProvisionerError && err.status === 409 && /is not marked for decommissioning/.test(err.message));
        const mark = await provisioner.whenFinished(accepted(await provisioner.decommission(FIXTURE_STACK, "fabrikam")).id);
        assert.strictEqual(mark.status, "succeeded", JSON.stringify(mark.error));
        assert.strictEqual(mark.step, "mark");
        assert.strictEqual((mark.outputs as { decommission: boolean }).decommission, true);
        assert.deepStrictEqual(tenantsInFile(dir).find(t => t.name === "fabrikam")?.decommission, true, "still in the file after step 1");

        const retried = await provisioner.decommission(FIXTURE_STACK, "fabrikam");
        assert.deepStrictEqual([retried.kind, tenantsInFile(dir).some(t => t.name === "fabrikam")], ["unchanged", true], "a retried step 1 removes nothing");
        const remove = await provisioner.whenFinished(accepted(await provisioner.decommission(FIXTURE_STACK, "fabrikam", { step: "remove" })).id);
        assert.strictEqual(remove.status, "succeeded", JSON.stringify(remove.error));
        assert.strictEqual(remove.step, "remove");
        assert.deepStrictEqual(tenantsInFile(dir).map(t => t.name), ["contoso"]);
    });

    it("rolls the stack file back when a mandatory policy refuses the change", async () => {
        const before = stackText(dir);
        const operation = await provisioner.whenFinished(accepted(await provisioner.onboard(FIXTURE_STACK, { name: "refused-one", deviceQuota: 10 })).id);
        assert.strictEqual(operation.status, "failed");
        assert.strictEqual(operation.error?.status, 422);
        assert.deepStrictEqual(operation.error?.policyViolations?.map(v => [v.policyName, v.enforcementLevel]), [["test-refused-tenants", "mandatory"]]);
        assert.ok(operation.runs[0].events.some(e => e.policyEvent?.policyName === "test-refused-tenants"), "the violation is an engine event too");
        assert.ok(linesOf(operation).includes("the stack file was rolled back"));
        assert.strictEqual(stackText(dir), before);
    });

    it("fails only the culprit of a failed batch and applies the changes around it", async () => {
        const gated = new GatedEngine(offlineProvisioner(dir).offline);
        ({ provisioner } = offlineProvisioner(dir, { engine: gated }));
        gated.hold();
        const blocker = accepted(await provisioner.onboard(FIXTURE_STACK, { name: "first", deviceQuota: 10 }));
        const batch = [];
        for (const name of ["good-a", "refused-b", "good-c"]) {
            batch.push(accepted(await provisioner.onboard(FIXTURE_STACK, { name, deviceQuota: 10 })));
        }
        gated.release();
        const [a, b, c] = await Promise.all(batch.map(o => provisioner.whenFinished(o.id)));
        assert.strictEqual((await provisioner.whenFinished(blocker.id)).status, "succeeded");
        assert.deepStrictEqual([a.status, b.status, c.status], ["succeeded", "failed", "succeeded"]);
        assert.ok(a.log.includes("the batch's preview failed as a whole: running this change on its own to find the culprit"));
        assert.deepStrictEqual(a.runs.map(run => run.changes.length), [3, 1], "the batch's run, then its own");
        assert.deepStrictEqual(tenantsInFile(dir).map(t => t.name), ["contoso", "fabrikam", "first", "good-a", "good-c"]);
        assert.deepStrictEqual(gated.previews.length, 5, "1 for first, 1 for the batch, 3 alone");
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
            preview: stack => new Promise<RunResult>(resolve => {
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
        assert.deepStrictEqual([run.log.length, run.log[0], run.log.at(-1), run.droppedLines], [RUN_LOG_LINES_KEPT, "line 5", `line ${RUN_LOG_LINES_KEPT + 4}`, 5]);
        assert.deepStrictEqual([run.events.length, run.events[0].sequence, run.droppedEvents], [RUN_EVENTS_KEPT, 3, 3]);
    });
});
