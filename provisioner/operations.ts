import * as crypto from "crypto";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { ConfigProblem } from "../lib/config";
import { ReportedViolation } from "./engine";

export type OperationKind = "onboard" | "update" | "decommission";
/** `interrupted`: the service stopped (a crash, a kill) before the operation ended; recovery says what it had done. */
export type OperationStatus = "queued" | "running" | "succeeded" | "failed" | "interrupted";

export interface OperationError {
    /**
     * The HTTP status the failure maps to: 400, 404, 409 (a conflict, a held lock, a stack that needs
     * attention), 422 (refused by a mandatory policy), 500 (the service), 502 (Pulumi: the program, a
     * provider, the CLI or a failed deployment).
     */
    readonly status: number;
    readonly message: string;
    readonly problems?: readonly ConfigProblem[];
    readonly policyViolations?: readonly ReportedViolation[];
}

/**
 * One engine run (preview, then up when the preview passes) for a batch of changes. Kept once and
 * referenced by every operation of the batch; its output lines and events are capped.
 */
export interface RunRecord {
    readonly id: string;
    readonly engine: string;
    /** The summaries of the changes the run was for. */
    readonly changes: readonly string[];
    readonly startedAt: string;
    /** The last RUN_LOG_LINES_KEPT output lines (the end is where errors and policy verdicts are). */
    readonly log: string[];
    /** The last RUN_EVENTS_KEPT engine events; sent by `GET /v1/operations/:id?events=true` only. */
    readonly events: EngineEvent[];
    /** Lines and events that were dropped to stay within the caps. */
    droppedLines: number;
    droppedEvents: number;
}

/** A run of the whole fleet emits several events and lines per resource; this keeps a run's tail in bounded memory. */
export const RUN_LOG_LINES_KEPT = 2000;
export const RUN_EVENTS_KEPT = 2000;

export function newRun(engine: string, changes: readonly string[]): RunRecord {
    return {
        id: crypto.randomUUID(),
        engine,
        changes,
        startedAt: new Date().toISOString(),
        log: [],
        events: [],
        droppedLines: 0,
        droppedEvents: 0,
    };
}

export function recordLine(run: RunRecord, line: string): void {
    run.droppedLines += keepLast(run.log, line, RUN_LOG_LINES_KEPT);
}

export function recordEvent(run: RunRecord, event: EngineEvent): void {
    run.droppedEvents += keepLast(run.events, event, RUN_EVENTS_KEPT);
}

/** Appends and drops the oldest item past `limit`; returns how many were dropped. */
function keepLast<T>(items: T[], item: T, limit: number): number {
    items.push(item);
    if (items.length <= limit) {
        return 0;
    }
    items.shift();
    return 1;
}

/** One accepted change, from the queue to its verdict, with everything the engine said about it. */
export interface Operation {
    readonly id: string;
    readonly stack: string;
    readonly tenant: string;
    readonly kind: OperationKind;
    /** For decommissioning: which of the two steps this operation is. */
    step?: "mark" | "remove";
    /**
     * The cluster the tenant is pinned to, set when the stack's worker applies the change to the file:
     * for an onboarding that is when placement decides it (the 202 cannot say, as changes queued
     * before it may fill a cluster). On a failed operation, where the change would have put it.
     */
    cluster?: string;
    status: OperationStatus;
    readonly createdAt: string;
    startedAt?: string;
    finishedAt?: string;
    /** What the service did with this change (not the engine's output: that is in `runs`). */
    readonly log: string[];
    /** The runs this change took part in: its batch's, then its own if the batch's preview failed. */
    readonly runs: RunRecord[];
    error?: OperationError;
    /** The tenant's entry of the stack output `tenants` after a successful run. */
    outputs?: unknown;
}

/** Where operations are recorded durably (operationJournal.ts). */
export interface OperationRecorder {
    /** Resolves once the operation as given is on disk. */
    recordOperation(operation: Operation): Promise<void>;
}

/** Finished operations kept for `GET /v1/operations/:id`, across restarts too; the oldest go first. */
export const FINISHED_KEPT = 1000;

/**
 * Operations by id: in memory for the running service, and in the journal (when given) so that they
 * outlive it. A verdict is in the journal before anyone can read it. Also answers "is the same request
 * already in flight?", which makes a repeated request join the first one.
 */
export class OperationStore {
    private readonly operations = new Map<string, Operation>();
    private readonly finished = new Map<string, Promise<Operation>>();
    private readonly resolvers = new Map<string, (operation: Operation) => void>();
    /** Request key to the id of its queued or running operation, and back. */
    private readonly inFlight = new Map<string, string>();
    private readonly requestKeys = new Map<string, string>();

    constructor(private readonly journal?: OperationRecorder) {}

    create(stack: string, tenant: string, kind: OperationKind, requestKey: string): Operation {
        const operation: Operation = {
            id: crypto.randomUUID(),
            stack,
            tenant,
            kind,
            status: "queued",
            createdAt: new Date().toISOString(),
            log: [],
            runs: [],
        };
        this.operations.set(operation.id, operation);
        this.finished.set(operation.id, new Promise(resolve => this.resolvers.set(operation.id, resolve)));
        this.inFlight.set(requestKey, operation.id);
        this.requestKeys.set(operation.id, requestKey);
        this.evictOldFinished();
        return operation;
    }

    /** Puts finished operations of an earlier run of the service back (recovery), oldest first. */
    restore(operations: readonly Operation[]): void {
        for (const operation of operations) {
            this.operations.set(operation.id, operation);
            this.finished.set(operation.id, Promise.resolve(operation));
        }
        this.evictOldFinished();
    }

    /** Resolves once the operation as it is now is in the journal. */
    persist(operation: Operation): Promise<void> {
        return this.journal?.recordOperation(operation) ?? Promise.resolve();
    }

    get(id: string): Operation | undefined {
        return this.operations.get(id);
    }

    /** Every operation held, oldest first. */
    all(): Operation[] {
        return [...this.operations.values()];
    }

    /** The queued or running operation for an identical request, if any. */
    inFlightFor(requestKey: string): Operation | undefined {
        const id = this.inFlight.get(requestKey);
        return id === undefined ? undefined : this.operations.get(id);
    }

    unfinished(): Operation[] {
        return [...this.operations.values()].filter(o => o.finishedAt === undefined);
    }

    /** Resolves when the operation has succeeded or failed. */
    whenFinished(id: string): Promise<Operation> {
        return this.finished.get(id) ?? Promise.reject(new Error(`no operation ${id}`));
    }

    start(operation: Operation): void {
        if (operation.status === "queued") {
            operation.status = "running";
            operation.startedAt = new Date().toISOString();
        }
    }

    succeed(operation: Operation, outputs?: unknown): Promise<void> {
        return this.finish(operation, "succeeded", { outputs });
    }

    fail(operation: Operation, error: OperationError): Promise<void> {
        return this.finish(operation, "failed", { error });
    }

    /** Records the verdict, then shows it: nobody reads a verdict that a crash could take back. */
    private async finish(
        operation: Operation,
        status: "succeeded" | "failed",
        verdict: Pick<Operation, "outputs" | "error">,
    ): Promise<void> {
        const finishedAt = new Date().toISOString();
        try {
            await this.journal?.recordOperation({ ...operation, ...verdict, status, finishedAt });
        } catch (err) {
            operation.log.push(`cannot record the verdict in the journal (${err instanceof Error ? err.message : String(err)})`);
        }
        Object.assign(operation, verdict, { status, finishedAt });
        this.inFlight.delete(this.requestKeys.get(operation.id)!);
        this.requestKeys.delete(operation.id);
        this.resolvers.get(operation.id)?.(operation);
        this.resolvers.delete(operation.id);
    }

    private evictOldFinished(): void {
        const done = [...this.operations.values()].filter(o => o.finishedAt !== undefined);
        for (const old of done.slice(0, Math.max(0, done.length - FINISHED_KEPT))) {
            this.operations.delete(old.id);
            this.finished.delete(old.id);
        }
    }
}
