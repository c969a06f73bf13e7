import * as pulumi from "@pulumi/pulumi";
import * as deviceprovisioningservices from "@pulumi/azure-native/deviceprovisioningservices";
import * as iothub from "@pulumi/azure-native/iothub";
import { dashedName } from "../common/azureNames";
import { regionalScope, StoreScope } from "./telemetryStores";

/**
 * The shared access policy DPS links each hub through: IoT Hub creates `iothubowner` on every hub with registry write,
 * service connect and device connect, what DPS needs to register a device in the hub.
 */
export const DPS_LINK_POLICY = "iothubowner";
/** The endpoint every device provisions through; its DPS is chosen by the ID scope (Microsoft Learn, "What is DPS?"). */
export const DPS_GLOBAL_ENDPOINT = "global.azure-devices-provisioning.net";

/**
 * The region's Device Provisioning Service, linked to every stamp's hub. The API version azure-native 3.28 speaks
 * (2023-03-01-preview) links a hub by its connection string only (`IotHubDefinitionDescription.connectionString`,
 * required; Azure/bicep-types-az `generated/deviceprovisioningservices/microsoft.devices/2023-03-01-preview/types.md`),
 * which needs the hub's local (SAS) authentication, on in `iotHub.ts`. The connection string is a secret in state.
 *
 * Which hub a device lands on is the enrollment's: the provisioning side makes one enrollment group per tenant whose
 * `iotHubs` names its stamp's hub alone (data plane, README "Device Provisioning Service"), so the service-level
 * `Hashed` policy only ever chooses among that one hub.
 */
export function createProvisioningService(
    name: string,
    scope: StoreScope,
    hubs: readonly iothub.IotHubResource[],
    parent: pulumi.Resource,
): deviceprovisioningservices.IotDpsResource {
    const linked = hubs.map(hub => {
        const key = iothub.listIotHubResourceKeysForKeyNameOutput(
            { resourceGroupName: scope.resourceGroupName, resourceName: hub.name, keyName: DPS_LINK_POLICY },
            { parent },
        );
        return {
            connectionString: pulumi.secret(
                pulumi.interpolate`HostName=${hub.properties.hostName};SharedAccessKeyName=${DPS_LINK_POLICY};SharedAccessKey=${key.primaryKey}`,
            ),
            location: scope.location,
        };
    });
    return new deviceprovisioningservices.IotDpsResource(
        `${name}-dps`,
        {
            ...regionalScope(scope),
            provisioningServiceName: dashedName(scope.namePrefix, "dps", scope.uniqueSuffix, 64),
            sku: { name: deviceprovisioningservices.IotDpsSku.S1, capacity: 1 },
            properties: { allocationPolicy: deviceprovisioningservices.AllocationPolicy.Hashed, iotHubs: linked },
        },
        { parent },
    );
}
