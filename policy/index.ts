import { PolicyPack } from "@pulumi/policy";
import { fleetPolicies } from "./policies";

// Only this file builds the pack: constructing a PolicyPack starts the analyzer's gRPC server, so tests
// and the offline plan import the policy modules instead.
new PolicyPack("iot-fleet", {
    description: "Tenancy, cluster and workload guardrails of the iot-fleet AKS fleet.",
    enforcementLevel: "mandatory",
    policies: fleetPolicies,
});
