import { ChildProcess, spawn } from "child_process";
import * as path from "path";

/** The provisioning service as a real process on the loopback interface, for tests that kill it or flood it. */

const ROOT = path.join(__dirname, "..", "..");
/** A generated token (openssl rand -hex 32): what the README asks for, and what the start-up check accepts. */
export const SERVICE_TOKEN = "9f2c4e7a1b8d3f60c5e2a9b7d4f1c8e3a6b0d9f2e5c8a1b4d7f0e3c6a9b2d5f8";
export const AUTH = { authorization: `Bearer ${SERVICE_TOKEN}` };

export interface RunningService {
    readonly child: ChildProcess;
    readonly url: string;
    /** Everything the process wrote to stdout and stderr so far (its request log). */
    output(): string;
    /** Resolves when the process has exited. */
    readonly exited: Promise<number | null>;
}

/** Starts `provisioner/server.ts` directly (no npm in between: a SIGKILL hits the service itself) and waits until it listens. */
export async function startService(projectDir: string, env: Record<string, string> = {}): Promise<RunningService> {
    const { PROVISIONER_TOKEN_FILE: _file, ...inherited } = process.env;
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "provisioner/server.ts"], {
        cwd: ROOT,
        env: {
            ...inherited,
            PROVISIONER_TOKEN: SERVICE_TOKEN,
            PROVISIONER_PROJECT_DIR: projectDir,
            PROVISIONER_ENGINE: "offline",
            HOST: "127.0.0.1",
            PORT: "0",
            ...env,
        },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", chunk => (output += chunk));
    child.stderr!.on("data", chunk => (output += chunk));
    const exited = new Promise<number | null>(resolve => child.on("exit", code => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
        const poll = setInterval(() => {
            const listening = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
            if (listening) {
                clearInterval(poll);
                resolve(listening[1]);
            }
        }, 20);
        void exited.then(code => {
            clearInterval(poll);
            reject(new Error(`the service exited with ${code} before listening:\n${output}`));
        });
    });
    return { child, url, output: () => output, exited };
}

/** SIGKILL: no handler runs, nothing is flushed; what is on disk is all that is left. */
export async function killHard(service: RunningService): Promise<void> {
    service.child.kill("SIGKILL");
    await service.exited;
}
