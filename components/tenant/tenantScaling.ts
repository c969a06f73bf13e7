import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { TenantSettings } from "../../lib/config";

/**
 * KEDA objects of a tenant. Telemetry backpressure shows up as queue depth and consumer lag, not CPU,
 * so both tiers scale on those. Trigger metadata values are strings, as KEDA's CRD schema requires.
 */

export const TRIGGER_AUTHENTICATION_NAME = "keda-azure-workload";
export const PROCESSOR_DEPLOYMENT = "telemetry-processor";
export const INGEST_DEPLOYMENT = "telemetry-ingest";
/** A deployment's ScaledObject; KEDA names the HPA it makes `keda-hpa-<this>`, which the alert rules select. */
export const scaledObjectName = (deployment: string): string => `${deployment}-scaler`;
/** Seconds between KEDA polls of the queue or hub. */
export const POLLING_INTERVAL_SECONDS = 15;
/**
 * KEDA's `cooldownPeriod`: seconds after the last active trigger before it scales to zero. With
 * `minReplicaCount` >= 1 it never does, so this only matters if a tenant is ever allowed to scale to zero.
 */
export const COOLDOWN_SECONDS = 120;
/**
 * Scale-in above zero is the HPA's: it keeps the highest replica count it recommended over this window, so a
 * lull between IoT bursts does not shed replicas the next burst needs again. 120 s is the calm the cooldown was
 * meant to give; the HPA's own default (300 s) would keep a burst's replicas, and their quota, for 5 minutes.
 */
export const SCALE_DOWN_STABILIZATION_SECONDS = 120;
/** Event Hubs consumers built on EventProcessorClient keep checkpoints in blob metadata. */
const CHECKPOINT_STRATEGY = "blobMetadata";

interface ScalingBase {
    /** The tenant's namespace. */
    readonly namespace: pulumi.Input<string>;
    /** The tenant label, on every object. */
    readonly labels: Record<string, string>;
    /** The tenant's effective settings: per-replica targets and replica bounds. */
    readonly settings: TenantSettings;
}

/** The Service Bus queue the processor tier drains. */
interface ProcessorSource {
    readonly queueName: pulumi.Input<string>;
    /** The name of the region's Service Bus namespace. */
    readonly serviceBusNamespace: pulumi.Input<string>;
}

/** The Event Hub the ingest tier consumes, with the consumer group and blob container its checkpoints are in. */
interface IngestSource {
    readonly eventHubNamespace: pulumi.Input<string>;
    readonly eventHubName: pulumi.Input<string>;
    readonly consumerGroup: pulumi.Input<string>;
    readonly storageAccountName: pulumi.Input<string>;
    readonly blobContainer: pulumi.Input<string>;
}

function scaledObject(
    base: ScalingBase,
    name: string,
    target: string,
    replicas: { minReplicas: number; maxReplicas: number },
    trigger: { type: string; metadata: Record<string, pulumi.Input<string>> },
): k8s.apiextensions.CustomResourceArgs {
    return {
        apiVersion: "keda.sh/v1alpha1",
        kind: "ScaledObject",
        metadata: { name, namespace: base.namespace, labels: base.labels },
        spec: {
            scaleTargetRef: { name: target },
            pollingInterval: POLLING_INTERVAL_SECONDS,
            cooldownPeriod: COOLDOWN_SECONDS,
            advanced: {
                horizontalPodAutoscalerConfig: {
                    behavior: { scaleDown: { stabilizationWindowSeconds: SCALE_DOWN_STABILIZATION_SECONDS } },
                },
            },
            minReplicaCount: replicas.minReplicas,
            maxReplicaCount: replicas.maxReplicas,
            triggers: [{ ...trigger, authenticationRef: { name: TRIGGER_AUTHENTICATION_NAME } }],
        },
    };
}

/** Scales the processor on its Service Bus queue: `messageCount` is the per-replica target. */
export function processorScaledObject(args: ScalingBase & ProcessorSource): k8s.apiextensions.CustomResourceArgs {
    const processing = args.settings.processing;
    return scaledObject(args, scaledObjectName(PROCESSOR_DEPLOYMENT), PROCESSOR_DEPLOYMENT, processing, {
        type: "azure-servicebus",
        metadata: {
            queueName: args.queueName,
            namespace: args.serviceBusNamespace,
            messageCount: String(processing.targetMessageCount),
        },
    });
}

/** Scales the ingest consumers on Event Hubs consumer lag, read from their blob checkpoints. */
export function ingestScaledObject(args: ScalingBase & IngestSource): k8s.apiextensions.CustomResourceArgs {
    const ingest = args.settings.ingest;
    return scaledObject(args, scaledObjectName(INGEST_DEPLOYMENT), INGEST_DEPLOYMENT, ingest, {
        type: "azure-eventhub",
        metadata: {
            eventHubNamespace: args.eventHubNamespace,
            eventHubName: args.eventHubName,
            consumerGroup: args.consumerGroup,
            unprocessedEventThreshold: String(ingest.unprocessedEventThreshold),
            storageAccountName: args.storageAccountName,
            blobContainer: args.blobContainer,
            checkpointStrategy: CHECKPOINT_STRATEGY,
        },
    });
}

export type TenantScalingArgs = ScalingBase &
    ProcessorSource &
    IngestSource & {
        /** The tenant identity KEDA's operator acts as to read queue depth and consumer lag. */
        readonly identityClientId: pulumi.Input<string>;
    };

/** The tenant's TriggerAuthentication (azure-workload) and the ScaledObjects of its processor and ingest tiers. */
export function createTenantScaling(name: string, args: TenantScalingArgs, opts: pulumi.CustomResourceOptions): void {
    new k8s.apiextensions.CustomResource(
        `${name}-keda-auth`,
        {
            apiVersion: "keda.sh/v1alpha1",
            kind: "TriggerAuthentication",
            metadata: { name: TRIGGER_AUTHENTICATION_NAME, namespace: args.namespace, labels: args.labels },
            spec: { podIdentity: { provider: "azure-workload", identityId: args.identityClientId } },
        },
        opts,
    );
    new k8s.apiextensions.CustomResource(`${name}-scale-processor`, processorScaledObject(args), opts);
    new k8s.apiextensions.CustomResource(`${name}-scale-ingest`, ingestScaledObject(args), opts);
}
