import * as assert from "assert";
import * as net from "net";
import { Writable } from "stream";
import { FastifyInstance } from "fastify";
import { FleetConfig } from "../lib/config";
import { buildServer } from "../provisioner/app";
import { loadToken } from "../provisioner/auth";
import { deviceQuotaProblems } from "../provisioner/deviceQuota";
import { EvaluationThreads } from "../provisioner/evaluationThreads";
import { exposureSettings } from "../provisioner/exposure";
import { DEFAULT_HTTP_LIMITS, MAX_JSON_DEPTH } from "../provisioner/httpGuards";
import { OfflineEngine } from "../provisioner/offlineEngine";
import { MAX_DRY_RUNS_PER_STACK, Provisioner } from "../provisioner/provisioner";
import { FIXTURE_STACK, makeProject, offlineProvisioner, removeProject, stackText } from "./fixtures/provisioner/support";
import { AUTH, killHard, SERVICE_TOKEN, startService } from "./support/service";

/** What one careless or hostile client can no longer do to the service and to the other clients. */

const TENANTS = `/v1/stacks/${FIXTURE_STACK}/tenants`;

describe("provisioner: careless and hostile clients", () => {
    let dir: string;
    let app: FastifyInstance;
    let log: string;
    const build = (provisioner: Provisioner, requestsPerMinute = DEFAULT_HTTP_LIMITS.requestsPerMinute) => {
        log = "";
        const stream = new Writable({ write: (chunk, _encoding, done) => done(void (log += chunk)) });
        app = buildServer({ provisioner, token: SERVICE_TOKEN, logger: { stream }, limits: { ...DEFAULT_HTTP_LIMITS, requestsPerMinute } });
        return app.ready();
    };
    beforeEach(async () => {
        dir = makeProject();
        await build(offlineProvisioner(dir).provisioner);
    });
    afterEach(async () => {
        await app.close();
        removeProject(dir);
    });

    const post = (payload: string, contentType = "application/json") =>
        app.inject({ method: "POST", url: TENANTS, headers: { ...AUTH, "content-type": contentType }, payload });

    it("answers JSON nested 1,500 levels deep with a 400 naming the limit, without parsing it", async () => {
        const deep = `{"name":"deep","deviceQuota":1,"overrides":${"[".repeat(1500)}${"]".repeat(1500)}}`;
        const response = await post(deep);
        assert.strictEqual(response.statusCode, 400, response.body);
        assert.deepStrictEqual(response.json().problems, [
            { path: "body", message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels; a tenant spec is a few levels deep` },
        ]);
        assert.strictEqual((await app.inject({ method: "GET", url: "/healthz" })).statusCode, 200, "the service lives on");
    });

    it("names a __proto__ key as refused, instead of calling the body invalid JSON", async () => {
        const response = await post('{"name":"proto","deviceQuota":1,"overrides":{"__proto__":{"x":1}}}');
        assert.strictEqual(response.statusCode, 400);
        assert.deepStrictEqual(
            response.json().problems.map((p: { path: string }) => p.path),
            ["body.overrides.__proto__"],
        );
        assert.match(response.json().problems[0].message, /name an object's prototype/);
    });

    it("answers a body that is not JSON with a 415 that asks for JSON and does not echo it", async () => {
        const response = await post("x".repeat(60_000), "text/plain");
        assert.strictEqual(response.statusCode, 415);
        assert.deepStrictEqual(response.json(), { error: 'send the body as application/json (UTF-8); got "text/plain"' });
    });

    it("refuses a declared charset other than UTF-8 with a 415 that says so", async () => {
        const response = await post('{"name":"latin","deviceQuota":1}', "application/json; charset=latin1");
        assert.deepStrictEqual(
            [response.statusCode, response.json().error],
            [415, "JSON bodies are read as UTF-8; charset=latin1 is not supported"],
        );
        assert.strictEqual((await post('{"name":"utf","deviceQuota":1}', "application/json; charset=UTF-8")).statusCode, 202);
    });

    it("answers a body over the limit with a 413 that says the limit", async () => {
        const response = await post(JSON.stringify({ name: "big", deviceQuota: 1, pad: "x".repeat(70_000) }));
        assert.deepStrictEqual(response.json(), {
            error: "the body is larger than 65536 bytes (64 KiB), the limit for a tenant spec or patch",
        });
        assert.strictEqual(response.statusCode, 413);
    });

    it("bounds deviceQuota by what can hold the tenant, with a 400 that says the bound instead of 'whole number'", async () => {
        const cases: [string, RegExp][] = [
            ["1e308", /^deviceQuota must be a whole number of devices from 1 to 1000000 \(the devices one IoT Hub holds.*got 1e\+308$/],
            ["9007199254740993", /from 1 to 1000000 .*got 9\.007199254740992e\+15$/],
            ["1000001", /from 1 to 1000000 .*got 1000001$/],
        ];
        const before = stackText(dir);
        for (const [deviceQuota, message] of cases) {
            const response = await post(`{"name":"huge","deviceQuota":${deviceQuota}}`);
            assert.strictEqual(response.statusCode, 400, response.body);
            assert.deepStrictEqual(response.json().problems.length, 1, response.body);
            assert.match(response.json().problems[0].message, message);
        }
        assert.strictEqual(stackText(dir), before);
        const sharedCluster = { sharedClusterCapacity: { maxTenants: 50, maxDevices: 400_000 } } as FleetConfig;
        assert.deepStrictEqual(deviceQuotaProblems(400_001, "shared", sharedCluster), [
            {
                path: "body.deviceQuota",
                message:
                    "deviceQuota must be a whole number of devices from 1 to 400000 (the devices a shared cluster holds (sharedClusterCapacity.maxDevices); a larger tenant needs isolation auto or dedicated), got 400001",
            },
        ]);
        assert.deepStrictEqual(deviceQuotaProblems(400_001, "auto", sharedCluster), []);
    });

    it("never writes a token sent in the query string to its log", async () => {
        await app.inject({ method: "GET", url: `/v1/stacks?access_token=${SERVICE_TOKEN}`, headers: AUTH });
        assert.match(log, /"url":"\/v1\/stacks\?\[query redacted\]"/);
        assert.ok(!log.includes(SERVICE_TOKEN));
    });

    it("limits each client's requests per minute with 429, and never the health check", async () => {
        await app.close();
        await build(offlineProvisioner(dir).provisioner, 3);
        const statuses = [];
        for (let i = 0; i < 5; i++) {
            statuses.push((await app.inject({ method: "GET", url: "/v1/stacks", headers: AUTH })).statusCode);
        }
        assert.deepStrictEqual(statuses, [200, 200, 200, 429, 429]);
        assert.strictEqual((await app.inject({ method: "GET", url: "/healthz" })).statusCode, 200);
    });

    it(`answers a dry run of a stack with ${MAX_DRY_RUNS_PER_STACK} already in progress with 429`, async () => {
        const stuck = { preview: () => new Promise(() => undefined) } as unknown as EvaluationThreads;
        const offline = new OfflineEngine({ projectDir: dir, policies: async () => ({ violations: [] }), threads: stuck });
        await app.close();
        await build(new Provisioner({ projectDir: dir, engine: offline, dryRunEngine: offline }));
        const dryRun = (i: number) =>
            app.inject({
                method: "POST",
                url: `${TENANTS}?dryRun=true`,
                headers: { ...AUTH, "content-type": "application/json" },
                payload: { name: `dry-${i}`, deviceQuota: 1 },
            });
        Array.from({ length: MAX_DRY_RUNS_PER_STACK }, (_, i) => void dryRun(i));
        await new Promise(resolve => setTimeout(resolve, 200));
        const refused = await dryRun(MAX_DRY_RUNS_PER_STACK);
        assert.strictEqual(refused.statusCode, 429);
        assert.match(refused.json().error, /4 dry runs of stack test-weu are already queued or running/);
    });
});

describe("provisioner: start-up refusals", () => {
    it("refuses weak tokens by length and estimated entropy, and accepts a generated one", () => {
        for (const weak of ["aaaaaaaaaaaaaaaa", "passwordpassword", "abcdefghijklmnopqrstabcdefghijklmnopqrst"]) {
            assert.throws(
                () => loadToken({ PROVISIONER_TOKEN: weak }),
                /too easy to guess .*use a generated one \(openssl rand -hex 32\)/,
                weak,
            );
        }
        assert.strictEqual(loadToken({ PROVISIONER_TOKEN: SERVICE_TOKEN }), SERVICE_TOKEN);
    });

    it("refuses a bind beyond the loopback interface over plain HTTP, unless told a TLS proxy is in front, and then warns", () => {
        assert.match(
            exposureSettings({}, "/p", "0.0.0.0").problems.join("\n"),
            /HOST=0\.0\.0\.0 accepts connections from other machines over plain HTTP/,
        );
        assert.deepStrictEqual(exposureSettings({}, "/p", "127.0.0.1").problems, []);
        const behindProxy = exposureSettings({ PROVISIONER_ALLOW_PLAINTEXT: "true" }, "/p", "0.0.0.0");
        assert.deepStrictEqual(behindProxy.problems, []);
        assert.match(behindProxy.settings.plaintextWarning!, /^WARNING: HOST=0\.0\.0\.0 .*in clear/);
    });
});

/** Opens a TCP connection to the service and resolves once it is connected; `closed` resolves when the server drops it. */
function connect(port: number): Promise<{ socket: net.Socket; closed: Promise<void> }> {
    return new Promise((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.1");
        const closed = new Promise<void>(done => socket.on("close", () => done()));
        socket.on("error", () => undefined);
        socket.once("connect", () => resolve({ socket, closed }));
        socket.once("error", reject);
    });
}

describe("provisioner: slow clients against the real service", () => {
    it("keeps answering /healthz while many idle and half-sent connections are open, closes them after the client timeout, and bounds connections", async () => {
        const dir = makeProject();
        const service = await startService(dir, { PROVISIONER_CLIENT_TIMEOUT_SECONDS: "2", PROVISIONER_MAX_CONNECTIONS: "250" });
        const port = Number(new URL(service.url).port);
        try {
            const idle = await Promise.all(Array.from({ length: 120 }, () => connect(port)));
            const halfHeaders = await Promise.all(Array.from({ length: 40 }, () => connect(port)));
            halfHeaders.forEach(({ socket }) => socket.write("GET /v1/stacks HTTP/1.1\r\nHost: x\r\n"));
            const halfBodies = await Promise.all(Array.from({ length: 40 }, () => connect(port)));
            halfBodies.forEach(({ socket }) =>
                socket.write(
                    `POST ${TENANTS} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${SERVICE_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":`,
                ),
            );
            const health = await fetch(`${service.url}/healthz`);
            assert.strictEqual(health.status, 200, "200 connections held open do not keep the health check out");
            const started = Date.now();
            await Promise.all([...idle, ...halfHeaders, ...halfBodies].map(c => c.closed));
            assert.ok(Date.now() - started < 10_000, `the service closed every slow connection (after ${Date.now() - started} ms)`);

            // Beyond the bound, connections are closed as they arrive; those within it are kept until they time out.
            const flood = await Promise.all(Array.from({ length: 300 }, () => connect(port)));
            const dropped = await Promise.all(
                flood.map(c => Promise.race([c.closed.then(() => true), new Promise(r => setTimeout(() => r(false), 500))])),
            );
            assert.ok(dropped.filter(Boolean).length >= 50, `${dropped.filter(Boolean).length} of 300 connections were dropped at once`);
            await Promise.all(flood.map(c => c.closed));
            assert.strictEqual((await fetch(`${service.url}/healthz`)).status, 200);
        } finally {
            await killHard(service);
            removeProject(dir);
        }
    });
});
