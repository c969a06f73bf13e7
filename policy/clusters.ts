import { EnforcementLevel, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { SYSTEM_POOL_TAINT, WORKLOAD_LABEL } from "./labels";
import { dependencyOf, TYPES } from "./resources";

export const DEFAULT_MIN_SYSTEM_NODES = 3;

interface Pool {
    readonly name?: string;
    readonly mode?: string;
    readonly count?: number;
    readonly minCount?: number;
    readonly enableAutoScaling?: boolean;
    readonly scaleSetPriority?: string;
    readonly nodeTaints?: string[];
    readonly nodeLabels?: Record<string, string>;
    readonly agentPoolName?: string;
}

/** The nodes a pool keeps at its lowest: its autoscaler minimum, or its fixed count. */
const floorOf = (pool: Pool): number => (pool.enableAutoScaling ? pool.minCount : pool.count) ?? 0;
const poolName = (pool: Pool): string => pool.name ?? pool.agentPoolName ?? "(unnamed)";

function systemPoolProblems(pool: Pool, minNodes: number): string[] {
    const problems: string[] = [];
    if (floorOf(pool) < minNodes) {
        problems.push(`system pool '${poolName(pool)}' keeps ${floorOf(pool)} nodes; at least ${minNodes} are needed for HA`);
    }
    if (!(pool.nodeTaints ?? []).includes(SYSTEM_POOL_TAINT)) {
        problems.push(
            `system pool '${poolName(pool)}' lacks the taint ${SYSTEM_POOL_TAINT}, so tenant pods can land next to CoreDNS and ingress`,
        );
    }
    return problems;
}

export const systemPoolIsolation = (enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy => ({
    name: "system-pool-isolation",
    description:
        "Each cluster has a System-mode pool of at least 3 nodes tainted CriticalAddonsOnly=true:NoSchedule, and its workload pools are User-mode, so that a noisy tenant can never evict system pods. Fix: keep clusterDefaults.systemPool.count >= 3 and create workload pools as User AgentPools.",
    enforcementLevel,
    configSchema: {
        properties: {
            minSystemNodes: {
                type: "integer",
                minimum: 1,
                default: DEFAULT_MIN_SYSTEM_NODES,
                description: "Fewest nodes of the system pool.",
            },
        },
    },
    validateResource: (args, reportViolation) => {
        const minNodes = args.getConfig<{ minSystemNodes?: number }>().minSystemNodes ?? DEFAULT_MIN_SYSTEM_NODES;
        if (args.type === TYPES.managedCluster) {
            const pools: Pool[] = args.props.agentPoolProfiles ?? [];
            const system = pools.filter(p => p.mode === "System");
            if (system.length === 0) {
                reportViolation("The cluster declares no System-mode pool.");
            }
            system.flatMap(p => systemPoolProblems(p, minNodes)).forEach(problem => reportViolation(`${problem}.`));
            pools
                .filter(p => p.mode !== "System" && p.mode !== "User")
                .forEach(p => reportViolation(`Pool '${poolName(p)}' has mode ${p.mode ?? "(unset)"}; workload pools are mode User.`));
        } else if (args.type === TYPES.agentPool) {
            const pool = args.props as Pool;
            if (pool.mode === "System") {
                systemPoolProblems(pool, minNodes).forEach(problem => reportViolation(`${problem}.`));
            } else if (pool.mode !== "User") {
                reportViolation(`Pool '${poolName(pool)}' has mode ${pool.mode ?? "(unset)"}; workload pools are mode User.`);
            }
        }
    },
});

export const clusterIdentity = (enforcementLevel: EnforcementLevel = "mandatory"): ResourceValidationPolicy => ({
    name: "cluster-identity",
    description:
        "Every AKS cluster has workload identity and the OIDC issuer on, local accounts disabled and Azure RBAC for Kubernetes on, so that no long-lived credential exists and every access is an Entra ID identity. Fix: build clusters with buildAksCluster.",
    enforcementLevel,
    validateResource: (args, reportViolation) => {
        if (args.type !== TYPES.managedCluster) {
            return;
        }
        const p = args.props;
        const missing = [
            [p.securityProfile?.workloadIdentity?.enabled === true, "securityProfile.workloadIdentity.enabled"],
            [p.oidcIssuerProfile?.enabled === true, "oidcIssuerProfile.enabled"],
            [p.disableLocalAccounts === true, "disableLocalAccounts"],
            [p.aadProfile?.enableAzureRBAC === true, "aadProfile.enableAzureRBAC"],
        ]
            .filter(([ok]) => !ok)
            .map(([, key]) => key);
        if (missing.length > 0) {
            reportViolation(`These must be true: ${missing.join(", ")}.`);
        }
    },
});

/** Pools by cluster: inline profiles under the cluster's URN, AgentPools under the cluster their `resourceName` names. */
function poolsByCluster(resources: PolicyResource[]): Map<PolicyResource, Pool[]> {
    const clusters = resources.filter(r => r.type === TYPES.managedCluster);
    const byCluster = new Map<PolicyResource, Pool[]>(clusters.map(c => [c, [...(c.props.agentPoolProfiles ?? [])]]));
    for (const pool of resources.filter(r => r.type === TYPES.agentPool)) {
        const cluster =
            dependencyOf(pool, "resourceName", TYPES.managedCluster) ??
            clusters.find(c => c.props.resourceName !== undefined && c.props.resourceName === pool.props.resourceName);
        if (cluster) {
            byCluster.get(cluster)!.push(pool.props as Pool);
        }
    }
    return byCluster;
}

export const DEFAULT_MIN_BASELINE_NODES = 1;

export const spotBaseline = (enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy => ({
    name: "spot-baseline",
    description:
        "Every cluster with a Spot pool also has a non-Spot pool for the same workload (the iot-fleet.io/workload node label) with at least 1 node, so that an eviction wave never takes a tier to zero. Fix: keep clusterDefaults.processingPool.baselineCount >= 1.",
    enforcementLevel,
    configSchema: {
        properties: {
            minBaselineNodes: {
                type: "integer",
                minimum: 1,
                default: DEFAULT_MIN_BASELINE_NODES,
                description: "Fewest on-demand nodes beside a Spot pool.",
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const minNodes = args.getConfig<{ minBaselineNodes?: number }>().minBaselineNodes ?? DEFAULT_MIN_BASELINE_NODES;
        for (const [cluster, pools] of poolsByCluster(args.resources)) {
            const workloadOf = (pool: Pool) => pool.nodeLabels?.[WORKLOAD_LABEL] ?? poolName(pool);
            for (const spot of pools.filter(p => p.scaleSetPriority === "Spot")) {
                const baseline = pools.filter(p => p.scaleSetPriority !== "Spot" && workloadOf(p) === workloadOf(spot));
                if (!baseline.some(p => floorOf(p) >= minNodes)) {
                    reportViolation(
                        `Spot pool '${poolName(spot)}' (workload ${workloadOf(spot)}) of cluster ${cluster.props.resourceName ?? cluster.name} has no non-Spot pool for the same workload keeping at least ${minNodes} node(s).`,
                        cluster.urn,
                    );
                }
            }
        }
    },
});

export const fleetMembership = (enforcementLevel: EnforcementLevel = "mandatory"): StackValidationPolicy => ({
    name: "fleet-membership",
    description:
        "Every AKS cluster is a member of the Azure Kubernetes Fleet Manager fleet, so that it is upgraded with its update group and never drifts alone. Fix: add a FleetMember for the cluster (Region does this for every cluster it builds).",
    enforcementLevel,
    validateStack: (args, reportViolation) => {
        const members = args.resources.filter(r => r.type === TYPES.fleetMember);
        for (const cluster of args.resources.filter(r => r.type === TYPES.managedCluster)) {
            const name = String(cluster.props.resourceName ?? "").toLowerCase();
            const isMember = members.some(
                m =>
                    (m.propertyDependencies.clusterResourceId ?? []).includes(cluster) ||
                    (name !== "" &&
                        typeof m.props.clusterResourceId === "string" &&
                        m.props.clusterResourceId.toLowerCase().endsWith(`/${name}`)),
            );
            if (!isMember) {
                reportViolation(`Cluster ${cluster.props.resourceName ?? cluster.name} is not a member of any fleet.`, cluster.urn);
            }
        }
    },
});
