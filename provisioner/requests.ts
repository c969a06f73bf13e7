import { z } from "zod";
import { ConfigProblem } from "../lib/config";
import { tenantSchema } from "../lib/configSchema";
import { ProvisionerError } from "./errors";

/**
 * What the HTTP layer checks itself: path parameters, query strings and that a body is a JSON
 * object. What a body says is checked by the library with the program's own schema (tenantSchema
 * inside the whole stack config), so that the library's callers get the same validation.
 */

const stackName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, "stack names are letters, digits, '.', '_' and '-'");

export const stackParams = z.strictObject({ stack: stackName });
export const tenantParams = z.strictObject({ stack: stackName, name: tenantSchema.shape.name });
export const operationParams = z.strictObject({ id: z.uuid("operation ids are UUIDs, as returned by a 202") });
export const noQuery = z.strictObject({});
/** A query flag: `true` or `false`, absent is false. */
const flag = z
    .enum(["true", "false"], "expected true or false")
    .transform(value => value === "true")
    .default(false);
export const changeQuery = z.strictObject({ dryRun: flag });
export const decommissionQuery = changeQuery.extend({
    step: z.enum(["mark", "remove"], "expected mark (step 1, the default) or remove (step 2, once step 1 has run)").default("mark"),
});
export const operationQuery = z.strictObject({ events: flag });
export const objectBody = z.record(z.string(), z.unknown(), "expected a JSON object");

interface RequestParts {
    readonly params?: unknown;
    readonly query?: unknown;
    readonly body?: unknown;
}

type Schemas = { readonly [P in keyof RequestParts]: z.ZodType };
type Parsed<S extends Schemas> = { readonly [P in keyof S]: S[P] extends z.ZodType ? z.output<S[P]> : never };

/** Parses every part of a request at once and throws one 400 listing every problem of every part. */
export function parseRequest<S extends Schemas>(request: RequestParts, schemas: S): Parsed<S> {
    const { parsed, problems } = checkParts(request, schemas);
    if (problems.length > 0) {
        throw ProvisionerError.invalid(problems);
    }
    return parsed;
}

/**
 * parseRequest for a request whose body the library checks against its stack. When the path or query
 * has problems the library is never asked to act, so `bodyProblems` is asked for the body's, and the
 * 400 lists them all: a caller fixes everything in one round.
 */
export async function parseChangeRequest<S extends Schemas>(
    request: RequestParts,
    schemas: S,
    bodyProblems: (params: Readonly<Record<string, string>>, body: Record<string, unknown>) => Promise<readonly ConfigProblem[]>,
): Promise<Parsed<S>> {
    const { parsed, problems } = checkParts(request, schemas);
    if (problems.length === 0) {
        return parsed;
    }
    const body = objectBody.safeParse(request.body);
    throw ProvisionerError.invalid(
        body.success ? [...problems, ...(await bodyProblems(request.params as Record<string, string>, body.data))] : problems,
    );
}

function checkParts<S extends Schemas>(request: RequestParts, schemas: S): { parsed: Parsed<S>; problems: ConfigProblem[] } {
    const problems: ConfigProblem[] = [];
    const parsed: Record<string, unknown> = {};
    for (const [part, schema] of Object.entries(schemas) as [keyof RequestParts, z.ZodType][]) {
        const result = schema.safeParse(request[part], { reportInput: true });
        if (result.success) {
            parsed[part] = result.data;
        } else {
            problems.push(...result.error.issues.map(issue => toProblem(part, issue)));
        }
    }
    return { parsed: parsed as Parsed<S>, problems };
}

function toProblem(part: keyof RequestParts, issue: z.core.$ZodIssue): ConfigProblem {
    const path = [part, ...issue.path.map(String)].join(".");
    if (issue.code === "unrecognized_keys") {
        return {
            path,
            message: `unknown ${part === "query" ? "query parameter" : "key"}${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map(k => `'${k}'`).join(", ")}`,
        };
    }
    if (issue.code === "invalid_type" && issue.input === undefined) {
        return { path, message: part === "body" ? "a JSON object body is required" : "required" };
    }
    return { path, message: typeof issue.input === "string" ? `${issue.message}, got ${quoted(issue.input)}` : issue.message };
}

/** Echoes enough of a refused string to recognise it, never a whole large one back. */
const ECHOED_CHARACTERS = 80;

function quoted(input: string): string {
    return input.length <= ECHOED_CHARACTERS
        ? JSON.stringify(input)
        : `${JSON.stringify(input.slice(0, ECHOED_CHARACTERS))}... (${input.length} characters)`;
}
