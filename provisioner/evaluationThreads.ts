import * as path from "path";
import { Worker } from "worker_threads";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { RunOptions, RunResult, TargetedPlan } from "./engine";

/**
 * Offline evaluations off the service's event loop: a run of the whole program under mocks takes
 * seconds of CPU for a large stack, during which the event loop would answer nothing, health checks
 * included. Each thread loads the program once and evaluates one config at a time; requests beyond
 * the threads wait in arrival order. A thread that dies (out of memory) fails its evaluation and is replaced.
 */

export interface EvaluationRequest {
    readonly id: number;
    readonly stack: string;
    readonly stackConfig: Record<string, unknown>;
    /** Set for the offline plan of a change (OfflineEngine.planTargets): the config before it; `stackConfig` is after. */
    readonly beforeConfig?: Record<string, unknown>;
    /** The stack's outputs from its last update (`RunOptions.previousOutputs`). */
    readonly previousOutputs?: Record<string, unknown>;
}

export type EvaluationReply =
    | { readonly id: number; readonly line: string }
    | { readonly id: number; readonly event: EngineEvent }
    | { readonly id: number; readonly result: TargetedPlan }
    | { readonly id: number; readonly error: string };

interface Job {
    readonly request: EvaluationRequest;
    readonly options: RunOptions;
    readonly resolve: (result: TargetedPlan) => void;
    readonly reject: (err: Error) => void;
}

const WORKER_FILE = path.join(__dirname, `evaluationWorker${path.extname(__filename)}`);

/** Under ts-node (tests, `npm run provisioner`) the thread registers it before loading the TypeScript body. */
function startWorker(): Worker {
    return WORKER_FILE.endsWith(".ts")
        ? new Worker(`require("ts-node/register/transpile-only"); require(${JSON.stringify(WORKER_FILE)});`, { eval: true })
        : new Worker(WORKER_FILE);
}

export class EvaluationThreads {
    private readonly idle: Worker[] = [];
    private readonly queue: Job[] = [];
    private started = 0;
    private nextId = 0;

    /** @param size How many evaluations run at once, each on its own thread (with its own copy of the program in memory). */
    constructor(private readonly size: number) {}

    /** The offline preview of a config (OfflineEngine.previewConfig), run on a thread. */
    preview(stack: string, stackConfig: Record<string, unknown>, options: RunOptions = {}): Promise<RunResult> {
        return new Promise((resolve, reject) => {
            this.queue.push({ request: { id: this.nextId++, stack, stackConfig }, options, resolve, reject });
            this.dispatch();
        });
    }

    /** The offline plan of a change (OfflineEngine.planTargets), run on a thread. */
    planTargets(
        stack: string,
        beforeConfig: Record<string, unknown>,
        afterConfig: Record<string, unknown>,
        options: RunOptions = {},
    ): Promise<TargetedPlan> {
        return new Promise((resolve, reject) => {
            this.queue.push({
                request: { id: this.nextId++, stack, stackConfig: afterConfig, beforeConfig, previousOutputs: options.previousOutputs },
                options,
                resolve,
                reject,
            });
            this.dispatch();
        });
    }

    /** Stops every idle thread (busy ones finish their evaluation first). */
    async close(): Promise<void> {
        await Promise.all(this.idle.splice(0).map(worker => worker.terminate()));
    }

    private dispatch(): void {
        while (this.queue.length > 0) {
            const worker = this.idle.pop() ?? (this.started < this.size ? this.start() : undefined);
            if (!worker) {
                return;
            }
            this.run(worker, this.queue.shift()!);
        }
    }

    private start(): Worker {
        this.started++;
        return startWorker();
    }

    private run(worker: Worker, job: Job): void {
        worker.ref();
        const done = () => {
            worker.off("message", onMessage);
            worker.off("error", onError);
            worker.off("exit", onExit);
        };
        const onMessage = (reply: EvaluationReply) => {
            if (reply.id !== job.request.id) {
                return;
            }
            if ("line" in reply) {
                job.options.onOutput?.(reply.line);
            } else if ("event" in reply) {
                job.options.onEvent?.(reply.event);
            } else {
                done();
                // An idle thread does not keep the process alive.
                worker.unref();
                this.idle.push(worker);
                if ("result" in reply) {
                    job.resolve(reply.result);
                } else {
                    job.reject(new Error(reply.error));
                }
                this.dispatch();
            }
        };
        const onError = (err: Error) => {
            done();
            void worker.terminate();
            this.started--;
            job.reject(new Error(`the evaluation thread failed: ${err.message}`));
            this.dispatch();
        };
        const onExit = (code: number) => onError(new Error(`it exited with code ${code}`));
        worker.on("message", onMessage);
        worker.on("error", onError);
        worker.on("exit", onExit);
        worker.postMessage(job.request);
    }
}
