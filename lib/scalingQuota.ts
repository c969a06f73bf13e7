import { ConfigProblem } from "./errors";
import { quantityValue } from "./quantity";
import { TenantSettings } from "./tenantSettings";

/** The settings that decide whether a tenant's namespace quota holds every replica it may scale to. */
export type ScalingQuotaSettings = Pick<TenantSettings, "processing" | "ingest" | "quota" | "limits">;

/**
 * Problems of settings whose ResourceQuota cannot hold every replica KEDA may start: processing.maxReplicas +
 * ingest.maxReplicas pods (one container each), at the LimitRange's default limits, must fit quota.cpu,
 * quota.memory and quota.pods. A replica the quota refuses never starts, and the queue grows while KEDA
 * believes it scaled. `path` is the key path of the settings (`iot-fleet:tenantDefaults`).
 */
export function scalingQuotaProblems(settings: ScalingQuotaSettings, path: string): ConfigProblem[] {
    const { processing, ingest, quota, limits } = settings;
    const replicas = processing.maxReplicas + ingest.maxReplicas;
    const startable = `the ${replicas} replicas KEDA may start (processing.maxReplicas ${processing.maxReplicas} + ingest.maxReplicas ${ingest.maxReplicas})`;
    const problems: ConfigProblem[] = [];
    const check = (key: "cpu" | "memory", limit: "defaultCpu" | "defaultMemory", format: (value: number) => string) => {
        const needed = replicas * quantityValue(limits[limit]);
        if (needed > quantityValue(quota[key]) * (1 + 1e-9)) {
            problems.push({
                path: `${path}.quota.${key}`,
                message: `quota.${key} ${quota[key]} cannot hold ${startable} at limits.${limit} ${limits[limit]} each, ${format(needed)} in all; raise quota.${key} to at least ${format(needed)} or lower maxReplicas`,
            });
        }
    };
    check("cpu", "defaultCpu", cores => String(Math.ceil(cores * 1000 - 1e-6) / 1000));
    check("memory", "defaultMemory", bytes => (bytes % 2 ** 30 === 0 ? `${bytes / 2 ** 30}Gi` : `${Math.ceil(bytes / 2 ** 20)}Mi`));
    if (replicas > quota.pods) {
        problems.push({
            path: `${path}.quota.pods`,
            message: `quota.pods ${quota.pods} cannot hold ${startable}; raise quota.pods to at least ${replicas} or lower maxReplicas`,
        });
    }
    return problems;
}
