import * as crypto from "crypto";
import type { RecordedResource } from "./recordingMonitor";

/**
 * What a change to a stack file changes in the registered graph, from two offline evaluations of the
 * program (before and after): the URNs a targeted `pulumi up` must name. Computed, never listed by hand.
 */

/** Per URN, a digest of everything `pulumi up` would act on: a resource whose digest differs is updated. */
export type RegistrationFingerprints = ReadonlyMap<string, string>;

export interface RegistrationDiff {
    /** Registered after, not before: created. */
    readonly created: readonly string[];
    /** Registered before, not after: deleted (a targeted `up` deletes a targeted URN the program no longer registers). */
    readonly deleted: readonly string[];
    /** Registered by both, with a different desired state: updated (or replaced, as the provider decides). */
    readonly updated: readonly string[];
}

/**
 * The desired state the engine diffs for one resource: its type, parent, provider and options that change what
 * `up` does (`protect`, which a decommissioning's first step turns off; `ignoreChanges`), its inputs, and for
 * a component or the stack the outputs it registered (the stack's outputs are what the provisioning service
 * and other stacks read). Dependencies are left out: they order operations and change nothing by themselves.
 */
function desiredState(resource: RecordedResource): unknown {
    return [
        resource.type,
        resource.parent,
        resource.provider,
        resource.protect,
        resource.ignoreChanges,
        resource.inputs,
        resource.custom ? null : resource.outputs,
    ];
}

/** Digests of an evaluation's resources: small enough to keep while the next evaluation runs. */
export function registrationFingerprints(resources: readonly RecordedResource[]): RegistrationFingerprints {
    return new Map(
        resources.map(resource => [
            resource.urn,
            crypto
                .createHash("sha1")
                .update(JSON.stringify(desiredState(resource)))
                .digest("hex"),
        ]),
    );
}

/** Created, deleted and updated URNs between two evaluations of the same stack, each sorted. */
export function registrationDiff(before: RegistrationFingerprints, after: RegistrationFingerprints): RegistrationDiff {
    const created: string[] = [];
    const updated: string[] = [];
    for (const [urn, digest] of after) {
        const old = before.get(urn);
        if (old === undefined) {
            created.push(urn);
        } else if (old !== digest) {
            updated.push(urn);
        }
    }
    const deleted = [...before.keys()].filter(urn => !after.has(urn));
    return { created: created.sort(), deleted: deleted.sort(), updated: updated.sort() };
}

/** Every URN a targeted update must name for the change to be applied whole, sorted. */
export const updateTargets = (diff: RegistrationDiff): string[] => [...diff.created, ...diff.deleted, ...diff.updated].sort();
