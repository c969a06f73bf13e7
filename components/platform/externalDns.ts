import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { AZURE_ROLES } from "../common/azureRoles";
import * as charts from "./charts";
import {
    PLATFORM_LABELS,
    PlatformContext,
    identityReady,
    optionsIn,
    platformIdentity,
    platformNamespace,
    release,
} from "./platformContext";

const EXTERNAL_DNS_NAMESPACE = "external-dns";
/** Ceilings sized for two replicas plus one rolling-update surge. */
const EXTERNAL_DNS_QUOTA = { cpu: "1", memory: "1Gi", pods: 5 };

/** external-dns writing the region's Azure DNS zone, signed in with workload identity; returns its identity's client id. */
export function installExternalDns(ctx: PlatformContext): { release: k8s.helm.v3.Release; clientId: pulumi.Output<string> } {
    const { args } = ctx;
    const namespace = platformNamespace(ctx, EXTERNAL_DNS_NAMESPACE, { podSecurity: "restricted", quota: EXTERNAL_DNS_QUOTA });
    const identity = platformIdentity(
        ctx,
        "external-dns",
        { namespace: EXTERNAL_DNS_NAMESPACE, name: charts.EXTERNAL_DNS_SERVICE_ACCOUNT },
        [
            { role: "dns-zone", scope: args.dns.zoneId, roleGuid: AZURE_ROLES.dnsZoneContributor },
            // external-dns lists the zones of its resource group, which needs read access at that scope.
            {
                role: "dns-resource-group",
                scope: pulumi.interpolate`/subscriptions/${args.subscriptionId}/resourceGroups/${args.dns.zoneResourceGroupName}`,
                roleGuid: AZURE_ROLES.reader,
            },
        ],
    );
    // azure.json holds no secret with workload identity: only where the zone is and how to sign in.
    const azureConfig = new k8s.core.v1.ConfigMap(
        `${ctx.name}-external-dns-azure-config`,
        {
            metadata: {
                name: charts.EXTERNAL_DNS_AZURE_CONFIG,
                namespace: namespace.guardrails.namespace.metadata.name,
                labels: PLATFORM_LABELS,
            },
            data: {
                "azure.json": charts.externalDnsAzureConfig(
                    identity.identity.tenantId,
                    args.subscriptionId,
                    args.dns.zoneResourceGroupName,
                ),
            },
        },
        optionsIn(ctx, namespace),
    );
    const clientId = identity.identity.clientId;
    // The AKS name carries environment and region: logical names like `shared-1` repeat in every region sharing the zone.
    const values = charts.externalDnsValues({ clientId, zoneName: args.dns.zoneName, txtOwnerId: args.aksClusterName });
    const externalDns = release(ctx, "external-dns", charts.CHARTS.externalDns, namespace, values, [
        azureConfig,
        ...identityReady(identity),
    ]);
    return { release: externalDns, clientId };
}
