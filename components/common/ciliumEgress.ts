import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { KUBE_DNS_LABEL, KUBE_DNS_VALUE } from "../../lib/labels";
import { ENTRA_ID_SIGN_IN_FQDN } from "../../lib/privateLink";

/**
 * The egress a Kubernetes NetworkPolicy cannot express on Azure CNI powered by Cilium, as CiliumNetworkPolicies
 * (`cilium.io/v2`, whose CRD every Cilium cluster has). Cilium adds their allows to those of the namespace's
 * NetworkPolicies; neither loosens the other's default deny.
 *
 * - The API server: on AKS the `kubernetes` Service is DNATed to the API server's address, which Cilium gives the
 *   reserved `kube-apiserver` identity; an `ipBlock` (even 0.0.0.0/0) does not select it (cilium/cilium#20550,
 *   #33525). Cilium's documented way is `toEntities: [kube-apiserver]` (docs.cilium.io, "Policy language",
 *   "Access to/from kube-apiserver"), which works on AKS for egress, not for ingress (cilium/cilium#32464, the note it
 *   added to those docs). AKS's own FAQ for Azure CNI powered by Cilium says `ipBlock` cannot select node or pod IPs.
 * - Entra ID sign-in by name (`toFQDNs`): needs Advanced Container Networking Services' container network security
 *   (FQDN filtering) on the cluster, and a DNS rule through Cilium's DNS proxy so that it learns the name's addresses
 *   (learn.microsoft.com/azure/aks/container-network-security-fqdn-filtering-concepts, and its how-to's policy).
 */

export const CILIUM_NETWORK_POLICY = { apiVersion: "cilium.io/v2", kind: "CiliumNetworkPolicy" } as const;
/** The port the API server listens on behind the `kubernetes` Service on AKS. */
export const API_SERVER_PORT = 443;
/** Cilium's label of a pod's namespace, used to select pods of another namespace from a namespaced policy. */
const CILIUM_NAMESPACE_LABEL = "k8s:io.kubernetes.pod.namespace";

type EgressRule = Record<string, unknown>;

const tcp = (port: number) => ({ ports: [{ port: String(port), protocol: "TCP" }] });

/** Every DNS query of the namespace's pods through Cilium's DNS proxy (any name: the guardrails' DNS policy allows all). */
const DNS_THROUGH_PROXY: EgressRule = {
    toEndpoints: [{ matchLabels: { [CILIUM_NAMESPACE_LABEL]: "kube-system", [`k8s:${KUBE_DNS_LABEL}`]: KUBE_DNS_VALUE } }],
    toPorts: [{ ports: [{ port: "53", protocol: "ANY" }], rules: { dns: [{ matchPattern: "*" }] } }],
};

/** Entra ID's token endpoint, by name, on 443. */
export const ENTRA_ID_SIGN_IN_RULES: readonly EgressRule[] = [
    DNS_THROUGH_PROXY,
    { toFQDNs: [{ matchName: ENTRA_ID_SIGN_IN_FQDN }], toPorts: [tcp(443)] },
];

/** The API server, by Cilium's entity, on its port. */
export const API_SERVER_RULES: readonly EgressRule[] = [{ toEntities: ["kube-apiserver"], toPorts: [tcp(API_SERVER_PORT)] }];

/** A CiliumNetworkPolicy allowing every pod of `namespace` the given egress. */
export function ciliumEgressPolicy(
    name: string,
    policyName: string,
    namespace: pulumi.Input<string>,
    labels: Record<string, string>,
    egress: readonly EgressRule[],
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
    return new k8s.apiextensions.CustomResource(
        name,
        {
            ...CILIUM_NETWORK_POLICY,
            metadata: { name: policyName, namespace, labels },
            spec: { endpointSelector: {}, egress: [...egress] },
        },
        opts,
    );
}
