import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { TenantSettings } from "../../lib/config";
import { KedaPlacement, scaledObject, scaledObjectName, triggerAuthentication } from "../common/kedaObjects";

/**
 * KEDA objects of a tenant: its processor scales on the depth of its own Service Bus queue. The platform's ingest
 * tier fills the queue (components/platform/ingestTier.ts); the tenant reads no event hub.
 *
 * KEDA's `azure-servicebus` scaler reads queue runtime properties, a management operation that needs the Manage
 * claim (Azure Service Bus Data Owner, which can also receive): kedacore/keda#806 and #7822. The processor therefore
 * scales through `azure-monitor` on the namespace's `ActiveMessages` metric filtered to its queue, signed in as the
 * cluster's KEDA scaler identity, which holds Monitoring Reader on the namespace and nothing else: it reads counts,
 * never a message. Azure Monitor metrics lag by about a minute, which the 120 s scale-down window absorbs.
 */

export const PROCESSOR_DEPLOYMENT = "telemetry-processor";
/** The Service Bus metric of messages waiting to be received (Microsoft Learn, "Monitoring Azure Service Bus data reference"). */
const ACTIVE_MESSAGES_METRIC = "ActiveMessages";

/** The Service Bus queue the processor tier drains, and where Azure Monitor finds its namespace's metrics. */
export interface ProcessorSource {
    readonly queueName: pulumi.Input<string>;
    /** The name of the region's Service Bus namespace. */
    readonly serviceBusNamespace: pulumi.Input<string>;
    readonly azureTenantId: pulumi.Input<string>;
    readonly subscriptionId: pulumi.Input<string>;
    readonly resourceGroupName: pulumi.Input<string>;
}

type ScalingBase = KedaPlacement & {
    /** The tenant's effective settings: per-replica target and replica bounds. */
    readonly settings: TenantSettings;
};

/** Scales the processor on its queue's active messages: `targetValue` is the per-replica target. */
export function processorScaledObject(args: ScalingBase & ProcessorSource): k8s.apiextensions.CustomResourceArgs {
    const processing = args.settings.processing;
    return scaledObject(args, scaledObjectName(PROCESSOR_DEPLOYMENT), PROCESSOR_DEPLOYMENT, processing, {
        type: "azure-monitor",
        metadata: {
            resourceURI: pulumi.interpolate`Microsoft.ServiceBus/namespaces/${args.serviceBusNamespace}`,
            tenantId: args.azureTenantId,
            subscriptionId: args.subscriptionId,
            resourceGroupName: args.resourceGroupName,
            metricName: ACTIVE_MESSAGES_METRIC,
            metricFilter: pulumi.interpolate`EntityName eq '${args.queueName}'`,
            metricAggregationType: "Average",
            metricAggregationInterval: "0:1:0",
            targetValue: String(processing.targetMessageCount),
        },
    });
}

export type TenantScalingArgs = ScalingBase &
    ProcessorSource & {
        /** The cluster's KEDA scaler identity (Monitoring Reader on the Service Bus namespace only), never the tenant's. */
        readonly scalerClientId: pulumi.Input<string>;
    };

/** The tenant's TriggerAuthentication (the cluster's scaler identity) and its processor's ScaledObject. */
export function createTenantScaling(name: string, args: TenantScalingArgs, opts: pulumi.CustomResourceOptions): void {
    triggerAuthentication(`${name}-keda-auth`, args, args.scalerClientId, opts);
    new k8s.apiextensions.CustomResource(`${name}-scale-processor`, processorScaledObject(args), opts);
}
