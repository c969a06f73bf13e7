import { EnforcementLevel, ResourceValidationPolicy } from "@pulumi/policy";
import { TYPES } from "./resources";

/** Shapes of credentials that must never be literal values in Kubernetes objects or chart values. */
export const SECRET_PATTERNS: readonly { readonly what: string; readonly pattern: RegExp }[] = [
    { what: "a storage or Cosmos DB account key", pattern: /AccountKey=[^;\s]+/i },
    { what: "a Service Bus, Event Hubs or IoT Hub shared access key", pattern: /SharedAccessKey=[^;\s]+/i },
    { what: "an Application Insights connection string", pattern: /InstrumentationKey=[0-9a-f-]{36}/i },
    { what: "a SAS token", pattern: /[?&]sig=[A-Za-z0-9%+/=]{20,}/ },
    { what: "a password in a connection string", pattern: /(^|;)\s*Password=[^;\s]+/i },
    { what: "a private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
];

const WORKLOAD_TYPES = /^kubernetes:(apps\/v1:(Deployment|StatefulSet|DaemonSet|ReplicaSet)|batch\/v1:(Job|CronJob)|core\/v1:Pod)$/;

/** Every string under a value, with its path. */
function* strings(value: unknown, path: string): Generator<[string, string]> {
    if (typeof value === "string") {
        yield [path, value];
    } else if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            yield* strings(value[i], `${path}[${i}]`);
        }
    } else if (value !== null && typeof value === "object") {
        for (const [key, inner] of Object.entries(value)) {
            yield* strings(inner, path ? `${path}.${key}` : key);
        }
    }
}

/** Every container env var with a literal value, wherever the workload nests its pod template. */
function* literalEnv(value: unknown, path: string): Generator<[string, string]> {
    if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
            yield* literalEnv(value[i], `${path}[${i}]`);
        }
    } else if (value !== null && typeof value === "object") {
        for (const [key, inner] of Object.entries(value)) {
            if (key === "env" && Array.isArray(inner)) {
                for (const variable of inner) {
                    if (typeof variable?.value === "string") {
                        yield [`${path}.env.${variable.name}`, variable.value];
                    }
                }
            } else {
                yield* literalEnv(inner, `${path}.${key}`);
            }
        }
    }
}

const secretShape = (text: string) => SECRET_PATTERNS.find(s => s.pattern.test(text))?.what;

export const noPlaintextSecrets = (enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy => ({
    name: "no-plaintext-secrets",
    description: "No Kubernetes Secret carries literal data from the program, and no connection string or key sits in a ConfigMap, an environment variable or Helm values: it would be stored in the Pulumi state, in Git and in etcd. Fix: keep secrets in Key Vault and mount them with the Secrets Store CSI driver through workload identity.",
    enforcementLevel,
    validateResource: (args, reportViolation) => {
        const report = (where: string, what: string) => reportViolation(`${where} holds ${what}.`);
        if (args.type === TYPES.secret) {
            const keys = [...Object.keys(args.props.data ?? {}), ...Object.keys(args.props.stringData ?? {})];
            if (keys.length > 0) {
                reportViolation(`Secret '${args.props.metadata?.name ?? args.name}' has literal data (${keys.join(", ")}) in the program.`);
            }
        } else if (args.type === TYPES.configMap) {
            for (const [path, text] of strings(args.props.data ?? {}, "data")) {
                const what = secretShape(text);
                if (what) report(`ConfigMap '${args.props.metadata?.name ?? args.name}' ${path}`, what);
            }
        } else if (args.type === TYPES.helmRelease) {
            for (const [path, text] of strings(args.props.values ?? {}, "values")) {
                const what = secretShape(text);
                if (what) report(`Helm release '${args.props.name ?? args.name}' ${path}`, what);
            }
        } else if (WORKLOAD_TYPES.test(args.type)) {
            for (const [path, text] of literalEnv(args.props.spec ?? {}, "spec")) {
                const what = secretShape(text);
                if (what) report(`${args.type.split(":").pop()} '${args.props.metadata?.name ?? args.name}' ${path}`, what);
            }
        }
    },
});

export const DEFAULT_MIN_COOLDOWN_SECONDS = 60;
/** KEDA's documented default cooldownPeriod, used when a ScaledObject leaves it out. */
const KEDA_DEFAULT_COOLDOWN_SECONDS = 300;
const HPA_TYPES = /^kubernetes:autoscaling\/v(1|2|2beta1|2beta2):HorizontalPodAutoscaler$/;

function scalesOnCpu(spec: any): boolean {
    return spec?.targetCPUUtilizationPercentage !== undefined
        || (spec?.metrics ?? []).some((m: any) => m.type === "Resource" && m.resource?.name === "cpu");
}

export const queueBasedScaling = (enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy => ({
    name: "queue-based-scaling",
    description: "Telemetry workloads scale on queue depth and consumer lag with KEDA, never on CPU (backpressure shows as a growing queue, not as CPU), and their ScaledObjects keep at least 1 replica and a cooldown of at least 60 s against flapping. Fix: replace the HPA with a KEDA ScaledObject (azure-servicebus or azure-eventhub trigger) and set minReplicaCount >= 1, cooldownPeriod >= 60.",
    enforcementLevel,
    configSchema: {
        properties: { minCooldownSeconds: { type: "integer", minimum: 0, default: DEFAULT_MIN_COOLDOWN_SECONDS, description: "Shortest allowed ScaledObject cooldownPeriod." } },
    },
    validateResource: (args, reportViolation) => {
        if (HPA_TYPES.test(args.type)) {
            const target: string = args.props.spec?.scaleTargetRef?.name ?? "";
            if (target.startsWith("telemetry-") && scalesOnCpu(args.props.spec)) {
                reportViolation(`HorizontalPodAutoscaler '${args.props.metadata?.name ?? args.name}' scales telemetry workload '${target}' on CPU.`);
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
            reportViolation(`ScaledObject '${name}' has cooldownPeriod ${cooldown}s; at least ${minCooldown}s avoids flapping on bursty telemetry.`);
        }
        if ((spec.minReplicaCount ?? 0) < 1) {
            reportViolation(`ScaledObject '${name}' may scale to ${spec.minReplicaCount ?? 0} replicas; keep minReplicaCount >= 1 so the queue is always drained.`);
        }
        for (const trigger of spec.triggers ?? []) {
            if (trigger.type === "cpu" || trigger.type === "memory") {
                reportViolation(`ScaledObject '${name}' scales on ${trigger.type}; telemetry scales on queue depth or consumer lag.`);
            }
        }
    },
});
