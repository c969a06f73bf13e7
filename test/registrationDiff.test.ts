import * as assert from "assert";
import { readStackConfig, stackFilePath } from "../lib/stackFile";
import { evaluateStack, Evaluation, RecordedResource } from "../offline/evaluate";
import { registrationDiff, registrationFingerprints, RegistrationDiff, updateTargets } from "../offline/registrationDiff";
import { evaluateRealStack } from "./support/stacks";

const STACK = "prod-weu";
const NEWCOMER = { name: "northwind-labs", deviceQuota: 4200, cluster: "shared-1" };
/** A long-tail tenant of prod-weu's stack file, on shared-1. */
const LEAVER = "margie-travel";

const diffOf = (before: Evaluation, after: Evaluation): RegistrationDiff =>
    registrationDiff(registrationFingerprints(before.resources), registrationFingerprints(after.resources));

/** What the engine diffs for a resource, as text: does it name the tenant anywhere? */
const mentions = (resource: RecordedResource, tenant: string): boolean =>
    JSON.stringify([resource.inputs, resource.custom ? null : resource.outputs]).includes(tenant);

/** The registered graph of prod-weu as its stack file is, with one tenant more, and with one tenant less. */
describe("the URNs a tenant change touches, from two offline evaluations of prod-weu", () => {
    let current: Evaluation;
    let onboarded: Evaluation;
    let offboarded: Evaluation;
    let again: Evaluation;

    before(async () => {
        const config = readStackConfig(stackFilePath(STACK));
        const tenants = config["iot-fleet:tenants"] as { name: string }[];
        current = await evaluateRealStack(STACK);
        onboarded = await evaluateStack({ stack: STACK, stackConfig: { ...config, "iot-fleet:tenants": [...tenants, NEWCOMER] } });
        offboarded = await evaluateStack({
            stack: STACK,
            stackConfig: { ...config, "iot-fleet:tenants": tenants.filter(t => t.name !== LEAVER) },
        });
        again = await evaluateStack({ stack: STACK, stackConfig: config });
    });

    it("finds nothing to do between two evaluations of the same stack file", () => {
        assert.deepStrictEqual(diffOf(current, again), { created: [], deleted: [], updated: [] });
    });

    it("creates exactly the new tenant's landing zone when it is onboarded, and deletes nothing", () => {
        const diff = diffOf(current, onboarded);
        const landingZone = onboarded.resources.filter(r => r.name.includes(NEWCOMER.name)).map(r => r.urn);
        assert.deepStrictEqual(diff.created, [...landingZone].sort());
        assert.deepStrictEqual(diff.deleted, []);
    });

    it("updates exactly the region's resources whose desired state comes to name the new tenant, region-wide ones included", () => {
        const diff = diffOf(current, onboarded);
        const existing = new Set(current.resources.map(r => r.urn));
        const nowNamingIt = onboarded.resources.filter(r => existing.has(r.urn) && mentions(r, NEWCOMER.name)).map(r => r.urn);
        assert.deepStrictEqual(diff.updated, [...nowNamingIt].sort());
        const updatedTypes = onboarded.resources.filter(r => diff.updated.includes(r.urn)).map(r => r.type);
        // The shared cluster's ingest lists its tenants; the region's ADX row-level security lists every tenant.
        for (const type of ["kubernetes:core/v1:ConfigMap", "azure-native:kusto:Script", "pulumi:pulumi:Stack"]) {
            assert.ok(updatedTypes.includes(type), `${type} among ${updatedTypes.join(", ")}`);
        }
        assert.ok(updateTargets(diff).length < current.resources.length / 10, `${updateTargets(diff).length} targets`);
    });

    it("deletes exactly the leaving tenant's landing zone when it is removed, and updates what named it", () => {
        const diff = diffOf(current, offboarded);
        const landingZone = current.resources.filter(r => r.name.includes(LEAVER)).map(r => r.urn);
        assert.deepStrictEqual(diff.deleted, [...landingZone].sort());
        assert.deepStrictEqual(diff.created, []);
        const remaining = new Set(offboarded.resources.map(r => r.urn));
        const namedIt = current.resources.filter(r => remaining.has(r.urn) && mentions(r, LEAVER)).map(r => r.urn);
        assert.deepStrictEqual(diff.updated, [...namedIt].sort());
        assert.deepStrictEqual(updateTargets(diff), [...diff.deleted, ...diff.updated].sort());
    });
});
