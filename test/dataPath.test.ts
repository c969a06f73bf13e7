import * as assert from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { generatedStackConfig } from "../bench/stacks";
import { Evaluation, evaluateStack, RecordedResource } from "../offline/evaluate";
import { runPolicies } from "../offline/policies";
import { configureStackPolicies } from "../offline/policyConfig";
import { COMPONENT_TYPES } from "../lib/componentTypes";
import { configRoleAssignments } from "../lib/azureLimits";
import { sharedRouteCondition } from "../lib/dataPath";
import { DATA_ROLES } from "../policy/dataIsolation";
import { evaluateRealStack, ofType, REAL_STACKS } from "./support/stacks";

const ROOT = path.resolve(__dirname, "..");

/**
 * A long-tail region of 500 tenants (plus the three dedicated ones) on Event Hubs Standard: its tenant vaults' endpoints
 * fill three private-endpoint subnets and its containers two device-state accounts (`lib/tenantShards.ts`). Its
 * 504 key vaults with private endpoints (with prod-eus's, which shares its subscription) are past the subscription's
 * default 400: the quota Microsoft raises on request is in its config.
 */
const LONG_TAIL_STANDARD = {
    ...generatedStackConfig({ longTailTenants: 500, devicesPerLongTailTenant: 200, quotas: { keyVaultsWithPrivateEndpoints: 600 } }),
    "iot-fleet:eventHubs": { sku: "Standard", capacity: 20 },
};

/** Resources by URN, once per evaluation: a 500-tenant region has about 19,000 of them. */
const indexes = new WeakMap<Evaluation, Map<string, RecordedResource>>();
function byUrn(evaluation: Evaluation): Map<string, RecordedResource> {
    const index = indexes.get(evaluation) ?? new Map(evaluation.resources.map(r => [r.urn, r]));
    indexes.set(evaluation, index);
    return index;
}

/** Ancestors of a resource, nearest first. */
function ancestors(evaluation: Evaluation, resource: RecordedResource): RecordedResource[] {
    const index = byUrn(evaluation);
    const chain: RecordedResource[] = [];
    for (let parent = index.get(resource.parent); parent; parent = index.get(parent.parent)) {
        chain.push(parent);
    }
    return chain;
}

/** The tenant a resource was made for: the tenant component or dedicated cluster above it, as it registered it. */
function tenantOf(evaluation: Evaluation, resource: RecordedResource): string | undefined {
    for (const ancestor of ancestors(evaluation, resource)) {
        if (
            [COMPONENT_TYPES.tenantRegionResources, COMPONENT_TYPES.tenantNamespace, COMPONENT_TYPES.tenantEventStream].includes(
                ancestor.type as never,
            )
        ) {
            return ancestor.outputs.tenant;
        }
        if (ancestor.type === COMPONENT_TYPES.dedicatedCluster) {
            return ancestor.outputs.tenants[0];
        }
    }
    return undefined;
}

/** Each tenant's own managed identity (its TenantRegionResources'), by principal id. */
const tenantIdentities = (evaluation: Evaluation) =>
    new Map(
        ofType(evaluation, "azure-native:managedidentity:UserAssignedIdentity")
            .filter(identity => ancestors(evaluation, identity)[0]?.type === COMPONENT_TYPES.tenantRegionResources)
            .map(identity => [identity.outputs.principalId as string, { identity, tenant: tenantOf(evaluation, identity)! }]),
    );

const roleGuidOf = (assignment: RecordedResource) => String(assignment.inputs.roleDefinitionId).split("/").pop()!;

function describeDataPath(label: string, evaluate: () => Promise<Evaluation>) {
    describe(`the data path of ${label}`, () => {
        let evaluation: Evaluation;
        before(async function () {
            this.timeout(600_000);
            evaluation = await evaluate();
        });

        it("scopes every role of every tenant identity to a resource made for that tenant alone", () => {
            const identities = tenantIdentities(evaluation);
            const index = byUrn(evaluation);
            let checked = 0;
            for (const assignment of ofType(evaluation, "azure-native:authorization:RoleAssignment")) {
                const holder = identities.get(assignment.inputs.principalId);
                if (holder === undefined) {
                    continue;
                }
                const scope = index.get(assignment.propertyDependencies.scope?.[0] ?? "");
                assert.ok(scope, `${assignment.urn} is scoped to no resource of the stack`);
                assert.strictEqual(tenantOf(evaluation, scope), holder.tenant, `${assignment.urn} reaches ${scope.urn}`);
                checked++;
            }
            assert.strictEqual(checked, 2 * identities.size, "two roles per tenant identity: its queue and its vault");
        });

        it("lets no tenant identity receive from any event hub, and each ingest only from the hub of its own cluster's tenants", () => {
            const identities = tenantIdentities(evaluation);
            const eventHubRoles = new Set(
                Object.entries(DATA_ROLES)
                    .filter(([, role]) => role.startsWith("Azure Event Hubs"))
                    .map(([guid]) => guid),
            );
            const held = ofType(evaluation, "azure-native:authorization:RoleAssignment").filter(a => eventHubRoles.has(roleGuidOf(a)));
            assert.deepStrictEqual(
                held.filter(a => identities.has(a.inputs.principalId)).map(a => a.urn),
                [],
            );
            const receivers = held.filter(a => DATA_ROLES[roleGuidOf(a)] === "Azure Event Hubs Data Receiver");
            const index = byUrn(evaluation);
            for (const tier of ofType(evaluation, COMPONENT_TYPES.ingestTier)) {
                const identity = evaluation.resources.find(
                    r =>
                        r.parent === tier.urn &&
                        r.type === "azure-native:managedidentity:UserAssignedIdentity" &&
                        r.name.endsWith("-identity-identity"),
                )!;
                const read = receivers
                    .filter(a => a.inputs.principalId === identity.outputs.principalId)
                    .map(a => index.get(a.propertyDependencies.scope[0])!);
                const cluster = ancestors(evaluation, tier).find(a => a.type === COMPONENT_TYPES.dedicatedCluster);
                assert.deepStrictEqual(
                    read.map(hub => hub.inputs.eventHubName),
                    [cluster ? `telemetry-${cluster.outputs.tenants[0]}` : "telemetry"],
                );
            }
        });

        it("lands every dedicated tenant's own hub in ADX's telemetry table through a data connection of its own, as that tenant's rows", () => {
            const index = byUrn(evaluation);
            const dedicated = evaluation.config.tenants
                .filter(t => evaluation.outputs.tenants[t.name].isolation === "dedicated")
                .map(t => t.name);
            const connections = ofType(evaluation, "azure-native:kusto:EventHubDataConnection");
            const [adx] = ofType(evaluation, "azure-native:kusto:Cluster");
            const hubOf = (connection: RecordedResource) =>
                index.get(
                    connection.propertyDependencies.eventHubResourceId.find(
                        urn => index.get(urn)?.type === "azure-native:eventhub:EventHub",
                    )!,
                )!;
            const groupOf = (connection: RecordedResource) => {
                const group = index.get(connection.propertyDependencies.consumerGroup[0])!;
                assert.strictEqual(group.type, "azure-native:eventhub:ConsumerGroup");
                return group;
            };
            // The shared hub's, and one per dedicated tenant, each reading that tenant's hub through its own consumer group.
            assert.strictEqual(connections.length, 1 + dedicated.length);
            for (const tenant of dedicated) {
                const own = connections.filter(c => tenantOf(evaluation, c) === tenant);
                assert.strictEqual(own.length, 1, `${tenant} has ${own.length} data connections`);
                const [connection] = own;
                const hub = hubOf(connection);
                const group = groupOf(connection);
                assert.deepStrictEqual(
                    [hub.inputs.eventHubName, tenantOf(evaluation, hub), group.inputs.eventHubName, tenantOf(evaluation, group)],
                    [`telemetry-${tenant}`, tenant, `telemetry-${tenant}`, tenant],
                );
                assert.strictEqual(group.inputs.consumerGroupName, "adx");
                // The tenant's mapping writes its name into TenantId, which row level security keys on.
                assert.deepStrictEqual(
                    [
                        connection.inputs.tableName,
                        connection.inputs.mappingRuleName,
                        connection.propertyDependencies.managedIdentityResourceId,
                    ],
                    ["Telemetry", tenant, [adx.urn]],
                );
            }
            // No two connections share a consumer group: each is a cursor of its own.
            assert.strictEqual(new Set(connections.map(c => groupOf(c).urn)).size, connections.length);
            // ADX's identity receives from exactly the hubs its connections read, nothing else.
            const adxGrants = ofType(evaluation, "azure-native:authorization:RoleAssignment").filter(
                a =>
                    a.inputs.principalId === adx.outputs.identity.principalId &&
                    DATA_ROLES[roleGuidOf(a)] === "Azure Event Hubs Data Receiver",
            );
            assert.deepStrictEqual(
                adxGrants.map(a => index.get(a.propertyDependencies.scope[0])!.urn).sort(),
                connections.map(c => hubOf(c).urn).sort(),
            );
        });

        it("federates KEDA's operator into no tenant's identity", () => {
            const tenantIdentityNames = new Set(
                [...tenantIdentities(evaluation).values()].map(({ identity }) => identity.inputs.resourceName),
            );
            const keda = ofType(evaluation, "azure-native:managedidentity:FederatedIdentityCredential").filter(
                c => c.inputs.subject === "system:serviceaccount:kube-system:keda-operator",
            );
            assert.ok(keda.length > 0, "KEDA signs in as the platform's identities");
            assert.deepStrictEqual(
                keda.filter(c => tenantIdentityNames.has(c.inputs.resourceName)).map(c => c.urn),
                [],
            );
        });

        it("stamps the tenant on every message of every IoT hub, and routes each dedicated tenant to an endpoint of its own", () => {
            const dedicated = evaluation.config.tenants
                .filter(t => evaluation.outputs.tenants[t.name].isolation === "dedicated")
                .map(t => t.name);
            const routedOn: string[] = [];
            for (const hub of ofType(evaluation, "azure-native:iothub:IotHubResource")) {
                // The dedicated tenants whose stamp this hub is: each has its route on its own stamp's hub alone.
                const [stamp] = Object.entries(evaluation.outputs.stamps as Record<string, { iotHubName: string }>).find(
                    ([, s]) => s.iotHubName === hub.inputs.resourceName,
                )!;
                const onThisHub = dedicated.filter(t => evaluation.outputs.tenants[t].stamp === stamp);
                routedOn.push(...onThisHub);
                const routing = hub.inputs.properties.routing;
                const endpoints = routing.endpoints.eventHubs.map((e: { name: string }) => e.name);
                assert.deepStrictEqual(routing.enrichments, [
                    { key: "tenant", value: "$twin.tags.tenant", endpointNames: [...endpoints, "events"] },
                    // ADX's routing properties, on every hub it ingests from: the table, and the tenant's mapping by the tag.
                    { key: "Table", value: "Telemetry", endpointNames: endpoints },
                    { key: "IngestionMappingReference", value: "$twin.tags.tenant", endpointNames: endpoints },
                ]);
                const routes = new Map(routing.routes.map((r: { name: string }) => [r.name, r]));
                assert.strictEqual(routes.size, 1 + onThisHub.length);
                for (const tenant of onThisHub) {
                    const route: any = routes.get(`tenant-${tenant}`);
                    assert.deepStrictEqual(
                        [route.condition, route.endpointNames],
                        [`$twin.tags.tenant = '${tenant}'`, [`tenant-${tenant}`]],
                    );
                    const endpoint = routing.endpoints.eventHubs.find((e: { name: string }) => e.name === `tenant-${tenant}`);
                    assert.strictEqual(endpoint.entityPath, `telemetry-${tenant}`);
                }
                // The shared hub never carries a dedicated tenant's messages; untagged ones go to the built-in endpoint.
                assert.strictEqual((routes.get("telemetry") as any).condition, sharedRouteCondition(dedicated));
                assert.deepStrictEqual(routing.fallbackRoute.endpointNames, ["events"]);
            }
            assert.deepStrictEqual(routedOn.sort(), [...dedicated].sort(), "every dedicated tenant is routed on exactly one hub");
        });
    });
}

for (const stack of REAL_STACKS) {
    describeDataPath(stack, () => evaluateRealStack(stack));
}
let longTail: Promise<Evaluation> | undefined;
const evaluateLongTail = () => (longTail ??= evaluateStack({ stack: "long-tail-500", stackConfig: LONG_TAIL_STANDARD }));
describeDataPath("a generated long-tail region of 500 tenants on Event Hubs Standard", evaluateLongTail);

describe("a generated long-tail region of 500 tenants on Event Hubs Standard", () => {
    it("passes every mandatory policy", async function () {
        this.timeout(600_000);
        const evaluation = await evaluateLongTail();
        const report = await runPolicies(evaluation, configureStackPolicies(evaluation.config));
        assert.deepStrictEqual(
            report.violations.filter(v => v.enforcementLevel === "mandatory").map(v => `${v.policyName}: ${v.message}`),
            [],
        );
    });
});

describe("role assignments counted before anything registers", () => {
    it("are exactly those the program registers, for both real stacks and a generated one", async function () {
        this.timeout(600_000);
        for (const evaluation of [...(await Promise.all(REAL_STACKS.map(evaluateRealStack))), await evaluateLongTail()]) {
            assert.strictEqual(
                configRoleAssignments(evaluation.config),
                ofType(evaluation, "azure-native:authorization:RoleAssignment").length,
                evaluation.stack,
            );
        }
    });
});

describe("npm start on a stack file over an Azure limit", () => {
    it("exits 2 naming the limit, the count and Microsoft's page, before anything registers", async function () {
        this.timeout(120_000);
        // Ten dedicated tenants pinned to one stamp need ten endpoints of their own beside the shared route's: eleven, one more than a hub has.
        const dedicated = Array.from({ length: 10 }, (_, i) => ({
            name: `big-${i}`,
            deviceQuota: 60_000,
            isolation: "dedicated",
            stamp: "stamp-1",
        }));
        const config = { ...generatedStackConfig({ longTailTenants: 5 }), "iot-fleet:tenants": dedicated };
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iot-fleet-"));
        const file = path.join(dir, "Pulumi.too-many-dedicated.yaml");
        fs.writeFileSync(file, stringify({ config }));
        const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(resolve =>
            execFile(
                process.execPath,
                ["-r", "ts-node/register/transpile-only", "cli/plan.ts", "--config", file],
                { cwd: ROOT },
                (error, out, err) => resolve({ code: error ? Number(error.code) : 0, stdout: out, stderr: err }),
            ),
        );
        assert.strictEqual(code, 2);
        assert.strictEqual(stdout, "");
        assert.match(
            stderr,
            /^ {2}- iot-fleet:tenants: Azure limit exceeded: custom endpoints per IoT hub \(IoT hub of stamp-1\): 11 needed, 10 allowed \(https:\/\/learn\.microsoft\.com\/azure\/iot-hub\/iot-hub-devguide-quotas-throttling\)$/m,
        );
    });
});

describe("migrating a region deployed with per-tenant consumer groups", () => {
    const before: Record<string, { urn: string; protect: boolean; name: string }[]> = JSON.parse(
        fs.readFileSync(path.join(__dirname, "fixtures", "tenantData.before.json"), "utf8"),
    );
    for (const stack of REAL_STACKS) {
        it(`keeps the URN, Azure name and protection of every tenant queue, vault, identity, checkpoint container and namespace of ${stack}`, async () => {
            const evaluation = await evaluateRealStack(stack);
            const now = new Map(evaluation.resources.map(r => [r.urn, r]));
            for (const kept of before[stack]) {
                const resource = now.get(kept.urn);
                assert.ok(resource, `${kept.urn} is gone`);
                const inputs = resource.inputs;
                assert.strictEqual(
                    inputs.queueName ?? inputs.vaultName ?? inputs.containerName ?? inputs.resourceName ?? inputs.metadata?.name,
                    kept.name,
                );
                assert.strictEqual(resource.protect, kept.protect, `${kept.urn} changed protection`);
            }
        });
    }

    it("keeps every tenant's consumer group on the shared hub in phase 1, beside the ingest's, and lets the ingest read the old offsets", async function () {
        this.timeout(300_000);
        const { "iot-fleet:tenants": tenants, ...rest } = generatedStackConfig({ longTailTenants: 5 });
        const evaluation = await evaluateStack({
            stack: "phase-1",
            stackConfig: { ...rest, "iot-fleet:tenants": tenants, "iot-fleet:migration": { keepTenantConsumerGroups: true } },
        });
        const groups = ofType(evaluation, "azure-native:eventhub:ConsumerGroup")
            .filter(g => g.inputs.eventHubName === "telemetry")
            .map(g => g.inputs.consumerGroupName)
            .sort();
        const longTail = evaluation.config.tenants.map(t => t.name);
        assert.deepStrictEqual(groups, ["adx", "ingest-shared-1", ...longTail].sort());
        const config = ofType(evaluation, "kubernetes:core/v1:ConfigMap").find(
            c => c.inputs.metadata.name === "ingest-config" && c.name.includes("shared-1"),
        )!;
        assert.deepStrictEqual(
            Object.keys(JSON.parse(config.inputs.data.LEGACY_CHECKPOINT_CONTAINERS)).sort(),
            Object.keys(JSON.parse(config.inputs.data.TENANT_QUEUES)).sort(),
        );
        assert.strictEqual(
            configRoleAssignments(evaluation.config),
            ofType(evaluation, "azure-native:authorization:RoleAssignment").length,
        );
    });
});
