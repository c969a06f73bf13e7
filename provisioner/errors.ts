import { ConfigError, ConfigProblem } from "../lib/config";

/**
 * A request the service refuses, with the HTTP status it maps to: 400 (invalid, with every problem),
 * 404 (unknown stack or tenant), 409 (conflicts with the stack's state or with a run in progress),
 * 429 (too much of one kind of work queued: retry later).
 * The library throws it and the HTTP layer only translates it.
 */
export class ProvisionerError extends Error {
    constructor(
        readonly status: 400 | 404 | 409 | 429,
        message: string,
        readonly problems: readonly ConfigProblem[] = [],
    ) {
        super(message);
        this.name = "ProvisionerError";
    }

    static invalid(problems: readonly ConfigProblem[]): ProvisionerError {
        return new ProvisionerError(400, "invalid request", problems);
    }

    static notFound(message: string): ProvisionerError {
        return new ProvisionerError(404, message);
    }

    static busy(message: string): ProvisionerError {
        return new ProvisionerError(429, message);
    }

    static conflict(message: string, problems: readonly ConfigProblem[] = []): ProvisionerError {
        return new ProvisionerError(409, message, problems);
    }
}

/**
 * A stack file that the program's schema (or YAML) refuses is an operator's to fix by hand, not the
 * caller's: a ConfigError becomes a 409 with its problems under `message`; any other error is returned as it is.
 */
export function stackFileConflict(err: unknown, message: string): unknown {
    return err instanceof ConfigError ? ProvisionerError.conflict(message, err.problems) : err;
}

/**
 * A message without absolute paths (an fs error names the file it failed on): where the service keeps
 * its files is its operator's business, not its callers'. Each path is cut to its last segment.
 */
export function withoutPaths(message: string): string {
    // The API's own routes (/v1/...) are named in messages on purpose and stay.
    return message.replace(/(?<=^|[\s'"(])(?:[A-Za-z]:)?(?![\\/]v1[\\/])(?:[\\/][^\s'"\\/]+)+[\\/]([^\s'"\\/]+)/g, "$1");
}
