import * as http from "http";
import * as https from "https";
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from "fastify";
import { ConfigProblem } from "../lib/config";
import { ProvisionerError } from "./errors";

/**
 * What keeps one careless or hostile client from hurting the others: timeouts and a bound on
 * connections (server side), a JSON body parser that bounds nesting before anything recursive sees
 * the body and says clearly what it refuses, and a request log that never holds a query string.
 */

export interface HttpLimits {
    /**
     * Seconds a client may take to send a request's headers, and may leave a connection idle (between
     * requests, or in the middle of one) before the service closes it; a whole request must arrive within
     * three times this. Default: 10.
     */
    readonly clientTimeoutSeconds: number;
    /** Connections open at once; one more is closed as it arrives. Default: 512 (each holds a file descriptor). */
    readonly maxConnections: number;
    /** Requests one client address may send per minute (the health check is not counted); more get 429. Default: 300. */
    readonly requestsPerMinute: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = { clientTimeoutSeconds: 10, maxConnections: 512, requestsPerMinute: 300 };

/** Tenant specs are small; a bigger body is a mistake or an attack. */
export const BODY_LIMIT_BYTES = 64 * 1024;
/** A tenant spec is 4 levels deep at most (body, overrides, group, value); anything deeper is not one. */
export const MAX_JSON_DEPTH = 32;
/** Keys that name an object's prototype in JavaScript: never a tenant's key, refused rather than risked. */
const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** The node server the service listens with: plain HTTP, or HTTPS when given a certificate and key. */
export function serverFactory(
    limits: HttpLimits,
    tls?: { readonly cert: string; readonly key: string },
): FastifyServerOptions["serverFactory"] {
    const timeoutMs = limits.clientTimeoutSeconds * 1000;
    const options: http.ServerOptions = {
        headersTimeout: timeoutMs,
        requestTimeout: 3 * timeoutMs,
        keepAliveTimeout: timeoutMs,
        // How often node looks for requests past their timeouts (default 30 s, longer than the timeouts themselves).
        connectionsCheckingInterval: Math.min(timeoutMs, 1000),
    };
    return handler => {
        const server = tls ? https.createServer({ ...options, ...tls }, handler) : http.createServer(options, handler);
        server.maxConnections = limits.maxConnections;
        closeIdleConnections(server, timeoutMs);
        return server;
    };
}

/**
 * Closes a connection silent for `timeoutMs` unless the service is answering a request on it. Node's
 * header and request timeouts only start with a request's first byte, so a connection that sends
 * nothing would stay open for ever; node's own socket timeout would also cut a long dry run.
 */
function closeIdleConnections(server: http.Server, timeoutMs: number): void {
    const answering = new WeakSet<object>();
    server.on("request", (request: http.IncomingMessage, response: http.ServerResponse) => {
        answering.add(request.socket);
        // Node's requestTimeout is checked on a list that many slow bodies at once can leave unchecked: a deadline of our own.
        const bodyDeadline = setTimeout(() => request.complete || request.socket.destroy(), 3 * timeoutMs);
        response.on("close", () => {
            clearTimeout(bodyDeadline);
            answering.delete(request.socket);
        });
    });
    server.setTimeout(timeoutMs, socket => {
        if (!answering.has(socket)) {
            socket.destroy();
        }
    });
}

/** Whether a JSON text nests arrays and objects deeper than `max`; a scan, without recursion or parsing. */
export function jsonNestsDeeperThan(text: string, max: number): boolean {
    let depth = 0;
    let inString = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inString) {
            if (c === "\\") {
                i++;
            } else if (c === '"') {
                inString = false;
            }
        } else if (c === '"') {
            inString = true;
        } else if (c === "{" || c === "[") {
            if (++depth > max) {
                return true;
            }
        } else if (c === "}" || c === "]") {
            depth--;
        }
    }
    return false;
}

/** Paths of keys that name a prototype, in a value already known to be shallow. */
function prototypeKeyPaths(value: unknown, at: string): string[] {
    if (value === null || typeof value !== "object") {
        return [];
    }
    return Object.entries(value).flatMap(([key, child]) => [
        ...(PROTOTYPE_KEYS.has(key) ? [`${at}.${key}`] : []),
        ...prototypeKeyPaths(child, `${at}.${key}`),
    ]);
}

const invalidBody = (message: string, path = "body"): ProvisionerError => ProvisionerError.invalid([{ path, message }]);

/** A 4xx that the error handler answers with its message. */
const clientError = (statusCode: number, message: string) => Object.assign(new Error(message), { statusCode });

/** Parses a JSON body: UTF-8 only, nesting bounded first, prototype keys refused, every refusal saying why. */
export function parseJsonBody(request: FastifyRequest, text: string): unknown {
    const charset = /;\s*charset=("?)([^";]+)\1/i.exec(request.headers["content-type"] ?? "")?.[2].toLowerCase();
    if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
        throw clientError(415, `JSON bodies are read as UTF-8; charset=${charset.slice(0, 40)} is not supported`);
    }
    if (text.trim() === "") {
        throw invalidBody("the body is empty; send a JSON object");
    }
    if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
        throw invalidBody(`JSON nested deeper than ${MAX_JSON_DEPTH} levels; a tenant spec is a few levels deep`);
    }
    let body: unknown;
    try {
        body = JSON.parse(text);
    } catch (err) {
        throw invalidBody(`not valid JSON (${(err as Error).message.slice(0, 200)})`);
    }
    const problems: ConfigProblem[] = prototypeKeyPaths(body, "body").map(path => ({
        path,
        message: "keys named __proto__, constructor or prototype are refused: they name an object's prototype in JavaScript",
    }));
    if (problems.length > 0) {
        throw ProvisionerError.invalid(problems);
    }
    return body;
}

/** Only JSON bodies are read; any other media type is a 415 that says so (never echoing the body). */
export function acceptJsonOnly(app: FastifyInstance): void {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("application/json", { parseAs: "string", bodyLimit: BODY_LIMIT_BYTES }, (request, text, done) => {
        try {
            done(null, parseJsonBody(request, text as string));
        } catch (err) {
            done(err as Error, undefined);
        }
    });
}

/** The answer to fastify's own errors about the body, saying the limit or the media type expected. */
export function bodyErrorMessage(code: string | undefined, contentType: string | undefined): string | undefined {
    switch (code) {
        case "FST_ERR_CTP_BODY_TOO_LARGE":
            return `the body is larger than ${BODY_LIMIT_BYTES} bytes (${BODY_LIMIT_BYTES / 1024} KiB), the limit for a tenant spec or patch`;
        case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
            return `send the body as application/json (UTF-8); got ${JSON.stringify((contentType ?? "no content type").slice(0, 100))}`;
        default:
            return undefined;
    }
}

/** The request as the log shows it: the path without its query string, which may hold a token a client put there by mistake. */
export function redactedRequest(request: FastifyRequest): Record<string, unknown> {
    const [pathOnly, query] = request.url.split("?", 2);
    return {
        method: request.method,
        url: query === undefined ? pathOnly : `${pathOnly}?[query redacted]`,
        remoteAddress: request.ip,
    };
}

/** The logger option with the redacting request serializer. */
export function redactingLogger(logger: FastifyServerOptions["logger"]): FastifyServerOptions["logger"] {
    if (!logger) {
        return false;
    }
    const base = logger === true ? {} : (logger as Record<string, unknown>);
    return { ...base, serializers: { ...(base.serializers as object | undefined), req: redactedRequest } };
}
