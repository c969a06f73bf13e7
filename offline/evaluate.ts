import * as pulumi from "@pulumi/pulumi";
import { FleetConfig, parseFleetConfig } from "../lib/config";
import { engineConfig, projectKeys } from "../lib/stackFile";
import { offlineMocksWith } from "./mockCloud";

export const PROJECT = "iot-fleet";
export const OFFLINE_ORGANIZATION = "offline";

/** A resource as the engine received it: what the CLI's policy analyzer sees too. */
export interface RecordedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    /** The parent's URN; empty for the root stack. */
    readonly parent: string;
    /** `urn::id` of the explicit provider, or empty for the default provider. */
    readonly provider: string;
    /** Version of the provider package that registered it (the engine names its default provider after it); may be empty. */
    readonly packageVersion: string;
    readonly protect: boolean;
    readonly dependencies: readonly string[];
    /** For each input property, the URNs of the resources its value came from. */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    readonly ignoreChanges: readonly string[];
    /**
     * Inputs as the provider sees them, secrets unwrapped; in a preview, a value that depends on an
     * output the cloud has not yet returned is the engine's unknown sentinel, as the analyzer receives it.
     */
    readonly inputs: Record<string, any>;
    /**
     * What the engine hands stack policies: a custom resource's state (its inputs merged with what the
     * provider returned); a component's outputs, exactly what it passed to registerOutputs (none before).
     */
    readonly outputs: Record<string, any>;
}

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

    const formatStack = Error.prepareStackTrace;
    // The SDK formats a full stack trace for every resource and promise to record source positions the
    // offline engine never shows; formatting without frames (and without ts-node's source-map lookups)
    // removes most of the per-resource cost.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.prepareStackTrace = (error: Error) => `${error.name}: ${error.message}`;
    Error.stackTraceLimit = 0;
    try {
        const outputs =
            (await pulumi.runtime.runInPulumiStack(async () => {
                pulumi.runtime.registerStackTransformation(withoutAliases);
                return program(config);
            })) ?? {};
        await pulumi.runtime.disconnect();
        return { stack: options.stack, config, resources, outputs, preview, durationMs: Date.now() - started };
    } finally {
        Error.prepareStackTrace = formatStack;
        Error.stackTraceLimit = stackTraceLimit;
    }
}

/**
 * Aliases only matter against existing state, and the offline engine has none. azure-native gives every
 * resource one alias per past API version (21 on a Key Vault), and resolving them was most of the cost
 * of an evaluation, so the offline engine registers resources without them.
 */
function withoutAliases(args: pulumi.ResourceTransformationArgs): pulumi.ResourceTransformationResult | undefined {
    return args.opts.aliases?.length ? { props: args.props, opts: { ...args.opts, aliases: [] } } : undefined;
}

/**
 * Wraps the mock monitor's RegisterResource and RegisterResourceOutputs so that every resource is recorded
 * as the engine would see it: its request, the state the provider returned, and a component's outputs.
 */
function recordRegistrations(into: RecordedResource[], onResource?: (count: number) => void): void {
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    const positions = new Map<string, number>();
    monitor.registerResource = (req: any, callback: (err: unknown, response?: any) => void) =>
        register(req, (err: unknown, response?: any) => {
            if (!err) {
                const custom: boolean = req.getCustom();
                positions.set(response.getUrn(), into.length);
                into.push({
                    urn: response.getUrn(),
                    type: req.getType(),
                    name: req.getName(),
                    custom,
                    parent: req.getParent(),
                    provider: req.getProvider(),
                    packageVersion: req.getVersion(),
                    protect: req.getProtect() ?? false,
                    dependencies: req.getDependenciesList(),
                    propertyDependencies: propertyDependencies(req.getPropertydependenciesMap()),
                    ignoreChanges: req.getIgnorechangesList(),
                    inputs: engineValues(req.getObject()),
                    // A component has no state of its own until it registers outputs.
                    outputs: custom ? engineValues(response.getObject()) : {},
                });
                onResource?.(into.length);
            }
            callback(err, response);
        });
    monitor.registerResourceOutputs = (req: any, callback: (err: unknown, response?: any) => void) => {
        const position = positions.get(req.getUrn());
        if (position !== undefined) {
            into[position] = { ...into[position], outputs: engineValues(req.getOutputs()) };
        }
        return registerOutputs(req, callback);
    };
}

function propertyDependencies(map: any): Record<string, string[]> {
    const result: Record<string, string[]> = {};
    map.forEach((deps: any, key: string) => {
        result[key] = deps.getUrnsList();
    });
    return result;
}

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A property struct as the engine passes it to the analyzer: secrets unwrapped, unknowns as the wire sentinel. */
const engineValues = (struct: any): Record<string, any> => toEngineValue(pulumi.runtime.deserializeProperties(struct));

function toEngineValue(value: any): any {
    if (pulumi.isUnknown(value)) {
        return pulumi.runtime.unknownValue;
    }
    if (Array.isArray(value)) {
        return value.map(toEngineValue);
    }
    if (value !== null && typeof value === "object") {
        if (value[pulumi.runtime.specialSigKey] === SECRET_SIG) {
            return toEngineValue(value.value);
        }
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toEngineValue(v)]));
    }
    return value;
}
