import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ProvisionerError } from "../provisioner/errors";
import { StackDocument } from "../provisioner/stackDocument";
import { applyChange, TenantChange } from "../provisioner/tenantChanges";
import { mergePatch, patchProblems } from "../provisioner/tenantPatch";
import { FIXTURE_STACK } from "./fixtures/provisioner/support";

const FIXTURE = fs.readFileSync(path.join(__dirname, "fixtures", "provisioner", `Pulumi.${FIXTURE_STACK}.yaml`), "utf8");

const fixture = () => StackDocument.parse(FIXTURE, "fixture");

function apply(change: TenantChange, doc = fixture()) {
    const result = applyChange(doc, change, FIXTURE_STACK);
    return { result, doc, text: doc.toString() };
}

const mark = (name: string): TenantChange => ({ kind: "decommission", name, step: "mark" });
const remove = (name: string): TenantChange => ({ kind: "decommission", name, step: "remove" });

function refusal(change: TenantChange, doc = fixture()): ProvisionerError {
    try {
        applyChange(doc, change, FIXTURE_STACK);
    } catch (err) {
        assert.ok(err instanceof ProvisionerError, String(err));
        return err;
    }
    assert.fail("the change was accepted");
}

/** A stack with unpinned tenants and room for two per shared cluster. */
const UNPINNED = FIXTURE.replace(/maxTenants: 64/, "maxTenants: 2").replace(
    /iot-fleet:tenants:[\s\S]*$/,
    `iot-fleet:tenants:
    - name: alpha
      deviceQuota: 100
    - name: bravo
      deviceQuota: 100
    - name: charlie
      deviceQuota: 100
`,
);

describe("provisioner: tenant changes on a stack document", () => {
    it("pins an onboarded tenant where placement puts it, right after its quota", () => {
        const { result, text } = apply({ kind: "onboard", tenant: { name: "tailspin", deviceQuota: 4200 } });
        assert.strictEqual(result.outcome, "changed");
        assert.strictEqual(result.view?.cluster, "shared-1");
        assert.match(text, /- name: tailspin\n {6}deviceQuota: 4200\n {6}cluster: shared-1\n/);
    });

    it("pins a tenant at the dedicated threshold to a cluster of its own", () => {
        const { result, text } = apply({ kind: "onboard", tenant: { name: "acme", deviceQuota: 50000 } });
        assert.strictEqual(result.view?.cluster, "dedicated-acme");
        assert.match(text, /cluster: dedicated-acme/);
    });

    it("keeps the comments and every other key of the stack file", () => {
        const { text } = apply({ kind: "onboard", tenant: { name: "tailspin", deviceQuota: 4200, overrides: { quota: { cpu: "16" } } } });
        assert.ok(text.startsWith(FIXTURE.trimEnd()), "the old file is a prefix of the new one");
        assert.match(text, /# Room for every tenant the concurrency test onboards/);
        assert.match(text, /cpu: "16"/);
    });

    it("answers a repeated onboarding with the tenant as it is, whatever the key order or spelled-out defaults", () => {
        const { result } = apply({ kind: "onboard", tenant: { deviceQuota: 18000, isolation: "auto", name: "contoso", compliance: [] } });
        assert.strictEqual(result.outcome, "unchanged");
    });

    it("refuses the name of an existing tenant with another spec as a conflict", () => {
        const err = refusal({ kind: "onboard", tenant: { name: "contoso", deviceQuota: 1 } });
        assert.strictEqual(err.status, 409);
        assert.match(err.message, /already exists in test-weu with a different spec; change it with PATCH/);
    });

    it("reports every problem of an onboarding body against the body, in the program's words", () => {
        const err = refusal({ kind: "onboard", tenant: { name: "Bad_Name", deviceQuota: -1, colour: "blue", cluster: "shared-1" } });
        assert.strictEqual(err.status, 400);
        assert.deepStrictEqual(err.problems.map(p => p.path).sort(), ["body", "body.cluster", "body.deviceQuota", "body.name"]);
        assert.match(err.problems.find(p => p.path === "body.name")!.message, /DNS-1123/);
        assert.match(err.problems.find(p => p.path === "body")!.message, /unknown key 'colour'/);
    });

    it("reports problems that span keys, such as compliance tags on a shared tenant", () => {
        const err = refusal({ kind: "onboard", tenant: { name: "medica", deviceQuota: 10, compliance: ["hipaa"], isolation: "shared" } });
        assert.deepStrictEqual(err.problems, [
            {
                path: "body.isolation",
                message: "a tenant with compliance tags (hipaa) runs on a dedicated cluster; remove isolation: shared",
            },
        ]);
    });

    it("pins the subnet of a dedicated tenant whose hashed /24 another dedicated tenant has, and only then", () => {
        // dedicated-t35 and dedicated-t40 hash to the same /24 of 10.40.0.0/16.
        const first = apply({ kind: "onboard", tenant: { name: "t35", deviceQuota: 60000, isolation: "dedicated" } });
        assert.match(first.text, /- name: t35\n {6}deviceQuota: 60000\n {6}cluster: dedicated-t35\n {6}isolation: dedicated\n/);
        const second = apply({ kind: "onboard", tenant: { name: "t40", deviceQuota: 60000, isolation: "dedicated" } }, first.doc);
        assert.match(
            second.text,
            /- name: t40\n {6}deviceQuota: 60000\n {6}cluster: dedicated-t40\n {6}isolation: dedicated\n {6}subnet: 10\.40\.128\.0\/24\n/,
        );
        const again = apply({ kind: "onboard", tenant: { name: "t40", deviceQuota: 60000, isolation: "dedicated" } }, second.doc);
        assert.strictEqual(again.result.outcome, "unchanged");
        const repin = refusal({ kind: "update", name: "t40", patch: { subnet: "10.40.129.0/24" } }, second.doc);
        assert.match(
            repin.problems.find(p => p.path === "body.subnet")?.message ?? "",
            /^cannot be changed here: a dedicated cluster's subnet/,
        );
    });

    it("never moves a tenant whose quota grows past the dedicated threshold", () => {
        const { result, text } = apply({ kind: "update", name: "contoso", patch: { deviceQuota: 80000 } });
        assert.strictEqual(result.view?.cluster, "shared-1");
        assert.match(text, /- name: contoso\n {6}deviceQuota: 80000\n {6}cluster: shared-1\n/);
    });

    it("merges overrides as a JSON merge patch, null removing a key", () => {
        const { text } = apply({
            kind: "update",
            name: "fabrikam",
            patch: { overrides: { processing: { maxReplicas: null }, quota: { cpu: "14" } } },
        });
        assert.match(
            text,
            /- name: fabrikam\n {6}deviceQuota: 12500\n {6}cluster: shared-1\n {6}overrides:\n {8}quota:\n {10}cpu: "14"\n$/,
        );
        assert.deepStrictEqual(mergePatch({ a: { b: 1, c: 2 }, d: 3 }, { a: { b: null }, e: [1] }), { a: { c: 2 }, d: 3, e: [1] });
    });

    it("answers a patch that changes nothing as unchanged", () => {
        assert.strictEqual(apply({ kind: "update", name: "contoso", patch: { deviceQuota: 18000 } }).result.outcome, "unchanged");
    });

    it("refuses to change what decides placement, saying why", () => {
        const problems = patchProblems({
            name: "x",
            cluster: "shared-2",
            isolation: "dedicated",
            compliance: [],
            decommission: true,
            colour: 1,
        });
        assert.deepStrictEqual(
            problems.map(p => `${p.path}: ${p.message}`),
            [
                "body.name: cannot be changed here: the name is the tenant's identity (namespace, identity, queue); onboard a new tenant instead",
                "body.cluster: cannot be changed here: moving a tenant recreates its namespace; an operator changes the pin in the stack file on purpose",
                "body.isolation: cannot be changed here: isolation decides placement and the service never moves a tenant; an operator changes it in the stack file",
                "body.compliance: cannot be changed here: compliance tags decide placement and the service never moves a tenant; an operator changes them in the stack file",
                "body.decommission: cannot be changed here: decommissioning is DELETE /v1/stacks/<stack>/tenants/<name>, then DELETE ...?step=remove once that has run",
                "body.colour: unknown key; a PATCH changes deviceQuota and overrides only",
                "body: nothing to change: give deviceQuota, overrides or both",
            ],
        );
    });

    it("decommissions in two explicit steps: mark, then remove; a repeated mark changes nothing", () => {
        const first = apply(mark("contoso"));
        assert.strictEqual(first.result.step, "mark");
        assert.match(first.text, /- name: contoso\n {6}deviceQuota: 18000\n {6}cluster: shared-1\n {6}decommission: true\n/);
        const repeated = apply(mark("contoso"), first.doc.clone());
        assert.deepStrictEqual([repeated.result.outcome, repeated.text], ["unchanged", first.text]);
        const second = apply(remove("contoso"), first.doc);
        assert.strictEqual(second.result.step, "remove");
        assert.doesNotMatch(second.text, /contoso/);
    });

    it("refuses to remove a tenant that is not marked for decommissioning", () => {
        const err = refusal(remove("contoso"));
        assert.strictEqual(err.status, 409);
        assert.match(err.message, /tenant contoso is not marked for decommissioning in test-weu: DELETE it without \?step=remove first/);
    });

    it("refuses changes to a tenant being decommissioned, and a new tenant under its name", () => {
        const { doc } = apply(mark("contoso"));
        assert.strictEqual(refusal({ kind: "update", name: "contoso", patch: { deviceQuota: 1 } }, doc.clone()).status, 409);
        assert.match(
            refusal({ kind: "onboard", tenant: { name: "contoso", deviceQuota: 18000 } }, doc.clone()).message,
            /being decommissioned/,
        );
    });

    it("refuses to remove a stack's last tenant", () => {
        let doc = fixture();
        for (const change of [mark("contoso"), mark("fabrikam"), remove("contoso")]) {
            doc = apply(change, doc).doc;
        }
        const err = refusal(remove("fabrikam"), doc);
        assert.strictEqual(err.status, 409);
        assert.deepStrictEqual(err.problems, [{ path: "iot-fleet:tenants", message: "a region stack needs at least one tenant" }]);
    });

    it("answers 404 for a tenant the stack does not have", () => {
        assert.strictEqual(refusal({ kind: "update", name: "nobody", patch: { deviceQuota: 1 } }).status, 404);
        assert.strictEqual(refusal(mark("nobody")).status, 404);
    });

    it("pins every tenant before a change, so that removing one cannot move another", () => {
        let doc = StackDocument.parse(UNPINNED, "unpinned");
        doc = apply(mark("alpha"), doc).doc;
        const { text } = apply(remove("alpha"), doc);
        assert.match(text, /- name: bravo\n {6}deviceQuota: 100\n {6}cluster: shared-1\n/);
        assert.match(
            text,
            /- name: charlie\n {6}deviceQuota: 100\n {6}cluster: shared-2\n/,
            "charlie stays on shared-2 though shared-1 has room now",
        );
    });

    it("refuses to change a stack file that is already invalid, naming its problems", () => {
        const err = refusal(
            { kind: "onboard", tenant: { name: "x", deviceQuota: 1 } },
            StackDocument.parse(FIXTURE.replace("deviceQuota: 18000", "deviceQuota: -3"), "bad"),
        );
        assert.strictEqual(err.status, 409);
        assert.match(err.problems[0].path, /iot-fleet:tenants\[0\]\.deviceQuota/);
    });
});
