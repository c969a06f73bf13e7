import * as pulumi from "@pulumi/pulumi";
import * as kusto from "@pulumi/azure-native/kusto";
import * as storage from "@pulumi/azure-native/storage";
import { COMPONENT_TYPES } from "../../lib/componentTypes";
import { TAG_TENANT } from "../../lib/labels";
import { fnv1a } from "../../lib/naming";
import { appPrincipal } from "../../lib/adxTenancy";
import { continuousExportCommand, exportIdentityCommands, externalTableCommand, kustoScript } from "../../lib/telemetryKql";
import { lifecycleDays, TelemetryTiers as TierSettings, TieredTenant, WarmStore, warmStores } from "../../lib/telemetryTiers";
import { alnumName } from "../common/azureNames";
import { AZURE_ROLES, assignRole } from "../common/azureRoles";
import { regionalScope, StoreScope } from "./telemetryStores";

/** The blob container every warm store's Parquet files go to. */
const WARM_CONTAINER = "telemetry";
/** Minutes between two runs of a continuous export: how far the warm tier trails the hot one. */
const EXPORT_INTERVAL_MINUTES = 10;
/** A storage account's management policy has this one name. */
const MANAGEMENT_POLICY_NAME = "default";

/** The region's ADX database the tiers export from. */
export interface TieredDatabase {
    readonly cluster: kusto.Cluster;
    readonly database: kusto.ReadWriteDatabase;
    /** The system-assigned identity of the cluster, which writes the Parquet files. */
    readonly clusterPrincipalId: pulumi.Input<string>;
    /** What creates the tables the scripts read (`Telemetry`); they run after it. */
    readonly schema: readonly pulumi.Resource[];
}

export interface TelemetryTiersArgs extends StoreScope {
    /** How long each tier keeps telemetry (`iot-fleet:telemetry`). No default. */
    readonly tiers: TierSettings;
    /** Every tenant of the region, in stack-file order, with what decides whether it gets a store of its own. No default. */
    readonly tenants: readonly (TieredTenant & { readonly decommission: boolean })[];
    /** The database the tiers export from. No default. */
    readonly adx: TieredDatabase;
    /** Subscription of the role assignments (ADX's right to write the stores). No default. */
    readonly subscriptionId: pulumi.Input<string>;
    /** The Entra tenant of the cluster's identity. No default. */
    readonly azureTenantId: pulumi.Input<string>;
}

/** One warm store as deployed. */
export interface DeployedWarmStore {
    readonly accountName: pulumi.Output<string>;
    readonly externalTable: string;
}

/**
 * The warm and cold tiers of a region's telemetry: a Cool-tier storage account per warm store (the shared one and one
 * per compliance tenant), ADX's external table over its Parquet files and the continuous export that fills it, and
 * a lifecycle policy that archives the files after the warm period and deletes them after the retention.
 * The hot tier is the ADX database itself, sized by `dataPlaneSizing`.
 */
export class TelemetryTiers extends pulumi.ComponentResource {
    public readonly stores: Readonly<Record<string, DeployedWarmStore>>;
    /** The last Kusto script of the tiers: scripts on one database run one at a time, and later ones wait for it. */
    public readonly lastScript: kusto.Script;
    /** The Kusto principal continuous exports run as, the ADX cluster's identity: row level security must let it read every row. */
    public readonly exportPrincipal: pulumi.Output<string>;

    constructor(name: string, args: TelemetryTiersArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.telemetryTiers, name, {}, opts);
        const database = {
            resourceGroupName: args.resourceGroupName,
            clusterName: args.adx.cluster.name,
            databaseName: args.adx.database.name,
        };
        const principal = pulumi.all([args.adx.clusterPrincipalId, args.azureTenantId]).apply(([id, tenant]) => appPrincipal(id, tenant));
        let previous: kusto.Script = new kusto.Script(
            `${name}-export-identity`,
            {
                ...database,
                scriptContent: pulumi
                    .all([args.adx.database.name, principal])
                    .apply(([db, p]) => kustoScript(exportIdentityCommands(db, p))),
            },
            { parent: this, dependsOn: [...args.adx.schema] },
        );
        const decommissioning = new Set(args.tenants.filter(t => t.decommission).map(t => t.name));
        const stores: Record<string, DeployedWarmStore> = {};
        for (const store of warmStores(args.tenants)) {
            const account = createWarmAccount(
                `${name}-${store.key}`,
                store,
                args,
                !(store.tenant && decommissioning.has(store.tenant)),
                this,
            );
            previous = new kusto.Script(
                `${name}-${store.key}-export`,
                {
                    ...database,
                    scriptContent: account.containerUrl.apply(url =>
                        kustoScript([externalTableCommand(store, url), continuousExportCommand(store, EXPORT_INTERVAL_MINUTES)]),
                    ),
                },
                { parent: this, dependsOn: [previous, ...account.ready] },
            );
            stores[store.key] = { accountName: account.account.name, externalTable: store.externalTable };
        }
        this.stores = stores;
        this.lastScript = previous;
        this.exportPrincipal = principal;
        this.registerOutputs({ stores: this.stores, exportPrincipal: this.exportPrincipal });
    }
}

/** `<prefix>wm<suffix>` for the shared store; a tenant's store is named by a hash of the tenant, as tenant names can be 30 characters. */
function warmAccountRole(store: WarmStore): string {
    return store.tenant === undefined ? "wm" : `w${fnv1a(store.tenant).toString(36).padStart(7, "0").slice(0, 7)}`;
}

function createWarmAccount(name: string, store: WarmStore, args: TelemetryTiersArgs, protect: boolean, parent: pulumi.Resource) {
    const tags = store.tenant === undefined ? args.tags : { ...args.tags, [TAG_TENANT]: store.tenant };
    const account = new storage.StorageAccount(
        `${name}-warm`,
        {
            ...regionalScope(args),
            tags,
            accountName: alnumName(args.namePrefix, warmAccountRole(store), args.uniqueSuffix, 24),
            kind: storage.Kind.StorageV2,
            // The archive tier takes LRS, GRS or RA-GRS blobs, never ZRS; GRS keeps the copy in the paired region.
            sku: { name: storage.SkuName.Standard_GRS },
            accessTier: storage.AccessTier.Cool,
            enableHttpsTrafficOnly: true,
            minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
            allowBlobPublicAccess: false,
            // ADX writes and reads with its managed identity; nobody needs the account keys.
            allowSharedKeyAccess: false,
            defaultToOAuthAuthentication: true,
        },
        { parent, protect },
    );
    const container = new storage.BlobContainer(
        `${name}-warm-container`,
        { resourceGroupName: args.resourceGroupName, accountName: account.name, containerName: WARM_CONTAINER },
        { parent, protect },
    );
    const { archiveAfterDays, deleteAfterDays } = lifecycleDays(args.tiers);
    const lifecycle = new storage.ManagementPolicy(
        `${name}-warm-lifecycle`,
        {
            resourceGroupName: args.resourceGroupName,
            accountName: account.name,
            managementPolicyName: MANAGEMENT_POLICY_NAME,
            policy: {
                rules: [
                    {
                        name: "archive-then-delete",
                        enabled: true,
                        type: storage.RuleType.Lifecycle,
                        definition: {
                            filters: { blobTypes: ["blockBlob"], prefixMatch: [`${WARM_CONTAINER}/`] },
                            actions: {
                                baseBlob: {
                                    tierToArchive: { daysAfterModificationGreaterThan: archiveAfterDays },
                                    ...(deleteAfterDays === undefined
                                        ? {}
                                        : { delete: { daysAfterModificationGreaterThan: deleteAfterDays } }),
                                },
                            },
                        },
                    },
                ],
            },
        },
        { parent },
    );
    const writer = assignRole(
        `${name}-warm-adx-writer`,
        args.adx.clusterPrincipalId,
        args.subscriptionId,
        { scope: account.id, roleGuid: AZURE_ROLES.storageBlobDataContributor },
        { parent },
    );
    const containerUrl = pulumi.interpolate`${account.primaryEndpoints.blob}${WARM_CONTAINER}`;
    return { account, containerUrl, ready: [container, lifecycle, writer] };
}
