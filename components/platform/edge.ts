import * as k8s from "@pulumi/kubernetes";
import * as network from "@pulumi/azure-native/network";
import * as servicenetworking from "@pulumi/azure-native/servicenetworking";
import { ALB_CONTROLLER_NAMESPACE, ALB_CONTROLLER_SERVICE_ACCOUNT } from "../../lib/edge";
import { AZURE_ROLES } from "../common/azureRoles";
import * as charts from "./charts";
import { PlatformContext, identityReady, platformIdentity, platformNamespace, release } from "./platformContext";

/**
 * The Azure half of a cluster's public edge: an Application Gateway for Containers (AGC) in the bring-your-own
 * deployment (Microsoft Learn, AGC "Quickstart: create Application Gateway for Containers - bring your own
 * deployment"): the AGC, its association with the cluster's delegated edge /24 and one frontend, a WAF policy,
 * and the ALB controller that programs the AGC from the cluster's Gateway API objects (`edgeGateway.ts`).
 *
 * Why AGC: it is the Gateway API implementation Azure runs for AKS (the successor of AGIC, which the reference
 * architecture puts at the edge), with Azure WAF at the edge, offered both as an AKS add-on and as a Helm chart;
 * its data plane is Azure's, outside the cluster, so no tenant-reachable proxy runs on the nodes. On the CNI
 * overlay it proxies from its subnet straight to pods, which the tenants' NetworkPolicies admit by that /24.
 */

const EDGE_FRONTEND_NAME = "edge";
/** Ceilings sized for two controller replicas plus one rolling-update surge. */
const ALB_CONTROLLER_QUOTA = { cpu: "2", memory: "2Gi", pods: 5 };

/**
 * Microsoft's Default Rule Set 2.1 in prevention mode: the managed rule set AGC's WAF supports (Microsoft Learn,
 * "Azure Web Application Firewall on Application Gateway for Containers"; the HTTP DDoS rule set is not supported there).
 */
export const EDGE_WAF_RULE_SET = { ruleSetType: "Microsoft_DefaultRuleSet", ruleSetVersion: "2.1" } as const;

export interface EdgeLoadBalancer {
    readonly trafficController: servicenetworking.TrafficControllerInterface;
    /** The frontend's name, which the Gateway claims as its address (the controller waits for the frontend). */
    readonly frontendName: string;
    readonly wafPolicy: network.WebApplicationFirewallPolicy;
    /** The ALB controller; its chart installs the Gateway API CRDs the Gateway needs. */
    readonly controller: k8s.helm.v3.Release;
}

export function installEdgeLoadBalancer(ctx: PlatformContext): EdgeLoadBalancer {
    const { args } = ctx;
    const azure = { parent: ctx.parent };
    const where = { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags };
    const trafficController = new servicenetworking.TrafficControllerInterface(
        `${ctx.name}-agc`,
        { ...where, trafficControllerName: `agc-${args.clusterName}` },
        azure,
    );
    const child = { ...where, trafficControllerName: trafficController.name };
    const association = new servicenetworking.AssociationsInterface(
        `${ctx.name}-agc-association`,
        {
            ...child,
            associationName: "edge-subnet",
            associationType: servicenetworking.AssociationType.Subnets,
            subnet: { id: args.edgeSubnet.id },
        },
        azure,
    );
    const frontend = new servicenetworking.FrontendsInterface(
        `${ctx.name}-agc-frontend`,
        { ...child, frontendName: EDGE_FRONTEND_NAME },
        azure,
    );
    const wafPolicy = new network.WebApplicationFirewallPolicy(
        `${ctx.name}-waf`,
        {
            ...where,
            policyName: `waf-${args.clusterName}`,
            policySettings: { state: "Enabled", mode: "Prevention", requestBodyCheck: true },
            managedRules: { managedRuleSets: [EDGE_WAF_RULE_SET] },
        },
        azure,
    );

    const namespace = platformNamespace(ctx, ALB_CONTROLLER_NAMESPACE, {
        // Microsoft does not document the controller's pods as meeting the restricted profile.
        podSecurity: "baseline",
        quota: ALB_CONTROLLER_QUOTA,
    });
    const identity = platformIdentity(
        ctx,
        "alb-controller",
        { namespace: ALB_CONTROLLER_NAMESPACE, name: ALB_CONTROLLER_SERVICE_ACCOUNT },
        [
            { role: "agc", scope: trafficController.id, roleGuid: AZURE_ROLES.appGwForContainersConfigurationManager },
            // Joining the association to the delegated subnet and the WAF policy to a security policy are `join` actions.
            { role: "edge-subnet", scope: args.edgeSubnet.id, roleGuid: AZURE_ROLES.networkContributor },
            { role: "waf-policy", scope: wafPolicy.id, roleGuid: AZURE_ROLES.networkContributor },
        ],
    );
    const controller = release(
        ctx,
        "alb-controller",
        charts.CHARTS.albController,
        namespace,
        charts.albControllerValues(ALB_CONTROLLER_NAMESPACE, identity.identity.clientId),
        [association, frontend, ...identityReady(identity)],
    );
    return { trafficController, frontendName: EDGE_FRONTEND_NAME, wafPolicy, controller };
}
