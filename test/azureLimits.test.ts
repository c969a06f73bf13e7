import * as assert from "assert";
import { benchStackConfig, generatedStackConfig } from "../bench/stacks";
import { stampPlanOf } from "../lib/stampPlan";
import { azureLimitRows, configLimitRows, configRoleAssignments, limitProblems, ROLE_ASSIGNMENTS } from "../lib/azureLimits";
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

    it("counts one consumer group per shared cluster, so 500 long-tail tenants fit one Standard hub, two device-state accounts and three endpoint subnets", () => {
        const tenants = Array.from({ length: 500 }, (_, i) => ({ name: `t-${i}`, deviceQuota: 200 }));
        const config = parseFleetConfig(
            weuWith({
                tenants,
                sharedClusterCapacity: { maxTenants: 64, maxDevices: 1_000_000 },
                quotas: { keyVaultsWithPrivateEndpoints: 600, dpsEnrollmentGroups: 500 },
            }),
        );
        const rows = configLimitRows(config).map(row => [row.limit, row.scope, row.used, row.max]);
        const of = (limit: string) => rows.filter(([name]) => name === limit).map(([, scope, used, max]) => [scope, used, max]);
        assert.deepStrictEqual(of("consumer groups per event hub"), [["event hub telemetry", 2 + 8, 20]]);
        assert.deepStrictEqual(of("databases and containers per Cosmos DB account"), [
            ["device-state account", 500, 500],
            ["device-state account 2", 3, 500],
        ]);
        assert.deepStrictEqual(
            of("IP addresses per private-endpoint subnet").map(([, used]) => used),
            [251, 251, 14],
        );
        assert.deepStrictEqual(of("private endpoints per virtual network"), [
            ["the region's VNet (without High Scale Private Endpoints)", 507, 1_000],
        ]);
        assert.deepStrictEqual(of("queues and topics per Service Bus namespace"), [
            ["the region's Service Bus namespace (Premium)", 500, 1000],
        ]);
        assert.deepStrictEqual(of("custom endpoints per IoT hub"), [["IoT hub of stamp-1", 1, 10]]);
        assert.deepStrictEqual(
            of("enrollment groups per DPS, one per tenant (quotas.dpsEnrollmentGroups)").map(([, used, max]) => [used, max]),
            [[500, 500]],
        );
    });

    it("counts every key vault with a private endpoint of the subscription group, and refuses the 401st until Microsoft raises the quota", () => {
        const eus = projectKeys(readStackConfig(stackFilePath("prod-eus")));
        const eusVaults = 1 + (eus.tenants as unknown[]).length;
        const tenants = (count: number) => Array.from({ length: count }, (_, i) => ({ name: `t-${i}`, deviceQuota: 200 }));
        const capacity = { maxTenants: 64, maxDevices: 1_000_000 };
        const check = (count: number, quotas = {}) =>
            problemsOf(() =>
                parseFleetConfig(
                    weuWith({ tenants: tenants(count), sharedClusterCapacity: capacity, quotas: { dpsEnrollmentGroups: 1000, ...quotas } }),
                    "stack prod-weu",
                    {
                        otherStacks: [eus],
                    },
                ),
            );
        const most = 400 - eusVaults - 1;
        assert.deepStrictEqual(check(most), []);
        assert.deepStrictEqual(check(most + 1), [
            "iot-fleet:tenants: Azure limit exceeded: key vaults with private endpoints per subscription (subscription prod): 401 needed, 400 allowed (https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#private-link-limits)",
        ]);
        assert.deepStrictEqual(check(most + 1, { keyVaultsWithPrivateEndpoints: 401 }), []);
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

    it("counts a 1,000-tenant long-tail region with 3 dedicated tenants under the subscription's 4,000 role assignments, with 730 to spare", () => {
        // Limit rows only, from the generated stack file: no Pulumi evaluation. The other limits of such a region (its
        // tenants' private endpoints, Cosmos DB containers) are not this test's: their check is off.
        const config = parseFleetConfig(projectKeys(generatedStackConfig({ longTailTenants: 1000 })), "a 1,003-tenant region", {
            azureLimits: false,
        });
        const placement = placeTenants(config.tenants, placementSettings(config));
        const [shared, dedicated] = (["shared", "dedicated"] as const).map(kind => placement.clusters.filter(c => c.kind === kind).length);
        assert.deepStrictEqual([config.tenants.length, shared, dedicated], [1003, 16, 3]);
        const row = configLimitRows(config).find(r => r.limit === "role assignments per subscription")!;
        // 3 per tenant, 13 per cluster, 6 for the region, 2 per dedicated stream, 2 warm-tier stores (the shared one
        // and the regulated dedicated tenant's).
        assert.strictEqual(
            row.used,
            1003 * ROLE_ASSIGNMENTS.tenant +
                19 * ROLE_ASSIGNMENTS.cluster +
                ROLE_ASSIGNMENTS.region +
                3 * ROLE_ASSIGNMENTS.dedicatedStream +
                2 * ROLE_ASSIGNMENTS.warmStore,
        );
        assert.deepStrictEqual([row.used, row.max, row.max - row.used], [3270, 4000, 730]);
        assert.deepStrictEqual(limitProblems([row]), []);
    });

    it("sizes the benchmark's 1,000-tenant, 2 M-device region within every Azure limit: two stamps' worth of devices, 16 PUs, 2 messaging units, High Scale Private Endpoints", () => {
        const raw = benchStackConfig(1000);
        const config = parseFleetConfig(projectKeys(raw), "the benchmark's 1,003-tenant region");
        const rows = configLimitRows(config);
        assert.deepStrictEqual(limitProblems(rows), []);
        const placement = placeTenants(config.tenants, placementSettings(config));
        assert.ok(stampPlanOf(config, placement).stamps.length >= 2);
        assert.strictEqual(
            config.tenants.reduce((total, t) => total + t.deviceQuota, 0),
            2_000_000,
        );
        const used = (limit: string) => rows.filter(row => row.limit.startsWith(limit)).map(row => [row.used, row.max]);
        // The shared hub's egress to ADX and 16 shared clusters' ingest, and the two dedicated hubs in the namespace.
        assert.deepStrictEqual(used("processing units per Event Hubs namespace"), [[16, 16]]);
        assert.deepStrictEqual(used("queues and topics per Service Bus namespace"), [[1003, 2000]]);
        assert.deepStrictEqual(used("private endpoints per virtual network"), [[1011, 5000]]);
        // Its raised quotas are exactly what it needs: one long-tail tenant more is refused, naming each quota it passes.
        const past = { ...raw, "iot-fleet:tenants": [...(raw["iot-fleet:tenants"] as object[]), { name: "one-more", deviceQuota: 1_500 }] };
        const refused = problemsOf(() => parseFleetConfig(projectKeys(past), "one tenant past")).map(p => p.replace(/ \(https:.*\)$/, ""));
        assert.deepStrictEqual(refused, [
            "iot-fleet:tenants: Azure limit exceeded: registrations per DPS (quotas.dpsRegistrations) (the region's DPS): 2001500 needed, 2000000 allowed",
            "iot-fleet:tenants: Azure limit exceeded: enrollment groups per DPS, one per tenant (quotas.dpsEnrollmentGroups) (the region's DPS): 1004 needed, 1003 allowed",
            "iot-fleet:tenants: Azure limit exceeded: key vaults with private endpoints per subscription (subscription bench-1000): 1005 needed, 1004 allowed",
        ]);
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
