import * as assert from "assert";
import * as fc from "fast-check";
import { COSMOS_LIMITS, COSMOS_PLATFORM_ENTITIES, storeLimitRows } from "../lib/storeLimits";
import { configLimitRows, limitProblems } from "../lib/azureLimits";
import { parseFleetConfig } from "../lib/config";
import { loadStackFile, projectKeys, stackFilePath } from "../lib/stackFile";
import { generatedStackConfig } from "../bench/stacks";

/** The most tenants one device-state account holds a container for. */
const MOST_TENANTS = COSMOS_LIMITS.databasesAndContainersPerAccount - COSMOS_PLATFORM_ENTITIES;

describe("store limits", () => {
    it("counts a container and a SQL role assignment per tenant in its account, plus each account's database and the first one's shared container", () => {
        const [containers, assignments] = storeLimitRows([120]);
        assert.deepStrictEqual([containers.used, containers.max], [122, 500]);
        assert.deepStrictEqual([assignments.used, assignments.max], [120, 2_000]);
        assert.match(containers.source, /^https:\/\/learn\.microsoft\.com\/azure\/cosmos-db\/concepts-limits/);
        assert.deepStrictEqual(
            storeLimitRows([MOST_TENANTS, 3]).map(row => [row.scope, row.used]),
            [
                ["device-state account", 500],
                ["device-state account", MOST_TENANTS],
                ["device-state account 2", 4],
                ["device-state account 2", 3],
            ],
        );
    });

    it("refuses a region past the Cosmos container limit, naming the limit, the count and Microsoft's page", () => {
        assert.deepStrictEqual(limitProblems(storeLimitRows([MOST_TENANTS])), []);
        assert.deepStrictEqual(limitProblems(storeLimitRows([MOST_TENANTS + 1])), [
            {
                path: "iot-fleet:tenants",
                message:
                    "Azure limit exceeded: databases and containers per Cosmos DB account (device-state account): 501 needed, 500 allowed " +
                    "(https://learn.microsoft.com/azure/cosmos-db/concepts-limits#per-account-limits)",
            },
        ]);
    });

    it("refuses an account exactly when some store limit's count exceeds its maximum", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 3_000 }), count => {
                const refused = limitProblems(storeLimitRows([count])).length > 0;
                return refused === (count > MOST_TENANTS || count > COSMOS_LIMITS.sqlRoleAssignmentsPerAccount);
            }),
            { numRuns: 50 },
        );
    });

    it("gives a generated region one tenant past the first account a second account instead of refusing it", () => {
        // Past 399 tenants a subscription needs Microsoft to raise its key vaults with private endpoints (README).
        const config = generatedStackConfig({ longTailTenants: MOST_TENANTS + 1 - 3, quotas: { keyVaultsWithPrivateEndpoints: 1_000 } });
        const rows = configLimitRows(parseFleetConfig(projectKeys(config)));
        assert.deepStrictEqual(
            rows.filter(row => row.limit === "databases and containers per Cosmos DB account").map(row => [row.scope, row.used, row.max]),
            [
                ["device-state account", 500, 500],
                ["device-state account 2", 2, 500],
            ],
        );
    });

    it("leaves both real stacks well inside the store limits", () => {
        for (const stack of ["prod-weu", "prod-eus"]) {
            const config = loadStackFile(stackFilePath(stack));
            for (const row of storeLimitRows([config.tenants.length])) {
                assert.ok(row.used < row.max / 10, `${stack}: ${row.limit}`);
            }
        }
    });
});
