import * as assert from "assert";
import { Evaluation, evaluateStack, RecordedResource } from "../offline/evaluate";
import { COMPONENT_TYPES } from "../lib/componentTypes";
import { ADX_ROUTING_ENRICHMENTS, LEGACY_LANDING_TABLE, UNROUTED_TABLE } from "../lib/adxTenancy";
import { TELEMETRY_TABLE } from "../lib/telemetryTable";
import { COSMOS_DATA_CONTRIBUTOR } from "../components/tenant/tenantStoreAccess";
import { generatedStackConfig } from "../bench/stacks";
import { ancestors, evaluateRealStack, ofType, REAL_STACKS } from "./support/stacks";

/** Who may read what in a region's stores, read off the whole registered graph. */

const GENERATED = "generated-30";

function evaluationOf(stack: string): Promise<Evaluation> {
    return stack === GENERATED
        ? evaluateStack({ stack: GENERATED, stackConfig: generatedStackConfig({ longTailTenants: 30 }) })
        : evaluateRealStack(stack);
}

/** Each tenant's identity, by tenant, with the component that owns it. */
function tenantIdentities(evaluation: Evaluation) {
    return new Map(
        ofType(evaluation, COMPONENT_TYPES.tenantRegionResources).map(component => {
            const identity = ofType(evaluation, "azure-native:managedidentity:UserAssignedIdentity").find(r => r.parent === component.urn)!;
            return [component.outputs.tenant as string, { component, identity }] as const;
        }),
    );
}

/** The tenant whose region component a resource lies below, if any. */
function owningTenant(evaluation: Evaluation, resource: RecordedResource): string | undefined {
    return ancestors(evaluation, resource).find(a => a.type === COMPONENT_TYPES.tenantRegionResources)?.outputs.tenant;
}

const scripts = (evaluation: Evaluation) => ofType(evaluation, "azure-native:kusto:Script").map(s => s.inputs.scriptContent as string);
const tablesWith = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map(m => m[1]);

for (const stack of [...REAL_STACKS, GENERATED]) {
    describe(`store isolation of ${stack}`, () => {
        let evaluation: Evaluation;
        before(async () => {
            evaluation = await evaluationOf(stack);
        });

        it("grants each tenant identity Cosmos Data Contributor on its own container only", () => {
            const identities = tenantIdentities(evaluation);
            const assignments = ofType(evaluation, "azure-native:cosmosdb:SqlResourceSqlRoleAssignment");
            const containers = ofType(evaluation, "azure-native:cosmosdb:SqlResourceSqlContainer");
            assert.strictEqual(assignments.length, identities.size, "one SQL role assignment per tenant");
            for (const [tenant, { identity }] of identities) {
                const own = assignments.filter(a => a.inputs.principalId === identity.outputs.principalId);
                assert.strictEqual(own.length, 1, `${tenant}'s SQL role assignments`);
                const [assignment] = own;
                assert.ok(assignment.inputs.roleDefinitionId.endsWith(`/sqlRoleDefinitions/${COSMOS_DATA_CONTRIBUTOR}`));
                const containerName = assignment.inputs.scope.match(/\/dbs\/[^/]+\/colls\/([^/]+)$/)?.[1];
                assert.ok(containerName, `${tenant}'s assignment is scoped to a container, got ${assignment.inputs.scope}`);
                const holders = containers.filter(c => c.inputs.containerName === containerName);
                assert.deepStrictEqual(
                    holders.map(c => owningTenant(evaluation, c)),
                    [tenant],
                    `${containerName} belongs to ${tenant} alone`,
                );
            }
        });

        it("makes each tenant identity an ADX Viewer under its own client id, and no principal of a tenant anything more", () => {
            const identities = tenantIdentities(evaluation);
            const apps = ofType(evaluation, "azure-native:kusto:DatabasePrincipalAssignment").filter(a => a.inputs.principalType === "App");
            assert.strictEqual(apps.length, identities.size);
            for (const [tenant, { identity }] of identities) {
                const own = apps.filter(a => a.inputs.principalId === identity.outputs.clientId);
                assert.deepStrictEqual(
                    own.map(a => a.inputs.role),
                    ["Viewer"],
                    `${tenant}: Viewer, whose rows row level security narrows to its own`,
                );
                assert.strictEqual(owningTenant(evaluation, own[0]), tenant);
            }
        });

        it("lands telemetry in a table with a TenantId column, whose row level security shows each identity its own tenant's rows", () => {
            const text = scripts(evaluation).join("\n\n");
            assert.match(
                text,
                new RegExp(
                    `\\.create-merge table ${TELEMETRY_TABLE} \\(TenantId: string, DeviceId: string, EnqueuedTime: datetime, Body: dynamic\\)`,
                ),
            );
            const rowsScript = scripts(evaluation).find(s => s.includes("row_level_security"))!;
            for (const [tenant, { identity }] of tenantIdentities(evaluation)) {
                const row = new RegExp(`"aadapp=${identity.outputs.clientId};[0-9a-f-]+", "([^"]+)"`);
                assert.strictEqual(rowsScript.match(row)?.[1], tenant, `${tenant}'s identity is mapped to ${tenant}'s rows`);
            }
        });

        it("protects every table holding several tenants' rows: row level security, or hidden from Viewers", () => {
            const text = scripts(evaluation).join("\n\n");
            const tables = tablesWith(text, /\.create-merge table (\w+)/g);
            const rls = tablesWith(text, /\.alter table (\w+) policy row_level_security enable/g);
            const restricted = tablesWith(text, /\.alter table (\w+) policy restricted_view_access true/g);
            assert.deepStrictEqual([...tables].sort(), [LEGACY_LANDING_TABLE, TELEMETRY_TABLE, UNROUTED_TABLE].sort());
            for (const table of tables) {
                assert.ok(rls.includes(table) !== restricted.includes(table), `${table}: exactly one of RLS or restricted view access`);
            }
            assert.deepStrictEqual(rls, [TELEMETRY_TABLE]);
        });

        it("lands a message whose device has no tenant tag in no tenant's rows", () => {
            const text = scripts(evaluation).join("\n\n");
            const telemetryMappings = [
                ...text.matchAll(new RegExp(`table ${TELEMETRY_TABLE} ingestion json mapping "([^"]+)" '([^']+)'`, "g")),
            ];
            const tenants = evaluation.config.tenants.map(t => t.name);
            // IoT Hub names the mapping by the twin tag; an untagged device's messages name the literal path, which no mapping has.
            const byTag = ADX_ROUTING_ENRICHMENTS.find(e => e.key === "IngestionMappingReference")!.value;
            assert.deepStrictEqual(telemetryMappings.map(m => m[1]).sort(), [...tenants].sort());
            assert.ok(!telemetryMappings.some(m => m[1] === byTag));
            for (const [, name, mapping] of telemetryMappings) {
                const tenantColumn = JSON.parse(mapping).find((c: any) => c.column === "TenantId");
                assert.deepStrictEqual(tenantColumn.Properties, { ConstValue: name }, `mapping ${name} stamps its own tenant`);
            }
            // Events without routing properties take the static route, into a table tenants cannot read.
            const [connection] = ofType(evaluation, "azure-native:kusto:EventHubDataConnection");
            assert.strictEqual(connection.inputs.tableName, UNROUTED_TABLE);
            assert.match(text, new RegExp(`\\.alter table ${UNROUTED_TABLE} policy restricted_view_access true`));
        });

        it("hands each tenant's services only their own Cosmos container and the row-secured telemetry table", () => {
            const configs = ofType(evaluation, "kubernetes:core/v1:ConfigMap").filter(c => c.inputs.metadata.name === "telemetry-config");
            assert.strictEqual(configs.length, evaluation.config.tenants.length);
            for (const config of configs) {
                const tenant = config.inputs.metadata.namespace;
                assert.strictEqual(config.inputs.data.COSMOS_CONTAINER, `tenant-${tenant}`);
                assert.strictEqual(config.inputs.data.ADX_TABLE, TELEMETRY_TABLE);
            }
        });
    });
}
