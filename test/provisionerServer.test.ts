import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { bearerTokenChecker, loadToken } from "../provisioner/auth";
import { AutomationEngine, MAX_RUN_TIMEOUT_MS } from "../provisioner/automationEngine";
import { serviceSettings, SettingsError } from "../provisioner/settings";
import { makeProject, removeProject } from "./fixtures/provisioner/support";

const TOKEN = "server-test-token-0123456789";
const ROOT = path.join(__dirname, "..");

/** `npm run provisioner`, as an operator (or a process supervisor) starts it: signals go to npm. */
function startService(env: Record<string, string>): ChildProcess {
    const { PROVISIONER_TOKEN: _t, PROVISIONER_TOKEN_FILE: _f, PROVISIONER_RUN_TIMEOUT_MINUTES: _m, ...inherited } = process.env;
    return spawn("npm", ["run", "--silent", "provisioner"], {
        cwd: ROOT,
        env: { ...inherited, ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
}

function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
    let stderr = "";
    child.stderr!.on("data", chunk => {
        stderr += chunk;
    });
    return new Promise(resolve => child.on("exit", code => resolve({ code, stderr })));
}

describe("provisioner: the API token", () => {
    it("comes from PROVISIONER_TOKEN or from the first line of the file PROVISIONER_TOKEN_FILE names", () => {
        assert.strictEqual(loadToken({ PROVISIONER_TOKEN: TOKEN }), TOKEN);
        const dir = makeProject();
        try {
            fs.writeFileSync(path.join(dir, "token"), `${TOKEN}\n`);
            assert.strictEqual(loadToken({ PROVISIONER_TOKEN_FILE: path.join(dir, "token") }), TOKEN);
            assert.throws(
                () => loadToken({ PROVISIONER_TOKEN_FILE: path.join(dir, "missing") }),
                /cannot read PROVISIONER_TOKEN_FILE .*missing \(ENOENT\)/,
            );
        } finally {
            removeProject(dir);
        }
    });

    it("must be configured, once, and long enough", () => {
        assert.throws(() => loadToken({}), /no API token configured: set PROVISIONER_TOKEN, or PROVISIONER_TOKEN_FILE/);
        assert.throws(() => loadToken({ PROVISIONER_TOKEN: TOKEN, PROVISIONER_TOKEN_FILE: "/x" }), /set one of them/);
        assert.throws(() => loadToken({ PROVISIONER_TOKEN: "short" }), /at least 16 characters/);
    });

    it("is compared with the whole Authorization header's bearer token", () => {
        const check = bearerTokenChecker(TOKEN);
        assert.deepStrictEqual(
            [`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN, undefined, "Bearer"].map(check),
            [true, true, false, false, false, false],
        );
    });
});

function settingsProblems(env: NodeJS.ProcessEnv): readonly string[] {
    try {
        serviceSettings(env);
    } catch (err) {
        assert.ok(err instanceof SettingsError, String(err));
        return err.problems;
    }
    assert.fail("the settings were accepted");
}

describe("provisioner: the service's settings", () => {
    it("lists every problem of the environment at once: the token, PORT, the engine and the run timeout", () => {
        assert.deepStrictEqual(settingsProblems({ PORT: "http", PROVISIONER_ENGINE: "cloud", PROVISIONER_RUN_TIMEOUT_MINUTES: "-1" }), [
            "no API token configured: set PROVISIONER_TOKEN, or PROVISIONER_TOKEN_FILE to a file holding it; the service does not run without one",
            'PORT must be a port number, got "http"',
            'PROVISIONER_ENGINE must be one of auto, automation, offline, got "cloud"',
            'PROVISIONER_RUN_TIMEOUT_MINUTES must be a positive number of minutes up to 35791 (about 24 days: longer timers fire at once), got "-1"',
        ]);
    });

    it("refuses a run timeout longer than a timer holds, which would interrupt every run at once", () => {
        const timeout = (minutes: string) =>
            serviceSettings({ PROVISIONER_TOKEN: TOKEN, PROVISIONER_RUN_TIMEOUT_MINUTES: minutes }).runTimeoutMs;
        assert.strictEqual(timeout("35791"), 35791 * 60_000);
        assert.ok(timeout("35791") <= MAX_RUN_TIMEOUT_MS);
        assert.deepStrictEqual(settingsProblems({ PROVISIONER_TOKEN: TOKEN, PROVISIONER_RUN_TIMEOUT_MINUTES: "35792" }), [
            'PROVISIONER_RUN_TIMEOUT_MINUTES must be a positive number of minutes up to 35791 (about 24 days: longer timers fire at once), got "35792"',
        ]);
        assert.throws(
            () => new AutomationEngine({ projectDir: ROOT, runTimeoutMs: MAX_RUN_TIMEOUT_MS + 1 }),
            /runTimeoutMs must be above 0 and at most 2147483647 ms/,
        );
    });

    it("defaults to 127.0.0.1:8080, the engine chosen by the PATH, this repository and a 60-minute run timeout", () => {
        assert.deepStrictEqual(serviceSettings({ PROVISIONER_TOKEN: TOKEN }), {
            token: TOKEN,
            host: "127.0.0.1",
            port: 8080,
            engine: "auto",
            projectDir: ROOT,
            runTimeoutMs: 60 * 60_000,
        });
    });
});

describe("provisioner: the service process", () => {
    it("refuses to start with exit code 2, naming every problem: no token, a run timeout above what a timer holds", async () => {
        const { code, stderr } = await exited(startService({ PROVISIONER_RUN_TIMEOUT_MINUTES: "40000" }));
        assert.strictEqual(code, 2);
        assert.match(
            stderr,
            /^provisioner: no API token configured: set PROVISIONER_TOKEN.*\nprovisioner: PROVISIONER_RUN_TIMEOUT_MINUTES must be a positive number of minutes up to 35791 .*got "40000"\n/,
        );
    });

    it("refuses to start the Automation API engine without the policy pack's dependencies, saying how to install them", async () => {
        const dir = makeProject();
        try {
            const { code, stderr } = await exited(
                startService({ PROVISIONER_TOKEN: TOKEN, PROVISIONER_PROJECT_DIR: dir, PROVISIONER_ENGINE: "automation" }),
            );
            assert.strictEqual(code, 2);
            assert.match(
                stderr,
                new RegExp(
                    `^provisioner: the policy pack in ${path.join(dir, "policy")} has no @pulumi/policy installed: run npm --prefix .*policy ci`,
                ),
            );
        } finally {
            removeProject(dir);
        }
    });

    it("starts with a token file, serves the API on HOST and PORT, and stops on a SIGTERM sent to npm, leaving no process behind", async () => {
        const dir = makeProject();
        fs.writeFileSync(path.join(dir, "token"), `${TOKEN}\n`);
        const child = startService({
            PROVISIONER_TOKEN_FILE: path.join(dir, "token"),
            PROVISIONER_PROJECT_DIR: dir,
            PROVISIONER_ENGINE: "offline",
            HOST: "127.0.0.1",
            PORT: "0",
        });
        const done = exited(child);
        try {
            const url = await new Promise<string>((resolve, reject) => {
                let stdout = "";
                child.stdout!.on("data", chunk => {
                    stdout += chunk;
                    const listening = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
                    if (listening) {
                        resolve(listening[1]);
                    }
                });
                child.on("exit", code => reject(new Error(`exited with ${code}: ${stdout}`)));
            });
            assert.strictEqual((await fetch(`${url}/healthz`)).status, 200);
            assert.strictEqual((await fetch(`${url}/v1/stacks`)).status, 401);
            const stacks = await fetch(`${url}/v1/stacks`, { headers: { authorization: `Bearer ${TOKEN}` } });
            assert.deepStrictEqual(await stacks.json(), { stacks: ["test-weu"] });
            child.kill("SIGTERM");
            assert.strictEqual((await done).code, 0);
            await assert.rejects(fetch(`${url}/healthz`), "the service itself stopped, not only npm");
        } finally {
            child.kill();
            removeProject(dir);
        }
    });
});
