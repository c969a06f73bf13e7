import { z } from "zod";
import { CONFIG_NAMESPACE } from "./labels";
import { ConfigError, ConfigProblem } from "./errors";
import { dataPlaneSchema, eventHubsSchema } from "./dataPlane";
import { ADX_CONSUMER_GROUP, aksNames, clusterNameProblems } from "./naming";
import { CLUSTER_POD_CIDR, CLUSTER_SERVICE_CIDR, cidrsOverlap, planClusterSubnets } from "./network";
import { clusterKindOf, placeTenants, placementSettings } from "./placement";

export { ConfigError, ConfigProblem };

/**
 * The stack configuration schema. Every key lives under the `iot-fleet:` namespace of a stack file;
 * `parseFleetConfig` validates all of them at once and reports every problem with its key path.
 */

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Tenant names end up in namespace, identity, queue and AKS names: 30 characters keeps all of them legal. */
export const MAX_TENANT_NAME_LENGTH = 30;
const RESERVED_NAMESPACES = new Set([
    "default", "kube-system", "kube-public", "kube-node-lease", "gatekeeper-system", "flux-system",
    "ingress-nginx", "cert-manager", "external-dns", "observability", "keda", "calico-system", "tigera-operator",
]);
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const QUANTITY = /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G)?$/;

const vmSize = z.string().regex(/^Standard_[A-Za-z0-9_]+$/, "expected an Azure VM size such as Standard_D4ds_v5");
const quantity = z.string().regex(QUANTITY, "expected a Kubernetes quantity such as 500m, 4 or 8Gi");
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

const systemPoolSchema = z.strictObject({
    vmSize: vmSize.default("Standard_D4ds_v5"),
    count: z.number().int().min(3, "the system pool needs at least 3 nodes for HA").default(3),
});

const workloadPoolSchema = (vm: string, min: number, max: number) => z.strictObject({
    vmSize: vmSize.default(vm),
    minCount: nonNegativeInt.default(min),
    maxCount: positiveInt.default(max),
});

const processingPoolSchema = z.strictObject({
    vmSize: vmSize.default("Standard_F16s_v2"),
    minCount: nonNegativeInt.default(0),
    maxCount: positiveInt.default(40),
    /** Spot capacity for the stateless, KEDA-scaled processing tier. */
    spot: z.boolean().default(true),
    /** -1 pays up to the on-demand price, so nodes are only evicted for capacity, never for price. */
    spotMaxPrice: z.number().refine(v => v === -1 || v > 0, "expected -1 (on-demand cap) or a positive price").default(-1),
    /** Non-Spot processing nodes that keep the tier alive through a Spot eviction wave. */
    baselineCount: nonNegativeInt.default(2),
    baselineVmSize: vmSize.optional(),
});

const maintenanceWindowSchema = z.strictObject({
    dayOfWeek: z.enum(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]).default("Sunday"),
    startHour: z.number().int().min(0).max(23).default(2),
    durationHours: z.number().int().min(4, "AKS maintenance windows last at least 4 hours").max(24).default(4),
});

const clusterDefaultsSchema = z.strictObject({
    kubernetesVersion: z.string().regex(/^\d+\.\d+(\.\d+)?$/, "expected a version such as 1.33").default("1.33"),
    tier: z.enum(["Free", "Standard", "Premium"]).default("Standard"),
    /** Fleet Manager's auto-upgrade channel for every cluster of the fleet; Fleet has no `patch` channel. */
    upgradeChannel: z.enum(["stable", "rapid", "node-image", "none"],
        "Fleet Manager rolls upgrades and offers the channels stable, rapid and node-image (or none)").default("stable"),
    nodeOsUpgradeChannel: z.enum(["NodeImage", "SecurityPatch", "Unmanaged", "None"]).default("NodeImage"),
    availabilityZones: z.array(z.enum(["1", "2", "3"])).min(1).default(["1", "2", "3"]),
    maintenanceWindow: maintenanceWindowSchema.prefault({}),
    systemPool: systemPoolSchema.prefault({}),
    ingestPool: workloadPoolSchema("Standard_F8s_v2", 2, 10).prefault({}),
    processingPool: processingPoolSchema.prefault({}),
    apiPool: workloadPoolSchema("Standard_D4ds_v5", 2, 6).prefault({}),
});

/** Every per-tenant setting, without defaults: `tenantDefaults` fills them, a tenant changes them only under `overrides`. */
const tenantSettingFields = {
    processing: z.strictObject({
        /** KEDA's per-replica target: queue messages one processor replica handles at steady state. */
        targetMessageCount: positiveInt,
        minReplicas: z.number().int().min(1, "processing keeps at least 1 replica so the queue is always drained"),
        maxReplicas: positiveInt,
    }),
    ingest: z.strictObject({
        /** KEDA's per-replica target of unprocessed events (consumer lag) per partition. */
        unprocessedEventThreshold: positiveInt,
        minReplicas: z.number().int().min(1, "ingest keeps at least 1 consumer per region"),
        maxReplicas: positiveInt,
    }),
    quota: z.strictObject({ cpu: quantity, memory: quantity, pods: positiveInt }),
    limits: z.strictObject({
        defaultCpu: quantity, defaultMemory: quantity, defaultRequestCpu: quantity, defaultRequestMemory: quantity,
    }),
    podSecurity: z.enum(["restricted", "baseline"]),
};

/** The built-in tenant settings, used where a stack's `tenantDefaults` is silent. */
export const BUILT_IN_TENANT_DEFAULTS = {
    processing: { targetMessageCount: 500, minReplicas: 1, maxReplicas: 20 },
    ingest: { unprocessedEventThreshold: 64, minReplicas: 1, maxReplicas: 8 },
    // 16 CPU and 16Gi hold the 28 replicas KEDA may start at the default limits (14 CPU, 14Gi) plus a rolling-update surge.
    quota: { cpu: "16", memory: "16Gi", pods: 100 },
    limits: { defaultCpu: "500m", defaultMemory: "512Mi", defaultRequestCpu: "100m", defaultRequestMemory: "128Mi" },
    podSecurity: "restricted" as const,
};

function withBuiltIn<Shape extends z.ZodRawShape, Out extends object>(fields: z.ZodObject<Shape, z.core.$strict>, builtIn: Out) {
    return fields.partial().optional().transform(given => ({ ...builtIn, ...given }) as Out);
}

const tenantDefaultsSchema = z.strictObject({
    processing: withBuiltIn(tenantSettingFields.processing, BUILT_IN_TENANT_DEFAULTS.processing),
    ingest: withBuiltIn(tenantSettingFields.ingest, BUILT_IN_TENANT_DEFAULTS.ingest),
    quota: withBuiltIn(tenantSettingFields.quota, BUILT_IN_TENANT_DEFAULTS.quota),
    limits: withBuiltIn(tenantSettingFields.limits, BUILT_IN_TENANT_DEFAULTS.limits),
    podSecurity: tenantSettingFields.podSecurity.default(BUILT_IN_TENANT_DEFAULTS.podSecurity),
});

/** Overrides hold the keys of `tenantDefaults`, none required and none unknown. */
const overridesSchema = z.strictObject({
    processing: tenantSettingFields.processing.partial(),
    ingest: tenantSettingFields.ingest.partial(),
    quota: tenantSettingFields.quota.partial(),
    limits: tenantSettingFields.limits.partial(),
    podSecurity: tenantSettingFields.podSecurity,
}).partial();

export const tenantSchema = z.strictObject({
    name: z.string()
        .max(MAX_TENANT_NAME_LENGTH, `tenant names have at most ${MAX_TENANT_NAME_LENGTH} characters`)
        .regex(DNS_1123_LABEL, "tenant names must be DNS-1123 labels (lowercase letters, digits and '-')")
        // A DNS-1123 label may repeat '-', but the tenant's checkpoint blob container and Key Vault names may not.
        .refine(n => !n.includes("--"), "tenant names must not contain consecutive hyphens: Azure refuses them in the tenant's blob container and Key Vault names")
        .refine(n => !RESERVED_NAMESPACES.has(n) && !n.startsWith("kube-"), "this name is reserved for a platform namespace")
        .refine(n => n !== ADX_CONSUMER_GROUP, `'${ADX_CONSUMER_GROUP}' is the Event Hubs consumer group of ADX ingestion; choose another tenant name`),
    deviceQuota: z.number().int("deviceQuota must be a whole number").positive("deviceQuota must be a positive number of devices"),
    isolation: z.enum(["auto", "shared", "dedicated"]).default("auto"),
    compliance: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "compliance tags are lowercase, such as gxp or itar")).default([]),
    /** Pins the tenant to a cluster (`shared-<n>` or `dedicated-<tenant>`); placement never moves a pinned tenant. */
    cluster: z.string().regex(/^(shared-[1-9]\d*|dedicated-[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/, "expected shared-<n> or dedicated-<tenant>").optional(),
    /** Pins the /24 node subnet of the tenant's dedicated cluster. Default: its cluster name hashed into the upper half, which must then be nobody else's. */
    subnet: z.string().regex(/^\d{1,3}\.\d{1,3}\.\d{1,3}\.0\/24$/, "expected a /24 of the address space's upper half, such as 10.40.200.0/24").optional(),
    /** Marks a tenant for removal: its namespace, identity and queue lose their protection on the next update. */
    decommission: z.boolean().default(false),
    overrides: overridesSchema.default({}),
});

const fleetSchema = z.strictObject({
    /** `create` owns the Fleet Manager fleet (and its update strategy); `join` adds this region's clusters to it. */
    mode: z.enum(["create", "join"]).default("create"),
    /** For `join`: the stack that created the fleet, as `<org>/iot-fleet/<stack>`. */
    stackReference: z.string().regex(/^[^/\s]+\/[^/\s]+\/[^/\s]+$/, "expected <org>/<project>/<stack>").optional(),
});

const gitopsSchema = z.strictObject({
    repositoryUrl: z.string().regex(/^(https|ssh):\/\/\S+$/, "expected an https:// or ssh:// repository URL"),
    branch: z.string().min(1).default("main"),
});

const dnsSchema = z.strictObject({
    zoneName: z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, "expected a DNS zone such as iot.example.com"),
    acmeEmail: z.email("expected the e-mail address Let's Encrypt sends expiry notices to"),
});

const regionSchema = z.strictObject({
    shortName: z.string().regex(/^[a-z]{2,4}[0-9]?$/, "expected a short region name such as weu or eus"),
    location: z.string().regex(/^[a-z]+[a-z0-9]*$/, "expected an Azure location such as westeurope"),
    /** The VNet range; each cluster gets one /24 node subnet (pods use the CNI overlay, not VNet addresses). */
    addressSpace: z.string().regex(CIDR, "expected a CIDR such as 10.40.0.0/16").refine(isPrivateCidrOfSize(16, 20),
        "expected a private range (10/8, 172.16/12, 192.168/16) with a prefix between /16 and /20"),
});

const sharedClusterCapacitySchema = z.strictObject({
    maxTenants: positiveInt.default(50),
    maxDevices: positiveInt.default(500_000),
});

/** One entry per config key, named as in the stack file after the `iot-fleet:` prefix. */
export const fleetConfigSchema = z.strictObject({
    environment: z.string().regex(/^[a-z][a-z0-9]{1,7}$/, "expected a short lowercase environment name such as prod").default("prod"),
    region: regionSchema,
    clusterDefaults: clusterDefaultsSchema.prefault({}),
    dedicatedDeviceThreshold: positiveInt.default(50_000),
    sharedClusterCapacity: sharedClusterCapacitySchema.prefault({}),
    fleet: fleetSchema.prefault({}),
    kubeconfigLogin: z.enum(["azurecli", "workloadidentity", "spn"]).default("azurecli"),
    eventHubs: eventHubsSchema.prefault({}),
    dataPlane: dataPlaneSchema.prefault({}),
    gitops: gitopsSchema,
    dns: dnsSchema,
    tenantDefaults: tenantDefaultsSchema.prefault({}),
    tenants: z.array(tenantSchema).min(1, "a region stack needs at least one tenant"),
});

export type FleetConfig = z.output<typeof fleetConfigSchema>;
export type TenantSpec = z.output<typeof tenantSchema>;
export type TenantSettings = z.output<typeof tenantDefaultsSchema>;
export type TenantOverrides = z.output<typeof overridesSchema>;
export type ClusterDefaults = z.output<typeof clusterDefaultsSchema>;

/**
 * Validates the `iot-fleet:` keys of a stack (already parsed from YAML or JSON, without the prefix)
 * and returns the config with every default applied, or throws one ConfigError listing every problem.
 */
export function parseFleetConfig(raw: Record<string, unknown>, source?: string): FleetConfig {
    const result = fleetConfigSchema.safeParse(raw, { reportInput: true });
    const problems = result.success ? [] : result.error.issues.map(toProblem);
    problems.push(...crossFieldProblems(raw), ...clusterPlanProblems(raw), ...tenantScalingQuotaProblems(raw));
    if (problems.length > 0) {
        throw new ConfigError(dedupe(problems), source);
    }
    return result.data!;
}

/** Effective settings of one tenant: the defaults with its overrides laid over them. */
export function tenantSettings(defaults: TenantSettings, overrides: TenantOverrides): TenantSettings {
    return {
        processing: { ...defaults.processing, ...overrides.processing },
        ingest: { ...defaults.ingest, ...overrides.ingest },
        quota: { ...defaults.quota, ...overrides.quota },
        limits: { ...defaults.limits, ...overrides.limits },
        podSecurity: overrides.podSecurity ?? defaults.podSecurity,
    };
}

function toProblem(issue: z.core.$ZodIssue): ConfigProblem {
    const path = keyPath(issue.path);
    if (issue.code === "unrecognized_keys") {
        return issue.path.length === 0
            ? { path: issue.keys.map(k => `${CONFIG_NAMESPACE}:${k}`).join(", "), message: "unknown config key; check its spelling against the README's config reference" }
            : { path, message: `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map(k => `'${k}'`).join(", ")}; per-tenant settings go under tenants[].overrides with the keys of tenantDefaults` };
    }
    if (issue.code === "invalid_type" && issue.input === undefined) {
        return { path, message: `required, expected ${issue.expected}` };
    }
    const found = issue.input;
    const shown = typeof found === "string" || typeof found === "number" || typeof found === "boolean" ? `, got ${JSON.stringify(found)}` : "";
    return { path, message: issue.message + shown };
}

function keyPath(path: readonly PropertyKey[]): string {
    if (path.length === 0) {
        return CONFIG_NAMESPACE;
    }
    const [key, ...rest] = path;
    return `${CONFIG_NAMESPACE}:${String(key)}` + rest.map(p => typeof p === "number" ? `[${p}]` : `.${String(p)}`).join("");
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
        add(["clusterDefaults", "processingPool", "baselineCount"],
            "a Spot processing pool needs a non-Spot baseline of at least 1 node to survive an eviction wave");
    }
    for (const pool of ["ingestPool", "processingPool", "apiPool"]) {
        checkMinMax(objectAt(raw, "clusterDefaults", pool), "minCount", "maxCount", ["clusterDefaults", pool], add);
    }

    const addressSpace = objectAt(raw, "region")?.addressSpace;
    if (typeof addressSpace === "string" && CIDR.test(addressSpace)) {
        for (const reserved of [CLUSTER_POD_CIDR, CLUSTER_SERVICE_CIDR]) {
            if (cidrsOverlap(addressSpace, reserved)) {
                add(["region", "addressSpace"], `overlaps ${reserved}, which every cluster uses inside (pod overlay or services); choose another range`);
            }
        }
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
                add(["tenants", i, "name"], `duplicate tenant '${name}' (first defined at tenants[${first}]); tenant names are unique within a stack`);
            } else {
                firstIndexByName.set(name, i);
            }
        }
        const compliance = Array.isArray(tenant.compliance) ? tenant.compliance : [];
        const cluster = tenant.cluster;
        if (tenant.isolation === "shared" && compliance.length > 0) {
            add(["tenants", i, "isolation"], `a tenant with compliance tags (${compliance.join(", ")}) runs on a dedicated cluster; remove isolation: shared`);
        }
        if (typeof cluster === "string" && cluster.startsWith("shared-") && (tenant.isolation === "dedicated" || compliance.length > 0)) {
            add(["tenants", i, "cluster"], `'${String(name)}' needs a dedicated cluster but is pinned to ${cluster}; remove the pin to move it (its namespace is recreated)`);
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
    const tenants: { index: number; spec: TenantSpec }[] = [];
    (Array.isArray(raw.tenants) ? raw.tenants : []).forEach((input: unknown, index: number) => {
        const spec = tenantSchema.safeParse(input).data;
        if (spec && !tenants.some(t => t.spec.name === spec.name)) {
            tenants.push({ index, spec });
        }
    });
    const placement = placeTenants(tenants.map(t => t.spec), placementSettings({ dedicatedDeviceThreshold: threshold, sharedClusterCapacity: capacity }));
    const indexOf = (matches: (tenant: TenantSpec) => boolean) => tenants.find(t => matches(t.spec))!.index;
    const problems: ConfigProblem[] = [];
    for (const { cluster, tenant, message } of planClusterSubnets(region.addressSpace, placement.clusters, tenants.map(t => t.spec)).problems) {
        if (tenant !== undefined) {
            problems.push({ path: keyPath(["tenants", indexOf(t => t.name === tenant), "subnet"]), message });
            continue;
        }
        // A pin asks for a shared cluster by number; otherwise placement opened the cluster, and the address space is what to change.
        const shared = clusterKindOf(cluster) === "shared";
        const pinned = shared && tenants.some(t => t.spec.cluster === cluster);
        const path = pinned ? ["tenants", indexOf(t => t.cluster === cluster), "cluster"] : ["region", "addressSpace"];
        const advice = pinned ? "pin the tenant to a lower-numbered shared cluster"
            : shared ? "use a larger address space or raise sharedClusterCapacity" : "use a larger address space";
        problems.push({ path: keyPath(path), message: `${message}: ${advice}` });
    }
    for (const cluster of placement.clusters) {
        const path = cluster.kind === "dedicated" ? ["tenants", indexOf(t => t.name === cluster.tenants[0]), "name"] : ["environment"];
        for (const message of clusterNameProblems(aksNames(environment, region.shortName, region.location, cluster.name))) {
            problems.push({ path: keyPath(path), message: `${cluster.name}: ${message}; shorten the ${cluster.kind === "dedicated" ? "tenant name" : "environment or region.shortName"}` });
        }
    }
    return problems;
}

const QUANTITY_SUFFIXES: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** The value of a Kubernetes quantity the schema accepts: cores for CPU (`500m` is 0.5), bytes for memory (`1Ki` is 1024). */
export function quantityValue(quantity: string): number {
    const match = QUANTITY.exec(quantity);
    if (!match) {
        throw new Error(`expected a Kubernetes quantity such as 500m, 4 or 8Gi, got '${quantity}'`);
    }
    const suffix = match[2] ?? "";
    return Number(quantity.slice(0, quantity.length - suffix.length)) * (QUANTITY_SUFFIXES[suffix] ?? 1);
}

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
    check("memory", "defaultMemory", bytes => bytes % 2 ** 30 === 0 ? `${bytes / 2 ** 30}Gi` : `${Math.ceil(bytes / 2 ** 20)}Mi`);
    if (replicas > quota.pods) {
        problems.push({
            path: `${path}.quota.pods`,
            message: `quota.pods ${quota.pods} cannot hold ${startable}; raise quota.pods to at least ${replicas} or lower maxReplicas`,
        });
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
        const overrides = overridesSchema.safeParse((isObject(tenant) ? tenant.overrides : undefined) ?? {}).data;
        const changesScaling = overrides && [overrides.processing?.maxReplicas, overrides.ingest?.maxReplicas, overrides.quota,
            overrides.limits?.defaultCpu, overrides.limits?.defaultMemory].some(value => value !== undefined);
        if (changesScaling) {
            problems.push(...scalingQuotaProblems(tenantSettings(defaults, overrides), keyPath(["tenants", i, "overrides"])));
        }
    });
    return problems;
}

function checkMinMax(obj: Record<string, unknown> | undefined, minKey: string, maxKey: string, path: PropertyKey[],
    add: (path: PropertyKey[], message: string) => void): void {
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

function isPrivateCidrOfSize(minPrefix: number, maxPrefix: number): (cidr: string) => boolean {
    return cidr => {
        const m = CIDR.exec(cidr);
        if (!m) {
            return false;
        }
        const [a, b, c, d, prefix] = m.slice(1).map(Number);
        if ([a, b, c, d].some(o => o > 255) || prefix < minPrefix || prefix > maxPrefix) {
            return false;
        }
        return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
    };
}
