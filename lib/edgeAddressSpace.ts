import { CIDR } from "./configSchema";
import { CLUSTER_POD_CIDR, CLUSTER_SERVICE_CIDR, cidrsOverlap, edgeAddressSpace } from "./network";

/** The edge range (given, or the block after the address space) must be as large, and clear of the VNet and the cluster ranges. */
export function checkEdgeAddressSpace(addressSpace: string, given: unknown, add: (path: PropertyKey[], message: string) => void): void {
    if (given !== undefined && (typeof given !== "string" || !CIDR.test(given))) {
        return;
    }
    const edge = edgeAddressSpace({ addressSpace, edgeAddressSpace: given });
    const path = ["region", given === undefined ? "addressSpace" : "edgeAddressSpace"];
    const which = given === undefined ? `the edge range it implies, ${edge}, ` : "";
    if (edge.split("/")[1] !== addressSpace.split("/")[1]) {
        add(
            path,
            `${which}must have the prefix length of region.addressSpace (/${addressSpace.split("/")[1]}): one edge /24 per cluster /24`,
        );
    }
    for (const taken of [addressSpace, CLUSTER_POD_CIDR, CLUSTER_SERVICE_CIDR]) {
        if (cidrsOverlap(edge, taken)) {
            add(path, `${which}overlaps ${taken}; set region.edgeAddressSpace to a free private range of the address space's size`);
        }
    }
}
