import { parse, stringify } from "yaml";

/** How the Kubernetes provider signs in to a cluster with local accounts disabled. */
export type KubeloginMode = "azurecli" | "workloadidentity" | "spn";

/** The server application id that AKS-managed Entra ID integration issues tokens for. */
export const AKS_AAD_SERVER_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

/** Source arguments kept as they are; `--login` and the interactive client id are replaced. */
const KEPT_FLAGS = new Set(["--environment", "--server-id", "--tenant-id"]);

/**
 * Rewrites the AKS user kubeconfig (format `exec`, which signs in with an interactive device code)
 * into one whose user runs `kubelogin get-token` non-interactively in the given mode:
 * - azurecli: the token of `az login` on the machine running Pulumi;
 * - workloadidentity: AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE (CI with OIDC);
 * - spn: AZURE_CLIENT_ID and AZURE_CLIENT_SECRET of a service principal, read by kubelogin from the environment.
 * Secrets never enter the kubeconfig.
 */
export function nonInteractiveKubeconfig(userKubeconfig: string, mode: KubeloginMode): string {
    const source = parse(userKubeconfig) as Kubeconfig;
    const cluster = source.clusters?.[0];
    if (!cluster?.cluster?.server) {
        throw new Error("the AKS user kubeconfig names no cluster server");
    }
    const sourceArgs: string[] = source.users?.[0]?.user?.exec?.args ?? [];
    const kept: string[] = [];
    for (let i = 0; i < sourceArgs.length; i++) {
        if (KEPT_FLAGS.has(sourceArgs[i]) && i + 1 < sourceArgs.length) {
            kept.push(sourceArgs[i], sourceArgs[i + 1]);
            i++;
        }
    }
    if (!kept.includes("--server-id")) {
        kept.push("--server-id", AKS_AAD_SERVER_ID);
    }
    const name = cluster.name;
    const user = `${name}-kubelogin-${mode}`;
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name, cluster: cluster.cluster }],
        contexts: [{ name, context: { cluster: name, user } }],
        "current-context": name,
        users: [
            {
                name: user,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "kubelogin",
                        args: ["get-token", "--login", mode, ...kept],
                        interactiveMode: "Never",
                        provideClusterInfo: false,
                    },
                },
            },
        ],
    });
}

interface Kubeconfig {
    clusters?: { name: string; cluster: { server?: string; "certificate-authority-data"?: string } }[];
    users?: { name: string; user?: { exec?: { args?: string[] } } }[];
}
