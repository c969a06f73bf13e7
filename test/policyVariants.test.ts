import * as assert from "assert";
import * as path from "path";
import { evaluateStack } from "../offline/evaluate";
import { evaluatePolicies } from "../offline/policies";
import { readStackConfig } from "../lib/stackFile";

/** Unusual but valid stacks, generated from prod-weu (test/fixtures/variants): the pack must pass each as it is. */
const VARIANTS = [
    { stack: "single-tenant", shape: "a single shared tenant", previews: [false] },
    { stack: "only-dedicated", shape: "only dedicated tenants and no shared cluster", previews: [false] },
    { stack: "baseline-psa", shape: "Pod Security baseline by default and restricted by override", previews: [false] },
    // The largest, with the most values a preview does not know: also run as a preview (the others' shapes add no unknowns).
    { stack: "full-shared", shape: "a shared cluster filled to its 40-tenant capacity", previews: [false, true] },
] as const;

describe("the policy pack on unusual stacks", () => {
    for (const { stack, shape, previews } of VARIANTS) {
        for (const preview of previews) {
            it(`passes every policy on a stack with ${shape}${preview ? ", under preview" : ""}`, async () => {
                const stackConfig = readStackConfig(path.join(__dirname, "fixtures", "variants", `Pulumi.${stack}.yaml`));
                const evaluation = await evaluateStack({ stack, stackConfig, preview });
                const report = await evaluatePolicies(evaluation);
                assert.deepStrictEqual(
                    report.violations.map(v => `${v.policyName}: ${v.message}`),
                    [],
                );
                assert.ok(report.policies.length > 0);
            });
        }
    }
});
