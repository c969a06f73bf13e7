import * as assert from "assert";
import { generatedStackConfig } from "../bench/stacks";
import { ConfigError, parseFleetConfig } from "../lib/config";
import { TENANT_MESSAGE_PROPERTY, TENANT_TWIN_TAG } from "../lib/dataPath";
import { ADX_ROUTING_ENRICHMENTS } from "../lib/adxTenancy";
import { placeTenants, placementSettings } from "../lib/placement";
import { projectKeys, readStackConfig, stackFilePath } from "../lib/stackFile";
import { stampPlanOf, stampPlanProblems } from "../lib/stampPlan";
import { previousStampsOf } from "../lib/stamps";
import { Evaluation, evaluateStack } from "../offline/evaluate";
import { ofType } from "./support/stacks";

const IOT_HUB = "azure-native:iothub:IotHubResource";
const DPS = "azure-native:deviceprovisioningservices:IotDpsResource";

/** prod-eus with stamps of 150,000 devices: its dedicated tenants land on two stamps (medica on stamp-1, woodgrove on stamp-2). */
const TWO_STAMPS = { ...readStackConfig(stackFilePath("prod-eus")), "iot-fleet:stamps": { maxDevices: 150_000 } };
let twoStamps: Promise<Evaluation> | undefined;
const evaluateTwoStamps = () => (twoStamps ??= evaluateStack({ stack: "prod-eus", stackConfig: TWO_STAMPS }));

/** The stamps' hubs in stamp order (they register in no fixed order). */
const stampHubs = (evaluation: Evaluation) => [...ofType(evaluation, IOT_HUB)].sort((a, b) => a.name.localeCompare(b.name));

const problemsOf = (raw: Record<string, unknown>): string[] => {
    try {
        parseFleetConfig(projectKeys(raw));
    } catch (error) {
        assert.ok(error instanceof ConfigError, String(error));
        return error.problems.map(p => `${p.path}: ${p.message}`);
    }
    return [];
};

describe("ingest stamps in the region", () => {
    it("gives a generated 2 M-device region at least two stamps, none past an IoT hub's 1,000,000 devices", () => {
        const raw = generatedStackConfig({
            longTailTenants: 80,
            devicesPerLongTailTenant: 18_750,
            quotas: { dpsRegistrations: 2_000_000 },
        });
        const config = parseFleetConfig(projectKeys(raw));
        const stamps = stampPlanOf(config, placeTenants(config.tenants, placementSettings(config))).stamps;
        assert.ok(stamps.length >= 2, `${stamps.length} stamp(s)`);
        assert.ok(stamps.every(s => s.devices <= 1_000_000));
        assert.strictEqual(
            stamps.reduce((total, s) => total + s.devices, 0),
            2_000_000,
        );
    });

    it("refuses one tenant past an IoT hub's device limit, naming the tenant and the limit", () => {
        const raw = readStackConfig(stackFilePath("prod-weu"));
        const tenants = raw["iot-fleet:tenants"] as Record<string, unknown>[];
        const huge = { ...raw, "iot-fleet:tenants": [...tenants, { name: "huge", deviceQuota: 1_000_001 }] };
        const problems = problemsOf(huge);
        const index = tenants.length;
        assert.ok(
            problems.includes(
                `iot-fleet:tenants[${index}].deviceQuota: tenant huge declares 1,000,001 devices, more than one IoT Hub stamp takes ` +
                    "(1,000,000): split its devices across tenants, or across regions",
            ),
            problems.join("\n"),
        );
        assert.ok(
            problems.some(p =>
                /^iot-fleet:tenants: Azure limit exceeded: devices per IoT hub \(IoT hub of stamp-\d\): 1\d{6} needed, 1000000 allowed/.test(
                    p,
                ),
            ),
            problems.join("\n"),
        );
    });

    it("refuses, at stamps.maxDevices, a stamp its kept tenants overfill, though a fresh placement would fit them", () => {
        const config = parseFleetConfig(
            projectKeys({ ...readStackConfig(stackFilePath("prod-weu")), "iot-fleet:stamps": { maxDevices: 300_000 } }),
        );
        const placement = placeTenants(config.tenants, placementSettings(config));
        assert.deepStrictEqual(stampPlanProblems(config, placement), []);
        const allOnTheOriginalHub = new Map(config.tenants.map(t => [t.name, "stamp-1"]));
        assert.deepStrictEqual(stampPlanProblems(config, placement, allOnTheOriginalHub), [
            {
                path: "iot-fleet:stamps.maxDevices",
                message:
                    "stamp-1 holds 335,900 devices of quota, over its 300,000: move a tenant to another stamp by pinning its `stamp` " +
                    "(its devices are then re-provisioned)",
            },
        ]);
    });

    it("reads each tenant's stamp back from the stack's own tenants output, a tenant deployed before stamps on the region's original hub, and ignores what is no stamp", () => {
        const previous = previousStampsOf({
            a: { cluster: "shared-1", stamp: "stamp-2" },
            b: { cluster: "shared-1" },
            c: { stamp: "hub-9" },
        });
        assert.deepStrictEqual(
            [...previous],
            [
                ["a", "stamp-2"],
                ["b", "stamp-1"],
            ],
        );
    });

    describe("on a region of two stamps", () => {
        it("registers an IoT hub per stamp, the first under the region's original URN and Azure name", async () => {
            const evaluation = await evaluateTwoStamps();
            const hubs = stampHubs(evaluation);
            assert.deepStrictEqual(
                hubs.map(h => h.name),
                ["prod-eus-data-iothub", "prod-eus-data-iothub-stamp-2"],
            );
            assert.match(hubs[0].inputs.resourceName, /-iot-[a-z0-9]{6}$/);
            assert.match(hubs[1].inputs.resourceName, /-iot2-[a-z0-9]{6}$/);
        });

        it("stamps the tenant and ADX's routing properties on every stamp hub", async () => {
            for (const hub of stampHubs(await evaluateTwoStamps())) {
                const enrichments = hub.inputs.properties.routing.enrichments.map((e: { key: string; value: string }) => [e.key, e.value]);
                assert.deepStrictEqual(enrichments, [
                    [TENANT_MESSAGE_PROPERTY, TENANT_TWIN_TAG],
                    ...ADX_ROUTING_ENRICHMENTS.map(({ key, value }) => [key, value]),
                ]);
            }
        });

        it("puts every dedicated tenant's route and endpoint on its own stamp's hub alone, and the shared route on every hub", async () => {
            const evaluation = await evaluateTwoStamps();
            const stampOf = evaluation.outputs.tenants as Record<string, { stamp: string; isolation: string }>;
            const routesByHub = stampHubs(evaluation).map(hub => ({
                stamp: hub.name.endsWith("-stamp-2") ? "stamp-2" : "stamp-1",
                routes: hub.inputs.properties.routing.routes.map((r: { name: string }) => r.name),
                endpoints: hub.inputs.properties.routing.endpoints.eventHubs.map((e: { name: string }) => e.name),
            }));
            const dedicated = Object.entries(stampOf).filter(([, t]) => t.isolation === "dedicated");
            assert.deepStrictEqual(dedicated.map(([name, t]) => [name, t.stamp]).sort(), [
                ["medica", "stamp-1"],
                ["woodgrove", "stamp-2"],
            ]);
            for (const { stamp, routes, endpoints } of routesByHub) {
                const own = dedicated.filter(([, t]) => t.stamp === stamp).map(([name]) => `tenant-${name}`);
                assert.deepStrictEqual(routes, ["telemetry", ...own], stamp);
                assert.deepStrictEqual(endpoints, ["telemetry-eventhub", ...own], stamp);
            }
        });

        it("links exactly the stamps' hubs to the region's one DPS, and outputs each tenant's stamp, its hub and the ID scope", async () => {
            const evaluation = await evaluateTwoStamps();
            const [dps] = ofType(evaluation, DPS);
            assert.strictEqual(ofType(evaluation, DPS).length, 1);
            const hostNames = stampHubs(evaluation).map(h => h.outputs.properties.hostName);
            assert.deepStrictEqual(
                dps.inputs.properties.iotHubs.map(
                    (h: { connectionString: string }) => /^HostName=([^;]+);SharedAccessKeyName=iothubowner;/.exec(h.connectionString)?.[1],
                ),
                hostNames,
            );
            const { stamps, provisioning, tenants } = evaluation.outputs;
            assert.deepStrictEqual(Object.keys(stamps), ["stamp-1", "stamp-2"]);
            assert.deepStrictEqual(
                Object.values(stamps).map((s: any) => s.iotHubHostName),
                hostNames,
            );
            for (const [tenant, entry] of Object.entries(tenants as Record<string, { stamp: string }>)) {
                assert.ok(stamps[entry.stamp].tenants.includes(tenant), `${tenant} on ${entry.stamp}`);
            }
            assert.strictEqual(provisioning.idScope, dps.outputs.properties.idScope);
            assert.strictEqual(provisioning.globalEndpoint, "global.azure-devices-provisioning.net");
        });
    });
});
