import * as assert from "assert";
import { readStackConfig, stackFilePath } from "../lib/stackFile";
import { evaluateStack, Evaluation } from "../offline/evaluate";
import { OfflineEngine } from "../provisioner/offlineEngine";
import { TargetedEngine } from "../provisioner/targetedEngine";
import { accepted, FIXTURE_STACK, offlineProvisioner, removeProject, testPolicies } from "./fixtures/provisioner/support";
import { FakeCliProject, FILE_EVENT_LOG_VERSION } from "./support/fakeCliProject";

/** The URNs a command line names with `--target`, in order. */
const targetsOf = (argv: readonly string[]): string[] => argv.flatMap((arg, i) => (arg === "--target" ? [argv[i + 1]] : []));

/**
 * The service with the Automation API engine behind its offline plan (TargetedEngine), through the real SDK and the
 * fake `pulumi` (test/fixtures/provisioner/fakePulumi.js): which URNs reach the CLI's preview and up.
 */
describe("provisioner: a tenant change deployed with --target, through the SDK and a fake pulumi CLI", () => {
    let project: FakeCliProject;
    let engine: TargetedEngine;
    const evaluate = (): Promise<Evaluation> =>
        evaluateStack({ stack: FIXTURE_STACK, stackConfig: readStackConfig(stackFilePath(FIXTURE_STACK, project.dir)) });

    beforeEach(() => {
        project = new FakeCliProject(FILE_EVENT_LOG_VERSION);
        const planner = new OfflineEngine({ projectDir: project.dir, policies: testPolicies });
        engine = new TargetedEngine({ projectDir: project.dir, deployer: project.engine(), planner });
    });
    afterEach(() => removeProject(project.dir));

    it("onboards with preview and up limited to the new tenant's URNs and the region resources that come to list it", async () => {
        const before = await evaluate();
        const { operation } = await project.onboard("tailspin", undefined, engine);
        assert.strictEqual(operation.status, "succeeded", JSON.stringify(operation.error));
        const after = await evaluate();
        const [preview, up] = [project.commandsOf("preview"), project.commandsOf("up")];
        assert.deepStrictEqual([preview.length, up.length], [1, 1]);
        const targets = targetsOf(up[0]);
        assert.deepStrictEqual(targetsOf(preview[0]), targets, "the preview sees what the up will do");
        assert.ok(!up[0].includes("--target-dependents"), up[0].join(" "));

        const existing = new Set(before.resources.map(r => r.urn));
        const landingZone = after.resources.filter(r => !existing.has(r.urn)).map(r => r.urn);
        assert.ok(landingZone.length > 20 && landingZone.every(urn => urn.includes("tailspin")), landingZone.join("\n"));
        const listing = after.resources.filter(r => existing.has(r.urn) && JSON.stringify(r.inputs).includes("tailspin"));
        assert.ok(
            listing.some(r => r.type === "kubernetes:core/v1:ConfigMap"),
            "the shared cluster's ingest-config lists its tenants",
        );
        // Besides what it creates, the program's read of its own last outputs, which a targeted update skips unless named.
        const selfReference = `urn:pulumi:${FIXTURE_STACK}::iot-fleet::pulumi:pulumi:StackReference::previous-placement`;
        assert.deepStrictEqual(
            targets.filter(urn => !existing.has(urn)),
            [...landingZone, selfReference].sort(),
        );
        for (const resource of listing) {
            assert.ok(targets.includes(resource.urn), `${resource.urn} lists the new tenant and is targeted`);
        }
        const others = targets.filter(urn => /contoso|fabrikam/.test(urn));
        assert.deepStrictEqual(others, [], "no other tenant's resource is touched");
        assert.ok(targets.length < after.resources.length / 4, `${targets.length} of ${after.resources.length} resources`);
    });

    it("refuses a change the policy pack refuses on the whole region offline, before the CLI previews anything: 422, no preview, no up", async () => {
        const { operation } = await project.onboard("refused-one", undefined, engine);
        assert.strictEqual(operation.error?.status, 422, JSON.stringify(operation.error));
        assert.deepStrictEqual([project.commandsOf("preview").length, project.commandsOf("up").length], [0, 0]);
    });

    it("decommissions with targeted ups: step 1 names the tenant's resources whose protection ends, step 2 deletes its every URN", async () => {
        const before = await evaluate();
        const leaving = before.resources.filter(r => r.urn.includes("fabrikam"));
        const { provisioner } = offlineProvisioner(project.dir, { engine });
        for (const step of ["mark", "remove"] as const) {
            const operation = await provisioner.whenFinished(
                accepted(await provisioner.decommission(FIXTURE_STACK, "fabrikam", { step })).id,
            );
            assert.strictEqual(operation.status, "succeeded", JSON.stringify(operation.error));
        }
        const [mark, remove] = project.commandsOf("up").map(targetsOf);
        const protectedOnes = leaving.filter(r => r.protect).map(r => r.urn);
        assert.ok(protectedOnes.length > 0 && protectedOnes.every(urn => mark.includes(urn)), mark.join("\n"));
        assert.ok(
            leaving.every(r => remove.includes(r.urn)),
            "a targeted up deletes the targeted URNs the program no longer registers",
        );
        assert.ok(!remove.some(urn => urn.includes("contoso")), remove.join("\n"));
    });
});

describe("provisioner: the offline plan of a targeted change", () => {
    it("evaluates the region with the outputs of the stack's last update, so that it plans the placement the update will keep", async () => {
        const deployed = { tenants: { contoso: { cluster: "shared-2", stamp: "stamp-1" } } };
        const seen: (Record<string, unknown> | undefined)[] = [];
        const engine = new TargetedEngine({
            projectDir: "test/fixtures/provisioner",
            deployer: {
                name: "automation",
                preview: async () => ({ ok: true, policyViolations: [], log: [] }),
                up: async () => ({ ok: true, policyViolations: [], log: [] }),
                deployedOutputs: async () => deployed,
            },
            planner: {
                planTargets: async (_stack, _before, _after, options) => {
                    seen.push(options?.previousOutputs);
                    return { ok: true, policyViolations: [], log: [], targets: [] };
                },
            },
        });
        await engine.preview(FIXTURE_STACK);
        assert.deepStrictEqual(seen, [deployed]);
    });
});
