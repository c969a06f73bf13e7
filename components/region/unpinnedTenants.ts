import * as pulumi from "@pulumi/pulumi";
import { Placement } from "../../lib/placement";

/** Unpinned tenants the warning names one by one; `npm start` lists them all. */
const UNPINNED_TENANTS_NAMED = 10;

/**
 * Placement keeps every tenant where the stack's outputs say it was, and packs only the new ones; a new tenant without
 * a pin stays where it lands for as long as the stack's outputs last (a stack recreated from its file loses them). One
 * warning names the pins that record it in the stack file.
 */
export function warnUnpinnedTenants(placement: Placement, region: pulumi.Resource): void {
    const unpinned = [...placement.tenants.values()].filter(placed => placed.reason !== "pinned" && placed.reason !== "kept");
    if (unpinned.length === 0) {
        return;
    }
    const named = unpinned.slice(0, UNPINNED_TENANTS_NAMED).map(placed => `${placed.tenant} (cluster: ${placed.cluster})`);
    const more = unpinned.length > named.length ? ` and ${unpinned.length - named.length} more` : "";
    pulumi.log.warn(
        `${unpinned.length} new tenant(s) not pinned: ${named.join(", ")}${more}; later updates keep them there (from ` +
            "this stack's outputs); pin each to its cluster in the stack file to keep it there without them",
        region,
    );
}
