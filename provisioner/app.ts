import rateLimit from "@fastify/rate-limit";
import Fastify, { FastifyInstance, FastifyReply, FastifyServerOptions } from "fastify";
import { bearerTokenChecker } from "./auth";
import { ProvisionerError } from "./errors";
import {
    acceptJsonOnly,
    BODY_LIMIT_BYTES,
    bodyErrorMessage,
    DEFAULT_HTTP_LIMITS,
    HttpLimits,
    redactingLogger,
    serverFactory,
} from "./httpGuards";
import { FINISHED_KEPT, Operation } from "./operations";
import { ChangeOutcome, Provisioner } from "./provisioner";
import {
    changeQuery,
    decommissionQuery,
    noQuery,
    objectBody,
    operationParams,
    operationQuery,
    parseChangeRequest,
    parseRequest,
    stackParams,
    tenantParams,
} from "./requests";

export interface ServerOptions {
    readonly provisioner: Provisioner;
    /** The bearer token every route but `/healthz` requires. */
    readonly token: string;
    /** Request log (pino options or true); the query string is never logged. Default: none. */
    readonly logger?: FastifyServerOptions["logger"];
    /** Timeouts, connections and the per-client rate. Default: DEFAULT_HTTP_LIMITS. */
    readonly limits?: HttpLimits;
    /** Serve HTTPS with this certificate and key (PEM). Default: plain HTTP. */
    readonly tls?: { readonly cert: string; readonly key: string };
}

/**
 * The provisioning service's HTTP API over a Provisioner. Built without listening, so tests drive it
 * with `app.inject()`. Every route but the health check needs the bearer token, checked before the
 * body is even parsed; every 400 lists all the problems found, of the path, the query and the body together.
 */
export function buildServer(options: ServerOptions): FastifyInstance {
    const { provisioner } = options;
    const limits = options.limits ?? DEFAULT_HTTP_LIMITS;
    const app = Fastify({
        logger: redactingLogger(options.logger),
        bodyLimit: BODY_LIMIT_BYTES,
        serverFactory: serverFactory(limits, options.tls),
    });
    const authorized = bearerTokenChecker(options.token);
    acceptJsonOnly(app);
    // Per client address; the health check is exempt, so that a busy client cannot make the service look dead.
    void app.register(rateLimit, {
        max: limits.requestsPerMinute,
        timeWindow: 60_000,
        allowList: request => request.url === "/healthz",
    });

    app.addHook("onRequest", async (request, reply) => {
        if (request.routeOptions.url === "/healthz" || authorized(request.headers.authorization)) {
            return;
        }
        reply.code(401).header("www-authenticate", "Bearer").send({ error: "unauthorized: send Authorization: Bearer <token>" });
        return reply;
    });

    app.setErrorHandler((error, request, reply) => {
        if (error instanceof ProvisionerError) {
            return reply
                .code(error.status)
                .send(
                    error.status === 400
                        ? { error: "invalid request", problems: error.problems }
                        : { error: error.message, ...(error.problems.length > 0 ? { problems: error.problems } : {}) },
                );
        }
        const fastifyError = error as { statusCode?: number; code?: string; message: string };
        const bodyError = bodyErrorMessage(fastifyError.code, request.headers["content-type"]);
        if (bodyError !== undefined) {
            return reply.code(fastifyError.statusCode ?? 400).send({ error: bodyError });
        }
        if (fastifyError.statusCode === 400 && fastifyError.code?.startsWith("FST_ERR_CTP_")) {
            return reply.code(400).send({ error: "invalid request", problems: [{ path: "body", message: fastifyError.message }] });
        }
        if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
            return reply.code(fastifyError.statusCode).send({ error: fastifyError.message });
        }
        request.log.error(error);
        return reply.code(500).send({ error: "internal error; see the service log" });
    });
    app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url.split("?")[0]}` }));

    app.get("/healthz", async () => ({ ok: true, engine: provisioner.engineName }));
    // Registered after the rate limit, so that its hooks apply to every route below.
    void app.register(async api => routes(api, provisioner));
    return app;
}

function routes(app: FastifyInstance, provisioner: Provisioner): void {
    app.get("/v1/stacks", async request => {
        parseRequest(request, { query: noQuery });
        return { stacks: provisioner.stacks() };
    });

    app.get("/v1/stacks/:stack/tenants", async request => {
        const { params } = parseRequest(request, { params: stackParams, query: noQuery });
        return { stack: params.stack, tenants: await provisioner.listTenants(params.stack) };
    });

    app.post("/v1/stacks/:stack/tenants", async (request, reply) => {
        const { params, query, body } = await parseChangeRequest(
            request,
            { params: stackParams, query: changeQuery, body: objectBody },
            (raw, tenant) => provisioner.bodyProblems(raw.stack, { kind: "onboard", tenant }),
        );
        return send(reply, await provisioner.onboard(params.stack, body, query));
    });

    app.get("/v1/stacks/:stack/tenants/:name", async request => {
        const { params } = parseRequest(request, { params: tenantParams, query: noQuery });
        return { stack: params.stack, tenant: await provisioner.getTenant(params.stack, params.name) };
    });

    app.patch("/v1/stacks/:stack/tenants/:name", async (request, reply) => {
        const { params, query, body } = await parseChangeRequest(
            request,
            { params: tenantParams, query: changeQuery, body: objectBody },
            (raw, patch) => provisioner.bodyProblems(raw.stack, { kind: "update", name: raw.name, patch }),
        );
        return send(reply, await provisioner.update(params.stack, params.name, body, query));
    });

    app.delete("/v1/stacks/:stack/tenants/:name", async (request, reply) => {
        const { params, query } = parseRequest(request, { params: tenantParams, query: decommissionQuery });
        return send(reply, await provisioner.decommission(params.stack, params.name, query));
    });

    app.delete("/v1/stacks/:stack/attention", async request => {
        const { params } = parseRequest(request, { params: stackParams, query: noQuery });
        return { stack: params.stack, cleared: await provisioner.clearAttention(params.stack) };
    });

    app.get("/v1/operations/:id", async request => {
        const { params, query } = parseRequest(request, { params: operationParams, query: operationQuery });
        const operation = provisioner.operation(params.id);
        if (!operation) {
            throw ProvisionerError.notFound(`no operation ${params.id} (the service keeps the last ${FINISHED_KEPT} finished operations)`);
        }
        return operationView(operation, query.events);
    });
}

function send(reply: FastifyReply, outcome: ChangeOutcome): FastifyReply {
    switch (outcome.kind) {
        case "accepted":
            return reply
                .code(202)
                .header("location", `/v1/operations/${outcome.operation.id}`)
                .send({ operation: operationSummary(outcome.operation), tenant: outcome.tenant });
        case "unchanged":
            return reply.code(200).send({ unchanged: true, tenant: outcome.tenant });
        case "dryRun": {
            const { kind: _kind, ...verdict } = outcome;
            return reply.code(200).send({ dryRun: true, ...verdict });
        }
    }
}

/** Engine events are many and seldom wanted: only with `?events=true`. */
function operationView(operation: Operation, withEvents: boolean) {
    return { ...operation, runs: operation.runs.map(({ events, ...run }) => (withEvents ? { ...run, events } : run)) };
}

function operationSummary(operation: Operation) {
    const { id, stack, tenant, kind, step, status, createdAt } = operation;
    return { id, stack, tenant, kind, step, status, createdAt, href: `/v1/operations/${id}` };
}
