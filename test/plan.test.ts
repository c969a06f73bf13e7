import * as assert from "assert";
import { execFile } from "child_process";
import * as path from "path";
import type { PlanReport } from "../cli/report";
import { ConfigError } from "../lib/errors";
import { readStackConfig, stackFilePath } from "../lib/stackFile";
import { planStack } from "../cli/planStack";

const ROOT = path.resolve(__dirname, "..");
interface Run { code: number; stdout: string; stderr: string }

/** Runs `npm start -- <args>` as a user would (without npm's own banner), not on a TTY. */
function plan(...args: string[]): Promise<Run> {
    return new Promise(resolve => {
        execFile(process.execPath, ["-r", "ts-node/register/transpile-only", "cli/plan.ts", ...args], { cwd: ROOT, maxBuffer: 64 << 20 },
            (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }));
    });
}

describe("npm start: the offline plan", () => {
    const runs: Record<string, Run> = {};
    before(async () => {
        const [weuText, weuJson, eusJson, faulty, broken] = await Promise.all([
            plan(), plan("--stack", "prod-weu", "--json"), plan("--stack", "prod-eus", "--json"),
            plan("--config", "test/fixtures/Pulumi.faulty.yaml", "--program", "test/fixtures/faultyProgram.ts"),
            plan("--config", "test/fixtures/Pulumi.broken.yaml"),
        ]);
        Object.assign(runs, { weuText, weuJson, eusJson, faulty, broken });
    });

    it("prints the region tree with clusters, pools and tenants for the default stack, and exits 0", () => {
        const { code, stdout, stderr } = runs.weuText;
        assert.strictEqual(code, 0, stderr);
        assert.match(stdout, /^Region weu \(westeurope\) · stack prod-weu · 11 tenants · 335,900 devices$/m);
        assert.match(stdout, /^├─ shared-1 \(shared\)$/m);
        assert.match(stdout, /^└─ dedicated-acme \(dedicated\)$/m);
        assert.match(stdout, /pool procspot +Standard_F16s_v2 +Spot +0–40 nodes/);
        assert.match(stdout, /tenant acme +250,000 devices · 1000 msg\/replica/);
        assert.match(stdout, /tenant margie-travel +1,500 devices · 500 msg\/replica · unpinned/);
        assert.match(stdout, /^Policies: 0 mandatory, 0 advisory violation\(s\)$/m);
        assert.match(stdout, /^Resources: \d+ in [\d.]+ s$/m);
        assert.match(stdout, /^Cost estimate \(EUR\/month, westeurope list prices as of [\d-]+\): €[\d,]+ · €[\d.]+ per device$/m);
        assert.match(stdout, /savings: Spot processing €[\d,]+ \(\d+%\), reserved system and processing-baseline nodes €[\d,]+ \(\d+%\)/);
        assert.doesNotMatch(runs.weuText.stderr, /evaluating/, "no progress line when stderr is not a terminal");
    });

    it("prints the same numbers as JSON with --json, for both real stacks", () => {
        for (const run of [runs.weuJson, runs.eusJson]) {
            assert.strictEqual(run.code, 0, run.stderr);
            const report: PlanReport = JSON.parse(run.stdout);
            assert.strictEqual(report.policies.mandatory, 0);
            assert.ok(report.resources.total > 300);
            assert.strictEqual(Object.values(report.resources.byType).reduce((a, b) => a + b, 0), report.resources.total);
            assert.ok(report.cost.priced, "the real stacks' regions are priced");
            assert.ok(report.cost.totals.monthly > 0 && report.cost.totals.perDevice > 0);
            assert.ok(report.cost.clusters.every(c => c.monthly > 0));
            assert.ok(report.cost.tenants.every(t => t.monthly > 0 && t.perDevice > 0));
            assert.strictEqual(report.clusters.flatMap(c => c.tenants).length, report.region.tenants);
        }
        const json: PlanReport = JSON.parse(runs.weuJson.stdout);
        assert.ok(json.cost.priced);
        const text = runs.weuText.stdout;
        assert.ok(text.includes(`Resources: ${json.resources.total.toLocaleString("en-US")} in`));
        assert.ok(text.includes(`€${Math.round(json.cost.totals.monthly).toLocaleString("en-US")} · `));
        const eus: PlanReport = JSON.parse(runs.eusJson.stdout);
        assert.deepStrictEqual(eus.clusters.map(c => c.name), ["shared-1", "dedicated-medica", "dedicated-woodgrove"]);
    });

    it("exits 1 on the faulty fixture and lists each violation with its resource and fix", () => {
        const { code, stdout } = runs.faulty;
        assert.strictEqual(code, 1);
        assert.match(stdout, /^Policies: 6 mandatory, 0 advisory violation\(s\)$/m);
        for (const policy of ["tenant-labels", "spot-baseline", "system-pool-isolation", "tenant-guardrails", "no-plaintext-secrets", "tenant-data-protection"]) {
            assert.match(stdout, new RegExp(`✗ ${policy} \\(mandatory\\) · 1 violation`));
        }
        assert.match(stdout, /urn:pulumi:faulty::iot-fleet::.*::rogue-secret/);
        assert.match(stdout, /why and how to fix: .*Fix: keep secrets in Key Vault/);
    });

    it("exits 2 on a bad stack file and lists every problem, without a stack trace", () => {
        const { code, stdout, stderr } = runs.broken;
        assert.strictEqual(code, 2);
        assert.strictEqual(stdout, "");
        assert.match(stderr, /^stack broken has 9 problems:$/m);
        assert.strictEqual(stderr.trim().split("\n").filter(line => line.startsWith("  - ")).length, 9);
        assert.doesNotMatch(stderr, /\n\s+at /);
    });

    it("exits 2 on an unknown stack and names the stacks there are", async () => {
        const { code, stderr } = await plan("--stack", "prod-xyz");
        assert.strictEqual(code, 2);
        assert.match(stderr, /unknown stack 'prod-xyz'; stacks with a stack file: prod-eus, prod-weu/);
    });
});

describe("planStack", () => {
    it("refuses a bad policy config with every problem before it runs the program", async () => {
        let ran = false;
        await assert.rejects(planStack({
            stack: "prod-weu",
            stackConfig: readStackConfig(stackFilePath("prod-weu")),
            program: () => { ran = true; },
            policyConfig: { all: "sometimes" as any, "dedicated-threshold": { dedicatedDeviceThreshold: 0 } },
        }), (err: ConfigError) => {
            assert.deepStrictEqual(err.problems.map(p => p.path), ["all", "dedicated-threshold.dedicatedDeviceThreshold"]);
            return err instanceof ConfigError;
        });
        assert.strictEqual(ran, false, "the program ran before the policy config was checked");
    });
});
