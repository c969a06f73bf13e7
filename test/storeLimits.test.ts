import * as assert from "assert";
import * as fc from "fast-check";
import { COSMOS_LIMITS, COSMOS_PLATFORM_ENTITIES, storeLimitProblems, storeLimitRows } from "../lib/storeLimits";
import { ConfigError, parseFleetConfig } from "../lib/config";
import { loadStackFile, projectKeys, stackFilePath } from "../lib/stackFile";
import { generatedStackConfig } from "../bench/stacks";

/** The most tenants one device-state account holds a container for. */
const MOST_TENANTS = COSMOS_LIMITS.databasesAndContainersPerAccount - COSMOS_PLATFORM_ENTITIES;

describe("store limits", () => {
    it("counts a container and a SQL role assignment per tenant, plus the account's database and shared container", () => {
        const [containers, assignments] = storeLimitRows(120);
        assert.deepStrictEqual([containers.used, containers.max], [122, 500]);
        assert.deepStrictEqual([assignments.used, assignments.max], [120, 2_000]);
        assert.match(containers.source, /^https:\/\/learn\.microsoft\.com\/azure\/cosmos-db\/concepts-limits/);
    });

    it("refuses a region past the Cosmos container limit, naming the limit, the count and Microsoft's page", () => {
        const tenants = (n: number) => ({ tenants: Array.from({ length: n }, (_, i) => ({ name: `t${i}` })) });
        assert.deepStrictEqual(storeLimitProblems(tenants(MOST_TENANTS), "iot-fleet:tenants"), []);
        const [problem, ...more] = storeLimitProblems(tenants(MOST_TENANTS + 1), "iot-fleet:tenants");
        assert.strictEqual(more.length, 0);
        assert.strictEqual(problem.path, "iot-fleet:tenants");
        assert.strictEqual(
            problem.message,
            "501 databases and containers per Cosmos DB account in the device-state account exceed Azure's limit of 500 " +
                "(https://learn.microsoft.com/azure/cosmos-db/concepts-limits#per-account-limits); each tenant holds a container " +
                "of its own: move tenants to another region stack",
        );
    });

    it("refuses a region exactly when some store limit's count exceeds its maximum", () => {
        fc.assert(
            fc.property(fc.integer({ min: 0, max: 3_000 }), count => {
                const names = { tenants: Array.from({ length: count }, (_, i) => ({ name: `t${i}` })) };
                const refused = storeLimitProblems(names, "p").length > 0;
                return refused === storeLimitRows(count).some(row => row.used > row.max);
            }),
            { numRuns: 50 },
        );
    });

    it("fails the config validation of a generated region one tenant past the limit, before anything registers", () => {
        const config = generatedStackConfig({ longTailTenants: MOST_TENANTS + 1 - 3 });
        assert.throws(
            () => parseFleetConfig(projectKeys(config)),
            (error: unknown) =>
                error instanceof ConfigError &&
                error.problems.some(
                    p => p.path === "iot-fleet:tenants" && p.message.includes("databases and containers per Cosmos DB account"),
                ),
        );
        assert.doesNotThrow(() => parseFleetConfig(projectKeys(generatedStackConfig({ longTailTenants: MOST_TENANTS - 3 }))));
    });

    it("leaves both real stacks well inside the store limits", () => {
        for (const stack of ["prod-weu", "prod-eus"]) {
            const config = loadStackFile(stackFilePath(stack));
            for (const row of storeLimitRows(config.tenants.length)) {
                assert.ok(row.used < row.max / 10, `${stack}: ${row.limit}`);
            }
        }
    });
});
