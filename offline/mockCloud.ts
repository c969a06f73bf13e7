import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { AKS_AAD_SERVER_ID } from "../lib/kubeconfig";

/**
 * A stand-in for Azure and the Pulumi engine: deterministic ids and the computed outputs the program
 * reads (OIDC issuer URLs, identity client ids, endpoints), so a stack evaluates with no cloud and no CLI.
 */

export const OFFLINE_SUBSCRIPTION_ID = "00000000-0000-4000-8000-000000000000";
export const OFFLINE_TENANT_ID = "11111111-1111-4111-8111-111111111111";
export const OFFLINE_DEPLOYER_OBJECT_ID = "22222222-2222-4222-8222-222222222222";

/** A stable UUID-shaped value derived from a seed. */
export function stableUuid(seed: string): string {
    const hex = crypto.createHash("sha1").update(seed).digest("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Child resources name their parents too (a database its account), so the most specific keys come first. */
const NAME_KEYS = [
    "resourceName",
    "dataConnectionName",
    "containerName",
    "queueName",
    "databaseName",
    "accountName",
    "workspaceName",
    "namespaceName",
    "clusterName",
    "name",
];

/** The Azure name a resource gets: its `<type>Name` input, a common name input, or the logical name. */
function azureName(type: string, name: string, inputs: Record<string, unknown>): string {
    const shortType = type.split(":").pop()!;
    const own = inputs[`${shortType[0].toLowerCase()}${shortType.slice(1)}Name`];
    const found = [own, ...NAME_KEYS.map(key => inputs[key])].find(value => typeof value === "string");
    return (found as string | undefined) ?? name;
}

function azureId(type: string, name: string, inputs: Record<string, unknown>): string {
    const [, module, resource] = type.split(":");
    const group = typeof inputs.resourceGroupName === "string" ? inputs.resourceGroupName : "rg-offline";
    return `/subscriptions/${OFFLINE_SUBSCRIPTION_ID}/resourceGroups/${group}/providers/Microsoft.${module}/${resource}/${name}`;
}

type Computed = (name: string, inputs: Record<string, any>) => Record<string, unknown>;

const COMPUTED: Record<string, Computed> = {
    "azure-native:containerservice:ManagedCluster": (name, inputs) => ({
        fqdn: `${name}.hcp.${inputs.location}.azmk8s.io`,
        oidcIssuerProfile: {
            enabled: true,
            issuerURL: `https://${inputs.location}.oic.prod-aks.azure.com/${OFFLINE_TENANT_ID}/${stableUuid(name)}/`,
        },
        identity: { ...inputs.identity, principalId: stableUuid(`${name}/principal`), tenantId: OFFLINE_TENANT_ID },
    }),
    "azure-native:managedidentity:UserAssignedIdentity": name => ({
        clientId: stableUuid(`${name}/client`),
        principalId: stableUuid(`${name}/principal`),
        tenantId: OFFLINE_TENANT_ID,
    }),
    "azuread:index/group:Group": name => ({ objectId: stableUuid(`group/${name}`) }),
    "random:index/randomString:RandomString": (name, inputs) => ({
        result: crypto
            .createHash("sha1")
            .update(name)
            .digest("hex")
            .replace(/[^a-z0-9]/g, "")
            .slice(0, inputs.length ?? 6),
    }),
    "azure-native:keyvault:Vault": (name, inputs) => ({
        properties: { ...inputs.properties, vaultUri: `https://${name}.vault.azure.net/` },
    }),
    "azure-native:eventhub:Namespace": name => ({ serviceBusEndpoint: `https://${name}.servicebus.windows.net:443/` }),
    "azure-native:servicebus:Namespace": name => ({ serviceBusEndpoint: `https://${name}.servicebus.windows.net:443/` }),
    "azure-native:kusto:Cluster": (name, inputs) => ({
        uri: `https://${name}.${inputs.location}.kusto.windows.net`,
        identity: { ...inputs.identity, principalId: stableUuid(`${name}/principal`) },
    }),
    "azure-native:cosmosdb:DatabaseAccount": name => ({ documentEndpoint: `https://${name}.documents.azure.com:443/` }),
    "azure-native:applicationinsights:Component": name => ({
        instrumentationKey: stableUuid(`${name}/ikey`),
        connectionString: `InstrumentationKey=${stableUuid(`${name}/ikey`)};IngestionEndpoint=https://offline.in.applicationinsights.azure.com/`,
    }),
    "azure-native:iothub:IotHubResource": (name, inputs) => ({
        properties: { ...inputs.properties, hostName: `${name}.azure-devices.net` },
    }),
    "azure-native:deviceprovisioningservices:IotDpsResource": (name, inputs) => ({
        properties: {
            ...inputs.properties,
            idScope: `0ne${stableUuid(`${name}/scope`).replace(/-/g, "").slice(0, 8).toUpperCase()}`,
            serviceOperationsHostName: `${name}.azure-devices-provisioning.net`,
            deviceProvisioningHostName: "global.azure-devices-provisioning.net",
        },
    }),
    "azure-native:storage:StorageAccount": name => ({ primaryEndpoints: { blob: `https://${name}.blob.core.windows.net/` } }),
    "azure-native:dashboard:Grafana": (name, inputs) => ({
        properties: { ...inputs.properties, endpoint: `https://${name}.weu.grafana.azure.com` },
        identity: { ...inputs.identity, principalId: stableUuid(`${name}/principal`) },
    }),
};

/** A user kubeconfig in AKS's `exec` format, which signs in with an interactive device code. */
export function offlineUserKubeconfig(clusterName: string): string {
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
            {
                name: clusterName,
                cluster: {
                    server: `https://${clusterName}.hcp.offline.azmk8s.io:443`,
                    "certificate-authority-data": "LS0tLS1CRUdJTi1PRkZMSU5FLS0tLS0=",
                },
            },
        ],
        contexts: [{ name: clusterName, context: { cluster: clusterName, user: `clusterUser_${clusterName}` } }],
        "current-context": clusterName,
        users: [
            {
                name: `clusterUser_${clusterName}`,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "kubelogin",
                        args: [
                            "get-token",
                            "--environment",
                            "AzurePublicCloud",
                            "--server-id",
                            AKS_AAD_SERVER_ID,
                            "--client-id",
                            "80faf920-1908-4b52-b5ef-a8e7bedfc67a",
                            "--tenant-id",
                            OFFLINE_TENANT_ID,
                            "--login",
                            "devicecode",
                        ],
                    },
                },
            },
        ],
    });
}

/** Outputs of other stacks, for StackReference reads (a joined fleet). */
function otherStackOutputs(stackName: string): Record<string, unknown> {
    const [, , stack] = stackName.split("/");
    return {
        fleet: {
            id: `/subscriptions/${OFFLINE_SUBSCRIPTION_ID}/resourceGroups/rg-iotfleet-${stack}/providers/Microsoft.ContainerService/fleets/fleet-iotfleet`,
            name: "fleet-iotfleet",
            resourceGroupName: `rg-iotfleet-${stack}`,
        },
    };
}

/**
 * The mock cloud. `knownStacks` answers StackReference reads of the stacks it names (fully qualified: the stack being
 * evaluated reads its own previous outputs this way); any other stack answers as the fleet-creating stack does.
 */
export const offlineMocksWith = (knownStacks: ReadonlyMap<string, Record<string, unknown>> = new Map()): pulumi.runtime.Mocks => ({
    newResource(args) {
        if (args.type === "pulumi:pulumi:StackReference") {
            const outputs = knownStacks.get(args.inputs.name) ?? otherStackOutputs(args.inputs.name);
            return { id: args.inputs.name, state: { name: args.inputs.name, outputs, secretOutputNames: [] } };
        }
        if (!args.custom) {
            return { id: undefined, state: {} };
        }
        const name = azureName(args.type, args.name, args.inputs);
        const computed = COMPUTED[args.type]?.(name, args.inputs) ?? {};
        const id = args.type.startsWith("azure-native:") ? azureId(args.type, name, args.inputs) : `${name}-id`;
        return { id, state: { ...args.inputs, name, ...computed } };
    },
    call(args) {
        switch (args.token) {
            case "azure-native:authorization:getClientConfig":
                return {
                    subscriptionId: OFFLINE_SUBSCRIPTION_ID,
                    tenantId: OFFLINE_TENANT_ID,
                    objectId: OFFLINE_DEPLOYER_OBJECT_ID,
                    clientId: stableUuid("deployer"),
                };
            case "azure-native:authorization:getClientToken":
                return { token: `offline-token-for-${args.inputs.endpoint ?? "arm"}` };
            case "azure-native:containerservice:listManagedClusterUserCredentials":
                return {
                    kubeconfigs: [
                        { name: "clusterUser", value: Buffer.from(offlineUserKubeconfig(args.inputs.resourceName)).toString("base64") },
                    ],
                };
            case "azure-native:iothub:listIotHubResourceKeysForKeyName":
                return {
                    keyName: args.inputs.keyName,
                    primaryKey: `offline-key-of-${args.inputs.resourceName}`,
                    rights: "RegistryWrite, ServiceConnect, DeviceConnect",
                };
            default:
                throw new Error(`the offline engine has no answer for the function ${args.token}`);
        }
    },
});

export const offlineMocks: pulumi.runtime.Mocks = offlineMocksWith();
