import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { DEFAULT_HTTP_LIMITS, HttpLimits } from "./httpGuards";

/**
 * How the service is exposed and what it keeps, read from the environment at start-up next to
 * settings.ts: where its journal lives, its evaluation threads, its HTTP limits, and TLS. A bind
 * beyond the loopback interface without TLS is refused, unless the operator says a TLS proxy in
 * front of it carries the token (then the service warns at every start).
 */
export interface ExposureSettings {
    /** PROVISIONER_STATE_DIR, absolute: the operation journal. Default: `<projectDir>/.provisioner`. */
    readonly stateDir: string;
    /** PROVISIONER_EVALUATION_THREADS: offline evaluations run at once, off the event loop. Default: 1. */
    readonly evaluationThreads: number;
    /** PROVISIONER_CLIENT_TIMEOUT_SECONDS, PROVISIONER_MAX_CONNECTIONS, PROVISIONER_REQUESTS_PER_MINUTE. Defaults: DEFAULT_HTTP_LIMITS. */
    readonly limits: HttpLimits;
    /** PROVISIONER_TLS_CERT_FILE and PROVISIONER_TLS_KEY_FILE, read (PEM). Default: none, plain HTTP. */
    readonly tls?: { readonly cert: string; readonly key: string };
    /** Set when HOST is not a loopback address, without TLS, and PROVISIONER_ALLOW_PLAINTEXT=true: said loudly at start. */
    readonly plaintextWarning?: string;
}

/** Whether a HOST value only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
    if (host === "localhost") {
        return true;
    }
    if (net.isIPv4(host)) {
        return host.startsWith("127.");
    }
    return host === "::1";
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number, problems: string[]): number {
    const raw = env[name];
    const value = Number(raw ?? fallback);
    if (!Number.isSafeInteger(value) || value < 1 || value > max) {
        problems.push(`${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(raw)}`);
    }
    return value;
}

function readPem(env: NodeJS.ProcessEnv, name: string, problems: string[]): string | undefined {
    try {
        return fs.readFileSync(env[name]!, "utf8");
    } catch (err) {
        problems.push(`cannot read ${name} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        return undefined;
    }
}

/** Reads the settings; returns them with every problem found (the service does not start with any). */
export function exposureSettings(
    env: NodeJS.ProcessEnv,
    projectDir: string,
    host: string,
): { readonly settings: ExposureSettings; readonly problems: readonly string[] } {
    const problems: string[] = [];
    const limits: HttpLimits = {
        clientTimeoutSeconds: positiveInteger(
            env,
            "PROVISIONER_CLIENT_TIMEOUT_SECONDS",
            DEFAULT_HTTP_LIMITS.clientTimeoutSeconds,
            600,
            problems,
        ),
        maxConnections: positiveInteger(env, "PROVISIONER_MAX_CONNECTIONS", DEFAULT_HTTP_LIMITS.maxConnections, 65_536, problems),
        requestsPerMinute: positiveInteger(
            env,
            "PROVISIONER_REQUESTS_PER_MINUTE",
            DEFAULT_HTTP_LIMITS.requestsPerMinute,
            100_000,
            problems,
        ),
    };
    const evaluationThreads = positiveInteger(env, "PROVISIONER_EVALUATION_THREADS", 1, 16, problems);
    let tls: ExposureSettings["tls"];
    const [certFile, keyFile] = [env.PROVISIONER_TLS_CERT_FILE, env.PROVISIONER_TLS_KEY_FILE];
    if ((certFile === undefined) !== (keyFile === undefined)) {
        problems.push("set both PROVISIONER_TLS_CERT_FILE and PROVISIONER_TLS_KEY_FILE, or neither");
    } else if (certFile !== undefined) {
        const [cert, key] = [readPem(env, "PROVISIONER_TLS_CERT_FILE", problems), readPem(env, "PROVISIONER_TLS_KEY_FILE", problems)];
        tls = cert !== undefined && key !== undefined ? { cert, key } : undefined;
    }
    let plaintextWarning: string | undefined;
    if (!isLoopback(host) && certFile === undefined) {
        const exposed = `HOST=${host} accepts connections from other machines over plain HTTP: the bearer token would cross the network in clear`;
        if (env.PROVISIONER_ALLOW_PLAINTEXT === "true") {
            plaintextWarning = `WARNING: ${exposed}. PROVISIONER_ALLOW_PLAINTEXT=true says a TLS proxy in front of the service carries it; make sure nothing else reaches this port`;
        } else {
            problems.push(
                `${exposed}. Set PROVISIONER_TLS_CERT_FILE and PROVISIONER_TLS_KEY_FILE, bind HOST=127.0.0.1, or, behind a TLS proxy (a mesh sidecar, an ingress), set PROVISIONER_ALLOW_PLAINTEXT=true`,
            );
        }
    }
    return {
        settings: {
            stateDir: path.resolve(env.PROVISIONER_STATE_DIR ?? path.join(projectDir, ".provisioner")),
            evaluationThreads,
            limits,
            tls,
            plaintextWarning,
        },
        problems,
    };
}
