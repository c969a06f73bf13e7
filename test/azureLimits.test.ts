import * as assert from "assert";
import { stampPlanOf } from "../lib/stampPlan";
import { azureLimitRows, configLimitRows, configRoleAssignments, limitProblems } from "../lib/azureLimits";
import { ConfigError, parseFleetConfig } from "../lib/config";
import { dataPath } from "../lib/dataPath";
import { placeTenants, placementSettings } from "../lib/placement";
import { projectKeys, readStackConfig, stackFilePath } from "../lib/stackFile";

/** prod-weu's `iot-fleet:` keys, with some replaced. */
const weuWith = (change: Record<string, unknown>) => ({ ...projectKeys(readStackConfig(stackFilePath("prod-weu"))), ...change });

const problemsOf = (run: () => unknown): string[] => {
    try {
        run();
    } catch (err) {
        if (err instanceof ConfigError) {
            return err.problems.map(p => `${p.path}: ${p.message}`);
        }
        throw err;
    }
    return [];
};

describe("Azure limits checked before anything registers", () => {
    it("refuses a row over its maximum naming the limit, the count and Microsoft's page, and passes one at it", () => {
        const row = {
            limit: "routes per IoT hub",
            scope: "the region's IoT hub",
            used: 101,
            max: 100,
            source: "https://learn.microsoft.com/x",
        };
        assert.deepStrictEqual(limitProblems([row, { ...row, used: 100 }]), [
            {
                path: "iot-fleet:tenants",
                message:
                    "Azure limit exceeded: routes per IoT hub (the region's IoT hub): 101 needed, 100 allowed (https://learn.microsoft.com/x)",
            },
        ]);
    });

    it("counts one consumer group per shared cluster, so 240 long-tail tenants fit one Standard hub", () => {
        const tenants = Array.from({ length: 240 }, (_, i) => ({ name: `t-${i}`, deviceQuota: 200 }));
        const config = parseFleetConfig(
            weuWith({ tenants, sharedClusterCapacity: { maxTenants: 64, maxDevices: 1_000_000 }, quotas: { dpsEnrollmentGroups: 240 } }),
        );
        const rows = Object.fromEntries(configLimitRows(config).map(row => [row.limit, [row.used, row.max]]));
        assert.deepStrictEqual(rows["consumer groups per event hub"], [2 + 4, 20]);
        assert.deepStrictEqual(rows["databases and containers per Cosmos DB account"], [242, 500]);
        assert.deepStrictEqual(rows["queues and topics per Service Bus namespace"], [240, 1000]);
        assert.deepStrictEqual(rows["custom endpoints per IoT hub"], [1, 10]);
        assert.deepStrictEqual(rows["enrollment groups per DPS, one per tenant (quotas.dpsEnrollmentGroups)"], [240, 240]);
    });

    it("puts a tenth dedicated tenant on a second stamp, whose hub has endpoints left, and refuses more hubs than a Standard namespace", () => {
        const tenants = Array.from({ length: 10 }, (_, i) => ({
            name: `big-${i}`,
            deviceQuota: 60_000,
            isolation: "dedicated",
            subnet: `10.40.${200 + i}.0/24`,
        }));
        assert.deepStrictEqual(
            problemsOf(() => parseFleetConfig(weuWith({ tenants }))),
            [
                "iot-fleet:tenants: Azure limit exceeded: event hubs per namespace (the region's Event Hubs namespace): 11 needed, 10 allowed (https://learn.microsoft.com/azure/event-hubs/event-hubs-quotas)",
            ],
        );
        const premium = parseFleetConfig(weuWith({ tenants, eventHubs: { sku: "Premium" } }));
        const stamps = stampPlanOf(premium, placeTenants(premium.tenants, placementSettings(premium))).stamps;
        assert.deepStrictEqual(
            stamps.map(s => s.dedicated.length),
            [9, 1],
        );
    });

    it("counts the role assignments of every stack of the subscription group, and the subscription's others", () => {
        const eus = projectKeys(readStackConfig(stackFilePath("prod-eus")));
        const weu = parseFleetConfig(weuWith({}));
        const both = configRoleAssignments(weu) + configRoleAssignments(parseFleetConfig(eus));
        const used = (otherStacks: Record<string, unknown>[], other = 0) =>
            configLimitRows(
                parseFleetConfig(weuWith({ subscription: { group: "prod", otherRoleAssignments: other } }), undefined, { otherStacks }),
            )[0].used;
        assert.strictEqual(used([]), configRoleAssignments(weu));
        // The rows of the real plan count the siblings through parseFleetConfig's otherStacks, and planStack passes them.
        const otherGroup = { ...eus, subscription: { group: "staging" } };
        assert.strictEqual(used([otherGroup], 10), configRoleAssignments(weu) + 10);
        const full = 4000 - both + 1;
        assert.deepStrictEqual(
            problemsOf(() =>
                parseFleetConfig(weuWith({ subscription: { group: "prod", otherRoleAssignments: full } }), "stack prod-weu", {
                    otherStacks: [eus],
                }),
            ),
            [
                `iot-fleet:tenants: Azure limit exceeded: role assignments per subscription (subscription prod): 4001 needed, 4000 allowed (https://learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits)`,
            ],
        );
    });

    it("counts a migration's kept consumer groups against the hub's tier", () => {
        const config = parseFleetConfig(weuWith({}));
        const placement = placeTenants(config.tenants, placementSettings(config));
        const rows = (keep: boolean) =>
            azureLimitRows({
                eventHubsSku: "Standard",
                eventHubsCapacity: 2,
                serviceBusSku: "Premium",
                serviceBusCapacity: 1,
                tenants: config.tenants,
                placement,
                path: dataPath({ ...config, migration: { keepTenantConsumerGroups: keep } }, placement),
                otherRoleAssignments: 0,
                subscription: "s",
            }).find(row => row.limit === "consumer groups per event hub")!.used;
        assert.deepStrictEqual([rows(false), rows(true)], [3, 3 + config.tenants.length]);
    });
});
