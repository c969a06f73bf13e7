import * as assert from "assert";
import * as fs from "fs";
import { FastifyInstance, InjectOptions } from "fastify";
import { buildServer } from "../provisioner/app";
import { Provisioner } from "../provisioner/provisioner";
import { loadStackFile, stackFilePath } from "../lib/stackFile";
import { markAttention } from "../provisioner/attention";
import { nodeFileSystem } from "../provisioner/atomicFile";
import {
    FIXTURE_STACK,
    makeProject,
    offlineProvisioner,
    projectSnapshot,
    removeProject,
    stackText,
    tenantsInFile,
} from "./fixtures/provisioner/support";

const TOKEN = "test-token-0123456789abcdef";
const AUTH = { authorization: `Bearer ${TOKEN}` };
const TENANTS = `/v1/stacks/${FIXTURE_STACK}/tenants`;

interface BadRequest {
    readonly what: string;
    readonly request: InjectOptions;
    /** Every problem expected, as `path: message pattern`. */
    readonly problems: Record<string, RegExp>;
}

const post = (body: unknown, query = ""): InjectOptions => ({ method: "POST", url: `${TENANTS}${query}`, payload: body as object });
const patch = (body: unknown, name = "contoso"): InjectOptions => ({ method: "PATCH", url: `${TENANTS}/${name}`, payload: body as object });

/** Bad requests: each must be a 400 that names every problem and changes nothing. */
const BAD_REQUESTS: readonly BadRequest[] = [
    { what: "an onboarding without a name", request: post({ deviceQuota: 10 }), problems: { "body.name": /^required, expected string$/ } },
    {
        what: "a name that is not a DNS label",
        request: post({ name: "Bad_Name", deviceQuota: 10 }),
        problems: { "body.name": /DNS-1123 labels .*got "Bad_Name"/ },
    },
    {
        what: "a name longer than 30 characters",
        request: post({ name: "a".repeat(31), deviceQuota: 10 }),
        problems: { "body.name": /at most 30 characters/ },
    },
    {
        what: "a reserved namespace name",
        request: post({ name: "kube-system", deviceQuota: 10 }),
        problems: { "body.name": /reserved for a platform namespace/ },
    },
    {
        what: "a negative quota",
        request: post({ name: "neg", deviceQuota: -5 }),
        problems: { "body.deviceQuota": /positive number of devices, got -5/ },
    },
    { what: "a fractional quota", request: post({ name: "frac", deviceQuota: 1.5 }), problems: { "body.deviceQuota": /whole number/ } },
    {
        what: "a quota given as a string",
        request: post({ name: "str", deviceQuota: "100" }),
        problems: { "body.deviceQuota": /expected number/ },
    },
    {
        what: "an unknown isolation",
        request: post({ name: "iso", deviceQuota: 1, isolation: "private" }),
        problems: { "body.isolation": /"auto"\|"shared"\|"dedicated"/ },
    },
    {
        what: "an upper-case compliance tag",
        request: post({ name: "tags", deviceQuota: 1, compliance: ["GxP"] }),
        problems: { "body.compliance[0]": /lowercase/ },
    },
    { what: "an unknown key", request: post({ name: "keys", deviceQuota: 1, colour: "blue" }), problems: { body: /unknown key 'colour'/ } },
    {
        what: "a cluster pin",
        request: post({ name: "pin", deviceQuota: 1, cluster: "shared-1" }),
        problems: { "body.cluster": /placement decides the cluster/ },
    },
    {
        what: "a new tenant marked for decommissioning",
        request: post({ name: "gone", deviceQuota: 1, decommission: true }),
        problems: { "body.decommission": /cannot be marked for decommissioning/ },
    },
    {
        what: "compliance tags on a shared tenant",
        request: post({ name: "gxp", deviceQuota: 1, compliance: ["gxp"], isolation: "shared" }),
        problems: { "body.isolation": /remove isolation: shared/ },
    },
    {
        what: "a CPU quota that is no Kubernetes quantity",
        request: post({ name: "cpu", deviceQuota: 1, overrides: { quota: { cpu: "lots" } } }),
        problems: { "body.overrides.quota.cpu": /Kubernetes quantity/ },
    },
    {
        what: "min replicas above max replicas",
        request: post({ name: "mm", deviceQuota: 1, overrides: { processing: { minReplicas: 5, maxReplicas: 2 } } }),
        problems: { "body.overrides.processing.minReplicas": /minReplicas \(5\) is greater than maxReplicas \(2\)/ },
    },
    {
        what: "an unknown overrides section",
        request: post({ name: "ov", deviceQuota: 1, overrides: { gpu: {} } }),
        problems: { "body.overrides": /unknown key 'gpu'/ },
    },
    { what: "a body that is a list", request: post([{ name: "list", deviceQuota: 1 }]), problems: { body: /expected a JSON object/ } },
    {
        what: "a body that is not JSON",
        request: { method: "POST", url: TENANTS, payload: "{name: x", headers: { "content-type": "application/json" } },
        problems: { body: /not valid JSON|Unexpected token|Expected property name/ },
    },
    { what: "a POST without a body", request: { method: "POST", url: TENANTS }, problems: { body: /a JSON object body is required/ } },
    {
        what: "a dryRun that is not a boolean",
        request: post({ name: "dry", deviceQuota: 1 }, "?dryRun=maybe"),
        problems: { "query.dryRun": /expected true or false/ },
    },
    {
        what: "an unknown query parameter",
        request: post({ name: "q", deviceQuota: 1 }, "?force=1"),
        problems: { query: /unknown query parameter 'force'/ },
    },
    {
        what: "a decommission step that does not exist",
        request: { method: "DELETE", url: `${TENANTS}/contoso?step=purge` },
        problems: { "query.step": /expected mark \(step 1, the default\) or remove/ },
    },
    {
        what: "a step on an onboarding",
        request: post({ name: "s", deviceQuota: 1 }, "?step=remove"),
        problems: { query: /unknown query parameter 'step'/ },
    },
    {
        what: "an events flag that is not a boolean",
        request: { method: "GET", url: "/v1/operations/00000000-0000-4000-8000-000000000000?events=yes" },
        problems: { "query.events": /expected true or false/ },
    },
    {
        what: "a patch of the name",
        request: patch({ name: "renamed" }),
        problems: { "body.name": /cannot be changed here: the name is the tenant's identity/, body: /nothing to change/ },
    },
    {
        what: "a patch of the cluster pin",
        request: patch({ cluster: "shared-2", deviceQuota: 10 }),
        problems: { "body.cluster": /moving a tenant recreates its namespace/ },
    },
    {
        what: "a patch of isolation",
        request: patch({ isolation: "dedicated", deviceQuota: 10 }),
        problems: { "body.isolation": /never moves a tenant/ },
    },
    { what: "an empty patch", request: patch({}), problems: { body: /nothing to change: give deviceQuota, overrides or both/ } },
    {
        what: "a patch to a zero quota",
        request: patch({ deviceQuota: 0 }),
        problems: { "body.deviceQuota": /positive number of devices, got 0/ },
    },
    {
        what: "a patch to an unknown pod security level",
        request: patch({ overrides: { podSecurity: "privileged" } }),
        problems: { "body.overrides.podSecurity": /"restricted"\|"baseline"/ },
    },
    {
        what: "a tenant name in the path that is not a DNS label",
        request: { method: "GET", url: `${TENANTS}/Bad_Name` },
        problems: { "params.name": /DNS-1123/ },
    },
    {
        what: "a stack name with a path in it",
        request: { method: "GET", url: "/v1/stacks/..%2Fetc/tenants" },
        problems: { "params.stack": /stack names are letters/ },
    },
    {
        what: "an operation id that is no UUID",
        request: { method: "GET", url: "/v1/operations/42" },
        problems: { "params.id": /operation ids are UUIDs/ },
    },
    {
        what: "a bad query and a bad body together",
        request: post({ name: "Bad_Name", deviceQuota: 1, cluster: "shared-1" }, "?dryRun=maybe"),
        problems: { "query.dryRun": /expected true or false/, "body.name": /DNS-1123/, "body.cluster": /placement decides the cluster/ },
    },
    {
        what: "an unknown query parameter and a bad patch together",
        request: { method: "PATCH", url: `${TENANTS}/contoso?force=1`, payload: { deviceQuota: 0, isolation: "dedicated" } },
        problems: {
            query: /unknown query parameter 'force'/,
            "body.deviceQuota": /positive number of devices, got 0/,
            "body.isolation": /never moves a tenant/,
        },
    },
    {
        what: "a body with several problems at once",
        request: post({ name: "Nope!", deviceQuota: 0, colour: "red", cluster: "x" }),
        problems: {
            "body.name": /DNS-1123/,
            "body.deviceQuota": /positive/,
            body: /unknown key 'colour'/,
            "body.cluster": /placement decides/,
        },
    },
];

describe("provisioner: the HTTP API", () => {
    let dir: string;
    let provisioner: Provisioner;
    let app: FastifyInstance;
    beforeEach(async () => {
        dir = makeProject();
        ({ provisioner } = offlineProvisioner(dir));
        app = buildServer({ provisioner, token: TOKEN });
        await app.ready();
    });
    afterEach(async () => {
        await app.close();
        removeProject(dir);
    });

    const call = (request: InjectOptions, headers: Record<string, string> = AUTH) =>
        app.inject({ ...request, headers: { ...headers, ...request.headers } });

    describe("input validation", () => {
        for (const bad of BAD_REQUESTS) {
            it(`answers ${bad.what} with a 400 naming every problem, and changes no file of the project`, async () => {
                const before = projectSnapshot(dir);
                const response = await call(bad.request);
                assert.strictEqual(response.statusCode, 400, response.body);
                const body = response.json();
                assert.strictEqual(body.error, "invalid request");
                assert.deepStrictEqual(
                    body.problems.map((p: { path: string }) => p.path).sort(),
                    Object.keys(bad.problems).sort(),
                    response.body,
                );
                for (const problem of body.problems) {
                    assert.match(problem.message, bad.problems[problem.path]);
                }
                assert.deepStrictEqual(projectSnapshot(dir), before);
                assert.deepStrictEqual(provisioner.operations.unfinished(), []);
            });
        }
    });

    describe("authentication", () => {
        const attempts: [string, Record<string, string>][] = [
            ["no Authorization header", {}],
            ["a wrong token", { authorization: "Bearer wrong-token-0123456789abcdef" }],
            ["the token in another scheme", { authorization: `Basic ${TOKEN}` }],
            ["the token with a suffix", { authorization: `Bearer ${TOKEN}x` }],
            ["an empty bearer token", { authorization: "Bearer " }],
        ];
        for (const [what, headers] of attempts) {
            it(`answers ${what} with 401 on every route, and writes nothing`, async () => {
                const before = projectSnapshot(dir);
                for (const request of [
                    post({ name: "tailspin", deviceQuota: 1 }),
                    patch({ deviceQuota: 5 }),
                    { method: "DELETE", url: `${TENANTS}/contoso` },
                    { method: "GET", url: TENANTS },
                    { method: "GET", url: "/v1/operations/00000000-0000-4000-8000-000000000000" },
                    { method: "GET", url: "/v1/nowhere" },
                    { method: "DELETE", url: `/v1/stacks/${FIXTURE_STACK}/attention` },
                ] as InjectOptions[]) {
                    const response = await call(request, headers);
                    assert.strictEqual(response.statusCode, 401, `${request.method} ${request.url}: ${response.body}`);
                    assert.strictEqual(response.headers["www-authenticate"], "Bearer");
                }
                assert.deepStrictEqual(projectSnapshot(dir), before);
                assert.deepStrictEqual(provisioner.operations.unfinished(), []);
            });
        }

        it("leaves the health check open", async () => {
            const response = await call({ method: "GET", url: "/healthz" }, {});
            assert.strictEqual(response.statusCode, 200);
            assert.deepStrictEqual(response.json(), { ok: true, engine: "offline" });
        });
    });

    describe("answers", () => {
        it("lists the stacks and their tenants with the cluster each is on", async () => {
            assert.deepStrictEqual((await call({ method: "GET", url: "/v1/stacks" })).json(), { stacks: [FIXTURE_STACK] });
            const tenants = (await call({ method: "GET", url: TENANTS })).json().tenants;
            assert.deepStrictEqual(
                tenants.map((t: { name: string; cluster: string }) => `${t.name}@${t.cluster}`),
                ["contoso@shared-1", "fabrikam@shared-1"],
            );
            assert.strictEqual(tenants[1].overrides.processing.maxReplicas, 16);
        });

        it("answers unknown stacks, tenants, operations and routes with 404", async () => {
            for (const [method, url] of [
                ["GET", "/v1/stacks/prod-mars/tenants"],
                ["POST", "/v1/stacks/prod-mars/tenants"],
                ["GET", `${TENANTS}/nobody`],
                ["PATCH", `${TENANTS}/nobody`],
                ["DELETE", `${TENANTS}/nobody`],
                ["GET", "/v1/operations/00000000-0000-4000-8000-000000000000"],
                ["GET", "/v1/nowhere"],
            ] as const) {
                const response = await call({
                    method,
                    url,
                    ...(method === "POST" || method === "PATCH" ? { payload: { name: "x", deviceQuota: 1 } } : {}),
                });
                assert.strictEqual(response.statusCode, 404, `${method} ${url}: ${response.body}`);
            }
        });

        it("answers 409 for a name taken with another spec, and 200 with the tenant for the same spec", async () => {
            const conflict = await call(post({ name: "contoso", deviceQuota: 1 }));
            assert.strictEqual(conflict.statusCode, 409);
            assert.match(conflict.json().error, /already exists in test-weu with a different spec/);
            const same = await call(post({ name: "contoso", deviceQuota: 18000 }));
            assert.strictEqual(same.statusCode, 200);
            assert.deepStrictEqual(same.json().unchanged, true);
            assert.strictEqual(same.json().tenant.cluster, "shared-1");
        });

        it("accepts a change with 202 and an operation that ends with the tenant's outputs", async () => {
            const response = await call(post({ name: "tailspin", deviceQuota: 4200 }));
            assert.strictEqual(response.statusCode, 202, response.body);
            const { operation, tenant } = response.json();
            assert.strictEqual(response.headers.location, `/v1/operations/${operation.id}`);
            assert.deepStrictEqual(
                [operation.kind, tenant.name, tenant.deviceQuota, tenant.cluster],
                ["onboard", "tailspin", 4200, undefined],
            );
            await provisioner.whenFinished(operation.id);
            const done = (await call({ method: "GET", url: `/v1/operations/${operation.id}` })).json();
            assert.deepStrictEqual([done.status, done.cluster], ["succeeded", "shared-1"]);
            assert.strictEqual(done.outputs.namespace, "tailspin");
            assert.ok(done.runs[0].log.length > 0);
            assert.strictEqual(done.runs[0].events, undefined, "events only on request");
            const withEvents = (await call({ method: "GET", url: `/v1/operations/${operation.id}?events=true` })).json();
            assert.ok(Array.isArray(withEvents.runs[0].events), JSON.stringify(withEvents.runs[0]));
            assert.strictEqual((await call({ method: "GET", url: `${TENANTS}/tailspin` })).json().tenant.deviceQuota, 4200);
        });

        it("onboards 50 tenants sent at once: each is in the stack file exactly once, and the file stays valid", async () => {
            const names = Array.from({ length: 50 }, (_, i) => `tenant-${String(i).padStart(2, "0")}`);
            const responses = await Promise.all(names.map((name, i) => call(post({ name, deviceQuota: 100 + i }))));
            assert.deepStrictEqual(
                responses.map(r => r.statusCode),
                names.map(() => 202),
                responses.find(r => r.statusCode !== 202)?.body,
            );
            const ids: string[] = responses.map(r => r.json().operation.id);
            await Promise.all(ids.map(id => provisioner.whenFinished(id)));
            const operations = await Promise.all(ids.map(async id => (await call({ method: "GET", url: `/v1/operations/${id}` })).json()));
            assert.deepStrictEqual(
                operations.filter(o => o.status !== "succeeded").map(o => o.error),
                [],
            );
            const inFile = tenantsInFile(dir).map(t => t.name);
            assert.deepStrictEqual(inFile.filter(n => names.includes(n as string)).sort(), names);
            assert.strictEqual(new Set(inFile).size, inFile.length, "no tenant twice");
            assert.strictEqual(loadStackFile(stackFilePath(FIXTURE_STACK, dir)).tenants.length, 52);
            const runs = new Set(operations.flatMap(o => o.runs.map((run: { id: string }) => run.id)));
            assert.ok(runs.size <= 3, `group commit: 50 changes in ${runs.size} runs`);
        });

        it("keeps one tenant when the same onboarding comes twice, at once or later", async () => {
            const spec = { name: "tailspin", deviceQuota: 4200 };
            const [first, second] = await Promise.all([call(post(spec)), call(post({ deviceQuota: 4200, name: "tailspin" }))]);
            assert.deepStrictEqual([first.statusCode, second.statusCode], [202, 202]);
            assert.strictEqual(second.json().operation.id, first.json().operation.id, "the second request joins the first one's operation");
            await provisioner.whenFinished(first.json().operation.id);
            const later = await call(post(spec));
            assert.deepStrictEqual([later.statusCode, later.json().unchanged, later.json().tenant.cluster], [200, true, "shared-1"]);
            assert.strictEqual(tenantsInFile(dir).filter(t => t.name === "tailspin").length, 1);
        });

        it("reports on each operation the cluster its tenant was really pinned to, which concurrent onboardings decide, not the 202", async () => {
            fs.writeFileSync(stackFilePath(FIXTURE_STACK, dir), stackText(dir).replace("maxTenants: 64", "maxTenants: 2"));
            const names = ["north", "south", "east", "west"];
            const responses = await Promise.all(names.map(name => call(post({ name, deviceQuota: 10 }))));
            assert.deepStrictEqual(
                responses.map(r => [r.statusCode, r.json().tenant.cluster]),
                names.map(() => [202, undefined]),
                "the 202 names no cluster: the pin is decided when the change is applied",
            );
            for (const { operation } of responses.map(r => r.json())) {
                await provisioner.whenFinished(operation.id);
            }
            const pins = Object.fromEntries(tenantsInFile(dir).map(t => [t.name, t.cluster]));
            const reported = await Promise.all(
                responses.map(async r => (await call({ method: "GET", url: r.json().operation.href })).json()),
            );
            assert.deepStrictEqual(
                reported.map(o => [o.tenant, o.status, o.cluster]),
                names.map(name => [name, "succeeded", pins[name]]),
            );
            assert.deepStrictEqual(
                names.map(name => pins[name]).sort(),
                ["shared-2", "shared-2", "shared-3", "shared-3"],
                "shared-1 is full and each further shared cluster takes two",
            );
        });

        it("decommissions through DELETE, then DELETE ?step=remove, each a 202; a repeated DELETE is unchanged and a PATCH in between a 409", async () => {
            assert.strictEqual(
                (await call({ method: "DELETE", url: `${TENANTS}/contoso?step=remove` })).statusCode,
                409,
                "step 2 needs step 1",
            );
            const mark = (await call({ method: "DELETE", url: `${TENANTS}/contoso` })).json().operation;
            assert.strictEqual(mark.step, "mark");
            await provisioner.whenFinished(mark.id);
            assert.strictEqual((await call(patch({ deviceQuota: 5 }))).statusCode, 409);
            const retried = await call({ method: "DELETE", url: `${TENANTS}/contoso` });
            assert.deepStrictEqual([retried.statusCode, retried.json().unchanged, retried.json().tenant.decommission], [200, true, true]);
            const remove = await call({ method: "DELETE", url: `${TENANTS}/contoso?step=remove` });
            assert.strictEqual(remove.statusCode, 202);
            assert.strictEqual(remove.json().operation.step, "remove");
            await provisioner.whenFinished(remove.json().operation.id);
            assert.strictEqual((await call({ method: "GET", url: `${TENANTS}/contoso` })).statusCode, 404);
        });

        it("refuses changes to a stack that needs attention with 409 until DELETE /v1/stacks/:stack/attention clears it", async () => {
            const attention = { method: "DELETE", url: `/v1/stacks/${FIXTURE_STACK}/attention` } as const;
            assert.deepStrictEqual((await call(attention)).json(), { stack: FIXTURE_STACK, cleared: false });
            await markAttention(nodeFileSystem, stackFilePath(FIXTURE_STACK, dir), {
                since: "2025-01-01T00:00:00Z",
                reason: "up failed for: onboard x",
                operations: [],
            });
            const refused = await call(post({ name: "tailspin", deviceQuota: 1 }));
            assert.strictEqual(refused.statusCode, 409);
            assert.match(refused.json().error, /stack test-weu needs attention since 2025-01-01T00:00:00Z \(up failed for: onboard x\)/);
            assert.deepStrictEqual((await call(attention)).json(), { stack: FIXTURE_STACK, cleared: true });
            assert.strictEqual((await call(post({ name: "tailspin", deviceQuota: 1 }))).statusCode, 202);
            assert.strictEqual((await call({ method: "DELETE", url: "/v1/stacks/prod-mars/attention" })).statusCode, 404);
        });

        it("previews a dry run with the offline engine and writes nothing", async () => {
            const before = stackText(dir);
            const response = await call(patch({ deviceQuota: 60000 }), AUTH);
            assert.strictEqual(response.statusCode, 202);
            await provisioner.whenFinished(response.json().operation.id);
            const afterPatch = stackText(dir);
            assert.notStrictEqual(afterPatch, before);

            const dry = await call(post({ name: "refused-dry", deviceQuota: 10 }, "?dryRun=true"));
            assert.strictEqual(dry.statusCode, 200, dry.body);
            const verdict = dry.json();
            assert.deepStrictEqual([verdict.dryRun, verdict.ok, verdict.changed, verdict.tenant.cluster], [true, false, true, "shared-1"]);
            assert.deepStrictEqual(verdict.policyViolations.map((v: { policyName: string }) => v.policyName).sort(), [
                "dedicated-threshold",
                "test-refused-tenants",
            ]);
            assert.strictEqual(verdict.outputs.serviceBusQueue, "telemetry-ingest-refused-dry");
            assert.strictEqual(stackText(dir), afterPatch, "a dry run never writes the stack file");
            assert.strictEqual((await call({ method: "DELETE", url: `${TENANTS}/fabrikam?dryRun=true` })).json().ok, true);
            assert.strictEqual(stackText(dir), afterPatch);
        });
    });
});
