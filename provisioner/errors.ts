import { ConfigProblem } from "../lib/config";

/**
 * A request the service refuses, with the HTTP status it maps to: 400 (invalid, with every problem),
 * 404 (unknown stack or tenant), 409 (conflicts with the stack's state or with a run in progress).
 * The library throws it and the HTTP layer only translates it.
 */
export class ProvisionerError extends Error {
    constructor(readonly status: 400 | 404 | 409, message: string, readonly problems: readonly ConfigProblem[] = []) {
        super(message);
        this.name = "ProvisionerError";
    }

    static invalid(problems: readonly ConfigProblem[]): ProvisionerError {
        return new ProvisionerError(400, "invalid request", problems);
    }

    static notFound(message: string): ProvisionerError {
        return new ProvisionerError(404, message);
    }

    static conflict(message: string, problems: readonly ConfigProblem[] = []): ProvisionerError {
        return new ProvisionerError(409, message, problems);
    }
}
