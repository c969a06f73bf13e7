import * as pulumi from "@pulumi/pulumi";
import * as containerservice from "@pulumi/azure-native/containerservice";
import { ClusterDefaults } from "../../lib/config";
import { ClusterKind } from "../../lib/placement";
import { COMPONENT_TYPES } from "../../lib/componentTypes";

/** Fleet update stages: shared clusters first, where a bad version meets many small tenants; dedicated ones after a soak. */
export const UPDATE_STAGES: readonly { readonly group: ClusterKind; readonly afterStageWaitInSeconds: number }[] = [
    { group: "shared", afterStageWaitInSeconds: 24 * 3600 },
    { group: "dedicated", afterStageWaitInSeconds: 0 },
];

/** The name of the update strategy and of the auto-upgrade profile that runs it. */
const ROLLOUT_NAME = "shared-then-dedicated";

/** Fleet Manager's channel that rolls new node images through the update strategy. */
const FLEET_NODE_IMAGE_CHANNEL = "NodeImage";

/** Fleet Manager's name for each auto-upgrade channel of the config; `none` has no profile at all. */
const FLEET_UPGRADE_CHANNELS: Record<ClusterDefaults["upgradeChannel"], string | undefined> = {
    stable: "Stable",
    rapid: "Rapid",
    "node-image": FLEET_NODE_IMAGE_CHANNEL,
    none: undefined,
};

/**
 * The auto-upgrade channel each member cluster keeps for itself: none, whenever the fleet rolls upgrades, since
 * a cluster's own channel would upgrade it on its own schedule, outside the shared-before-dedicated stages.
 */
export const MEMBER_CLUSTER_UPGRADE_CHANNEL = containerservice.UpgradeChannel.None;

/**
 * The node OS channel a member cluster keeps for itself. With `NodeImage`, the fleet rolls node images through the
 * same stages as Kubernetes upgrades, so the cluster's own channel is `None`: left on `NodeImage`, AKS would reimage
 * the cluster weekly in its own window, and whichever of the two comes first upgrades it (Fleet Manager FAQ, "What
 * happens if I leave AKS cluster auto-upgrades enabled?"). Fleet has no `Unmanaged` channel and its security-patch
 * channel is in preview: those choices stay the cluster's own.
 */
export function memberNodeOsUpgradeChannel(configured: ClusterDefaults["nodeOsUpgradeChannel"]): ClusterDefaults["nodeOsUpgradeChannel"] {
    return configured === "NodeImage" ? "None" : configured;
}

/** The fleet another stack created, read from its `fleet` stack output. */
export interface JoinedFleet {
    readonly id: string;
    readonly name: string;
    readonly resourceGroupName: string;
}

export interface FleetMemberSpec {
    /** Member name, unique across the fleet's regions (`weu-shared-1`). */
    readonly memberName: string;
    readonly clusterId: pulumi.Input<string>;
    /** The update group: the cluster's kind. */
    readonly group: ClusterKind;
    /**
     * The cluster's last ARM write: joining the fleet is a write to the cluster too, and AKS refuses overlapping
     * operations (409 OperationNotAllowed), so the membership waits for it. No default.
     */
    readonly afterClusterWrite: pulumi.Resource;
}

export interface FleetManagerArgs {
    /** `create` makes the fleet, its update strategy and its auto-upgrade profile; `join` only adds members to `joined`. No default. */
    readonly mode: "create" | "join";
    /** Fleet name when creating; ignored when joining. No default. */
    readonly fleetName: string;
    /** Resource group of a created fleet. No default. */
    readonly resourceGroupName: pulumi.Input<string>;
    /** Azure region of a created fleet. No default. */
    readonly location: string;
    /** For `join`: the fleet from the creating stack. Default: none; required when joining, ignored otherwise. */
    readonly joined?: pulumi.Output<JoinedFleet>;
    /** Every cluster of this region, each in the update group of its kind. No default. */
    readonly members: readonly FleetMemberSpec[];
    /** The channel the fleet upgrades every member on, through the update strategy; `none` upgrades nobody. Ignored when joining. No default. */
    readonly upgradeChannel: ClusterDefaults["upgradeChannel"];
    /**
     * `NodeImage` makes the fleet roll node images through the update strategy too (a second auto-upgrade profile), and
     * members keep `None` for themselves (`memberNodeOsUpgradeChannel`); any other value leaves node images to each
     * cluster. Ignored when joining. No default.
     */
    readonly nodeOsUpgradeChannel: ClusterDefaults["nodeOsUpgradeChannel"];
    /** Tags of the created fleet. No default. */
    readonly tags: Record<string, string>;
}

/** Azure Kubernetes Fleet Manager: every cluster is a member, upgraded in stages by update group. */
export class FleetManager extends pulumi.ComponentResource {
    public readonly fleetId: pulumi.Output<string>;
    public readonly fleetName: pulumi.Output<string>;
    public readonly fleetResourceGroupName: pulumi.Output<string>;
    public readonly memberIds: pulumi.Output<string>[];
    /** Each member by its name: the cluster's last ARM write until the writes that follow it. Not an output. */
    public readonly members: ReadonlyMap<string, containerservice.FleetMember>;

    constructor(name: string, args: FleetManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super(COMPONENT_TYPES.fleetManager, name, {}, opts);
        const fleet = args.mode === "create" ? this.createFleet(name, args) : requireJoined(args.joined);
        this.fleetId = fleet.id;
        this.fleetName = fleet.name;
        this.fleetResourceGroupName = fleet.resourceGroupName;
        const members = args.members.map(
            member =>
                new containerservice.FleetMember(
                    `${name}-member-${member.memberName}`,
                    {
                        fleetName: fleet.name,
                        resourceGroupName: fleet.resourceGroupName,
                        fleetMemberName: member.memberName,
                        clusterResourceId: member.clusterId,
                        group: member.group,
                    },
                    { parent: this, dependsOn: [member.afterClusterWrite] },
                ),
        );
        if (args.mode === "create") {
            this.createRollout(name, args, fleet.name, members);
        }
        this.memberIds = members.map(member => member.id);
        this.members = new Map(args.members.map((member, i) => [member.memberName, members[i]]));
        this.registerOutputs({
            fleetId: this.fleetId,
            fleetName: this.fleetName,
            fleetResourceGroupName: this.fleetResourceGroupName,
            memberIds: this.memberIds,
        });
    }

    private createFleet(name: string, args: FleetManagerArgs) {
        const fleet = new containerservice.Fleet(
            `${name}-fleet`,
            {
                fleetName: args.fleetName,
                resourceGroupName: args.resourceGroupName,
                location: args.location,
                tags: args.tags,
            },
            { parent: this },
        );
        return { id: fleet.id, name: fleet.name, resourceGroupName: pulumi.output(args.resourceGroupName) };
    }

    /**
     * The update strategy and the auto-upgrade profile that runs it. Fleet Manager checks a strategy's group names
     * against the groups of existing members, so both wait for this region's members.
     */
    private createRollout(
        name: string,
        args: FleetManagerArgs,
        fleetName: pulumi.Output<string>,
        members: readonly containerservice.FleetMember[],
    ): void {
        const afterMembers = { parent: this, dependsOn: [...members] };
        const strategy = new containerservice.FleetUpdateStrategy(
            `${name}-strategy`,
            {
                fleetName,
                resourceGroupName: args.resourceGroupName,
                updateStrategyName: ROLLOUT_NAME,
                strategy: {
                    stages: UPDATE_STAGES.map(stage => ({
                        name: `${stage.group}-clusters`,
                        groups: [{ name: stage.group }],
                        afterStageWaitInSeconds: stage.afterStageWaitInSeconds,
                    })),
                },
            },
            afterMembers,
        );
        const channel = FLEET_UPGRADE_CHANNELS[args.upgradeChannel];
        if (channel !== undefined) {
            // Starts an update run through the strategy whenever AKS releases a version on the channel.
            new containerservice.AutoUpgradeProfile(
                `${name}-auto-upgrade`,
                {
                    fleetName,
                    resourceGroupName: args.resourceGroupName,
                    autoUpgradeProfileName: ROLLOUT_NAME,
                    channel,
                    updateStrategyId: strategy.id,
                },
                afterMembers,
            );
        }
        // A Kubernetes channel upgrades node images only along with a version; the weekly images need a profile of
        // their own ("If you want to have your NodeImage version upgraded, you need to create an autoupgradeprofile
        // with NodeImage channel": Fleet Manager, "Understanding auto-upgrade profiles"), unless the one above is it.
        if (args.nodeOsUpgradeChannel === "NodeImage" && channel !== FLEET_NODE_IMAGE_CHANNEL) {
            new containerservice.AutoUpgradeProfile(
                `${name}-node-image-upgrade`,
                {
                    fleetName,
                    resourceGroupName: args.resourceGroupName,
                    autoUpgradeProfileName: `${ROLLOUT_NAME}-node-image`,
                    channel: FLEET_NODE_IMAGE_CHANNEL,
                    updateStrategyId: strategy.id,
                },
                afterMembers,
            );
        }
    }
}

function requireJoined(joined: pulumi.Output<JoinedFleet> | undefined) {
    if (joined === undefined) {
        throw new Error("fleet mode join needs the joined fleet (iot-fleet:fleet.stackReference)");
    }
    return { id: joined.id, name: joined.name, resourceGroupName: joined.resourceGroupName };
}
