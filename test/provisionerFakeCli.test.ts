import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { AutomationEngine } from "../provisioner/automationEngine";
import { EngineError } from "../provisioner/engine";
import { ProvisionerError } from "../provisioner/errors";
import {
    accepted,
    fileBackendEnv,
    FIXTURE_STACK,
    offlineProvisioner,
    removeProject,
    stackText,
    tenantsInFile,
} from "./fixtures/provisioner/support";
import { FakeCliProject, FILE_EVENT_LOG_VERSION, GRPC_EVENT_STREAM_VERSION } from "./support/fakeCliProject";

/**
 * The Automation API engine through the real @pulumi/pulumi/automation SDK, against a fake `pulumi`
 * (test/fixtures/provisioner/fakePulumi.js): the commands the SDK runs, the engine events it receives
 * and the exit codes it classifies are the real ones. What the fake cannot show: how the real CLI
 * words its errors beyond the texts the SDK classifies, the real engine's event order and content, and
 * that a real CLI above 3.205 closes its event stream before it exits (the fake does; if a CLI did not,
 * the SDK would drop the events still in flight and a policy refusal could pass for a preview error).
 */
describe("provisioner: the Automation API engine through the SDK and a fake pulumi CLI", () => {
    const eventTransports = [
        {
            version: FILE_EVENT_LOG_VERSION,
            how: "from an event log file (CLI 3.205 and older)",
            eventLog: (value: string) => path.isAbsolute(value),
        },
        {
            version: GRPC_EVENT_STREAM_VERSION,
            how: "over the SDK's gRPC event stream (CLI above 3.205)",
            eventLog: (value: string) => /^tcp:\/\/127\.0\.0\.1:\d+$/.test(value),
        },
    ];
    for (const transport of eventTransports) {
        describe(`with engine events ${transport.how}`, () => {
            let project: FakeCliProject;
            beforeEach(() => {
                project = new FakeCliProject(transport.version);
            });
            afterEach(() => removeProject(project.dir));

            it("selects the stack, then previews and ups it with the policy pack by absolute path and --stack, never setting config, and keeps the events", async () => {
                const { operation } = await project.onboard("tailspin");
                assert.strictEqual(operation.status, "succeeded", JSON.stringify(operation.error));
                assert.deepStrictEqual(operation.outputs, { cluster: "shared-1", deviceQuota: 10 });
                const commands = project.calls().map(argv =>
                    argv
                        .filter(a => !a.startsWith("-"))
                        .slice(0, 2)
                        .join(" "),
                );
                assert.ok(!commands.some(c => c.startsWith("stack init") || c.includes("config")), commands.join("\n"));
                assert.ok(commands.includes("stack select"));
                for (const argv of [...project.commandsOf("preview"), ...project.commandsOf("up")]) {
                    assert.strictEqual(argv[argv.indexOf("--policy-pack") + 1], path.join(project.dir, "policy"), argv.join(" "));
                    assert.strictEqual(argv[argv.indexOf("--stack") + 1], FIXTURE_STACK, argv.join(" "));
                }
                assert.ok(
                    project.commandsOf("preview").every(argv => transport.eventLog(argv[argv.indexOf("--event-log") + 1])),
                    JSON.stringify(project.commandsOf("preview")),
                );
                assert.deepStrictEqual([project.commandsOf("preview").length, project.commandsOf("up").length], [1, 1]);
                assert.ok(
                    operation.runs[0].events.some(e => e.summaryEvent !== undefined),
                    "the CLI's engine events are kept",
                );
            });

            it("takes a failed preview with a mandatory policy event for a policy refusal: 422, rolled back, no up", async () => {
                const before = stackText(project.dir);
                const { operation } = await project.onboard("refused-one");
                assert.strictEqual(operation.error?.status, 422, JSON.stringify(operation.error));
                assert.deepStrictEqual(
                    operation.error?.policyViolations?.map(v => [v.policyName, v.enforcementLevel]),
                    [["test-refused-tenants", "mandatory"]],
                );
                assert.strictEqual(stackText(project.dir), before);
                assert.strictEqual(project.commandsOf("up").length, 0);
            });

            it("takes a failed preview without a policy event for a preview error: 502, not a refusal, and rolled back", async () => {
                const before = stackText(project.dir);
                const { operation } = await project.onboard("broken-preview-one");
                assert.strictEqual(operation.error?.status, 502, JSON.stringify(operation.error));
                assert.match(operation.error!.message, /the preview failed .*nothing was deployed/);
                assert.deepStrictEqual(operation.error?.policyViolations, []);
                assert.ok(
                    operation.runs[0].log.some(line => /could not load the policy pack/.test(line)),
                    "the CLI's error is in the run's log",
                );
                assert.strictEqual(stackText(project.dir), before);
            });

            it("interrupts a preview that runs longer than the timeout, as a preview error", async () => {
                fs.appendFileSync(
                    path.join(project.dir, `Pulumi.${FIXTURE_STACK}.yaml`),
                    "    - name: slow-one\n      deviceQuota: 1\n      cluster: shared-1\n",
                );
                const started = Date.now();
                const result = await project.engine(500).preview(FIXTURE_STACK);
                assert.deepStrictEqual([result.ok, result.failure], [false, "preview-error"]);
                assert.ok(
                    result.log.some(line => /the preview took longer than 500 ms and was interrupted/.test(line)),
                    result.log.join("\n"),
                );
                assert.ok(Date.now() - started < 10_000);
            });
        });
    }

    describe("outputs, failed updates and stacks", () => {
        let project: FakeCliProject;
        beforeEach(() => {
            project = new FakeCliProject(FILE_EVENT_LOG_VERSION);
        });
        afterEach(() => removeProject(project.dir));

        it("keeps only the tenants' outputs, so nested secrets such as kubeconfigs never leave the engine", async () => {
            const result = await project.engine().up(FIXTURE_STACK);
            assert.deepStrictEqual(Object.keys(result.outputs ?? {}), ["tenants"]);
            assert.doesNotMatch(JSON.stringify(result), /kubeconfig/);
            assert.ok(
                project.calls().some(argv => argv.includes("--show-secrets")),
                "the SDK did read the outputs with their secrets",
            );
        });

        it("keeps the stack file after a failed up, answers 502, and refuses further changes with 409 until the mark is cleared", async () => {
            const { provisioner, operation } = await project.onboard("broken-up-one");
            assert.strictEqual(operation.error?.status, 502, JSON.stringify(operation.error));
            assert.match(
                operation.error!.message,
                /the update failed part-way; the stack file keeps the change and stack test-weu needs attention/,
            );
            assert.ok(
                tenantsInFile(project.dir).some(t => t.name === "broken-up-one"),
                "no rollback: part of the tenant may exist",
            );
            await assert.rejects(
                provisioner.onboard(FIXTURE_STACK, { name: "next", deviceQuota: 1 }),
                (err: unknown) =>
                    err instanceof ProvisionerError &&
                    err.status === 409 &&
                    /needs attention since .*up failed for: onboard broken-up-one/.test(err.message),
            );
            assert.strictEqual(await provisioner.clearAttention(FIXTURE_STACK), true);
            accepted(await provisioner.onboard(FIXTURE_STACK, { name: "next", deviceQuota: 1 }));
        });

        it("answers a stack the backend does not know with 404 and does not create it", async () => {
            const other = "test-eus";
            fs.copyFileSync(path.join(project.dir, `Pulumi.${FIXTURE_STACK}.yaml`), path.join(project.dir, `Pulumi.${other}.yaml`));
            const before = stackText(project.dir, other);
            await assert.rejects(project.engine().preview(other), (err: unknown) => err instanceof EngineError && err.status === 404);
            assert.deepStrictEqual(
                project
                    .calls()
                    .filter(argv => argv[0] === "stack")
                    .map(argv => argv.slice(0, 2)),
                [["stack", "select"]],
            );
            assert.strictEqual(stackText(project.dir, other), before, "the stack file is not rewritten");
        });

        it("runs on a stack that LocalWorkspace.createStack made in a file backend, as the real-CLI tests set theirs up", async () => {
            const envVars = fileBackendEnv(project.dir);
            const pulumiCommand = await PulumiCommand.get({ root: project.state });
            const other = "test-eus";
            fs.copyFileSync(path.join(project.dir, `Pulumi.${FIXTURE_STACK}.yaml`), path.join(project.dir, `Pulumi.${other}.yaml`));
            await LocalWorkspace.createStack({ stackName: other, workDir: project.dir }, { envVars, pulumiCommand });
            const { provisioner } = offlineProvisioner(project.dir, {
                engine: new AutomationEngine({ projectDir: project.dir, pulumiRoot: project.state, envVars }),
            });
            const operation = await provisioner.whenFinished(
                accepted(await provisioner.onboard(other, { name: "tailspin", deviceQuota: 10 })).id,
            );
            assert.strictEqual(operation.status, "succeeded", JSON.stringify(operation.error));
            assert.deepStrictEqual(operation.outputs, { cluster: "shared-1", deviceQuota: 10 });
            assert.match(
                stackText(project.dir, other),
                /^encryptionsalt: /,
                "stack init wrote its salt into the stack file, which the service keeps",
            );
            await assert.rejects(
                LocalWorkspace.createStack({ stackName: other, workDir: project.dir }, { envVars, pulumiCommand }),
                /already exists/,
            );
        });
    });
});
