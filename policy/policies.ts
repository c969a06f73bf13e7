import { EnforcementLevel, Policies } from "@pulumi/policy";
import { clusterIdentity, fleetMembership, spotBaseline, systemPoolIsolation } from "./clusters";
import { dataPlaneLimits } from "./dataPlaneLimits";
import { tenantDataIsolation } from "./dataIsolation";
import { tenantGuardrails } from "./guardrails";
import { tenantHostnames } from "./hostnames";
import { serviceExposure, tenantEgress, tenantInternetEgress } from "./network";
import { dedicatedThreshold, tenantDataProtection, tenantLabels } from "./tenancy";
import { noPlaintextSecrets, queueBasedScaling } from "./workloads";

/** The pack's name, as the CLI shows it in every violation. */
export const PACK_NAME = "iot-fleet";
/** The level of any policy that sets none; policy/index.ts builds the pack with it and the offline run assumes it. */
export const PACK_ENFORCEMENT_LEVEL: EnforcementLevel = "mandatory";

/** Every policy of the pack, at its default enforcement level. */
export const fleetPolicies: Policies = [
    tenantLabels(),
    spotBaseline(),
    systemPoolIsolation(),
    tenantGuardrails(),
    clusterIdentity(),
    noPlaintextSecrets(),
    queueBasedScaling(),
    fleetMembership(),
    tenantDataProtection(),
    dedicatedThreshold(),
    dataPlaneLimits(),
    tenantDataIsolation(),
    tenantHostnames(),
    serviceExposure(),
    tenantEgress(),
    tenantInternetEgress(),
];
