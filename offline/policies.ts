import {
    EnforcementLevel,
    PolicyProviderResource,
    PolicyResource,
    ResourceValidationArgs,
    unknownCheckingProxy,
    UnknownValueError,
} from "@pulumi/policy";
import { PACK_NAME } from "../policy/policies";
import { isUnknownValueError } from "../policy/resources";
import { version as PACK_VERSION } from "../policy/package.json";
import { Evaluation, RecordedResource } from "./evaluate";
import { ConfiguredPolicy, configureStackPolicies, PolicyRunOptions } from "./policyConfig";

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
export function evaluatePolicies(
    evaluation: Pick<Evaluation, "resources"> & Partial<Pick<Evaluation, "config">>,
    options: PolicyRunOptions = {},
): Promise<PolicyReport> {
    return runPolicies(evaluation, configureStackPolicies(evaluation.config, options));
}

/** Runs policies already configured (`configureStackPolicies`) over an offline evaluation, as `evaluatePolicies` does. */
export async function runPolicies(
    evaluation: Pick<Evaluation, "resources">,
    configured: readonly ConfiguredPolicy[],
): Promise<PolicyReport> {
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
        const report = (message: string, urn: string, reportedLevel: EnforcementLevel = level) =>
            violations.push({
                policyName: policy.name,
                enforcementLevel: reportedLevel,
                urn,
                message,
                description: policy.description,
            });
        const cannotRun = (urn: string) => (error: UnknownValueError) =>
            report(
                `can't run policy '${policy.name}' from policy pack '${PACK_NAME}@v${PACK_VERSION}' during preview: ${error.message}`,
                urn,
                "advisory",
            );
        if ("validateStack" in policy) {
            await guard(
                () =>
                    policy.validateStack({ resources, stackTags: new Map(), getConfig, notApplicable }, (message, urn) =>
                        report(message, urn ?? ""),
                    ),
                cannotRun(""),
            );
            continue;
        }
        for (const recorded of custom) {
            const resource = byUrn.get(recorded.urn)!;
            const props = unknownCheckingProxy(recorded.inputs);
            const args: ResourceValidationArgs = {
                type: resource.type,
                props,
                urn: resource.urn,
                name: resource.name,
                opts: resource.opts,
                provider: resource.provider,
                stackTags: new Map(),
                isType: resource.isType,
                // The analyzer's asType is generic in the class it is asked for; the props are that class's args.
                // eslint-disable-next-line @typescript-eslint/no-explicit-any
                asType: cls => (resource.isType(cls) ? props : undefined) as any,
                getConfig,
                notApplicable,
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
    const providers = new Map<string, PolicyProviderResource>(
        recorded
            .filter(r => r.type.startsWith("pulumi:providers:"))
            .map(r => [r.urn, { type: r.type, props: unknownCheckingProxy(r.outputs), urn: r.urn, name: r.name }]),
    );
    const defaultProviderOf = (r: RecordedResource): PolicyProviderResource | undefined => {
        const pkg = r.type.split(":")[0];
        if (!r.custom || pkg === "pulumi") {
            return undefined;
        }
        const name = r.packageVersion ? `default_${r.packageVersion.replace(/[.+-]/g, "_")}` : "default";
        const urn = `${urnPrefix(r.urn)}pulumi:providers:${pkg}::${name}`;
        if (!providers.has(urn)) {
            providers.set(urn, {
                type: `pulumi:providers:${pkg}`,
                props: r.packageVersion ? { version: r.packageVersion } : {},
                urn,
                name,
            });
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
                protect: r.protect,
                ignoreChanges: [...r.ignoreChanges],
                aliases: [],
                customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
                additionalSecretOutputs: [],
                ...(r.parent ? { parent: r.parent } : {}),
            },
            provider: r.provider ? providers.get(r.provider.split("::").slice(0, -1).join("::")) : defaultProviderOf(r),
            dependencies: [],
            propertyDependencies: {},
            isType,
            // As above: generic in the class asked for.
            // eslint-disable-next-line @typescript-eslint/no-explicit-any
            asType: cls => (isType(cls) ? props : undefined) as any,
        });
    }
    for (const r of recorded) {
        const resource = byUrn.get(r.urn)!;
        resource.parent = byUrn.get(r.parent);
        resource.dependencies = r.dependencies.map(urn => byUrn.get(urn)).filter((d): d is PolicyResource => d !== undefined);
        resource.propertyDependencies = Object.fromEntries(
            Object.entries(r.propertyDependencies).map(([key, urns]) => [
                key,
                urns.map(urn => byUrn.get(urn)).filter((d): d is PolicyResource => d !== undefined),
            ]),
        );
    }
    return [...byUrn.values()];
}
