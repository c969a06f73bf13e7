import * as assert from "assert";
import { capacityReport, headroom } from "../lib/capacity";
import { FleetConfig, parseFleetConfig } from "../lib/config";
import { placeTenants } from "../lib/placement";
import { renderCapacity } from "../cli/report";

function fleetConfig(tenants: object[], eventHubs: object = {}): FleetConfig {
    return parseFleetConfig({
        eventHubs,
        region: { shortName: "weu", location: "westeurope", addressSpace: "10.40.0.0/16" },
        gitops: { repositoryUrl: "https://github.com/example/fleet" },
        dns: { zoneName: "weu.iot.example.com", acmeEmail: "ops@example.com" },
        sharedClusterCapacity: { maxTenants: 4, maxDevices: 100_000 },
        clusterDefaults: { apiServerAccess: { deployerRanges: ["203.0.113.0/28"] } },
        tenants,
    });
}
const reportOf = (config: FleetConfig) =>
    capacityReport(
        config,
        placeTenants(config.tenants, {
            dedicatedDeviceThreshold: config.dedicatedDeviceThreshold,
            sharedClusterMaxTenants: config.sharedClusterCapacity.maxTenants,
            sharedClusterMaxDevices: config.sharedClusterCapacity.maxDevices,
        }),
    );

describe("cluster capacity", () => {
    it("reports headroom as what is left of the maximum, absolute and in percent", () => {
        assert.deepStrictEqual(headroom(30_000, 100_000), { used: 30_000, max: 100_000, free: 70_000, freePercent: 70 });
        assert.deepStrictEqual(headroom(5, 4), { used: 5, max: 4, free: -1, freePercent: -25 });
    });

    it("shows a shared cluster's tenants and devices against sharedClusterCapacity", () => {
        const report = reportOf(
            fleetConfig([
                { name: "a", deviceQuota: 20_000 },
                { name: "b", deviceQuota: 5_000 },
            ]),
        );
        assert.deepStrictEqual(report.shared, [
            {
                cluster: "shared-1",
                tenants: { used: 2, max: 4, free: 2, freePercent: 50 },
                devices: { used: 25_000, max: 100_000, free: 75_000, freePercent: 75 },
                overCapacity: false,
            },
        ]);
    });

    it("flags a shared cluster that pinned tenants have pushed past its device capacity", () => {
        const report = reportOf(
            fleetConfig([
                { name: "a", deviceQuota: 49_000, cluster: "shared-1" },
                { name: "b", deviceQuota: 49_000, cluster: "shared-1" },
                { name: "c", deviceQuota: 12_000, cluster: "shared-1" },
            ]),
        );
        assert.strictEqual(report.shared[0].overCapacity, true);
        assert.deepStrictEqual(report.shared[0].devices, { used: 110_000, max: 100_000, free: -10_000, freePercent: -10 });
        assert.strictEqual(report.shared[0].tenants.free, 1);
    });

    it("flags a shared cluster pinned past its tenant count", () => {
        const pinned = ["a", "b", "c", "d", "e"].map(name => ({ name, deviceQuota: 10, cluster: "shared-1" }));
        const [shared] = reportOf(fleetConfig(pinned)).shared;
        assert.deepStrictEqual([shared.overCapacity, shared.tenants.free], [true, -1]);
    });

    it("lists each dedicated cluster with its one tenant's devices", () => {
        const report = reportOf(
            fleetConfig([
                { name: "acme", deviceQuota: 250_000 },
                { name: "medica", deviceQuota: 3_000, compliance: ["hipaa"] },
            ]),
        );
        assert.deepStrictEqual(report.dedicated, [
            { cluster: "dedicated-acme", tenant: "acme", devices: 250_000 },
            { cluster: "dedicated-medica", tenant: "medica", devices: 3_000 },
        ]);
        assert.deepStrictEqual(report.shared, []);
    });

    it("lists the unpinned tenants with the cluster to pin them to, and leaves pinned ones out", () => {
        const report = reportOf(
            fleetConfig([
                { name: "pinned", deviceQuota: 90_000, cluster: "shared-1" },
                { name: "packed", deviceQuota: 20_000 },
                { name: "big", deviceQuota: 60_000 },
            ]),
        );
        assert.deepStrictEqual(report.unpinned, [
            { tenant: "packed", cluster: "shared-2", reason: "packed" },
            { tenant: "big", cluster: "dedicated-big", reason: "threshold" },
        ]);
    });

    it("counts the telemetry hub's consumer groups, one per tenant plus $Default and adx, against the Standard tier's 20", () => {
        const report = reportOf(
            fleetConfig([
                { name: "a", deviceQuota: 20_000 },
                { name: "b", deviceQuota: 5_000 },
            ]),
        );
        assert.deepStrictEqual(report.eventHubConsumerGroups, {
            tier: "Standard",
            groups: { used: 4, max: 20, free: 16, freePercent: 80 },
            overLimit: false,
        });
        assert.match(
            renderCapacity(report),
            /^ {2}event hub telemetry +consumer groups 4\/20 on Standard \(80% free, \$Default and adx included\) · room for 16 more tenant\(s\)$/m,
        );
    });

    it("flags a region whose tenants need more consumer groups than Standard has, and fits them on Premium", () => {
        const tenants = Array.from({ length: 19 }, (_, i) => ({ name: `t${i}`, deviceQuota: 10 }));
        const standard = reportOf(fleetConfig(tenants)).eventHubConsumerGroups;
        assert.deepStrictEqual([standard.groups.used, standard.groups.free, standard.overLimit], [21, -1, true]);
        assert.match(renderCapacity(reportOf(fleetConfig(tenants))), /consumer groups 21\/20 on Standard .* · OVER THE TIER'S LIMIT$/m);
        const premium = reportOf(fleetConfig(tenants, { sku: "Premium" })).eventHubConsumerGroups;
        assert.deepStrictEqual([premium.tier, premium.groups.max, premium.groups.free, premium.overLimit], ["Premium", 100, 79, false]);
    });
});
