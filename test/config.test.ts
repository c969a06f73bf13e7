import * as assert from "assert";
import * as path from "path";
import { ConfigError, ConfigProblem, parseFleetConfig, tenantSettings } from "../lib/config";
import { loadStackFile, projectKeys, readStackConfig } from "../lib/stackFile";

const ROOT = path.resolve(__dirname, "..");
const validKeys = () => projectKeys(readStackConfig(path.join(ROOT, "Pulumi.prod-weu.yaml")));

function problemsOf(raw: Record<string, unknown>): ConfigProblem[] {
    try {
        parseFleetConfig(raw);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
        return [...err.problems];
    }
    assert.fail("expected the config to be rejected");
}

/** Each case breaks one thing in an otherwise valid stack and names the one problem the user must see. */
const BAD_INPUTS: { title: string; edit: (raw: any) => void; path: string; message: RegExp }[] = [
    { title: "a duplicate tenant", edit: raw => raw.tenants.push({ name: "contoso", deviceQuota: 10 }), path: "iot-fleet:tenants[11].name", message: /duplicate tenant 'contoso' \(first defined at tenants\[1\]\)/ },
    { title: "a tenant name that is not a DNS-1123 label", edit: raw => { raw.tenants[1].name = "Contoso_Ltd"; }, path: "iot-fleet:tenants[1].name", message: /DNS-1123/ },
    { title: "a tenant name that is too long", edit: raw => { raw.tenants[1].name = "a".repeat(31); }, path: "iot-fleet:tenants[1].name", message: /at most 30 characters/ },
    { title: "a reserved namespace as tenant name", edit: raw => { raw.tenants[1].name = "kube-system"; }, path: "iot-fleet:tenants[1].name", message: /reserved/ },
    { title: "a zero device quota", edit: raw => { raw.tenants[1].deviceQuota = 0; }, path: "iot-fleet:tenants[1].deviceQuota", message: /positive number of devices, got 0/ },
    { title: "a negative device quota", edit: raw => { raw.tenants[1].deviceQuota = -5; }, path: "iot-fleet:tenants[1].deviceQuota", message: /positive/ },
    { title: "a fractional device quota", edit: raw => { raw.tenants[1].deviceQuota = 10.5; }, path: "iot-fleet:tenants[1].deviceQuota", message: /whole number/ },
    { title: "an unknown override key", edit: raw => { raw.tenants[1].overrides = { processing: { targetMesageCount: 10 } }; }, path: "iot-fleet:tenants[1].overrides.processing", message: /unknown key 'targetMesageCount'/ },
    { title: "a per-tenant setting outside overrides", edit: raw => { raw.tenants[1].targetMessageCount = 10; }, path: "iot-fleet:tenants[1]", message: /unknown key 'targetMessageCount'; per-tenant settings go under tenants\[\]\.overrides/ },
    { title: "a system pool under 3 nodes", edit: raw => { raw.clusterDefaults.systemPool.count = 2; }, path: "iot-fleet:clusterDefaults.systemPool.count", message: /at least 3 nodes/ },
    { title: "a Spot pool without baseline", edit: raw => { raw.clusterDefaults.processingPool.baselineCount = 0; }, path: "iot-fleet:clusterDefaults.processingPool.baselineCount", message: /non-Spot baseline of at least 1 node/ },
    { title: "an unknown isolation value", edit: raw => { raw.tenants[1].isolation = "private"; }, path: "iot-fleet:tenants[1].isolation", message: /expected one of "auto"\|"shared"\|"dedicated", got "private"/ },
    { title: "a missing location", edit: raw => { delete raw.region.location; }, path: "iot-fleet:region.location", message: /required, expected string/ },
    { title: "a missing tenants list", edit: raw => { delete raw.tenants; }, path: "iot-fleet:tenants", message: /required, expected array/ },
    { title: "an unknown top-level key", edit: raw => { raw.tenant = []; }, path: "iot-fleet:tenant", message: /unknown config key/ },
    { title: "min replicas above max replicas after overrides", edit: raw => { raw.tenants[1].overrides = { processing: { minReplicas: 30 } }; }, path: "iot-fleet:tenants[1].overrides.processing.minReplicas", message: /minReplicas \(30\) is greater than maxReplicas \(20\)/ },
    { title: "a pool whose min exceeds its max", edit: raw => { raw.clusterDefaults.ingestPool.minCount = 12; }, path: "iot-fleet:clusterDefaults.ingestPool.minCount", message: /greater than maxCount/ },
    { title: "a regulated tenant pinned to a shared cluster", edit: raw => { raw.tenants[1].compliance = ["hipaa"]; }, path: "iot-fleet:tenants[1].cluster", message: /needs a dedicated cluster but is pinned to shared-1/ },
    { title: "a dedicated pin naming another tenant", edit: raw => { raw.tenants[1].cluster = "dedicated-acme"; }, path: "iot-fleet:tenants[1].cluster", message: /expected dedicated-contoso, got dedicated-acme/ },
    { title: "a malformed cluster pin", edit: raw => { raw.tenants[1].cluster = "cluster-7"; }, path: "iot-fleet:tenants[1].cluster", message: /expected shared-<n> or dedicated-<tenant>/ },
    { title: "fleet join without a stack reference", edit: raw => { raw.fleet = { mode: "join" }; }, path: "iot-fleet:fleet.stackReference", message: /required when fleet.mode is join/ },
    { title: "an address space overlapping the pod overlay", edit: raw => { raw.region.addressSpace = "10.244.0.0/16"; }, path: "iot-fleet:region.addressSpace", message: /overlaps 10\.244\.0\.0\/16/ },
    { title: "a public address space", edit: raw => { raw.region.addressSpace = "52.10.0.0/16"; }, path: "iot-fleet:region.addressSpace", message: /private range/ },
    { title: "a maintenance window shorter than AKS allows", edit: raw => { raw.clusterDefaults.maintenanceWindow.durationHours = 2; }, path: "iot-fleet:clusterDefaults.maintenanceWindow.durationHours", message: /at least 4 hours/ },
    { title: "an invalid quota quantity", edit: raw => { raw.tenants[1].overrides = { quota: { memory: "lots" } }; }, path: "iot-fleet:tenants[1].overrides.quota.memory", message: /Kubernetes quantity/ },
    { title: "an unknown kubelogin mode", edit: raw => { raw.kubeconfigLogin = "devicecode"; }, path: "iot-fleet:kubeconfigLogin", message: /"azurecli"\|"workloadidentity"\|"spn"/ },
];

describe("stack configuration", () => {
    it("accepts both real stack files and applies tenant overrides over the defaults", () => {
        const weu = loadStackFile(path.join(ROOT, "Pulumi.prod-weu.yaml"));
        const eus = loadStackFile(path.join(ROOT, "Pulumi.prod-eus.yaml"));
        const acme = weu.tenants.find(t => t.name === "acme")!;
        assert.strictEqual(tenantSettings(weu.tenantDefaults, acme.overrides).processing.targetMessageCount, 1000);
        const contoso = weu.tenants.find(t => t.name === "contoso")!;
        assert.strictEqual(tenantSettings(weu.tenantDefaults, contoso.overrides).processing.targetMessageCount, 500);
        assert.ok(weu.tenants.length >= 9);
        assert.ok(eus.tenants.some(t => t.compliance.length > 0));
        assert.strictEqual(eus.fleet.mode, "join");
    });

    it("fills every default a minimal stack leaves out", () => {
        const minimal = parseFleetConfig({
            region: { shortName: "weu", location: "westeurope", addressSpace: "10.40.0.0/16" },
            gitops: { repositoryUrl: "https://github.com/iot-platform/fleet" },
            dns: { zoneName: "weu.iot.example.com", acmeEmail: "ops@example.com" },
            tenants: [{ name: "contoso", deviceQuota: 10 }],
        });
        assert.strictEqual(minimal.dedicatedDeviceThreshold, 50_000);
        assert.strictEqual(minimal.clusterDefaults.systemPool.count, 3);
        assert.strictEqual(minimal.clusterDefaults.processingPool.spot, true);
        assert.strictEqual(minimal.tenantDefaults.processing.targetMessageCount, 500);
        assert.deepStrictEqual(minimal.tenants[0].overrides, {});
        assert.strictEqual(minimal.tenants[0].isolation, "auto");
    });

    for (const bad of BAD_INPUTS) {
        it(`rejects ${bad.title} with its key path`, () => {
            const raw = validKeys();
            bad.edit(raw);
            const problems = problemsOf(raw);
            const match = problems.find(p => p.path === bad.path && bad.message.test(p.message));
            assert.ok(match, `no problem at ${bad.path} matching ${bad.message}; got:\n${problems.map(p => `${p.path}: ${p.message}`).join("\n")}`);
        });
    }

    it("reports every problem of a broken stack file in one error", () => {
        assert.throws(() => loadStackFile(path.join(__dirname, "fixtures", "Pulumi.broken.yaml")), (err: unknown) => {
            assert.ok(err instanceof ConfigError);
            const paths = err.problems.map(p => p.path);
            for (const expected of [
                "iot-fleet:region.location", "iot-fleet:region.addressSpace", "iot-fleet:clusterDefaults.systemPool.count",
                "iot-fleet:clusterDefaults.processingPool.baselineCount", "iot-fleet:tenants[1].name", "iot-fleet:tenants[1].deviceQuota",
                "iot-fleet:tenants[2].name", "iot-fleet:tenants[2].isolation", "iot-fleet:tenants[2].overrides",
            ]) {
                assert.ok(paths.includes(expected), `missing ${expected} in:\n${err.message}`);
            }
            assert.match(err.message, /Pulumi\.broken\.yaml has \d+ problems/);
            return true;
        });
    });

    it("reports an unreadable stack file as a config problem, not a crash", () => {
        assert.throws(() => loadStackFile(path.join(__dirname, "fixtures", "Pulumi.missing.yaml")), /cannot read the stack file \(ENOENT\)/);
    });
});
