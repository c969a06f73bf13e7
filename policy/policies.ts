import { Policies } from "@pulumi/policy";
import { clusterIdentity, fleetMembership, spotBaseline, systemPoolIsolation } from "./clusters";
import { dedicatedThreshold, tenantDataProtection, tenantGuardrails, tenantLabels } from "./tenancy";
import { noPlaintextSecrets, queueBasedScaling } from "./workloads";

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
];
