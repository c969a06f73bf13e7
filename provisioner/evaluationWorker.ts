import { parentPort } from "worker_threads";
import { evaluatePolicies } from "../offline/policies";
import type { EvaluationReply, EvaluationRequest } from "./evaluationThreads";
import { OfflineEngine } from "./offlineEngine";

/**
 * The body of an evaluation thread (evaluationThreads.ts): runs the offline preview of the configs it
 * is sent, one at a time, with the policy pack's policies, and sends back its progress and verdict.
 */

// previewConfig neither reads nor writes a stack file: the project directory is never used here.
const engine = new OfflineEngine({ projectDir: "", policies: evaluatePolicies });
const port = parentPort!;
const reply = (message: EvaluationReply) => port.postMessage(message);

port.on("message", async ({ id, stack, stackConfig }: EvaluationRequest) => {
    try {
        const result = await engine.previewConfig(stack, stackConfig, {
            onOutput: line => reply({ id, line }),
            onEvent: event => reply({ id, event }),
        });
        reply({ id, result });
    } catch (err) {
        reply({ id, error: err instanceof Error ? err.message : String(err) });
    }
});
