import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./lib/config";
import { parseEngineConfig } from "./lib/stackFile";
import { fleetProgram } from "./program";

function run() {
    try {
        return fleetProgram(parseEngineConfig(pulumi.runtime.allConfig(), pulumi.getStack()));
    } catch (err) {
        // A RunError prints its message alone: the user sees every config problem, not a stack trace.
        throw err instanceof ConfigError ? new pulumi.RunError(err.message) : err;
    }
}

export = run();
