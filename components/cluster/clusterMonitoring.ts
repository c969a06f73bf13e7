import * as pulumi from "@pulumi/pulumi";
import * as monitor from "@pulumi/azure-native/monitor";
import { fnv1a } from "../../lib/naming";

/** Azure caps data collection endpoint names at 44 characters and rule and association names at 64. */
const ENDPOINT_NAME_MAX = 44;
const RULE_NAME_MAX = 64;
/** The stream the AKS metrics add-on (ama-metrics) sends scraped Prometheus samples on. */
const PROMETHEUS_STREAM = monitor.KnownPrometheusForwarderDataSourceStreams.Microsoft_PrometheusMetrics;
const WORKSPACE_DESTINATION = "MonitoringAccount1";
/** The one name Azure accepts for the association that tells the agent which endpoint serves its configuration. */
const CONFIGURATION_ACCESS_ENDPOINT = "configurationAccessEndpoint";
/**
 * What the Container Insights agent (omsagent with useAADAuth) sends to Log Analytics: Azure's "Logs and Events"
 * preset. Metrics go to managed Prometheus, so the Perf and InsightsMetrics streams would only pay for them twice.
 */
export const CONTAINER_INSIGHTS_STREAMS = ["Microsoft-ContainerLogV2", "Microsoft-KubeEvents", "Microsoft-KubePodInventory"] as const;
const CONTAINER_INSIGHTS_EXTENSION = "ContainerInsights";
/** The association name the agent looks its rule up by. */
const CONTAINER_INSIGHTS_ASSOCIATION = "ContainerInsightsExtension";
const LOG_ANALYTICS_DESTINATION = "ciworkspace";

/** The cluster a monitoring pipeline is for, and where its Azure resources go. */
export interface MonitoredCluster {
    /** The AKS resource id the rules are associated with. No default. */
    readonly clusterResourceId: pulumi.Input<string>;
    /** Logical cluster name (`shared-1`); part of the Azure names, `MSProm-<region>-<cluster>` or `MSCI-<region>-<cluster>`. No default. */
    readonly clusterName: string;
    /** Region of the endpoints and rules; the cluster's, and the Azure Monitor workspace's. No default. */
    readonly location: pulumi.Input<string>;
    /** Resource group of the endpoints and rules. No default. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Tags of the endpoints and rules. No default. */
    readonly tags: Record<string, string>;
}

export interface ContainerInsightsArgs extends MonitoredCluster {
    /** The Log Analytics workspace the omsagent add-on of the cluster is configured with. No default. */
    readonly logAnalyticsWorkspaceId: pulumi.Input<string>;
}

/**
 * With `useAADAuth`, the Container Insights agent sends nothing until a data collection rule tells it what to collect
 * and where: a rule streaming container logs (ContainerLogV2), Kubernetes events and pod inventory to Log Analytics,
 * and its association with the cluster.
 */
export function connectContainerInsights(name: string, args: ContainerInsightsArgs, parent: pulumi.Resource) {
    const dataCollectionRule = new monitor.DataCollectionRule(
        `${name}-ci-dcr`,
        {
            dataCollectionRuleName: monitoringName("MSCI", args.location, args.clusterName, RULE_NAME_MAX),
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            kind: monitor.KnownDataCollectionRuleResourceKind.Linux,
            description: `Container Insights logs and events of cluster ${args.clusterName}`,
            dataSources: {
                extensions: [
                    {
                        name: CONTAINER_INSIGHTS_ASSOCIATION,
                        extensionName: CONTAINER_INSIGHTS_EXTENSION,
                        streams: [...CONTAINER_INSIGHTS_STREAMS],
                        extensionSettings: {
                            dataCollectionSettings: { interval: "1m", namespaceFilteringMode: "Off", enableContainerLogV2: true },
                        },
                    },
                ],
            },
            destinations: { logAnalytics: [{ name: LOG_ANALYTICS_DESTINATION, workspaceResourceId: args.logAnalyticsWorkspaceId }] },
            dataFlows: [{ streams: [...CONTAINER_INSIGHTS_STREAMS], destinations: [LOG_ANALYTICS_DESTINATION] }],
            tags: args.tags,
        },
        { parent },
    );
    const association = new monitor.DataCollectionRuleAssociation(
        `${name}-ci-dcra`,
        {
            associationName: CONTAINER_INSIGHTS_ASSOCIATION,
            resourceUri: args.clusterResourceId,
            dataCollectionRuleId: dataCollectionRule.id,
            description: "Sends the cluster's container logs and Kubernetes events to Log Analytics.",
        },
        { parent },
    );
    return { dataCollectionRule, association };
}

export interface ManagedPrometheusArgs extends MonitoredCluster {
    /** The Azure Monitor workspace the samples are stored in. No default. */
    readonly azureMonitorWorkspaceId: pulumi.Input<string>;
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
 * `MSProm-<region>-<cluster>` or `MSCI-<region>-<cluster>`, the names the Azure portal and CLI give these resources.
 * A longer name is cut to Azure's limit and ends in a hash of the full name, so that two long cluster names cannot collide.
 */
export function monitoringResourceName(kind: "MSProm" | "MSCI", region: string, clusterName: string, maxLength: number): string {
    const full = `${kind}-${region}-${clusterName}`;
    if (full.length <= maxLength) {
        return full;
    }
    const hash = fnv1a(full).toString(16).padStart(8, "0");
    return `${full.slice(0, maxLength - hash.length - 1).replace(/-+$/, "")}-${hash}`;
}

const monitoringName = (kind: "MSProm" | "MSCI", location: pulumi.Input<string>, clusterName: string, maxLength: number) =>
    pulumi.output(location).apply(region => monitoringResourceName(kind, region, clusterName, maxLength));
const prometheusName = (location: pulumi.Input<string>, clusterName: string, maxLength: number): pulumi.Output<string> =>
    monitoringName("MSProm", location, clusterName, maxLength);

/**
 * Connects a cluster's managed Prometheus agent to an Azure Monitor workspace: a data collection endpoint,
 * a rule forwarding `Microsoft-PrometheusMetrics` to the workspace, and the cluster's associations to both.
 * The cluster itself must have `azureMonitorProfile.metrics.enabled`.
 */
export function connectManagedPrometheus(name: string, args: ManagedPrometheusArgs, parent: pulumi.Resource): ManagedPrometheus {
    const dataCollectionEndpoint = new monitor.DataCollectionEndpoint(
        `${name}-prom-dce`,
        {
            dataCollectionEndpointName: prometheusName(args.location, args.clusterName, ENDPOINT_NAME_MAX),
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            kind: monitor.KnownDataCollectionEndpointResourceKind.Linux,
            description: `Managed Prometheus endpoint of cluster ${args.clusterName}`,
            tags: args.tags,
        },
        { parent },
    );

    const dataCollectionRule = new monitor.DataCollectionRule(
        `${name}-prom-dcr`,
        {
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
        },
        { parent },
    );

    const ruleAssociation = new monitor.DataCollectionRuleAssociation(
        `${name}-prom-dcra`,
        {
            associationName: prometheusName(args.location, args.clusterName, RULE_NAME_MAX),
            resourceUri: args.clusterResourceId,
            dataCollectionRuleId: dataCollectionRule.id,
            description: "Sends the cluster's Prometheus metrics to the Azure Monitor workspace.",
        },
        { parent },
    );

    const endpointAssociation = new monitor.DataCollectionRuleAssociation(
        `${name}-prom-dcea`,
        {
            associationName: CONFIGURATION_ACCESS_ENDPOINT,
            resourceUri: args.clusterResourceId,
            dataCollectionEndpointId: dataCollectionEndpoint.id,
            description: "Tells the cluster's metrics agent which endpoint serves its configuration.",
        },
        { parent },
    );

    return { dataCollectionEndpoint, dataCollectionRule, ruleAssociation, endpointAssociation };
}
