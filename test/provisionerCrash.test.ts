import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { FIXTURE_STACK, makeProject, removeProject, stackText, tenantsInFile } from "./fixtures/provisioner/support";
import { AUTH, killHard, RunningService, startService } from "./support/service";

/**
 * The service killed with SIGKILL (no handler runs) at several points of a burst of onboardings,
 * restarted each time on the same project: every operation it answered 202 must be readable after
 * the restarts, and either succeeded with its tenant in the stack file, or failed or interrupted with
 * nothing of it there. Bounded: four starts of the service and 19 onboardings. The window between a
 * stack file write and its verdict is too short to hit reliably from outside: recovery from a kill
 * inside it is tested deterministically in provisionerRecovery.test.ts.
 */

const BURST = 6;

interface Accepted {
    readonly id: string;
    readonly tenant: string;
}

/** Sends `size` onboardings at once; resolves with the 202s (requests cut by a kill are not accepted). */
async function burst(service: RunningService, round: number, size = BURST): Promise<Accepted[]> {
    const names = Array.from({ length: size }, (_, i) => `crash-${round}-${i}`);
    const answers = await Promise.allSettled(
        names.map(name =>
            fetch(`${service.url}/v1/stacks/${FIXTURE_STACK}/tenants`, {
                method: "POST",
                headers: { ...AUTH, "content-type": "application/json" },
                body: JSON.stringify({ name, deviceQuota: 100 }),
            }).then(async response => ({ status: response.status, body: (await response.json()) as { operation?: { id: string } } })),
        ),
    );
    return answers.flatMap((answer, i) =>
        answer.status === "fulfilled" && answer.value.status === 202 ? [{ id: answer.value.body.operation!.id, tenant: names[i] }] : [],
    );
}

async function until(condition: () => boolean, deadlineMs: number): Promise<void> {
    for (const start = Date.now(); !condition() && Date.now() - start < deadlineMs;) {
        await new Promise(resolve => setTimeout(resolve, 2));
    }
}

const journalText = (dir: string) => {
    try {
        return fs.readFileSync(path.join(dir, ".provisioner", "operations.jsonl"), "utf8");
    } catch {
        return "";
    }
};

describe("provisioner: a crash of the service process", () => {
    let dir: string;
    beforeEach(() => (dir = makeProject()));
    afterEach(() => removeProject(dir));

    it("loses no operation it answered 202: after SIGKILLs at several points and restarts, each succeeded and is in the stack file, or failed or was interrupted and nothing of it is", async () => {
        const killPoints: { readonly label: string; readonly reached: () => boolean }[] = [
            { label: "as the last answer of the burst arrives", reached: () => true },
            { label: "when the journal records the intent to write the stack file", reached: () => /"write":/.test(journalText(dir)) },
            { label: "when the stack file has changed", reached: () => stackText(dir) !== initial },
        ];
        const initial = stackText(dir);
        const accepted: Accepted[] = [];
        for (const [round, point] of killPoints.entries()) {
            const service = await startService(dir);
            const answers = burst(service, round);
            if (round === 0) {
                accepted.push(...(await answers));
            }
            await until(point.reached, 60_000);
            await killHard(service);
            if (round > 0) {
                accepted.push(...(await answers));
            }
        }
        // The last round is not killed: the service still works after every recovery.
        const service = await startService(dir);
        try {
            const last = await burst(service, killPoints.length, 1);
            accepted.push(...last);
            const operations: { id: string; tenant: string; status: string; error?: { message: string } }[] = [];
            for (const { id } of accepted) {
                for (;;) {
                    const response = await fetch(`${service.url}/v1/operations/${id}`, { headers: AUTH });
                    assert.strictEqual(response.status, 200, `operation ${id} answered 202 is still known after the restarts`);
                    const operation = (await response.json()) as (typeof operations)[number];
                    if (["succeeded", "failed", "interrupted"].includes(operation.status)) {
                        operations.push(operation);
                        break;
                    }
                    await new Promise(resolve => setTimeout(resolve, 100));
                }
            }
            const inFile = new Set(tenantsInFile(dir).map(t => t.name as string));
            for (const operation of operations) {
                assert.strictEqual(
                    inFile.has(operation.tenant),
                    operation.status === "succeeded",
                    `${operation.tenant}: ${operation.status} ${operation.error?.message ?? ""}`,
                );
            }
            const statuses = new Set(operations.map(o => o.status));
            assert.ok(statuses.has("interrupted") && statuses.has("succeeded"), [...statuses].join(", "));
            assert.strictEqual(accepted.length >= BURST * 2, true, `${accepted.length} operations were accepted`);
            const tenants = await fetch(`${service.url}/v1/stacks/${FIXTURE_STACK}/tenants`, { headers: AUTH });
            assert.strictEqual(tenants.status, 200, "the stack file is valid");
            assert.deepStrictEqual(
                fs.readdirSync(dir).filter(name => name.endsWith(".tmp")),
                [],
                "no temp file is left behind",
            );
        } finally {
            await killHard(service);
        }
    });
});
