import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { AutomationEngine } from "../provisioner/automationEngine";
import { EngineError } from "../provisioner/engine";
import { ProvisionerError } from "../provisioner/errors";
import { accepted, FIXTURE_STACK, makeProject, offlineProvisioner, removeProject, stackText, tenantsInFile } from "./fixtures/provisioner/support";

const FAKE_PULUMI = path.join(__dirname, "fixtures", "provisioner", "fakePulumi.js");

/**
 * The Automation API engine through the real @pulumi/pulumi/automation SDK, against a fake `pulumi`
 * (test/fixtures/provisioner/fakePulumi.js) installed in a temp root that only this engine uses: the
 * commands the SDK runs, the event log it tails and the exit codes it classifies are the real ones.
 */
describe("provisioner: the Automation API engine through the SDK and a fake pulumi CLI", () => {
    let dir: string;
    let state: string;
    beforeEach(() => {
        dir = makeProject();
        state = path.join(dir, ".fake-pulumi");
        fs.mkdirSync(path.join(state, "stacks"), { recursive: true });
        fs.writeFileSync(path.join(state, "stacks", `${FIXTURE_STACK}.json`), JSON.stringify({ outputs: {} }));
        fs.mkdirSync(path.join(state, "bin"));
        fs.writeFileSync(path.join(state, "bin", "pulumi"), `#!/bin/sh\nexec "${process.execPath}" "${FAKE_PULUMI}" "$@"\n`, { mode: 0o755 });
    });
    afterEach(() => removeProject(dir));

    const engine = (runTimeoutMs?: number) => new AutomationEngine({ projectDir: dir, pulumiRoot: state, envVars: { FAKE_PULUMI_STATE: state }, runTimeoutMs });
    /** Every command line the fake was given, `version` first. */
    const calls = (): string[][] => fs.readFileSync(path.join(state, "calls.jsonl"), "utf8").trim().split("\n").map(line => JSON.parse(line));
    const commandsOf = (kind: string) => calls().filter(argv => argv[0] === kind);
    const onboard = async (name: string, runTimeoutMs?: number) => {
        const { provisioner } = offlineProvisioner(dir, { engine: engine(runTimeoutMs) });
        const operation = await provisioner.whenFinished(accepted(await provisioner.onboard(FIXTURE_STACK, { name, deviceQuota: 10 })).id);
        return { provisioner, operation };
    };

    it("selects the stack, then previews and ups it with the policy pack by absolute path and --stack, never setting config", async () => {
        const { operation } = await onboard("tailspin");
        assert.strictEqual(operation.status, "succeeded", JSON.stringify(operation.error));
        assert.deepStrictEqual(operation.outputs, { cluster: "shared-1", deviceQuota: 10 });
        const commands = calls().map(argv => argv.filter(a => !a.startsWith("-")).slice(0, 2).join(" "));
        assert.ok(!commands.some(c => c.startsWith("stack init") || c.includes("config")), commands.join("\n"));
        assert.ok(commands.includes("stack select"));
        for (const argv of [...commandsOf("preview"), ...commandsOf("up")]) {
            assert.strictEqual(argv[argv.indexOf("--policy-pack") + 1], path.join(dir, "policy"), argv.join(" "));
            assert.strictEqual(argv[argv.indexOf("--stack") + 1], FIXTURE_STACK, argv.join(" "));
        }
        assert.deepStrictEqual([commandsOf("preview").length, commandsOf("up").length], [1, 1]);
        assert.ok(operation.runs[0].events.some(e => e.summaryEvent !== undefined), "the events of the CLI's event log are kept");
    });

    it("keeps only the tenants' outputs, so nested secrets such as kubeconfigs never leave the engine", async () => {
        const result = await engine().up(FIXTURE_STACK);
        assert.deepStrictEqual(Object.keys(result.outputs ?? {}), ["tenants"]);
        assert.doesNotMatch(JSON.stringify(result), /kubeconfig/);
        assert.ok(calls().some(argv => argv.includes("--show-secrets")), "the SDK did read the outputs with their secrets");
    });

    it("takes a failed preview with a mandatory policy event for a policy refusal: 422, rolled back, no up", async () => {
        const before = stackText(dir);
        const { operation } = await onboard("refused-one");
        assert.strictEqual(operation.error?.status, 422, JSON.stringify(operation.error));
        assert.deepStrictEqual(operation.error?.policyViolations?.map(v => [v.policyName, v.enforcementLevel]), [["test-refused-tenants", "mandatory"]]);
        assert.strictEqual(stackText(dir), before);
        assert.strictEqual(commandsOf("up").length, 0);
    });

    it("takes a failed preview without a policy event for a preview error: 502, not a refusal, and rolled back", async () => {
        const before = stackText(dir);
        const { operation } = await onboard("broken-preview-one");
        assert.strictEqual(operation.error?.status, 502, JSON.stringify(operation.error));
        assert.match(operation.error!.message, /the preview failed .*nothing was deployed/);
        assert.deepStrictEqual(operation.error?.policyViolations, []);
        assert.ok(operation.runs[0].log.some(line => /could not load the policy pack/.test(line)), "the CLI's error is in the run's log");
        assert.strictEqual(stackText(dir), before);
    });

    it("keeps the stack file after a failed up, answers 502, and refuses further changes with 409 until the mark is cleared", async () => {
        const { provisioner, operation } = await onboard("broken-up-one");
        assert.strictEqual(operation.error?.status, 502, JSON.stringify(operation.error));
        assert.match(operation.error!.message, /the update failed part-way; the stack file keeps the change and stack test-weu needs attention/);
        assert.ok(tenantsInFile(dir).some(t => t.name === "broken-up-one"), "no rollback: part of the tenant may exist");
        await assert.rejects(provisioner.onboard(FIXTURE_STACK, { name: "next", deviceQuota: 1 }),
            (err: unknown) => err instanceof ProvisionerError && err.status === 409 && /needs attention since .*up failed for: onboard broken-up-one/.test(err.message));
        assert.strictEqual(await provisioner.clearAttention(FIXTURE_STACK), true);
        accepted(await provisioner.onboard(FIXTURE_STACK, { name: "next", deviceQuota: 1 }));
    });

    it("answers a stack the backend does not know with 404 and does not create it", async () => {
        const other = "test-eus";
        fs.copyFileSync(path.join(dir, `Pulumi.${FIXTURE_STACK}.yaml`), path.join(dir, `Pulumi.${other}.yaml`));
        const before = stackText(dir, other);
        await assert.rejects(engine().preview(other), (err: unknown) => err instanceof EngineError && err.status === 404);
        assert.deepStrictEqual(calls().filter(argv => argv[0] === "stack").map(argv => argv.slice(0, 2)), [["stack", "select"]]);
        assert.strictEqual(stackText(dir, other), before, "the stack file is not rewritten");
    });

    it("interrupts a preview that runs longer than the timeout, as a preview error", async () => {
        fs.appendFileSync(path.join(dir, `Pulumi.${FIXTURE_STACK}.yaml`), "    - name: slow-one\n      deviceQuota: 1\n      cluster: shared-1\n");
        const started = Date.now();
        const result = await engine(1500).preview(FIXTURE_STACK);
        assert.deepStrictEqual([result.ok, result.failure], [false, "preview-error"]);
        assert.ok(result.log.some(line => /the preview took longer than 1500 ms and was interrupted/.test(line)), result.log.join("\n"));
        assert.ok(Date.now() - started < 10_000);
    });
});
