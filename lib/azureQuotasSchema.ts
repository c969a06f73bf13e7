import { z } from "zod";
import { COSMOS_LIMITS, COSMOS_PLATFORM_ENTITIES } from "./storeLimits";
import { KEY_VAULTS_WITH_PRIVATE_ENDPOINTS_PER_SUBSCRIPTION } from "./privateLink";
import { DPS_LIMITS, IOT_HUB_MAX_DEVICES } from "./stamps";

/**
 * The stack-file keys of the Azure limits a region meets that the config itself sets (lib/azureLimits.ts counts them):
 * `iot-fleet:subscription` (what shares its per-subscription limits), `iot-fleet:quotas` (quotas a support request
 * raised) and `iot-fleet:stamps` (how its devices are spread over IoT hubs).
 */

/** The Azure subscription the stack deploys to, for the limits that count per subscription. */
export const subscriptionSchema = z.strictObject({
    /** Stacks with the same group share one subscription: their role assignments count against one limit. Default: the stack alone. */
    group: z
        .string()
        .regex(/^[a-z0-9][-a-z0-9]*$/, "expected a short lowercase name such as prod")
        .optional(),
    /** Role assignments in the subscription that no stack of the group makes (other workloads, inherited ones). */
    otherRoleAssignments: z.number().int().nonnegative().default(0),
});

/** Azure quotas that a support request has raised for this stack's resources; each defaults to Microsoft's published limit. */
export const quotasSchema = z.strictObject({
    /**
     * Databases and containers per Cosmos DB account: every tenant holds a container of its own, so this bounds a
     * region's tenants. Raise it only once Azure support has raised the account's quota. Default 500 (Microsoft Learn,
     * "Azure Cosmos DB service quotas", per-account limits).
     */
    cosmosContainersPerAccount: z
        .number()
        .int()
        .min(COSMOS_PLATFORM_ENTITIES + 1, "an account must hold its database, the shared devices container and a tenant's")
        .default(COSMOS_LIMITS.databasesAndContainersPerAccount),
    /**
     * Key vaults with private endpoints per subscription, counted over every stack of `subscription.group`: every
     * tenant's vault has one. Default 400 (Microsoft Learn, Azure subscription limits, "Private Link limits"); Microsoft
     * raises it case by case on a support request.
     */
    keyVaultsWithPrivateEndpoints: z.number().int().positive().default(KEY_VAULTS_WITH_PRIVATE_ENDPOINTS_PER_SUBSCRIPTION),
    /**
     * Registrations the region's Device Provisioning Service holds: one per device, so this bounds the region's devices.
     * Adjustable by support request. Default 1,000,000 (Microsoft Learn, "Azure IoT Hub Device Provisioning Service quotas").
     */
    dpsRegistrations: z.number().int().positive().default(DPS_LIMITS.registrations),
    /**
     * Enrollment groups the DPS holds: one per tenant (X.509; symmetric-key groups stay at 100). Adjustable by support
     * request. Default 100 (same page).
     */
    dpsEnrollmentGroups: z.number().int().positive().default(DPS_LIMITS.enrollmentGroups),
});

/** `iot-fleet:stamps`: how a region's devices are spread over IoT hubs (`lib/stamps.ts`). */
export const stampsSchema = z.strictObject({
    /**
     * Device quota one stamp takes before placement opens the next: at most an IoT hub's 1,000,000 devices; lower keeps
     * room for tenants that grow on their stamp. Default 1,000,000.
     */
    maxDevices: z
        .number()
        .int()
        .positive()
        .max(IOT_HUB_MAX_DEVICES, `at most ${IOT_HUB_MAX_DEVICES.toLocaleString("en-US")}: one IoT hub holds that many devices`)
        .default(IOT_HUB_MAX_DEVICES),
    /**
     * `configured`: every stamp's hub has `dataPlane.iotHub`'s tier and units. `load`: each stamp's hub gets the cheapest
     * tier and units that carry its own devices' messages (the cost model's traffic profile). Default `configured`.
     */
    iotHubSizing: z.enum(["configured", "load"]).default("configured"),
});
