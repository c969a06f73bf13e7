import * as assert from "assert";
import * as path from "path";
import { ConfigError, ConfigProblem, parseFleetConfig } from "../lib/config";
import { dataPlaneSizing } from "../lib/dataPlane";
import { projectKeys, readStackConfig } from "../lib/stackFile";
import { continuousExportCommand, externalTableCommand, ROLLUPS } from "../lib/telemetryKql";
import { lifecycleDays, TELEMETRY_TIER_DEFAULTS, warmStores } from "../lib/telemetryTiers";
import { TELEMETRY_TABLE } from "../lib/telemetryTable";
import { AZURE_ROLES } from "../components/common/azureRoles";
import { COST_ASSUMPTIONS } from "../lib/cost/assumptions";
import { telemetryTiersCost } from "../lib/cost/telemetryTiers";
import { DATA_PLANE_DEFAULTS } from "../lib/dataPlane";
import { PRICES } from "../lib/prices";
import { COMPONENT_TYPES } from "../lib/componentTypes";
import { evaluateRealStack, ofType } from "./support/stacks";

const ROOT = path.resolve(__dirname, "..");
const validKeys = () => projectKeys(readStackConfig(path.join(ROOT, "Pulumi.prod-weu.yaml")));

function problemsOf(telemetry: unknown): ConfigProblem[] {
    try {
        parseFleetConfig({ ...validKeys(), telemetry });
    } catch (err) {
        assert.ok(err instanceof ConfigError);
        return [...err.problems];
    }
    return [];
}

const tenant = (name: string, compliance: string[], dedicated: boolean) => ({ name, compliance, dedicated });

describe("telemetry tiers", () => {
    it("keeps 30 days hot, a year warm and three years in all when the stack file says nothing, and ADX holds the hot window only", () => {
        const keys = validKeys();
        delete keys.telemetry;
        const config = parseFleetConfig(keys);
        assert.deepStrictEqual(config.telemetry, TELEMETRY_TIER_DEFAULTS);
        const sizing = dataPlaneSizing(config);
        assert.deepStrictEqual([sizing.adxHotCacheDays, sizing.adxRetentionDays], [30, 30]);
        assert.deepStrictEqual(lifecycleDays(config.telemetry), { archiveAfterDays: 365, deleteAfterDays: 1095 });
        assert.deepStrictEqual(lifecycleDays({ hotDays: 7, warmDays: 90, retentionDays: "never" }), { archiveAfterDays: 90 });
    });

    it("refuses tiers that lose days or pay Azure's minimum storage periods for nothing, at their key paths", () => {
        assert.deepStrictEqual(problemsOf({ hotDays: 60, warmDays: 40, retentionDays: "never" }), [
            {
                path: "iot-fleet:telemetry.warmDays",
                message:
                    "the warm tier (40 days) must last at least the hot window (hotDays: 60), or queries lose the days between them, got 40",
            },
        ]);
        assert.deepStrictEqual(
            problemsOf({ warmDays: 365, retentionDays: 400 }).map(p => p.path),
            ["iot-fleet:telemetry.retentionDays"],
        );
        assert.match(problemsOf({ warmDays: 365, retentionDays: 400 })[0].message, /at least warmDays \+ 180 \(545\), or "never"/);
        assert.deepStrictEqual(
            problemsOf({ hotDays: 7, warmDays: 20 }).map(p => p.path),
            ["iot-fleet:telemetry.warmDays"],
        );
        assert.deepStrictEqual(
            problemsOf({ retentionDays: "forever" }).map(p => p.path),
            ["iot-fleet:telemetry.retentionDays"],
        );
    });

    it("gives a store of its own to a tenant with a compliance tag on a dedicated cluster only, and keeps its rows out of the shared one", () => {
        const stores = warmStores([
            tenant("a", [], false),
            tenant("b", ["hipaa"], true),
            tenant("c", [], true),
            tenant("d", ["gxp"], false),
        ]);
        assert.deepStrictEqual(
            stores.map(s => [s.key, s.externalTable, s.rows]),
            [
                ["shared", "TelemetryWarm", { except: ["b"] }],
                ["b", "TelemetryWarm_b", { only: "b" }],
            ],
        );
        assert.match(continuousExportCommand(stores[0], 10), /<\| Telemetry \| where TenantId !in \("b"\)$/);
        assert.match(continuousExportCommand(stores[1], 10), /<\| Telemetry \| where TenantId == "b"$/);
        assert.match(continuousExportCommand(warmStores([tenant("a", [], false)])[0], 10), /<\| Telemetry$/);
    });

    it("lays the Parquet files out by tenant, then day, so that one tenant's data is one prefix", () => {
        const command = externalTableCommand(warmStores([])[0], "https://acct.blob.core.windows.net/telemetry");
        assert.match(command, /partition by \(Tenant: string = TenantId, Day: datetime = startofday\(EnqueuedTime\)\)/);
        assert.match(command, /pathformat = \("tenant=" Tenant "\/" datetime_pattern\("yyyy\/MM\/dd", Day\)\)/);
        assert.match(command, /dataformat = parquet/);
        assert.match(command, /\(h@'https:\/\/acct\.blob\.core\.windows\.net\/telemetry;managed_identity=system'\)/);
        assert.ok(!command.includes("\n\n"), "a blank line would end the command inside a script");
    });

    for (const [stack, ownStores] of [
        ["prod-weu", []],
        ["prod-eus", ["medica"]],
    ] as const) {
        describe(`on ${stack}`, () => {
            const graph = () => evaluateRealStack(stack);

            it(`has a Cool GRS account per warm store (shared${ownStores.map(t => `, ${t}`).join("")}), keyless, archived after 365 days and deleted after 1,095`, async () => {
                const evaluation = await graph();
                const accounts = ofType(evaluation, "azure-native:storage:StorageAccount").filter(a => a.name.includes("-tiers-"));
                assert.deepStrictEqual(
                    accounts.map(a => a.name.replace(/^.*-tiers-/, "")),
                    ["shared-warm", ...ownStores.map(t => `${t}-warm`)],
                );
                for (const account of accounts) {
                    assert.deepStrictEqual(
                        [account.inputs.sku.name, account.inputs.accessTier, account.inputs.allowSharedKeyAccess, account.protect],
                        ["Standard_GRS", "Cool", false, true],
                    );
                    const policy = ofType(evaluation, "azure-native:storage:ManagementPolicy").find(p =>
                        p.propertyDependencies.accountName.includes(account.urn),
                    )!;
                    assert.deepStrictEqual(policy.inputs.policy.rules[0].definition.actions.baseBlob, {
                        tierToArchive: { daysAfterModificationGreaterThan: 365 },
                        delete: { daysAfterModificationGreaterThan: 1095 },
                    });
                    const writer = ofType(evaluation, "azure-native:authorization:RoleAssignment").find(r =>
                        r.propertyDependencies.scope?.includes(account.urn),
                    )!;
                    assert.match(writer.inputs.roleDefinitionId, new RegExp(`${AZURE_ROLES.storageBlobDataContributor}$`));
                    const [adx] = ofType(evaluation, "azure-native:kusto:Cluster");
                    assert.ok(writer.propertyDependencies.principalId.includes(adx.urn), "granted to the ADX cluster's identity");
                }
                for (const own of ownStores) {
                    assert.strictEqual(accounts.find(a => a.name.endsWith(`-${own}-warm`))!.inputs.tags.tenant, own);
                }
            });

            it("exports Telemetry continuously to each store's external table, one script at a time after the table exists", async () => {
                const evaluation = await graph();
                const scripts = ofType(evaluation, "azure-native:kusto:Script");
                const identity = scripts.find(s => s.name.endsWith("-tiers-export-identity"))!;
                assert.match(
                    identity.inputs.scriptContent,
                    /policy managed_identity ```\[\{"ObjectId": "system", "AllowedUsages": "ExternalTable, AutomatedFlows"\}\]```/,
                );
                assert.ok(
                    identity.dependencies.some(d => d.endsWith("-adx-landing-table")),
                    "after the tables exist",
                );
                let previous = identity.urn;
                for (const key of ["shared", ...ownStores]) {
                    const exportScript = scripts.find(s => s.name.endsWith(`-tiers-${key}-export`))!;
                    assert.ok(exportScript.dependencies.includes(previous), `${key} waits for the script before it`);
                    assert.match(
                        exportScript.inputs.scriptContent,
                        /\.create-or-alter continuous-export TelemetryToWarm\S* over \(Telemetry\) to table TelemetryWarm\S* with \(intervalBetweenRuns = 10m, managedIdentity = "system"\)/,
                    );
                    previous = exportScript.urn;
                }
                const [database] = ofType(evaluation, "azure-native:kusto:ReadWriteDatabase");
                assert.deepStrictEqual([database.inputs.hotCachePeriod, database.inputs.softDeletePeriod], ["P30D", "P30D"]);
            });

            it("creates the rollup views over Telemetry with the hot window's retention and row level security keyed on each tenant's identity", async () => {
                const evaluation = await graph();
                const scripts = ofType(evaluation, "azure-native:kusto:Script");
                const rowSecurity = scripts.find(s => s.name.endsWith("-adx-tenant-rows"))!;
                const views = scripts.find(s => s.name.endsWith("-rollups-views"))!;
                const identities = ofType(evaluation, "azure-native:managedidentity:UserAssignedIdentity").filter(i =>
                    i.parent.includes(`$${COMPONENT_TYPES.tenantRegionResources}::`),
                );
                assert.strictEqual(identities.length, ofType(evaluation, COMPONENT_TYPES.tenantRegionResources).length);
                for (const id of identities) {
                    assert.ok(rowSecurity.propertyDependencies.scriptContent.includes(id.urn), `${id.name} is in the tenant mapping`);
                }
                assert.match(rowSecurity.inputs.scriptContent, /\| where Principal == current_principal\(\)/);
                assert.match(
                    rowSecurity.inputs.scriptContent,
                    /\.alter table Telemetry policy row_level_security enable with \(allowMaterializedViewsWithoutRowLevelSecurity=true\)/,
                );
                assert.ok(views.dependencies.includes(rowSecurity.urn), "the views follow the function their policies read");
                assert.ok(
                    rowSecurity.dependencies.some(d => d.endsWith("-export")),
                    "after the tiers' scripts",
                );
                for (const rollup of ROLLUPS) {
                    assert.ok(
                        views.inputs.scriptContent.includes(`.create-or-alter materialized-view with (folder = "rollups"`),
                        rollup.view,
                    );
                    assert.ok(views.inputs.scriptContent.includes(`${rollup.view} on table ${TELEMETRY_TABLE}`), rollup.view);
                    assert.ok(
                        views.inputs.scriptContent.includes(`.alter materialized-view ${rollup.view} policy caching hot = 30d`),
                        rollup.view,
                    );
                    assert.match(
                        views.inputs.scriptContent,
                        new RegExp(
                            `\\.alter materialized-view ${rollup.view} policy row_level_security enable "${rollup.view} \\| where current_principal_is_member_of\\('aadgroup=[^']+'\\) or TenantId in \\(TenantsOfCaller\\(\\)\\)"`,
                        ),
                    );
                }
            });
        });
    }

    it("prices each tier from the daily volume and its days, and ADX alone for the same queryable year as far dearer", () => {
        const p = PRICES.regions.westeurope;
        const a = { ...COST_ASSUMPTIONS, adxCompressionRatio: 5, parquetCompressionRatio: 10 };
        // 100 GB of raw telemetry a day: 20 GB/day in ADX, 10 GB/day of Parquet kept twice (GRS).
        const c = telemetryTiersCost(100, { hotDays: 30, warmDays: 365, retentionDays: 1095 }, DATA_PLANE_DEFAULTS, p, a);
        const instance = p.adx.sku.Standard_E2ads_v5.compute + p.adx.sku.Standard_E2ads_v5.markup;
        const near = (x: number, y: number) => assert.ok(Math.abs(x - y) < 1e-6, `${x} != ${y}`);
        near(c.hot.monthly, 2 * instance + 20 * 30 * p.adx.storagePerGBMonth);
        near(c.warm.monthly, 2 * 10 * 365 * p.blob.cool);
        near(c.cold.monthly, 2 * 10 * 730 * p.blob.archive);
        near(c.tiered, c.hot.monthly + c.warm.monthly + c.cold.monthly);
        // A year in cache: 7,300 GB, at 80 % of each SKU's SSD; the cheapest of the priced SKUs holds it.
        assert.deepStrictEqual([c.hotOnly.adxSku, c.hotOnly.adxInstances], ["Standard_L8as_v3", 6]);
        near(
            c.hotOnly.monthly,
            6 * (p.adx.sku.Standard_L8as_v3.compute + p.adx.sku.Standard_L8as_v3.markup) + 20 * 1095 * p.adx.storagePerGBMonth,
        );
        assert.ok(c.saving > 0);
        const forever = telemetryTiersCost(100, { hotDays: 30, warmDays: 365, retentionDays: "never" }, DATA_PLANE_DEFAULTS, p, a);
        assert.strictEqual(forever.cold.days, a.neverRetentionHorizonDays - 365);
    });
});
