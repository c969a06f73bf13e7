import * as pulumi from "@pulumi/pulumi";
import { FleetConfig, parseFleetConfig } from "../lib/config";
import { engineConfig, projectKeys } from "../lib/stackFile";
import { offlineMocksWith } from "./mockCloud";
import { RecordedResource, recordRegistrations, withoutSdkDebugging } from "./recordingMonitor";

export const PROJECT = "iot-fleet";
export const OFFLINE_ORGANIZATION = "offline";

export type { RecordedResource };

export interface Evaluation {
    readonly stack: string;
    readonly config: FleetConfig;
    readonly resources: readonly RecordedResource[];
    readonly outputs: Record<string, any>;
    /** Whether it ran as a preview: outputs the cloud computes are unknown. */
    readonly preview: boolean;
    readonly durationMs: number;
}

export interface EvaluateOptions {
    /** The stack name (for URNs and `pulumi.getStack()`). */
    readonly stack: string;
    /** The full `config:` map of a stack file (`iot-fleet:tenants`, `azure-native:location`, ...). */
    readonly stackConfig: Record<string, unknown>;
    /** The program to run. Default: the fleet program. */
    readonly program?: (config: FleetConfig) => unknown;
    /** Called as resources register, with the count so far (for progress display). */
    readonly onResource?: (count: number) => void;
    /**
     * Run as `pulumi preview` does: inputs that depend on outputs the mock cloud does not return arrive
     * unknown. Default: false, as `pulumi up` sees them (every output known).
     */
    readonly preview?: boolean;
    /**
     * The stack's outputs from its last update, as its StackReference to itself reads them (the program places tenants
     * where they were). Default: none, a stack's first run.
     */
    readonly previousOutputs?: Record<string, unknown>;
    /** Whether a config over an Azure limit is refused (`LimitCheckOptions.azureLimits`); the benchmark turns it off. Default: true. */
    readonly azureLimits?: boolean;
}

let running: Promise<unknown> = Promise.resolve();

/**
 * Runs a program for one stack under the offline engine and records every registered resource with
 * its parent, provider and options. The config is validated first: a bad stack file throws a
 * ConfigError before anything registers. Runs one at a time: the Pulumi runtime is process-global.
 */
export function evaluateStack(options: EvaluateOptions): Promise<Evaluation> {
    const run = running.then(() => evaluateNow(options));
    running = run.catch(() => undefined);
    return run;
}

async function evaluateNow(options: EvaluateOptions): Promise<Evaluation> {
    const started = Date.now();
    const config = parseFleetConfig(projectKeys(options.stackConfig), `stack ${options.stack}`, { azureLimits: options.azureLimits });
    const program = options.program ?? (await import("../program")).fleetProgram;

    pulumi.runtime.setAllConfig(engineConfig(options.stackConfig));
    const preview = options.preview ?? false;
    const self = `${OFFLINE_ORGANIZATION}/${PROJECT}/${options.stack}`;
    const mocks = offlineMocksWith(new Map([[self, options.previousOutputs ?? {}]]));
    await pulumi.runtime.setMocks(mocks, PROJECT, options.stack, preview, OFFLINE_ORGANIZATION);
    const resources: RecordedResource[] = [];
    recordRegistrations(resources, options.onResource);

    const outputs = await withoutSdkDebugging(async () => {
        const stackOutputs = await pulumi.runtime.runInPulumiStack(async () => {
            pulumi.runtime.registerStackTransformation(withoutAliases);
            return program(config);
        });
        await pulumi.runtime.disconnect();
        return stackOutputs ?? {};
    });
    return { stack: options.stack, config, resources, outputs, preview, durationMs: Date.now() - started };
}

/**
 * Aliases only matter against existing state, and the offline engine has none. azure-native gives every
 * resource one alias per past API version (21 on a Key Vault), and resolving them was most of the cost
 * of an evaluation, so the offline engine registers resources without them.
 */
function withoutAliases(args: pulumi.ResourceTransformationArgs): pulumi.ResourceTransformationResult | undefined {
    return args.opts.aliases?.length ? { props: args.props, opts: { ...args.opts, aliases: [] } } : undefined;
}
