import { PolicyPack } from "@pulumi/policy";
import { fleetPolicies, PACK_ENFORCEMENT_LEVEL, PACK_NAME } from "./policies";

// Only this file builds the pack: constructing a PolicyPack starts the analyzer's gRPC server, so tests
// and the offline plan import the policy modules instead.
new PolicyPack(PACK_NAME, {
    description: "Tenancy, cluster and workload guardrails of the iot-fleet AKS fleet.",
    enforcementLevel: PACK_ENFORCEMENT_LEVEL,
    policies: fleetPolicies,
});
