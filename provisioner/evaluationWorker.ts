import { parentPort } from "worker_threads";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { evaluatePolicies } from "../offline/policies";
import type { EvaluationReply, EvaluationRequest } from "./evaluationThreads";
import { OfflineEngine } from "./offlineEngine";

/**
 * The body of an evaluation thread (evaluationThreads.ts): runs the offline preview (or the offline plan of a
 * change, when it is sent the config before it too) of the configs it is sent, one at a time, with the policy pack's policies, and sends back its progress and verdict.
 */

// previewConfig neither reads nor writes a stack file: the project directory is never used here.
const engine = new OfflineEngine({ projectDir: "", policies: evaluatePolicies });
const port = parentPort!;
const reply = (message: EvaluationReply) => port.postMessage(message);

port.on("message", async ({ id, stack, stackConfig, beforeConfig, previousOutputs }: EvaluationRequest) => {
    try {
        const options = {
            onOutput: (line: string) => reply({ id, line }),
            onEvent: (event: EngineEvent) => reply({ id, event }),
            previousOutputs,
        };
        const result =
            beforeConfig === undefined
                ? await engine.previewConfig(stack, stackConfig, options)
                : await engine.planTargets(stack, beforeConfig, stackConfig, options);
        reply({ id, result });
    } catch (err) {
        reply({ id, error: err instanceof Error ? err.message : String(err) });
    }
});
