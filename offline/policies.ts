import { EnforcementLevel, Policies, PolicyPackConfig, PolicyResource, ResourceValidationArgs } from "@pulumi/policy";
import { fleetPolicies } from "../policy/policies";
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
    /** As given to `--policy-pack-config`: per-policy enforcement level and settings. */
    readonly config?: PolicyPackConfig;
    /** The pack's enforcement level. Default: mandatory, as policy/index.ts sets it. */
    readonly packLevel?: EnforcementLevel;
}

class NotApplicable extends Error {}
const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
};

/**
 * Runs the policy pack over an offline evaluation with the argument shapes the CLI's analyzer passes:
 * resource policies once per custom resource, stack policies once over every resource with parents,
 * dependencies and property dependencies resolved. The effective level follows the CLI:
 * config level, else the policy's, else the pack's.
 */
export async function evaluatePolicies(evaluation: Pick<Evaluation, "resources">, options: PolicyRunOptions = {}): Promise<PolicyReport> {
    const policies = options.policies ?? fleetPolicies;
    const config = options.config ?? {};
    const resources = toPolicyResources(evaluation.resources);
    const customUrns = new Set(evaluation.resources.filter(r => r.custom).map(r => r.urn));
    const violations: PolicyViolation[] = [];
    const ran: { name: string; enforcementLevel: EnforcementLevel; description: string }[] = [];

    for (const policy of policies) {
        const settings = config[policy.name];
        const level = (typeof settings === "string" ? settings : settings?.enforcementLevel) ?? policy.enforcementLevel ?? options.packLevel ?? "mandatory";
        if (level === "disabled") {
            continue;
        }
        ran.push({ name: policy.name, enforcementLevel: level, description: policy.description });
        const getConfig = <T extends object>() => policyConfig(policy.configSchema?.properties ?? {}, settings) as T;
        const report = (message: string, urn?: string) => violations.push({
            policyName: policy.name, enforcementLevel: level, urn: urn ?? "", message, description: policy.description,
        });
        if ("validateStack" in policy) {
            await guard(() => policy.validateStack({ resources, stackTags: new Map(), getConfig, notApplicable }, report));
            continue;
        }
        const validations = [policy.validateResource ?? []].flat();
        for (const resource of resources.filter(r => customUrns.has(r.urn))) {
            const args: ResourceValidationArgs = {
                type: resource.type, props: resource.props, urn: resource.urn, name: resource.name, opts: resource.opts,
                provider: resource.provider, stackTags: new Map(), isType: resource.isType,
                asType: cls => (resource.isType(cls) ? resource.props : undefined) as any,
                getConfig, notApplicable,
            };
            for (const validate of validations) {
                await guard(() => validate(args, (message, urn) => report(message, urn ?? resource.urn)));
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

async function guard(run: () => unknown): Promise<void> {
    try {
        await run();
    } catch (err) {
        if (!(err instanceof NotApplicable)) {
            throw err;
        }
    }
}

/** The policy's settings with the schema defaults the CLI fills in, without `enforcementLevel`. */
function policyConfig(schema: Record<string, { default?: unknown }>, settings: PolicyPackConfig[string] | undefined): Record<string, unknown> {
    const defaults = Object.fromEntries(Object.entries(schema).filter(([, s]) => s.default !== undefined).map(([key, s]) => [key, s.default]));
    const given = typeof settings === "object" ? Object.fromEntries(Object.entries(settings).filter(([key]) => key !== "enforcementLevel")) : {};
    return { ...defaults, ...given };
}

function toPolicyResources(recorded: readonly RecordedResource[]): PolicyResource[] {
    const byUrn = new Map<string, PolicyResource>();
    const providers = new Map(recorded.filter(r => r.type.startsWith("pulumi:providers:"))
        .map(r => [r.urn, { type: r.type, props: r.inputs, urn: r.urn, name: r.name }]));
    for (const r of recorded) {
        byUrn.set(r.urn, {
            type: r.type,
            props: r.inputs,
            urn: r.urn,
            name: r.name,
            opts: {
                protect: r.protect, ignoreChanges: [...r.ignoreChanges], aliases: [],
                customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [],
                ...(r.parent ? { parent: r.parent } : {}),
            },
            provider: r.provider ? providers.get(r.provider.split("::").slice(0, -1).join("::")) : undefined,
            dependencies: [],
            propertyDependencies: {},
            isType: cls => (cls as unknown as { __pulumiType?: string }).__pulumiType === r.type,
            asType: cls => ((cls as unknown as { __pulumiType?: string }).__pulumiType === r.type ? r.inputs : undefined) as any,
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
