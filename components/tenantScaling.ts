import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { TenantSettings } from "../lib/config";

/**
 * KEDA objects of a tenant. Telemetry backpressure shows up as queue depth and consumer lag, not CPU,
 * so both tiers scale on those. Trigger metadata values are strings, as KEDA's CRD schema requires.
 */

export const TRIGGER_AUTHENTICATION_NAME = "keda-azure-workload";
export const PROCESSOR_DEPLOYMENT = "telemetry-processor";
export const INGEST_DEPLOYMENT = "telemetry-ingest";
/** Seconds between KEDA polls of the queue or hub. */
export const POLLING_INTERVAL_SECONDS = 15;
/** Seconds of quiet before scaling back in; IoT traffic is bursty, so this avoids flapping. */
export const COOLDOWN_SECONDS = 120;
/** Event Hubs consumers built on EventProcessorClient keep checkpoints in blob metadata. */
const CHECKPOINT_STRATEGY = "blobMetadata";

interface ScalingBase {
    readonly namespace: pulumi.Input<string>;
    readonly labels: Record<string, string>;
    readonly settings: TenantSettings;
}

function scaledObject(base: ScalingBase, name: string, target: string, replicas: { minReplicas: number; maxReplicas: number },
    trigger: { type: string; metadata: Record<string, pulumi.Input<string>> }): k8s.apiextensions.CustomResourceArgs {
    return {
        apiVersion: "keda.sh/v1alpha1",
        kind: "ScaledObject",
        metadata: { name, namespace: base.namespace, labels: base.labels },
        spec: {
            scaleTargetRef: { name: target },
            pollingInterval: POLLING_INTERVAL_SECONDS,
            cooldownPeriod: COOLDOWN_SECONDS,
            minReplicaCount: replicas.minReplicas,
            maxReplicaCount: replicas.maxReplicas,
            triggers: [{ ...trigger, authenticationRef: { name: TRIGGER_AUTHENTICATION_NAME } }],
        },
    };
}

/** Scales the processor on its Service Bus queue: `messageCount` is the per-replica target. */
export function processorScaledObject(args: ScalingBase & {
    readonly queueName: pulumi.Input<string>;
    readonly serviceBusNamespace: pulumi.Input<string>;
}): k8s.apiextensions.CustomResourceArgs {
    const processing = args.settings.processing;
    return scaledObject(args, `${PROCESSOR_DEPLOYMENT}-scaler`, PROCESSOR_DEPLOYMENT, processing, {
        type: "azure-servicebus",
        metadata: {
            queueName: args.queueName,
            namespace: args.serviceBusNamespace,
            messageCount: String(processing.targetMessageCount),
        },
    });
}

/** Scales the ingest consumers on Event Hubs consumer lag, read from their blob checkpoints. */
export function ingestScaledObject(args: ScalingBase & {
    readonly eventHubNamespace: pulumi.Input<string>;
    readonly eventHubName: pulumi.Input<string>;
    readonly consumerGroup: pulumi.Input<string>;
    readonly storageAccountName: pulumi.Input<string>;
    readonly blobContainer: pulumi.Input<string>;
}): k8s.apiextensions.CustomResourceArgs {
    const ingest = args.settings.ingest;
    return scaledObject(args, `${INGEST_DEPLOYMENT}-scaler`, INGEST_DEPLOYMENT, ingest, {
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
