import * as pulumi from "@pulumi/pulumi";
import * as containerservice from "@pulumi/azure-native/containerservice";
import { ClusterKind } from "../lib/placement";

/** Fleet update stages: shared clusters first, where a bad version meets many small tenants; dedicated ones after a soak. */
export const UPDATE_STAGES: readonly { readonly group: ClusterKind; readonly afterStageWaitInSeconds: number }[] = [
    { group: "shared", afterStageWaitInSeconds: 24 * 3600 },
    { group: "dedicated", afterStageWaitInSeconds: 0 },
];

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
}

export interface FleetManagerArgs {
    /** `create` makes the fleet and its update strategy; `join` only adds members to `joined`. */
    readonly mode: "create" | "join";
    /** Fleet name when creating. */
    readonly fleetName: string;
    readonly resourceGroupName: pulumi.Input<string>;
    readonly location: string;
    /** For `join`: the fleet from the creating stack. Required then, ignored otherwise. */
    readonly joined?: pulumi.Output<JoinedFleet>;
    /** Every cluster of this region. */
    readonly members: readonly FleetMemberSpec[];
    readonly tags: Record<string, string>;
}

/** Azure Kubernetes Fleet Manager: every cluster is a member, upgraded in stages by update group. */
export class FleetManager extends pulumi.ComponentResource {
    public readonly fleetId: pulumi.Output<string>;
    public readonly fleetName: pulumi.Output<string>;
    public readonly fleetResourceGroupName: pulumi.Output<string>;
    public readonly memberIds: pulumi.Output<string>[];

    constructor(name: string, args: FleetManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("iot-fleet:index:FleetManager", name, {}, opts);
        const fleet = args.mode === "create" ? this.createFleet(name, args) : requireJoined(args.joined);
        this.fleetId = fleet.id;
        this.fleetName = fleet.name;
        this.fleetResourceGroupName = fleet.resourceGroupName;
        this.memberIds = args.members.map(member => new containerservice.FleetMember(`${name}-member-${member.memberName}`, {
            fleetName: fleet.name,
            resourceGroupName: fleet.resourceGroupName,
            fleetMemberName: member.memberName,
            clusterResourceId: member.clusterId,
            group: member.group,
        }, { parent: this }).id);
        this.registerOutputs({
            fleetId: this.fleetId, fleetName: this.fleetName, fleetResourceGroupName: this.fleetResourceGroupName, memberIds: this.memberIds,
        });
    }

    private createFleet(name: string, args: FleetManagerArgs) {
        const fleet = new containerservice.Fleet(`${name}-fleet`, {
            fleetName: args.fleetName,
            resourceGroupName: args.resourceGroupName,
            location: args.location,
            tags: args.tags,
        }, { parent: this });
        new containerservice.FleetUpdateStrategy(`${name}-strategy`, {
            fleetName: fleet.name,
            resourceGroupName: args.resourceGroupName,
            updateStrategyName: "shared-then-dedicated",
            strategy: {
                stages: UPDATE_STAGES.map(stage => ({
                    name: `${stage.group}-clusters`,
                    groups: [{ name: stage.group }],
                    afterStageWaitInSeconds: stage.afterStageWaitInSeconds,
                })),
            },
        }, { parent: this });
        return { id: fleet.id, name: fleet.name, resourceGroupName: pulumi.output(args.resourceGroupName) };
    }
}

function requireJoined(joined: pulumi.Output<JoinedFleet> | undefined) {
    if (joined === undefined) {
        throw new Error("fleet mode join needs the joined fleet (iot-fleet:fleet.stackReference)");
    }
    return { id: joined.id, name: joined.name, resourceGroupName: joined.resourceGroupName };
}
