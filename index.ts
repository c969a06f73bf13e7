import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseFleetConfig } from "./lib/config";
import { decodeEngineConfig, projectKeys } from "./lib/stackFile";
import { fleetProgram } from "./program";

function stackConfig() {
    const stack = pulumi.getStack();
    try {
        return parseFleetConfig(projectKeys(decodeEngineConfig(pulumi.runtime.allConfig())), `stack ${stack}`);
    } catch (err) {
        // A RunError prints its message alone: the user sees every config problem, not a stack trace.
        throw err instanceof ConfigError ? new pulumi.RunError(err.message) : err;
    }
}

export = fleetProgram(stackConfig());
