import { z } from "zod";
import { apiServerAccessSchema } from "./apiServerAccess";
import { urlCarriesCredential } from "../policy/secretPatterns";
import { dataPlaneSchema, eventHubsSchema } from "./dataPlane";
import { alertsSchema } from "./alertRules";
import { telemetryTiersSchema } from "./telemetryTiers";
import { MAX_LISTENERS_PER_GATEWAY } from "./edge";
import { ADX_CONSUMER_GROUP } from "./naming";
import { STAMP_PIN } from "./stamps";
import { quotasSchema, stampsSchema, subscriptionSchema } from "./azureQuotasSchema";
import { TenantSettings, tenantDefaultsSchema, tenantOverridesSchema } from "./tenantSettings";

/**
 * The stack configuration schema, key by key: every key lives under the `iot-fleet:` namespace of a stack file.
 * Rules that span several keys, and the parse that reports every problem at once, are in `config.ts`.
 */

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Tenant names end up in namespace, identity, queue and AKS names: 30 characters keeps all of them legal. */
export const MAX_TENANT_NAME_LENGTH = 30;
/** Namespaces of Kubernetes and the platform, which no tenant may be named (nor any `kube-*`). */
export const RESERVED_NAMESPACES = new Set([
    "default",
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "gatekeeper-system",
    "flux-system",
    "edge",
    "azure-alb-system",
    "cert-manager",
    "external-dns",
    "observability",
    "keda",
    "telemetry-ingest",
    "calico-system",
    "tigera-operator",
]);
export const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

const vmSize = z.string().regex(/^Standard_[A-Za-z0-9_]+$/, "expected an Azure VM size such as Standard_D4ds_v5");
const positiveInt = z.number().int().positive();
const nonNegativeInt = z.number().int().nonnegative();

const systemPoolSchema = z.strictObject({
    vmSize: vmSize.default("Standard_D4ds_v5"),
    count: z.number().int().min(3, "the system pool needs at least 3 nodes for HA").default(3),
});

const workloadPoolSchema = (vm: string, min: number, max: number) =>
    z.strictObject({
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
    spotMaxPrice: z
        .number()
        .refine(v => v === -1 || v > 0, "expected -1 (on-demand cap) or a positive price")
        .default(-1),
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
    kubernetesVersion: z
        .string()
        .regex(/^\d+\.\d+(\.\d+)?$/, "expected a version such as 1.33")
        .default("1.33"),
    tier: z.enum(["Free", "Standard", "Premium"]).default("Standard"),
    /** Fleet Manager's auto-upgrade channel for every cluster of the fleet; Fleet has no `patch` channel. */
    upgradeChannel: z
        .enum(
            ["stable", "rapid", "node-image", "none"],
            "Fleet Manager rolls upgrades and offers the channels stable, rapid and node-image (or none)",
        )
        .default("stable"),
    nodeOsUpgradeChannel: z.enum(["NodeImage", "SecurityPatch", "Unmanaged", "None"]).default("NodeImage"),
    availabilityZones: z
        .array(z.enum(["1", "2", "3"]))
        .min(1)
        .default(["1", "2", "3"]),
    maintenanceWindow: maintenanceWindowSchema.prefault({}),
    systemPool: systemPoolSchema.prefault({}),
    ingestPool: workloadPoolSchema("Standard_F8s_v2", 2, 10).prefault({}),
    processingPool: processingPoolSchema.prefault({}),
    apiPool: workloadPoolSchema("Standard_D4ds_v5", 2, 6).prefault({}),
    /** Who reaches every cluster's API server: authorized IP ranges (required) or a private cluster. */
    apiServerAccess: apiServerAccessSchema.prefault({}),
});

export const tenantSchema = z.strictObject({
    name: z
        .string()
        .max(MAX_TENANT_NAME_LENGTH, `tenant names have at most ${MAX_TENANT_NAME_LENGTH} characters`)
        .regex(DNS_1123_LABEL, "tenant names must be DNS-1123 labels (lowercase letters, digits and '-')")
        // A DNS-1123 label may repeat '-', but the tenant's checkpoint blob container and Key Vault names may not.
        .refine(
            n => !n.includes("--"),
            "tenant names must not contain consecutive hyphens: Azure refuses them in the tenant's blob container and Key Vault names",
        )
        .refine(n => !RESERVED_NAMESPACES.has(n) && !n.startsWith("kube-"), "this name is reserved for a platform namespace")
        .refine(n => !n.startsWith("ingest-"), "names starting with 'ingest-' are the consumer groups of the clusters' ingest")
        .refine(
            n => n !== ADX_CONSUMER_GROUP,
            `'${ADX_CONSUMER_GROUP}' is the Event Hubs consumer group of ADX ingestion; choose another tenant name`,
        ),
    deviceQuota: z.number().int("deviceQuota must be a whole number").positive("deviceQuota must be a positive number of devices"),
    isolation: z.enum(["auto", "shared", "dedicated"]).default("auto"),
    compliance: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "compliance tags are lowercase, such as gxp or itar")).default([]),
    /** Pins the tenant to a cluster (`shared-<n>` or `dedicated-<tenant>`); placement never moves a pinned tenant. */
    cluster: z
        .string()
        .regex(/^(shared-[1-9]\d*|dedicated-[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/, "expected shared-<n> or dedicated-<tenant>")
        .optional(),
    /**
     * Pins the tenant to an ingest stamp (`stamp-<n>`: the IoT hub its devices connect to). Default: the stamp the stack
     * last gave it, else the first with room; a changed pin moves the tenant and re-provisions its devices.
     */
    stamp: z.string().regex(STAMP_PIN, "expected stamp-<n>, such as stamp-2").optional(),
    /** Pins the /24 node subnet of the tenant's dedicated cluster. Default: its cluster name hashed into the upper half, which must then be nobody else's. */
    subnet: z
        .string()
        .regex(/^\d{1,3}\.\d{1,3}\.\d{1,3}\.0\/24$/, "expected a /24 of the address space's upper half, such as 10.40.200.0/24")
        .optional(),
    /** Marks a tenant for removal: its namespace, identity and queue lose their protection on the next update. */
    decommission: z.boolean().default(false),
    overrides: tenantOverridesSchema.default({}),
});

const fleetSchema = z.strictObject({
    /** `create` owns the Fleet Manager fleet (and its update strategy); `join` adds this region's clusters to it. */
    mode: z.enum(["create", "join"]).default("create"),
    /** For `join`: the stack that created the fleet, as `<org>/iot-fleet/<stack>`. */
    stackReference: z
        .string()
        .regex(/^[^/\s]+\/[^/\s]+\/[^/\s]+$/, "expected <org>/<project>/<stack>")
        .optional(),
});

const gitopsSchema = z.strictObject({
    repositoryUrl: z
        .string()
        .regex(/^(https|ssh):\/\/\S+$/, "expected an https:// or ssh:// repository URL")
        .refine(
            url => !urlCarriesCredential(url),
            "the URL carries a credential (a user, password or token): give Flux the URL alone and the credential through a Secret",
        ),
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
    addressSpace: z
        .string()
        .regex(CIDR, "expected a CIDR such as 10.40.0.0/16")
        .refine(isPrivateCidrOfSize(16, 20), "expected a private range (10/8, 172.16/12, 192.168/16) with a prefix between /16 and /20"),
    /** The VNet's second range, one /24 per cluster for its Application Gateway for Containers; default: the block after `addressSpace`. */
    edgeAddressSpace: z
        .string()
        .regex(CIDR, "expected a CIDR such as 10.41.0.0/16")
        .refine(isPrivateCidrOfSize(16, 20), "expected a private range (10/8, 172.16/12, 192.168/16) with a prefix between /16 and /20")
        .optional(),
    /**
     * High Scale Private Endpoints: the VNet takes 5,000 private endpoints instead of 1,000 (a region past about 990
     * tenants needs it). Register the subscription's preview feature `Microsoft.Network/EnableMaxPrivateEndpointsVia64kPath`
     * first; turning it on or off resets long-running connections through the endpoints once (README, "How many tenants
     * a region holds"). Default false.
     */
    highScalePrivateEndpoints: z.boolean().default(false),
});

/** A region moving from per-tenant consumer groups to the ingest tier (README, "Migrating to the tenant-partitioned data path"). */
const migrationSchema = z.strictObject({
    /** Phase 1: keep every tenant's consumer group on the shared hub while the ingest tier catches up. */
    keepTenantConsumerGroups: z.boolean().default(false),
});

const sharedClusterCapacitySchema = z.strictObject({
    // One Gateway listener per tenant, and a Gateway holds 64 (lib/edge.ts).
    maxTenants: positiveInt
        .max(
            MAX_LISTENERS_PER_GATEWAY,
            `at most ${MAX_LISTENERS_PER_GATEWAY}: one edge listener per tenant, and a Gateway holds ${MAX_LISTENERS_PER_GATEWAY}`,
        )
        .default(50),
    maxDevices: positiveInt.default(500_000),
});

/** One entry per config key, named as in the stack file after the `iot-fleet:` prefix. */
export const fleetConfigSchema = z.strictObject({
    environment: z
        .string()
        .regex(/^[a-z][a-z0-9]{1,7}$/, "expected a short lowercase environment name such as prod")
        .default("prod"),
    region: regionSchema,
    clusterDefaults: clusterDefaultsSchema.prefault({}),
    dedicatedDeviceThreshold: positiveInt.default(50_000),
    sharedClusterCapacity: sharedClusterCapacitySchema.prefault({}),
    fleet: fleetSchema.prefault({}),
    kubeconfigLogin: z.enum(["azurecli", "workloadidentity", "spn"]).default("azurecli"),
    eventHubs: eventHubsSchema.prefault({}),
    subscription: subscriptionSchema.prefault({}),
    quotas: quotasSchema.prefault({}),
    stamps: stampsSchema.prefault({}),
    migration: migrationSchema.prefault({}),
    dataPlane: dataPlaneSchema.prefault({}),
    telemetry: telemetryTiersSchema.prefault({}),
    alerts: alertsSchema.prefault({}),
    gitops: gitopsSchema,
    dns: dnsSchema,
    tenantDefaults: tenantDefaultsSchema.prefault({}),
    tenants: z.array(tenantSchema).min(1, "a region stack needs at least one tenant"),
});

/** A tenant of a validated config: its entry, with its settings resolved (`tenantDefaults` under its overrides). */
export interface TenantSpec extends TenantEntry {
    readonly settings: TenantSettings;
}
/** A validated stack config, every default applied and every tenant's settings resolved. */
export type FleetConfig = Omit<z.output<typeof fleetConfigSchema>, "tenants"> & { readonly tenants: readonly TenantSpec[] };
/** A tenant as its stack-file entry declares it, defaults applied. */
export type TenantEntry = z.output<typeof tenantSchema>;
export type ClusterDefaults = z.output<typeof clusterDefaultsSchema>;

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
