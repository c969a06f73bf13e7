import Ajv from "ajv";
import { EnforcementLevel, Policies, PolicyPackConfig } from "@pulumi/policy";
import { FleetConfig } from "../lib/config";
import { ConfigError, ConfigProblem } from "../lib/errors";
import { fleetPolicies, PACK_ENFORCEMENT_LEVEL } from "../policy/policies";
import { DEDICATED_THRESHOLD_POLICY } from "../policy/tenancy";
import { TENANT_HOSTNAMES_POLICY } from "../policy/hostnames";

/**
 * The policy pack's levels and settings as the engine reconciles them from the pack, `--policy-pack-config`
 * and, offline, the stack's own config.
 */

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
export function configurePolicies(
    policies: Policies,
    config: PolicyPackConfig = {},
    packLevel: EnforcementLevel = PACK_ENFORCEMENT_LEVEL,
): ConfiguredPolicy[] {
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
 * placement used, not by the pack's default; tenant-hostnames judges prefixes under the stack's `iot-fleet:dns.zoneName`.
 */
export const stackPolicyConfig = (config: StackPolicyFacts): PolicyPackConfig => ({
    [DEDICATED_THRESHOLD_POLICY]: { dedicatedDeviceThreshold: config.dedicatedDeviceThreshold },
    [TENANT_HOSTNAMES_POLICY]: { zoneName: config.dns.zoneName },
});

/** What of a stack's config the pack's settings follow. */
type StackPolicyFacts = Pick<FleetConfig, "dedicatedDeviceThreshold" | "dns">;

/** A config over defaults, policy by policy: what `given` sets for a policy wins, the rest of its defaults stay. */
function overlayPolicyConfig(defaults: PolicyPackConfig, given: PolicyPackConfig): PolicyPackConfig {
    const asEntry = (entry: PolicyPackConfig[string]) => (typeof entry === "string" ? { enforcementLevel: entry } : entry);
    return Object.fromEntries(
        [...new Set([...Object.keys(defaults), ...Object.keys(given)])].map(name => [
            name,
            name in defaults && name in given ? { ...asEntry(defaults[name]), ...asEntry(given[name]) } : (given[name] ?? defaults[name]),
        ]),
    );
}

/**
 * `configurePolicies` of the options' policies (default: the pack's) and config, the config over the stack's
 * own settings when the stack's config is given. Throws the same ConfigError, before anything runs.
 */
export function configureStackPolicies(stack: StackPolicyFacts | undefined, options: PolicyRunOptions = {}): ConfiguredPolicy[] {
    const config = stack === undefined ? options.config : overlayPolicyConfig(stackPolicyConfig(stack), options.config ?? {});
    return configurePolicies(options.policies ?? fleetPolicies, config, options.packLevel);
}

/** The policy's settings with the schema defaults the engine fills in, without `enforcementLevel`. */
function policySettings(policy: Policy, entry: PolicyPackConfig[string] | undefined): Record<string, unknown> {
    const defaults = Object.entries(policy.configSchema?.properties ?? {})
        .filter(([, schema]) => schema.default !== undefined)
        .map(([key, schema]) => [key, schema.default]);
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
    return validate(settings)
        ? []
        : (validate.errors ?? []).map(e => ({
              path: [policy.name, ...e.instancePath.split("/").slice(1)].join("."),
              message: e.message ?? "is invalid",
          }));
}
