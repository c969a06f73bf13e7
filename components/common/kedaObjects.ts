import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

/**
 * KEDA objects as every scaled workload of the fleet gets them, tenant or platform: telemetry backpressure shows up
 * as queue depth and consumer lag, not CPU. Trigger metadata values are strings, as KEDA's CRD schema requires.
 */

export const TRIGGER_AUTHENTICATION_NAME = "keda-azure-workload";
/** A deployment's ScaledObject; KEDA names the HPA it makes `keda-hpa-<this>`, which the alert rules select. */
export const scaledObjectName = (deployment: string): string => `${deployment}-scaler`;
/** Seconds between KEDA polls of the queue's metric or the hub. */
export const POLLING_INTERVAL_SECONDS = 15;
/**
 * KEDA's `cooldownPeriod`: seconds after the last active trigger before it scales to zero. With
 * `minReplicaCount` >= 1 it never does, so this only matters if a workload is ever allowed to scale to zero.
 */
export const COOLDOWN_SECONDS = 120;
/**
 * Scale-in above zero is the HPA's: it keeps the highest replica count it recommended over this window, so a
 * lull between IoT bursts does not shed replicas the next burst needs again. 120 s is the calm the cooldown was
 * meant to give; the HPA's own default (300 s) would keep a burst's replicas, and their quota, for 5 minutes.
 */
export const SCALE_DOWN_STABILIZATION_SECONDS = 120;

/** Where a KEDA object goes and how it is labelled. */
export interface KedaPlacement {
    readonly namespace: pulumi.Input<string>;
    readonly labels: Record<string, string>;
}

/** A ScaledObject of one Deployment on one trigger, authenticated by the namespace's TriggerAuthentication. */
export function scaledObject(
    at: KedaPlacement,
    name: string,
    target: string,
    replicas: { readonly minReplicas: number; readonly maxReplicas: number },
    trigger: { type: string; metadata: Record<string, pulumi.Input<string>> },
): k8s.apiextensions.CustomResourceArgs {
    return {
        apiVersion: "keda.sh/v1alpha1",
        kind: "ScaledObject",
        metadata: { name, namespace: at.namespace, labels: at.labels },
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

/**
 * The namespace's TriggerAuthentication: KEDA's operator signs in as this identity (`azure-workload`), so the
 * identity must federate KEDA's operator ServiceAccount and hold only what the triggers read.
 */
export function triggerAuthentication(
    name: string,
    at: KedaPlacement,
    identityClientId: pulumi.Input<string>,
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        name,
        {
            apiVersion: "keda.sh/v1alpha1",
            kind: "TriggerAuthentication",
            metadata: { name: TRIGGER_AUTHENTICATION_NAME, namespace: at.namespace, labels: at.labels },
            spec: { podIdentity: { provider: "azure-workload", identityId: identityClientId } },
        },
        opts,
    );
}
