import * as pulumi from "@pulumi/pulumi";

/**
 * How the offline engine receives registrations: the mock monitor's RegisterResource, done directly and
 * recorded as the engine would see it, and the SDK's per-resource debugging aids switched off while a
 * program runs. Both were most of an evaluation's cost (CPU profile of a 1,000-tenant region, bench/):
 * the mock monitor turned every resource's state into a protobuf Struct that the SDK turned straight back,
 * and the recorder read each request's Struct a second time; the SDK captured an unlimited stack trace per
 * resource for source positions and tagged every promise for its leak report, which nobody here reads.
 */

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

/** What a registration request carries that the recorder and the mock read (google-protobuf getters). */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProvider(): string;
    getVersion(): string;
    getProtect(): boolean | undefined;
    getImportid(): string;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(each: (deps: { getUrnsList(): string[] }, key: string) => void): void };
    getIgnorechangesList(): string[];
    getTransformsList(): { getToken(): string }[];
    getObject(): Parameters<typeof pulumi.runtime.deserializeProperties>[0];
}

/** The SDK's MockMonitor (runtime/mocks.js, @pulumi/pulumi 3.270): the fields this file reads and replaces. */
interface MockMonitor {
    readonly mocks: pulumi.runtime.Mocks;
    readonly resources: Map<string, { urn: string; id: string | null; state: unknown }>;
    readonly transformCallbacks: Map<string, unknown>;
    newUrn(parent: string, type: string, name: string): string;
    registerResource(req: RegisterRequest, callback: (err: unknown, response?: unknown) => void): Promise<void>;
    registerResourceOutputs(req: { getUrn(): string; getOutputs(): unknown }, callback: (err: unknown, response?: unknown) => void): void;
}

/** `Result.SUCCESS` of the engine's RegisterResourceResponse (proto/resource_pb.js). */
const REGISTRATION_SUCCEEDED = 0;

/**
 * Replaces the mock monitor's RegisterResource and wraps its RegisterResourceOutputs so that every
 * resource is recorded as the engine would see it: its request, the state the provider returned, and a
 * component's outputs. The registration does what the SDK's MockMonitor does (same URN, same stored
 * state, same mock call) but hands the SDK the state as the plain values it would decode from the Struct.
 */
export function recordRegistrations(into: RecordedResource[], onResource?: (count: number) => void): void {
    const monitor = pulumi.runtime.getMonitor() as unknown as MockMonitor;
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    const positions = new Map<string, number>();
    monitor.registerResource = async (req, callback) => {
        try {
            const inputs = pulumi.runtime.deserializeProperties(req.getObject());
            const custom = req.getCustom();
            // Recorded before the mock sees the inputs: the record is the request, whatever the mock does with them.
            const recordedInputs = toEngineValue(inputs);
            const result = await monitor.mocks.newResource({
                type: req.getType(),
                name: req.getName(),
                inputs,
                provider: req.getProvider(),
                custom,
                id: req.getImportid(),
                transforms: req.getTransformsList().flatMap(cb => monitor.transformCallbacks.get(cb.getToken()) ?? []),
            } as pulumi.runtime.MockResourceArgs);
            const urn = monitor.newUrn(req.getParent(), req.getType(), req.getName());
            const state = await pulumi.runtime.serializeProperties("", result.state);
            monitor.resources.set(urn, { urn, id: result.id ?? null, state });
            positions.set(urn, into.length);
            into.push({
                urn,
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
                inputs: recordedInputs,
                // A component has no state of its own until it registers outputs.
                outputs: custom ? engineValues(plainStruct(state)) : {},
            });
            onResource?.(into.length);
            callback(null, {
                getUrn: () => urn,
                getId: () => result.id || "",
                getObject: () => plainStruct(state),
                getPropertydependenciesMap: () => undefined,
                getResult: () => REGISTRATION_SUCCEEDED,
                getUnknown: () => false,
            });
        } catch (err) {
            callback(err, undefined);
        }
    };
    monitor.registerResourceOutputs = (req, callback) => {
        const position = positions.get(req.getUrn());
        if (position !== undefined) {
            into[position] = { ...into[position], outputs: engineValues(req.getOutputs()) };
        }
        return registerOutputs(req, callback);
    };
}

/** What `deserializeProperties` reads of a Struct: its plain values. Serialized state is plain JSON values already. */
const plainStruct = (values: Record<string, unknown>) =>
    ({ toJavaScript: () => values }) as unknown as Parameters<typeof pulumi.runtime.deserializeProperties>[0];

interface SdkDebugging {
    debuggablePromise: <T>(promise: Promise<T>, context: unknown) => Promise<T>;
}

/**
 * Runs `work` with the SDK's per-resource debugging aids off: no stack trace captured for a resource's source
 * position (`Resource.callsites`, which lifts the stack trace limit to infinity), no frames formatted for
 * errors the SDK creates in advance, and no bookkeeping of every promise for the leak report printed at exit.
 * Restored afterwards, whatever happens.
 */
export async function withoutSdkDebugging<T>(work: () => Promise<T>): Promise<T> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as SdkDebugging;
    const resource = pulumi.Resource as unknown as { callsites: () => unknown[] };
    const saved = {
        debuggablePromise: debuggable.debuggablePromise,
        callsites: resource.callsites,
        prepareStackTrace: Error.prepareStackTrace,
        stackTraceLimit: Error.stackTraceLimit,
    };
    debuggable.debuggablePromise = promise => promise;
    resource.callsites = () => [];
    Error.prepareStackTrace = (error: Error) => `${error.name}: ${error.message}`;
    Error.stackTraceLimit = 0;
    try {
        return await work();
    } finally {
        debuggable.debuggablePromise = saved.debuggablePromise;
        resource.callsites = saved.callsites;
        Error.prepareStackTrace = saved.prepareStackTrace;
        Error.stackTraceLimit = saved.stackTraceLimit;
    }
}

function propertyDependencies(map: ReturnType<RegisterRequest["getPropertydependenciesMap"]>): Record<string, string[]> {
    const result: Record<string, string[]> = {};
    map.forEach((deps, key) => {
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
