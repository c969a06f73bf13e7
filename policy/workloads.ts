import { EnforcementLevel, ResourceValidationPolicy } from "@pulumi/policy";
import { known, knownEntries, TYPES } from "./resources";
import { SECRET_PATTERNS } from "./secretPatterns";

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

/** A literal string found in a resource: where, the key or env var name it sits under, and the text. */
interface Literal {
    readonly path: string;
    readonly name: string;
    readonly text: string;
}

/** A string that holds a JSON object or array (a config file such as azure.json kept in a ConfigMap), parsed; else undefined. */
function jsonDocument(text: string): unknown {
    if (!/^\s*[[{]/.test(text)) {
        return undefined;
    }
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

/**
 * Every string under a value, with its path and the key it sits under. A `{ name, value }` pair (an env var in
 * Helm values, such as `extraEnvs`) puts its value under its name, and a JSON document in a string is read too.
 */
function* strings(value: unknown, path: string, name = ""): Generator<Literal> {
    if (typeof value === "string") {
        yield { path, name, text: value };
        const document = jsonDocument(value);
        if (document !== undefined) {
            yield* strings(document, path, name);
        }
    }
    const pairName = known(value, "name");
    for (const [key, inner] of knownEntries(value)) {
        const innerName = key === "value" && typeof pairName === "string" ? pairName : typeof key === "number" ? name : key;
        yield* strings(inner, typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key, innerName);
    }
}

/** ConfigMap `binaryData` decoded: base64 text is as readable as `data`. */
const decodedBinaryData = (binaryData: unknown): Record<string, unknown> =>
    Object.fromEntries(
        [...knownEntries(binaryData ?? {})].map(([key, encoded]) => [
            key,
            typeof encoded === "string" ? Buffer.from(encoded, "base64").toString("utf8") : encoded,
        ]),
    );

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
        "No Kubernetes Secret carries literal data from the program, and no connection string, key, token, password or credential-bearing URL sits in a ConfigMap (its data, JSON documents in it such as azure.json, and its binaryData decoded), an environment variable, Helm values (env-style name/value pairs such as extraEnvs included) or a Flux configuration's repository URL, whether recognised by its shape or by a name such as API_KEY, DB_PASSWORD or aadClientSecret: it would be stored in the Pulumi state, in Git and in etcd. Fix: keep secrets in Key Vault and mount them with the Secrets Store CSI driver through workload identity.",
    enforcementLevel,
    validateResource: (args, reportViolation) => {
        const report = (where: string, what: string) => reportViolation(`${where} holds ${what}.`);
        if (args.type === TYPES.secret) {
            const keys = [...Object.keys(args.props.data ?? {}), ...Object.keys(args.props.stringData ?? {})];
            if (keys.length > 0) {
                reportViolation(`Secret '${args.props.metadata?.name ?? args.name}' has literal data (${keys.join(", ")}) in the program.`);
            }
        } else if (args.type === TYPES.configMap) {
            const literals = [
                ...strings(args.props.data ?? {}, "data"),
                ...strings(decodedBinaryData(args.props.binaryData), "binaryData"),
            ];
            for (const literal of literals) {
                const what = credentialIn(literal);
                if (what) report(`ConfigMap '${args.props.metadata?.name ?? args.name}' ${literal.path}`, what);
            }
        } else if (args.type === TYPES.fluxConfiguration) {
            for (const literal of strings(args.props.gitRepository ?? {}, "gitRepository")) {
                const what = credentialIn(literal);
                if (what) report(`Flux configuration '${args.props.fluxConfigurationName ?? args.name}' ${literal.path}`, what);
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

export const DEFAULT_MIN_SCALE_DOWN_STABILIZATION_SECONDS = 60;
/** The HPA's documented default scale-down stabilization window, used when a ScaledObject or HPA leaves it out. */
const HPA_DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS = 300;
const HPA_TYPES = /^kubernetes:autoscaling\/v(1|2|2beta1|2beta2):HorizontalPodAutoscaler$/;

/** An HPA spec of any of its API versions, as far as this check reads it. */
interface HpaSpec {
    readonly targetCPUUtilizationPercentage?: number;
    readonly metrics?: readonly {
        readonly type?: string;
        readonly resource?: { readonly name?: string };
        readonly containerResource?: { readonly name?: string };
    }[];
    readonly behavior?: { readonly scaleDown?: { readonly stabilizationWindowSeconds?: number } };
}

/** Whether an HPA scales on CPU: the v1 target, or a Resource or ContainerResource metric of cpu. */
function scalesOnCpu(spec: HpaSpec | undefined): boolean {
    return (
        spec?.targetCPUUtilizationPercentage !== undefined ||
        (spec?.metrics ?? []).some(
            m =>
                (m.type === "Resource" && m.resource?.name === "cpu") ||
                (m.type === "ContainerResource" && m.containerResource?.name === "cpu"),
        )
    );
}

const scaleDownWindow = (behavior: HpaSpec["behavior"]): number =>
    behavior?.scaleDown?.stabilizationWindowSeconds ?? HPA_DEFAULT_SCALE_DOWN_STABILIZATION_SECONDS;

export const queueBasedScaling = (enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy => ({
    name: "queue-based-scaling",
    description:
        "Telemetry workloads scale on queue depth and consumer lag with KEDA, never on CPU (backpressure shows as a growing queue, not as CPU), and their ScaledObjects never scale to zero (minReplicaCount >= 1, no idleReplicaCount below 1) and scale down only after a stabilization window of at least 60 s, against flapping on bursty telemetry. KEDA's cooldownPeriod only delays the last step to zero, which minReplicaCount >= 1 already forbids, so the HPA's scale-down stabilization is the knob that counts. Fix: replace the HPA with a KEDA ScaledObject (azure-servicebus or azure-eventhub trigger), set minReplicaCount >= 1, leave idleReplicaCount out and keep advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds >= 60.",
    enforcementLevel,
    configSchema: {
        properties: {
            minScaleDownStabilizationSeconds: {
                type: "integer",
                minimum: 0,
                default: DEFAULT_MIN_SCALE_DOWN_STABILIZATION_SECONDS,
                description: "Shortest allowed scale-down stabilization window of a ScaledObject's or telemetry HPA's behavior.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const minWindow =
            args.getConfig<{ minScaleDownStabilizationSeconds?: number }>().minScaleDownStabilizationSeconds ??
            DEFAULT_MIN_SCALE_DOWN_STABILIZATION_SECONDS;
        const name = args.props.metadata?.name ?? args.name;
        const flapping = (kind: string, window: number) =>
            reportViolation(
                `${kind} '${name}' scales down after a stabilization window of ${window}s; at least ${minWindow}s avoids flapping on bursty telemetry.`,
            );
        if (HPA_TYPES.test(args.type)) {
            const target: string = args.props.spec?.scaleTargetRef?.name ?? "";
            if (!target.startsWith("telemetry-")) {
                return;
            }
            if (scalesOnCpu(args.props.spec)) {
                reportViolation(`HorizontalPodAutoscaler '${name}' scales telemetry workload '${target}' on CPU.`);
            }
            if (scaleDownWindow(args.props.spec?.behavior) < minWindow) {
                flapping("HorizontalPodAutoscaler", scaleDownWindow(args.props.spec?.behavior));
            }
            return;
        }
        if (args.type !== TYPES.scaledObject) {
            return;
        }
        const spec = args.props.spec ?? {};
        const window = scaleDownWindow(spec.advanced?.horizontalPodAutoscalerConfig?.behavior);
        if (window < minWindow) {
            flapping("ScaledObject", window);
        }
        if ((spec.minReplicaCount ?? 0) < 1) {
            reportViolation(
                `ScaledObject '${name}' may scale to ${spec.minReplicaCount ?? 0} replicas; keep minReplicaCount >= 1 so the queue is always drained.`,
            );
        }
        if (spec.idleReplicaCount !== undefined && spec.idleReplicaCount < 1) {
            reportViolation(
                `ScaledObject '${name}' has idleReplicaCount ${spec.idleReplicaCount}: it scales to ${spec.idleReplicaCount} replicas whenever its triggers are idle; leave idleReplicaCount out.`,
            );
        }
        for (const trigger of spec.triggers ?? []) {
            if (trigger.type === "cpu" || trigger.type === "memory") {
                reportViolation(`ScaledObject '${name}' scales on ${trigger.type}; telemetry scales on queue depth or consumer lag.`);
            }
        }
    },
});
