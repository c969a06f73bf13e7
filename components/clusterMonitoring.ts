import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import { fnv1a } from "../lib/naming";

/** Azure caps data collection endpoint names at 44 characters and rule and association names at 64. */
const ENDPOINT_NAME_MAX = 44;
const RULE_NAME_MAX = 64;
/** The stream the AKS metrics add-on (ama-metrics) sends scraped Prometheus samples on. */
const PROMETHEUS_STREAM = monitor.KnownPrometheusForwarderDataSourceStreams.Microsoft_PrometheusMetrics;
const WORKSPACE_DESTINATION = "MonitoringAccount1";
/** The one name Azure accepts for the association that tells the agent which endpoint serves its configuration. */
const CONFIGURATION_ACCESS_ENDPOINT = "configurationAccessEndpoint";

export interface ManagedPrometheusArgs {
    /** The AKS resource id the rule is associated with. */
    readonly clusterResourceId: pulumi.Input<string>;
    /** Logical cluster name (`shared-1`); part of the Azure names, which follow the `MSProm-<region>-<cluster>` convention. */
    readonly clusterName: string;
    /** Region of the endpoint and rule; must be the Azure Monitor workspace's region. */
    readonly location: pulumi.Input<string>;
    readonly resourceGroupName: pulumi.Input<string>;
    /** The Azure Monitor workspace the samples are stored in. */
    readonly azureMonitorWorkspaceId: pulumi.Input<string>;
    readonly tags: Record<string, string>;
}

export interface ManagedPrometheus {
    readonly dataCollectionEndpoint: monitor.DataCollectionEndpoint;
    readonly dataCollectionRule: monitor.DataCollectionRule;
    /** Binds the rule to the cluster. */
    readonly ruleAssociation: monitor.DataCollectionRuleAssociation;
    /** Binds the endpoint to the cluster as its configuration access endpoint. */
    readonly endpointAssociation: monitor.DataCollectionRuleAssociation;
}

/**
 * `MSProm-<region>-<cluster>`, the name the Azure portal and CLI give these resources. A longer name is cut
 * to Azure's limit and ends in a hash of the full name, so that two long cluster names cannot collide.
 */
export function prometheusResourceName(region: string, clusterName: string, maxLength: number): string {
    const full = `MSProm-${region}-${clusterName}`;
    if (full.length <= maxLength) {
        return full;
    }
    const hash = fnv1a(full).toString(16).padStart(8, "0");
    return `${full.slice(0, maxLength - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}

const prometheusName = (location: pulumi.Input<string>, clusterName: string, maxLength: number): pulumi.Output<string> =>
    pulumi.output(location).apply(region => prometheusResourceName(region, clusterName, maxLength));

/**
 * Connects a cluster's managed Prometheus agent to an Azure Monitor workspace: a data collection endpoint,
 * a rule forwarding `Microsoft-PrometheusMetrics` to the workspace, and the cluster's associations to both.
 * The cluster itself must have `azureMonitorProfile.metrics.enabled`.
 */
export function connectManagedPrometheus(name: string, args: ManagedPrometheusArgs, parent: pulumi.Resource): ManagedPrometheus {
    const dataCollectionEndpoint = new monitor.DataCollectionEndpoint(`${name}-prom-dce`, {
        dataCollectionEndpointName: prometheusName(args.location, args.clusterName, ENDPOINT_NAME_MAX),
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        kind: monitor.KnownDataCollectionEndpointResourceKind.Linux,
        description: `Managed Prometheus endpoint of cluster ${args.clusterName}`,
        tags: args.tags,
    }, { parent });

    const dataCollectionRule = new monitor.DataCollectionRule(`${name}-prom-dcr`, {
        dataCollectionRuleName: prometheusName(args.location, args.clusterName, RULE_NAME_MAX),
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        kind: monitor.KnownDataCollectionRuleResourceKind.Linux,
        description: `Managed Prometheus metrics of cluster ${args.clusterName}`,
        dataCollectionEndpointId: dataCollectionEndpoint.id,
        dataSources: {
            prometheusForwarder: [{ name: "PrometheusDataSource", streams: [PROMETHEUS_STREAM], labelIncludeFilter: {} }],
        },
        destinations: {
            monitoringAccounts: [{ name: WORKSPACE_DESTINATION, accountResourceId: args.azureMonitorWorkspaceId }],
        },
        dataFlows: [{ streams: [PROMETHEUS_STREAM], destinations: [WORKSPACE_DESTINATION] }],
        tags: args.tags,
    }, { parent });

    const ruleAssociation = new monitor.DataCollectionRuleAssociation(`${name}-prom-dcra`, {
        associationName: prometheusName(args.location, args.clusterName, RULE_NAME_MAX),
        resourceUri: args.clusterResourceId,
        dataCollectionRuleId: dataCollectionRule.id,
        description: "Sends the cluster's Prometheus metrics to the Azure Monitor workspace.",
    }, { parent });

    const endpointAssociation = new monitor.DataCollectionRuleAssociation(`${name}-prom-dcea`, {
        associationName: CONFIGURATION_ACCESS_ENDPOINT,
        resourceUri: args.clusterResourceId,
        dataCollectionEndpointId: dataCollectionEndpoint.id,
        description: "Tells the cluster's metrics agent which endpoint serves its configuration.",
    }, { parent });

    return { dataCollectionEndpoint, dataCollectionRule, ruleAssociation, endpointAssociation };
}
