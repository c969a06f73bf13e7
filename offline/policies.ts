import Ajv from "ajv";
import {
    EnforcementLevel, Policies, PolicyPackConfig, PolicyProviderResource, PolicyResource, ResourceValidationArgs,
    unknownCheckingProxy, UnknownValueError,
} from "@pulumi/policy";
import { FleetConfig } from "../lib/config";
import { ConfigError, ConfigProblem } from "../lib/errors";
import { fleetPolicies, PACK_ENFORCEMENT_LEVEL, PACK_NAME } from "../policy/policies";
import { isUnknownValueError } from "../policy/resources";
import { DEDICATED_THRESHOLD_POLICY } from "../policy/tenancy";
import { version as PACK_VERSION } from "../policy/package.json";
import { Evaluation, RecordedResource } from "./evaluate";

/** A policy violation as the CLI reports it. */
export interface PolicyViolation {
    readonly policyName: string;
    readonly enforcementLevel: EnforcementLevel;
    /** The resource it concerns; empty for a stack-wide finding without one. */
    readonly urn: string;
    /** What is wrong with this resource. */
    readonly message: string;
    /** The policy's description: why it matters and how to fix it. */
    readonly description: string;
}

export interface PolicyReport {
    readonly violations: readonly PolicyViolation[];
    readonly mandatory: number;
    readonly advisory: number;
    /** Each policy with the level it ran at. */
    readonly policies: readonly { readonly name: string; readonly enforcementLevel: EnforcementLevel; readonly description: string }[];
}

export interface PolicyRunOptions {
    /** Default: the pack's policies. */
    readonly policies?: Policies;
    /**
     * As given to `--policy-pack-config`: per-policy (or `all`) enforcement level and settings. Default: none.
     * Where the stack's config is known, it goes over the stack's own settings (`stackPolicyConfig`).
     */
    readonly config?: PolicyPackConfig;
    /** The pack's enforcement level, for policies that set none. Default: the pack's, as policy/index.ts sets it. */
    readonly packLevel?: EnforcementLevel;
}

type Policy = Policies[number];

/** A policy as the engine configures it: the level it runs at and the settings `getConfig` returns. */
export interface ConfiguredPolicy {
    readonly policy: Policy;
    readonly enforcementLevel: EnforcementLevel;
    readonly settings: Record<string, unknown>;
}

const ENFORCEMENT_LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];
const ALL_POLICIES = "all";
const schemaValidator = new Ajv({ allErrors: true, strict: false });

/**
 * Each policy's level and settings as the engine reconciles them: the policy's own level (else the pack's),
 * then the config's `all` level, then the policy's own entry; settings are the schema defaults overlaid with
 * the entry's, validated against the policy's configSchema. A config the engine would refuse throws one
 * ConfigError listing every problem with its path (`<policy>.<setting>`).
 */
export function configurePolicies(policies: Policies, config: PolicyPackConfig = {}, packLevel: EnforcementLevel = PACK_ENFORCEMENT_LEVEL): ConfiguredPolicy[] {
    const problems: ConfigProblem[] = [];
    const levelIn = (key: string): EnforcementLevel | undefined => {
        const entry = config[key];
        const level = typeof entry === "string" ? entry : entry?.enforcementLevel;
        if (level !== undefined && !ENFORCEMENT_LEVELS.includes(level)) {
            problems.push({ path: key, message: `"${level}" is not an enforcement level; use one of ${ENFORCEMENT_LEVELS.join(", ")}` });
            return undefined;
        }
        return level;
    };
    const all = levelIn(ALL_POLICIES);
    const configured = policies.map(policy => {
        const settings = policySettings(policy, config[policy.name]);
        problems.push(...settingsProblems(policy, settings));
        return { policy, enforcementLevel: levelIn(policy.name) ?? all ?? policy.enforcementLevel ?? packLevel, settings };
    });
    if (problems.length > 0) {
        throw new ConfigError(problems, "the policy pack config");
    }
    return configured;
}

/**
 * The pack settings a stack's own config implies, what CLI users pass with `--policy-pack-config` (README,
 * Policy pack): dedicated-threshold judges by the stack's `iot-fleet:dedicatedDeviceThreshold`, the threshold
 * placement used, not by the pack's default.
 */
export const stackPolicyConfig = (config: Pick<FleetConfig, "dedicatedDeviceThreshold">): PolicyPackConfig => ({
    [DEDICATED_THRESHOLD_POLICY]: { dedicatedDeviceThreshold: config.dedicatedDeviceThreshold },
});

/** A config over defaults, policy by policy: what `given` sets for a policy wins, the rest of its defaults stay. */
function overlayPolicyConfig(defaults: PolicyPackConfig, given: PolicyPackConfig): PolicyPackConfig {
    const asEntry = (entry: PolicyPackConfig[string]) => (typeof entry === "string" ? { enforcementLevel: entry } : entry);
    return Object.fromEntries([...new Set([...Object.keys(defaults), ...Object.keys(given)])].map(name =>
        [name, name in defaults && name in given ? { ...asEntry(defaults[name]), ...asEntry(given[name]) } : given[name] ?? defaults[name]]));
}

/**
 * `configurePolicies` of the options' policies (default: the pack's) and config, the config over the stack's
 * own settings when the stack's config is given. Throws the same ConfigError, before anything runs.
 */
export function configureStackPolicies(stack: Pick<FleetConfig, "dedicatedDeviceThreshold"> | undefined,
    options: PolicyRunOptions = {}): ConfiguredPolicy[] {
    const config = stack === undefined ? options.config : overlayPolicyConfig(stackPolicyConfig(stack), options.config ?? {});
    return configurePolicies(options.policies ?? fleetPolicies, config, options.packLevel);
}

/** The policy's settings with the schema defaults the engine fills in, without `enforcementLevel`. */
function policySettings(policy: Policy, entry: PolicyPackConfig[string] | undefined): Record<string, unknown> {
    const defaults = Object.entries(policy.configSchema?.properties ?? {})
        .filter(([, schema]) => schema.default !== undefined).map(([key, schema]) => [key, schema.default]);
    const given = typeof entry === "object" ? Object.entries(entry).filter(([key]) => key !== "enforcementLevel") : [];
    return Object.fromEntries([...defaults, ...given]);
}

/** What the engine's JSON Schema check of the settings finds, each at `<policy>.<setting>`. */
function settingsProblems(policy: Policy, settings: Record<string, unknown>): ConfigProblem[] {
    if (policy.configSchema === undefined) {
        return [];
    }
    const { properties, required } = policy.configSchema;
    const validate = schemaValidator.compile({ type: "object", properties, ...(required ? { required } : {}) });
    return validate(settings) ? [] : (validate.errors ?? []).map(e =>
        ({ path: [policy.name, ...e.instancePath.split("/").slice(1)].join("."), message: e.message ?? "is invalid" }));
}

class NotApplicable extends Error {}
const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
};

/**
 * Runs the policy pack over an offline evaluation as the CLI's analyzer does: resource policies once per
 * custom resource on its inputs, stack policies once over every resource's outputs (a component's are what
 * it registered) with parents, providers, dependencies and property dependencies resolved. Properties are
 * wrapped as the analyzer wraps them: a policy that reads a value unknown during a preview gets an advisory
 * "can't run" instead of a verdict. Levels and settings follow `configureStackPolicies`, with the evaluation's
 * stack config where it has one.
 */
export function evaluatePolicies(evaluation: Pick<Evaluation, "resources"> & Partial<Pick<Evaluation, "config">>, options: PolicyRunOptions = {}): Promise<PolicyReport> {
    return runPolicies(evaluation, configureStackPolicies(evaluation.config, options));
}

/** Runs policies already configured (`configureStackPolicies`) over an offline evaluation, as `evaluatePolicies` does. */
export async function runPolicies(evaluation: Pick<Evaluation, "resources">, configured: readonly ConfiguredPolicy[]): Promise<PolicyReport> {
    const resources = toPolicyResources(evaluation.resources);
    const byUrn = new Map(resources.map(r => [r.urn, r]));
    const custom = evaluation.resources.filter(r => r.custom);
    const violations: PolicyViolation[] = [];
    const ran: { name: string; enforcementLevel: EnforcementLevel; description: string }[] = [];

    for (const { policy, enforcementLevel, settings } of configured) {
        if (enforcementLevel === "disabled") {
            continue;
        }
        // Remediations only run under the CLI; a violation left after one is reported as mandatory.
        const level = enforcementLevel === "remediate" ? "mandatory" : enforcementLevel;
        ran.push({ name: policy.name, enforcementLevel: level, description: policy.description });
        const getConfig = <T extends object>() => ({ ...settings }) as T;
        const report = (message: string, urn: string, reportedLevel: EnforcementLevel = level) => violations.push({
            policyName: policy.name, enforcementLevel: reportedLevel, urn, message, description: policy.description,
        });
        const cannotRun = (urn: string) => (error: UnknownValueError) =>
            report(`can't run policy '${policy.name}' from policy pack '${PACK_NAME}@v${PACK_VERSION}' during preview: ${error.message}`, urn, "advisory");
        if ("validateStack" in policy) {
            await guard(() => policy.validateStack({ resources, stackTags: new Map(), getConfig, notApplicable }, (message, urn) => report(message, urn ?? "")), cannotRun(""));
            continue;
        }
        for (const recorded of custom) {
            const resource = byUrn.get(recorded.urn)!;
            const props = unknownCheckingProxy(recorded.inputs);
            const args: ResourceValidationArgs = {
                type: resource.type, props, urn: resource.urn, name: resource.name, opts: resource.opts,
                provider: resource.provider, stackTags: new Map(), isType: resource.isType,
                asType: cls => (resource.isType(cls) ? props : undefined) as any,
                getConfig, notApplicable,
            };
            for (const validate of [policy.validateResource ?? []].flat()) {
                await guard(() => validate(args, (message, urn) => report(message, urn ?? resource.urn)), cannotRun(resource.urn));
            }
        }
    }
    return {
        violations,
        mandatory: violations.filter(v => v.enforcementLevel === "mandatory").length,
        advisory: violations.filter(v => v.enforcementLevel === "advisory").length,
        policies: ran,
    };
}

/** Runs one validation as the analyzer does: not-applicable is no verdict, an unknown value is reported, the rest fails the run. */
async function guard(run: () => unknown, onUnknown: (error: UnknownValueError) => void): Promise<void> {
    try {
        await run();
    } catch (err) {
        if (err instanceof NotApplicable) {
            return;
        }
        if (!isUnknownValueError(err)) {
            throw err;
        }
        onUnknown(err);
    }
}

/** The URN prefix `urn:pulumi:<stack>::<project>::` of a resource's URN. */
const urnPrefix = (urn: string): string => urn.split("::").slice(0, 2).join("::") + "::";

/**
 * Resources as validateStack receives them: outputs behind the analyzer's unknown-checking proxy, and each
 * custom resource's provider, the engine's default provider (`default_<version>`) when it names none.
 */
function toPolicyResources(recorded: readonly RecordedResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const providers = new Map<string, PolicyProviderResource>(recorded.filter(r => r.type.startsWith("pulumi:providers:"))
        .map(r => [r.urn, { type: r.type, props: unknownCheckingProxy(r.outputs), urn: r.urn, name: r.name }]));
    const defaultProviderOf = (r: RecordedResource): PolicyProviderResource | undefined => {
        const pkg = r.type.split(":")[0];
        if (!r.custom || pkg === "pulumi") {
            return undefined;
        }
        const name = r.packageVersion ? `default_${r.packageVersion.replace(/[.+-]/g, "_")}` : "default";
        const urn = `${urnPrefix(r.urn)}pulumi:providers:${pkg}::${name}`;
        if (!providers.has(urn)) {
            providers.set(urn, { type: `pulumi:providers:${pkg}`, props: r.packageVersion ? { version: r.packageVersion } : {}, urn, name });
        }
        return providers.get(urn);
    };
    for (const r of recorded) {
        const props = unknownCheckingProxy(r.outputs);
        const isType = (cls: unknown) => (cls as { __pulumiType?: string }).__pulumiType === r.type;
        byUrn.set(r.urn, {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: {
                protect: r.protect, ignoreChanges: [...r.ignoreChanges], aliases: [],
                customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [],
                ...(r.parent ? { parent: r.parent } : {}),
            },
            provider: r.provider ? providers.get(r.provider.split("::").slice(0, -1).join("::")) : defaultProviderOf(r),
            dependencies: [],
            propertyDependencies: {},
            isType,
            asType: cls => (isType(cls) ? props : undefined) as any,
        });
    }
    for (const r of recorded) {
        const resource = byUrn.get(r.urn)!;
        resource.parent = byUrn.get(r.parent);
        resource.dependencies = r.dependencies.map(urn => byUrn.get(urn)).filter((d): d is PolicyResource => d !== undefined);
        resource.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies).map(([key, urns]) =>
            [key, urns.map(urn => byUrn.get(urn)).filter((d): d is PolicyResource => d !== undefined)]));
    }
    return [...byUrn.values()];
}
