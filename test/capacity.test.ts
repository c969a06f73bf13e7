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

    it("shows every Azure limit with its count and headroom: one consumer group per shared cluster, not per tenant", () => {
        const tenants = Array.from({ length: 19 }, (_, i) => ({ name: `t${i}`, deviceQuota: 10 }));
        const report = reportOf(fleetConfig(tenants));
        const groups = report.limits.find(row => row.limit === "consumer groups per event hub")!;
        // $Default, adx and the ingest of each of the 5 shared clusters (4 tenants each): 19 tenants, which took
        // 21 groups and overflowed Standard's 20 when every tenant had its own.
        assert.deepStrictEqual([groups.used, groups.max], [7, 20]);
        assert.match(renderCapacity(report), /^ {2}consumer groups per event hub +7\/20 \(65% free\) · event hub telemetry$/m);
        assert.match(renderCapacity(report), /^ {2}role assignments per subscription +\d+\/4,000 /m);
    });
});
