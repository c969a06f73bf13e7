import * as assert from "assert";
import fc from "fast-check";
import { BUILT_IN_TENANT_DEFAULTS, ConfigError, parseFleetConfig, resolveTenantSettings, TenantSettings } from "../lib/config";
import { projectKeys, readStackConfig, stackFilePath } from "../lib/stackFile";
import { SERVICE_BUS_QUEUE_SIZES_MB } from "../lib/tenantSettings";
import { evaluateStack } from "../offline/evaluate";
import { ofType } from "./support/stacks";

const QUEUE_TYPE = "azure-native:servicebus:Queue";
const stackConfig = () => readStackConfig(stackFilePath("prod-weu"));

/** prod-weu with `change` applied to its raw `iot-fleet:` keys. */
function prodWeuWith(change: (keys: any) => void): Record<string, unknown> {
    const config = stackConfig();
    const keys: any = structuredClone(projectKeys(config));
    change(keys);
    return { ...config, ...Object.fromEntries(Object.entries(keys).map(([key, value]) => [`iot-fleet:${key}`, value])) };
}

const queueSizes = async (stackConfigWithChange: Record<string, unknown>) => {
    const evaluation = await evaluateStack({ stack: "prod-weu", stackConfig: stackConfigWithChange });
    return Object.fromEntries(ofType(evaluation, QUEUE_TYPE).map(q => [q.inputs.queueName, q.inputs.maxSizeInMegabytes]));
};

describe("per-tenant settings", () => {
    it("have the documented built-in defaults, and no queue size: Azure's own default applies", () => {
        assert.deepStrictEqual(BUILT_IN_TENANT_DEFAULTS, {
            processing: { targetMessageCount: 500, minReplicas: 1, maxReplicas: 20 },
            ingest: { unprocessedEventThreshold: 64, minReplicas: 1, maxReplicas: 8 },
            quota: { cpu: "16", memory: "16Gi", pods: 100, persistentVolumeClaims: 4, storage: "64Gi" },
            limits: { defaultCpu: "500m", defaultMemory: "512Mi", defaultRequestCpu: "100m", defaultRequestMemory: "128Mi" },
            podSecurity: "restricted",
            edge: { ports: [8080] },
            queue: {},
        });
    });

    it("are resolved for every tenant by the config check: the defaults under each tenant's overrides", () => {
        const config = parseFleetConfig(projectKeys(stackConfig()));
        const acme = config.tenants.find(t => t.name === "acme")!;
        const contoso = config.tenants.find(t => t.name === "contoso")!;
        assert.strictEqual(acme.settings.processing.targetMessageCount, 1000);
        assert.strictEqual(contoso.settings.processing.targetMessageCount, 500);
        assert.deepStrictEqual(contoso.settings, resolveTenantSettings(config.tenantDefaults, contoso.overrides));
    });

    it("take an override where a tenant gives one and the default everywhere else", () => {
        const defaults: TenantSettings = { ...BUILT_IN_TENANT_DEFAULTS, queue: { maxSizeInMegabytes: 2048 } };
        const override = fc.record(
            {
                processing: fc.option(fc.record({ targetMessageCount: fc.integer({ min: 1, max: 10_000 }) }, { requiredKeys: [] }), {
                    nil: undefined,
                }),
                quota: fc.option(
                    fc.record({ pods: fc.integer({ min: 1, max: 500 }), cpu: fc.constantFrom("8", "32") }, { requiredKeys: [] }),
                    { nil: undefined },
                ),
                podSecurity: fc.option(fc.constantFrom("restricted" as const, "baseline" as const), { nil: undefined }),
                queue: fc.option(
                    fc.record({ maxSizeInMegabytes: fc.constantFrom(...SERVICE_BUS_QUEUE_SIZES_MB.Premium) }, { requiredKeys: [] }),
                    { nil: undefined },
                ),
            },
            { requiredKeys: [] },
        );
        fc.assert(
            fc.property(override, overrides => {
                const settings = resolveTenantSettings(defaults, overrides);
                assert.strictEqual(settings.podSecurity, overrides.podSecurity ?? defaults.podSecurity);
                for (const group of ["processing", "ingest", "quota", "limits", "queue"] as const) {
                    const given: Record<string, unknown> = (overrides[group as keyof typeof overrides] as any) ?? {};
                    for (const [key, value] of Object.entries(settings[group])) {
                        assert.strictEqual(value, given[key] ?? (defaults[group] as Record<string, unknown>)[key], `${group}.${key}`);
                    }
                    assert.deepStrictEqual(
                        Object.keys(settings[group]).sort(),
                        [...new Set([...Object.keys(defaults[group]), ...Object.keys(given)])].sort(),
                    );
                }
            }),
        );
    });

    it("size a tenant's Service Bus queue from its override, and leave the other queues at Azure's default", async () => {
        const sizes = await queueSizes(
            prodWeuWith(keys => {
                keys.tenants.find((t: any) => t.name === "contoso").overrides = { queue: { maxSizeInMegabytes: 81920 } };
            }),
        );
        assert.ok(Object.keys(sizes).length > 1);
        for (const [queue, size] of Object.entries(sizes)) {
            assert.strictEqual(size, queue === "telemetry-ingest-contoso" ? 81920 : undefined, queue);
        }
    });

    it("size every queue from tenantDefaults, under each tenant's own override", async () => {
        const sizes = await queueSizes(
            prodWeuWith(keys => {
                keys.tenantDefaults = { ...keys.tenantDefaults, queue: { maxSizeInMegabytes: 5120 } };
                keys.tenants.find((t: any) => t.name === "acme").overrides.queue = { maxSizeInMegabytes: 10240 };
            }),
        );
        for (const [queue, size] of Object.entries(sizes)) {
            assert.strictEqual(size, queue === "telemetry-ingest-acme" ? 10240 : 5120, queue);
        }
    });

    it("refuse a queue size Service Bus does not allow, at its key path, with the sizes it does", () => {
        const raw: any = structuredClone(projectKeys(stackConfig()));
        raw.tenants[1].overrides = { queue: { maxSizeInMegabytes: 1000 } };
        raw.tenantDefaults = { ...raw.tenantDefaults, queue: { maxSizeInMegabytes: 163840 } };
        const message =
            "expected one of the queue sizes Service Bus Premium allows: 1024, 2048, 3072, 4096, 5120, 10240, 20480, 40960, 81920 (MB)";
        assert.throws(
            () => parseFleetConfig(raw),
            (err: unknown) => {
                assert.ok(err instanceof ConfigError);
                assert.deepStrictEqual(
                    err.problems.filter(p => p.path.endsWith("maxSizeInMegabytes")),
                    [
                        { path: "iot-fleet:tenantDefaults.queue.maxSizeInMegabytes", message: `${message}, got 163840` },
                        { path: "iot-fleet:tenants[1].overrides.queue.maxSizeInMegabytes", message: `${message}, got 1000` },
                    ],
                );
                return true;
            },
        );
    });
});
