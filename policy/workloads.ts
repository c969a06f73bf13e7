import { EnforcementLevel, ResourceValidationPolicy } from "@pulumi/policy";
import { isUnknownValueError, TYPES } from "./resources";

/** Shapes of credentials that must never be literal values in Kubernetes objects or chart values. */
export const SECRET_PATTERNS: readonly { readonly what: string; readonly pattern: RegExp }[] = [
    { what: "a storage or Cosmos DB account key", pattern: /AccountKey=[^;\s]+/i },
    { what: "a Service Bus, Event Hubs or IoT Hub shared access key", pattern: /SharedAccessKey=[^;\s]+/i },
    { what: "an Application Insights connection string", pattern: /InstrumentationKey=[0-9a-f-]{36}/i },
    { what: "a SAS token", pattern: /[?&]sig=[A-Za-z0-9%+/=]{20,}/ },
    { what: "a password in a connection string", pattern: /(^|;)\s*Password=[^;\s]+/i },
    { what: "a private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
    { what: "a user and password in a URL", pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:[^\s@/]+@/i },
];

/** Last words of a name (ConfigMap key, env var, Helm value key) that say its value is a credential. */
const CREDENTIAL_WORDS = new Set(["key", "password", "passwd", "secret", "token", "connectionstring"]);
/** Words before `key`, `secret` or `token` that make the name a structural key or a reference to a Secret, not a credential. */
const NOT_CREDENTIAL_QUALIFIERS = new Set(["topology", "label", "partition", "sort", "routing", "match", "existing"]);

/**
 * Whether any literal under this name is taken for a credential: the name ends in key, password, secret,
 * token or connection string (API_KEY, dbPassword, clientSecret, SAS_TOKEN, ConnectionString). Not a bare
 * `key` (the name half of a key/value pair), not a structural key (topologyKey), not a reference to a Secret
 * (existingSecret, secretName), and not KEY_VAULT_URI: only the last word counts.
 */
export function isCredentialName(name: string): boolean {
    const words = name
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .split(/[^A-Za-z0-9]+/)
        .filter(w => w !== "")
        .map(w => w.toLowerCase());
    const span = words.length >= 2 && words.slice(-2).join("") === "connectionstring" ? 2 : 1;
    const last = words.slice(-span).join("");
    if (!CREDENTIAL_WORDS.has(last)) {
        return false;
    }
    const qualifier = words[words.length - span - 1];
    return qualifier === undefined ? last !== "key" : !NOT_CREDENTIAL_QUALIFIERS.has(qualifier);
}

const WORKLOAD_TYPES = /^kubernetes:(apps\/v1:(Deployment|StatefulSet|DaemonSet|ReplicaSet)|batch\/v1:(Job|CronJob)|core\/v1:Pod)$/;

/**
 * A property of an object or array, or undefined where a preview does not know it yet (the analyzer's
 * proxy throws on reading an unknown): an unknown value cannot be a literal secret.
 */
function known(container: unknown, key: string | number): unknown {
    try {
        return (container as Record<string | number, unknown>)[key];
    } catch (err) {
        if (isUnknownValueError(err)) {
            return undefined;
        }
        throw err;
    }
}

/** The entries of an object or array, reading each value on its own so that an unknown one is skipped, not fatal. */
function* knownEntries(value: unknown): Generator<[string | number, unknown]> {
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            yield [i, known(value, i)];
        }
    } else if (value !== null && typeof value === "object") {
        for (const key of Object.keys(value)) {
            yield [key, known(value, key)];
        }
    }
}

/** A literal string found in a resource: where, the key or env var name it sits under, and the text. */
interface Literal {
    readonly path: string;
    readonly name: string;
    readonly text: string;
}

/** Every string under a value, with its path and the key it sits under. */
function* strings(value: unknown, path: string, name = ""): Generator<Literal> {
    if (typeof value === "string") {
        yield { path, name, text: value };
    }
    for (const [key, inner] of knownEntries(value)) {
        yield* typeof key === "number" ? strings(inner, `${path}[${key}]`, name) : strings(inner, path ? `${path}.${key}` : key, key);
    }
}

/** Every container env var with a literal value, wherever the workload nests its pod template. */
function* literalEnv(value: unknown, path: string): Generator<Literal> {
    for (const [key, inner] of knownEntries(value)) {
        if (key === "env" && Array.isArray(inner)) {
            for (const [, variable] of knownEntries(inner)) {
                const name = known(variable, "name");
                const text = known(variable, "value");
                if (typeof name === "string" && typeof text === "string") {
                    yield { path: `${path}.env.${name}`, name, text };
                }
            }
        } else {
            yield* literalEnv(inner, typeof key === "number" ? `${path}[${key}]` : `${path}.${key}`);
        }
    }
}

/**
 * A value that only points at where the credential is read at run time: a config-source placeholder
 * (`${file:/mnt/secrets/x}`, `${env:X}`, as the OpenTelemetry collector reads them) or Kubernetes' `$(VAR)`.
 */
const REFERENCE = /^(\$\{[^}]+\}|\$\([A-Za-z_][A-Za-z0-9_]*\))$/;

/** What a literal looks like, if it looks like a credential: a known shape, or a value (not a reference) under a credential's name. */
const credentialIn = ({ name, text }: Literal): string | undefined =>
    SECRET_PATTERNS.find(s => s.pattern.test(text))?.what ??
    (text !== "" && !REFERENCE.test(text) && isCredentialName(name) ? `a literal value under the credential name ${name}` : undefined);

export const noPlaintextSecrets = (enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy => ({
    name: "no-plaintext-secrets",
    description:
        "No Kubernetes Secret carries literal data from the program, and no connection string, key, token, password or credential-bearing URL sits in a ConfigMap, an environment variable or Helm values, whether recognised by its shape or by a name such as API_KEY or DB_PASSWORD: it would be stored in the Pulumi state, in Git and in etcd. Fix: keep secrets in Key Vault and mount them with the Secrets Store CSI driver through workload identity.",
    enforcementLevel,
    validateResource: (args, reportViolation) => {
        const report = (where: string, what: string) => reportViolation(`${where} holds ${what}.`);
        if (args.type === TYPES.secret) {
            const keys = [...Object.keys(args.props.data ?? {}), ...Object.keys(args.props.stringData ?? {})];
            if (keys.length > 0) {
                reportViolation(`Secret '${args.props.metadata?.name ?? args.name}' has literal data (${keys.join(", ")}) in the program.`);
            }
        } else if (args.type === TYPES.configMap) {
            for (const literal of strings(args.props.data ?? {}, "data")) {
                const what = credentialIn(literal);
                if (what) report(`ConfigMap '${args.props.metadata?.name ?? args.name}' ${literal.path}`, what);
            }
        } else if (args.type === TYPES.helmRelease) {
            for (const literal of strings(args.props.values ?? {}, "values")) {
                const what = credentialIn(literal);
                if (what) report(`Helm release '${args.props.name ?? args.name}' ${literal.path}`, what);
            }
        } else if (WORKLOAD_TYPES.test(args.type)) {
            for (const literal of literalEnv(args.props.spec ?? {}, "spec")) {
                const what = credentialIn(literal);
                if (what) report(`${args.type.split(":").pop()} '${args.props.metadata?.name ?? args.name}' ${literal.path}`, what);
            }
        }
    },
});

export const DEFAULT_MIN_COOLDOWN_SECONDS = 60;
/** KEDA's documented default cooldownPeriod, used when a ScaledObject leaves it out. */
const KEDA_DEFAULT_COOLDOWN_SECONDS = 300;
const HPA_TYPES = /^kubernetes:autoscaling\/v(1|2|2beta1|2beta2):HorizontalPodAutoscaler$/;

/** An HPA spec of any of its API versions, as far as this check reads it. */
interface HpaSpec {
    readonly targetCPUUtilizationPercentage?: number;
    readonly metrics?: readonly { readonly type?: string; readonly resource?: { readonly name?: string } }[];
}

function scalesOnCpu(spec: HpaSpec | undefined): boolean {
    return (
        spec?.targetCPUUtilizationPercentage !== undefined ||
        (spec?.metrics ?? []).some(m => m.type === "Resource" && m.resource?.name === "cpu")
    );
}

export const queueBasedScaling = (enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy => ({
    name: "queue-based-scaling",
    description:
        "Telemetry workloads scale on queue depth and consumer lag with KEDA, never on CPU (backpressure shows as a growing queue, not as CPU), and their ScaledObjects keep at least 1 replica and a cooldown of at least 60 s against flapping. Fix: replace the HPA with a KEDA ScaledObject (azure-servicebus or azure-eventhub trigger) and set minReplicaCount >= 1, cooldownPeriod >= 60.",
    enforcementLevel,
    configSchema: {
        properties: {
            minCooldownSeconds: {
                type: "integer",
                minimum: 0,
                default: DEFAULT_MIN_COOLDOWN_SECONDS,
                description: "Shortest allowed ScaledObject cooldownPeriod.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        if (HPA_TYPES.test(args.type)) {
            const target: string = args.props.spec?.scaleTargetRef?.name ?? "";
            if (target.startsWith("telemetry-") && scalesOnCpu(args.props.spec)) {
                reportViolation(
                    `HorizontalPodAutoscaler '${args.props.metadata?.name ?? args.name}' scales telemetry workload '${target}' on CPU.`,
                );
            }
            return;
        }
        if (args.type !== TYPES.scaledObject) {
            return;
        }
        const minCooldown = args.getConfig<{ minCooldownSeconds?: number }>().minCooldownSeconds ?? DEFAULT_MIN_COOLDOWN_SECONDS;
        const spec = args.props.spec ?? {};
        const name = args.props.metadata?.name ?? args.name;
        const cooldown = spec.cooldownPeriod ?? KEDA_DEFAULT_COOLDOWN_SECONDS;
        if (cooldown < minCooldown) {
            reportViolation(
                `ScaledObject '${name}' has cooldownPeriod ${cooldown}s; at least ${minCooldown}s avoids flapping on bursty telemetry.`,
            );
        }
        if ((spec.minReplicaCount ?? 0) < 1) {
            reportViolation(
                `ScaledObject '${name}' may scale to ${spec.minReplicaCount ?? 0} replicas; keep minReplicaCount >= 1 so the queue is always drained.`,
            );
        }
        for (const trigger of spec.triggers ?? []) {
            if (trigger.type === "cpu" || trigger.type === "memory") {
                reportViolation(`ScaledObject '${name}' scales on ${trigger.type}; telemetry scales on queue depth or consumer lag.`);
            }
        }
    },
});
