import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { bearerTokenChecker, loadToken } from "../provisioner/auth";
import { makeProject, removeProject } from "./fixtures/provisioner/support";

const TOKEN = "server-test-token-0123456789";
const ROOT = path.join(__dirname, "..");

/** `npm run provisioner`, as its script runs it. */
function startService(env: Record<string, string>): ChildProcess {
    const { PROVISIONER_TOKEN: _t, PROVISIONER_TOKEN_FILE: _f, ...inherited } = process.env;
    return spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "provisioner/server.ts"], {
        cwd: ROOT, env: { ...inherited, ...env }, stdio: ["ignore", "pipe", "pipe"],
    });
}

function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
    let stderr = "";
    child.stderr!.on("data", chunk => { stderr += chunk; });
    return new Promise(resolve => child.on("exit", code => resolve({ code, stderr })));
}

describe("provisioner: the API token", () => {
    it("comes from PROVISIONER_TOKEN or from the first line of the file PROVISIONER_TOKEN_FILE names", () => {
        assert.strictEqual(loadToken({ PROVISIONER_TOKEN: TOKEN }), TOKEN);
        const dir = makeProject();
        try {
            fs.writeFileSync(path.join(dir, "token"), `${TOKEN}\n`);
            assert.strictEqual(loadToken({ PROVISIONER_TOKEN_FILE: path.join(dir, "token") }), TOKEN);
            assert.throws(() => loadToken({ PROVISIONER_TOKEN_FILE: path.join(dir, "missing") }), /cannot read PROVISIONER_TOKEN_FILE .*missing \(ENOENT\)/);
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
        assert.deepStrictEqual([`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN, undefined, "Bearer"].map(check),
            [true, true, false, false, false, false]);
    });
});

describe("provisioner: the service process", () => {
    it("refuses to start without a token, with exit code 2 and a message saying how to set one", async () => {
        const { code, stderr } = await exited(startService({}));
        assert.strictEqual(code, 2);
        assert.match(stderr, /^provisioner: no API token configured: set PROVISIONER_TOKEN/);
    });

    it("refuses to start the Automation API engine without the policy pack's dependencies, saying how to install them", async () => {
        const dir = makeProject();
        try {
            const { code, stderr } = await exited(startService({ PROVISIONER_TOKEN: TOKEN, PROVISIONER_PROJECT_DIR: dir, PROVISIONER_ENGINE: "automation" }));
            assert.strictEqual(code, 2);
            assert.match(stderr, new RegExp(`^provisioner: the policy pack in ${path.join(dir, "policy")} has no @pulumi/policy installed: run npm --prefix .*policy ci`));
        } finally {
            removeProject(dir);
        }
    });

    it("starts with a token file, serves the API on HOST and PORT, and stops on SIGTERM", async () => {
        const dir = makeProject();
        fs.writeFileSync(path.join(dir, "token"), `${TOKEN}\n`);
        const child = startService({
            PROVISIONER_TOKEN_FILE: path.join(dir, "token"), PROVISIONER_PROJECT_DIR: dir, PROVISIONER_ENGINE: "offline", HOST: "127.0.0.1", PORT: "0",
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
        } finally {
            child.kill();
            removeProject(dir);
        }
    });
});
