import * as pulumi from "@pulumi/pulumi";
import * as alertsmanagement from "@pulumi/azure-native/alertsmanagement";
import * as monitor from "@pulumi/azure-native/monitor";
import * as inputs from "@pulumi/azure-native/types/input";
import { AlertRule, alertRules, AlertsConfig, AlertTargets } from "../../lib/alertRules";
import { COMPONENT_TYPES } from "../../lib/componentTypes";
import { TAG_TENANT } from "../../lib/labels";
import { StoreScope } from "./telemetryStores";

/** Action groups are a global resource. */
const ACTION_GROUP_LOCATION = "global";
/** How often a rule group evaluates its rules. */
const EVALUATION_INTERVAL = "PT1M";
/** An alert resolves by itself once its condition has been false this long. */
const TIME_TO_RESOLVE = "PT10M";

/** A cluster whose metrics a rule group judges. */
export interface AlertedCluster {
    /** Logical name (`shared-1`), in the rule group's name. */
    readonly name: string;
    /** The AKS name: the `cluster` label managed Prometheus puts on the cluster's series. */
    readonly aksName: string;
    /** The AKS resource id, in the rule group's scopes. */
    readonly clusterId: pulumi.Input<string>;
    /** The one tenant of a dedicated cluster, put as the `tenant` label on its cluster-wide alerts. Default: none (shared). */
    readonly tenant?: string;
}

/** Where the alerting goes and how it is named: the data plane's scope (`namePrefix` prefixes the rule groups and the action group), without its random suffix. */
export interface RegionAlertsArgs extends Omit<StoreScope, "uniqueSuffix"> {
    /** The region's Azure Monitor workspace, where the clusters' samples are. No default. */
    readonly azureMonitorWorkspaceId: pulumi.Input<string>;
    /** Every cluster of the region: each gets a rule group. No default. */
    readonly clusters: readonly AlertedCluster[];
    /** `iot-fleet:alerts`: receivers and thresholds. No default. */
    readonly alerts: AlertsConfig;
    /** The object names the rules select on. No default. */
    readonly targets: AlertTargets;
}

/**
 * The region's alerting: one action group (the receivers of `alerts.actionGroup`) and, per cluster, a Prometheus rule
 * group on the Azure Monitor workspace holding `alertRules`, scoped to that cluster's series.
 */
export class RegionAlerts extends pulumi.ComponentResource {
    public readonly actionGroupId: pulumi.Output<string>;
    public readonly ruleGroupNames: pulumi.Output<string>[];

    constructor(name: string, args: RegionAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.regionAlerts, name, {}, opts);
        const receivers = args.alerts.actionGroup;
        const actionGroup = new monitor.ActionGroup(
            `${name}-action-group`,
            {
                resourceGroupName: args.resourceGroupName,
                location: ACTION_GROUP_LOCATION,
                actionGroupName: `${args.namePrefix}-oncall`,
                groupShortName: receivers.shortName,
                enabled: true,
                emailReceivers: receivers.emails.map((email, i) => ({
                    name: `email-${i + 1}`,
                    emailAddress: email,
                    useCommonAlertSchema: true,
                })),
                webhookReceivers: receivers.webhooks.map((uri, i) => ({
                    name: `webhook-${i + 1}`,
                    serviceUri: uri,
                    useCommonAlertSchema: true,
                })),
                tags: args.tags,
            },
            { parent: this },
        );
        const rules = alertRules(args.alerts.thresholds, args.targets);
        const groups = args.clusters.map(
            cluster =>
                new alertsmanagement.PrometheusRuleGroup(
                    `${name}-${cluster.name}`,
                    {
                        resourceGroupName: args.resourceGroupName,
                        location: args.location,
                        ruleGroupName: `${args.namePrefix}-${cluster.name}-alerts`,
                        description: `iot-fleet alerts of cluster ${cluster.name}: tenant queues, ingest, scaling, quota, Spot, certificates, Flux, health`,
                        // The workspace holds the samples; the cluster id ties the group to the cluster in the portal.
                        scopes: [args.azureMonitorWorkspaceId, cluster.clusterId],
                        // Adds cluster="<aks name>" to every query of the group.
                        clusterName: cluster.aksName,
                        interval: EVALUATION_INTERVAL,
                        enabled: true,
                        rules: rules.map(rule => ruleArgs(rule, cluster, actionGroup.id)),
                        tags: cluster.tenant === undefined ? args.tags : { ...args.tags, [TAG_TENANT]: cluster.tenant },
                    },
                    { parent: this },
                ),
        );
        this.actionGroupId = actionGroup.id;
        this.ruleGroupNames = groups.map(g => g.name);
        this.registerOutputs({ actionGroupId: this.actionGroupId, ruleGroupNames: this.ruleGroupNames });
    }
}

function ruleArgs(
    rule: AlertRule,
    cluster: AlertedCluster,
    actionGroupId: pulumi.Input<string>,
): inputs.alertsmanagement.PrometheusRuleArgs {
    // Tenant rules take the tenant from the namespace; a dedicated cluster's cluster-wide rules are about its one tenant too.
    const labels: Record<string, string> = { scope: rule.scope };
    if (rule.scope === "cluster" && cluster.tenant !== undefined) {
        labels.tenant = cluster.tenant;
    }
    return {
        alert: rule.alert,
        expression: rule.expression,
        for: rule.for,
        severity: rule.severity,
        enabled: true,
        labels,
        annotations: { summary: rule.summary, action: rule.action },
        actions: [{ actionGroupId }],
        resolveConfiguration: { autoResolved: true, timeToResolve: TIME_TO_RESOLVE },
    };
}
