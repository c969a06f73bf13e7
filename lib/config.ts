import { z } from "zod";
import { CIDR, FleetConfig, fleetConfigSchema, TenantEntry, tenantSchema } from "./configSchema";
import { CONFIG_NAMESPACE } from "./labels";
import { ConfigError, ConfigProblem, keyPath } from "./errors";
import { azureLimitProblems, LimitCheckOptions } from "./azureLimits";
import { aksNames, clusterNameProblems } from "./naming";
import { CLUSTER_POD_CIDR, CLUSTER_SERVICE_CIDR, cidrsOverlap, planClusterSubnets } from "./network";
import { shardTenants } from "./tenantShards";
import { checkEdgeAddressSpace } from "./edgeAddressSpace";
import { clusterKindOf, placeTenants, placementSettings } from "./placement";
import { stampPlanProblems } from "./stampPlan";
import { scalingQuotaProblems } from "./scalingQuota";
import { resolveTenantSettings, tenantDefaultsSchema, tenantOverridesSchema } from "./tenantSettings";

export { ConfigError, ConfigProblem };
export { otherStacksUsage } from "./azureLimits";
export type { ClusterDefaults, FleetConfig, TenantEntry, TenantSpec } from "./configSchema";
export type { TenantOverrides, TenantSettings } from "./tenantSettings";
export { MAX_TENANT_NAME_LENGTH } from "./configSchema";
export { BUILT_IN_TENANT_DEFAULTS, resolveTenantSettings } from "./tenantSettings";
export { quantityValue } from "./quantity";
export { scalingQuotaProblems } from "./scalingQuota";
export type { ScalingQuotaSettings } from "./scalingQuota";

/**
 * Validation of a stack's `iot-fleet:` keys: the schema (`configSchema.ts`) key by key, then the rules that span
 * several keys; `parseFleetConfig` reports every problem at once, each with its key path.
 */

/**
 * Validates the `iot-fleet:` keys of a stack (already parsed from YAML or JSON, without the prefix)
 * and returns the config with every default applied, or throws one ConfigError listing every problem.
 */
export function parseFleetConfig(raw: Record<string, unknown>, source?: string, options: LimitCheckOptions = {}): FleetConfig {
    const result = fleetConfigSchema.safeParse(raw, { reportInput: true });
    const problems = result.success ? [] : result.error.issues.map(toProblem);
    problems.push(...crossFieldProblems(raw), ...clusterPlanProblems(raw), ...tenantScalingQuotaProblems(raw));
    if (problems.length > 0) {
        throw new ConfigError(dedupe(problems), source);
    }
    const config: FleetConfig = {
        ...result.data!,
        tenants: result.data!.tenants.map(tenant => ({
            ...tenant,
            settings: resolveTenantSettings(result.data!.tenantDefaults, tenant.overrides),
        })),
    };
    // Azure's limits, counted on the whole valid config before anything registers.
    const overStamps = stampPlanProblems(config, placeTenants(config.tenants, placementSettings(config)));
    const overLimits = [...overStamps, ...azureLimitProblems(config, options)];
    if (overLimits.length > 0) {
        throw new ConfigError(overLimits, source);
    }
    return config;
}

function toProblem(issue: z.core.$ZodIssue): ConfigProblem {
    const path = keyPath(issue.path);
    if (issue.code === "unrecognized_keys") {
        return issue.path.length === 0
            ? {
                  path: issue.keys.map(k => `${CONFIG_NAMESPACE}:${k}`).join(", "),
                  message: "unknown config key; check its spelling against the README's config reference",
              }
            : {
                  path,
                  message: `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map(k => `'${k}'`).join(", ")}; per-tenant settings go under tenants[].overrides with the keys of tenantDefaults`,
              };
    }
    if (issue.code === "invalid_type" && issue.input === undefined) {
        return { path, message: `required, expected ${issue.expected}` };
    }
    const found = issue.input;
    const shown =
        typeof found === "string" || typeof found === "number" || typeof found === "boolean" ? `, got ${JSON.stringify(found)}` : "";
    return { path, message: issue.message + shown };
}

/**
 * Rules that span several keys. They run on the raw input, whatever else is wrong with it,
 * so that a user sees these problems in the same error as the per-field ones.
 */
function crossFieldProblems(raw: Record<string, unknown>): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const add = (path: PropertyKey[], message: string) => problems.push({ path: keyPath(path), message });

    const processing = objectAt(raw, "clusterDefaults", "processingPool");
    if (processing && processing.spot !== false && typeof processing.baselineCount === "number" && processing.baselineCount < 1) {
        add(
            ["clusterDefaults", "processingPool", "baselineCount"],
            "a Spot processing pool needs a non-Spot baseline of at least 1 node to survive an eviction wave",
        );
    }
    for (const pool of ["ingestPool", "processingPool", "apiPool"]) {
        checkMinMax(objectAt(raw, "clusterDefaults", pool), "minCount", "maxCount", ["clusterDefaults", pool], add);
    }

    const region = objectAt(raw, "region");
    const addressSpace = region?.addressSpace;
    if (typeof addressSpace === "string" && CIDR.test(addressSpace)) {
        for (const reserved of [CLUSTER_POD_CIDR, CLUSTER_SERVICE_CIDR]) {
            if (cidrsOverlap(addressSpace, reserved)) {
                add(
                    ["region", "addressSpace"],
                    `overlaps ${reserved}, which every cluster uses inside (pod overlay or services); choose another range`,
                );
            }
        }
        checkEdgeAddressSpace(addressSpace, region?.edgeAddressSpace, add);
    }

    const fleet = objectAt(raw, "fleet");
    if (fleet?.mode === "join" && fleet.stackReference === undefined) {
        add(["fleet", "stackReference"], "required when fleet.mode is join: the <org>/<project>/<stack> that creates the fleet");
    }

    const defaults = objectAt(raw, "tenantDefaults");
    for (const tier of ["processing", "ingest"]) {
        checkMinMax(objectAt(defaults ?? {}, tier), "minReplicas", "maxReplicas", ["tenantDefaults", tier], add);
    }

    const tenants = Array.isArray(raw.tenants) ? raw.tenants : [];
    const firstIndexByName = new Map<string, number>();
    tenants.forEach((tenant: unknown, i: number) => {
        if (!isObject(tenant)) {
            return;
        }
        const name = tenant.name;
        if (typeof name === "string") {
            const first = firstIndexByName.get(name);
            if (first !== undefined) {
                add(
                    ["tenants", i, "name"],
                    `duplicate tenant '${name}' (first defined at tenants[${first}]); tenant names are unique within a stack`,
                );
            } else {
                firstIndexByName.set(name, i);
            }
        }
        const compliance = Array.isArray(tenant.compliance) ? tenant.compliance : [];
        const cluster = tenant.cluster;
        if (tenant.isolation === "shared" && compliance.length > 0) {
            add(
                ["tenants", i, "isolation"],
                `a tenant with compliance tags (${compliance.join(", ")}) runs on a dedicated cluster; remove isolation: shared`,
            );
        }
        if (typeof cluster === "string" && cluster.startsWith("shared-") && (tenant.isolation === "dedicated" || compliance.length > 0)) {
            add(
                ["tenants", i, "cluster"],
                `'${String(name)}' needs a dedicated cluster but is pinned to ${cluster}; remove the pin to move it (its namespace is recreated)`,
            );
        }
        if (typeof cluster === "string" && cluster.startsWith("dedicated-") && cluster !== `dedicated-${String(name)}`) {
            add(["tenants", i, "cluster"], `a dedicated cluster belongs to one tenant: expected dedicated-${String(name)}, got ${cluster}`);
        }
        if (typeof cluster === "string" && cluster.startsWith("dedicated-") && tenant.isolation === "shared") {
            add(["tenants", i, "cluster"], `isolation: shared contradicts the pin ${cluster}`);
        }
        const overrides = objectAt(tenant, "overrides");
        for (const tier of ["processing", "ingest"]) {
            const effective = { ...objectAt(defaults ?? {}, tier), ...objectAt(overrides ?? {}, tier) };
            checkMinMax(effective, "minReplicas", "maxReplicas", ["tenants", i, "overrides", tier], add);
        }
    });
    return problems;
}

/**
 * The clusters placement asks for must fit the address space and have names Azure accepts; checked here,
 * on the valid parts of the input, so that `pulumi up` never fails half-way through for it.
 */
function clusterPlanProblems(raw: Record<string, unknown>): ConfigProblem[] {
    const shape = fleetConfigSchema.shape;
    const region = shape.region.safeParse(raw.region).data;
    const environment = shape.environment.safeParse(raw.environment).data;
    const threshold = shape.dedicatedDeviceThreshold.safeParse(raw.dedicatedDeviceThreshold).data;
    const capacity = shape.sharedClusterCapacity.safeParse(raw.sharedClusterCapacity).data;
    if (!region || environment === undefined || threshold === undefined || !capacity) {
        return [];
    }
    // Valid tenants only, the first of each name (a duplicate is reported on its own).
    const tenants: { index: number; spec: TenantEntry }[] = [];
    (Array.isArray(raw.tenants) ? raw.tenants : []).forEach((input: unknown, index: number) => {
        const spec = tenantSchema.safeParse(input).data;
        if (spec && !tenants.some(t => t.spec.name === spec.name)) {
            tenants.push({ index, spec });
        }
    });
    const placement = placeTenants(
        tenants.map(t => t.spec),
        placementSettings({ dedicatedDeviceThreshold: threshold, sharedClusterCapacity: capacity }),
    );
    const indexOf = (matches: (tenant: TenantEntry) => boolean) => tenants.find(t => matches(t.spec))!.index;
    const quotas = shape.quotas.safeParse(raw.quotas ?? {}).data ?? shape.quotas.parse({});
    const { endpointSubnets } = shardTenants(
        tenants.map(t => t.spec.name),
        quotas.cosmosContainersPerAccount,
    );
    const problems: ConfigProblem[] = [];
    for (const { cluster, tenant, message } of planClusterSubnets(
        region.addressSpace,
        placement.clusters,
        tenants.map(t => t.spec),
        endpointSubnets,
    ).problems) {
        if (tenant !== undefined) {
            problems.push({ path: keyPath(["tenants", indexOf(t => t.name === tenant), "subnet"]), message });
            continue;
        }
        // A pin asks for a shared cluster by number; otherwise placement opened the cluster, and the address space is what to change.
        const shared = clusterKindOf(cluster) === "shared";
        const pinned = shared && tenants.some(t => t.spec.cluster === cluster);
        const path = pinned ? ["tenants", indexOf(t => t.cluster === cluster), "cluster"] : ["region", "addressSpace"];
        const advice = pinned
            ? "pin the tenant to a lower-numbered shared cluster"
            : shared
              ? "use a larger address space or raise sharedClusterCapacity"
              : "use a larger address space";
        problems.push({ path: keyPath(path), message: `${message}: ${advice}` });
    }
    for (const cluster of placement.clusters) {
        const path = cluster.kind === "dedicated" ? ["tenants", indexOf(t => t.name === cluster.tenants[0]), "name"] : ["environment"];
        for (const message of clusterNameProblems(aksNames(environment, region.shortName, region.location, cluster.name))) {
            problems.push({
                path: keyPath(path),
                message: `${cluster.name}: ${message}; shorten the ${cluster.kind === "dedicated" ? "tenant name" : "environment or region.shortName"}`,
            });
        }
    }
    return problems;
}

/**
 * `scalingQuotaProblems` of the tenant defaults and of every tenant whose overrides change what it checks (its
 * other tenants share the defaults' verdict). Settings the schema rejects are left to the schema's problems.
 */
function tenantScalingQuotaProblems(raw: Record<string, unknown>): ConfigProblem[] {
    const defaults = tenantDefaultsSchema.safeParse(raw.tenantDefaults ?? {}).data;
    if (!defaults) {
        return [];
    }
    const problems = scalingQuotaProblems(defaults, keyPath(["tenantDefaults"]));
    (Array.isArray(raw.tenants) ? raw.tenants : []).forEach((tenant: unknown, i: number) => {
        const overrides = tenantOverridesSchema.safeParse((isObject(tenant) ? tenant.overrides : undefined) ?? {}).data;
        const changesScaling =
            overrides &&
            [
                overrides.processing?.maxReplicas,
                overrides.ingest?.maxReplicas,
                overrides.quota,
                overrides.limits?.defaultCpu,
                overrides.limits?.defaultMemory,
            ].some(value => value !== undefined);
        if (changesScaling) {
            problems.push(...scalingQuotaProblems(resolveTenantSettings(defaults, overrides), keyPath(["tenants", i, "overrides"])));
        }
    });
    return problems;
}

function checkMinMax(
    obj: Record<string, unknown> | undefined,
    minKey: string,
    maxKey: string,
    path: PropertyKey[],
    add: (path: PropertyKey[], message: string) => void,
): void {
    const min = obj?.[minKey];
    const max = obj?.[maxKey];
    if (typeof min === "number" && typeof max === "number" && min > max) {
        add([...path, minKey], `${minKey} (${min}) is greater than ${maxKey} (${max})`);
    }
}

function objectAt(root: Record<string, unknown>, ...keys: string[]): Record<string, unknown> | undefined {
    let current: unknown = root;
    for (const key of keys) {
        current = isObject(current) ? current[key] : undefined;
    }
    return isObject(current) ? current : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
    const seen = new Set<string>();
    return problems.filter(p => {
        const key = `${p.path}\u0000${p.message}`;
        return seen.has(key) ? false : (seen.add(key), true);
    });
}
