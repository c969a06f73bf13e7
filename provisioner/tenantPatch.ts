import { isDeepStrictEqual } from "util";
import { ConfigProblem } from "../lib/config";
import { StackDocument } from "./stackDocument";

/** What a PATCH of a tenant may change, and how it is written into the stack file. */

/**
 * A PATCH body: `deviceQuota`, and `overrides` as a JSON merge patch (RFC 7396: null removes a key).
 * Any other key is a problem: what decides placement is immutable here, so a tenant never moves.
 */
export type TenantPatch = Readonly<Record<string, unknown>>;

const PATCHABLE = new Set(["deviceQuota", "overrides"]);
const IMMUTABLE: Record<string, string> = {
    name: "the name is the tenant's identity (namespace, identity, queue); onboard a new tenant instead",
    cluster: "moving a tenant recreates its namespace; an operator changes the pin in the stack file on purpose",
    subnet: "a dedicated cluster's subnet cannot change while it has nodes; the service pins it when it onboards the tenant",
    isolation: "isolation decides placement and the service never moves a tenant; an operator changes it in the stack file",
    compliance: "compliance tags decide placement and the service never moves a tenant; an operator changes them in the stack file",
    decommission: "decommissioning is DELETE /v1/stacks/<stack>/tenants/<name>, then DELETE ...?step=remove once that has run",
};

export function patchProblems(patch: TenantPatch): ConfigProblem[] {
    const problems: ConfigProblem[] = Object.keys(patch)
        .filter(key => !PATCHABLE.has(key))
        .map(key => ({
            path: `body.${key}`,
            message:
                key in IMMUTABLE
                    ? `cannot be changed here: ${IMMUTABLE[key]}`
                    : "unknown key; a PATCH changes deviceQuota and overrides only",
        }));
    if (patch.deviceQuota === undefined && patch.overrides === undefined) {
        problems.push({ path: "body", message: "nothing to change: give deviceQuota, overrides or both" });
    }
    return problems;
}

/**
 * Writes the merged overrides section by section, so that comments in the sections a patch leaves
 * alone survive; a section the patch empties goes. A merge that yields something other than a map
 * is written whole, for validation to report.
 */
export function patchOverrides(doc: StackDocument, index: number, patch: unknown): void {
    const current = (doc.rawTenants()[index] as { overrides?: Record<string, unknown> }).overrides ?? {};
    const merged = mergePatch(current, patch) ?? {};
    if (typeof merged !== "object" || Array.isArray(merged)) {
        doc.setTenantKey(index, ["overrides"], merged);
        return;
    }
    const sections = merged as Record<string, unknown>;
    const emptied = (value: unknown) => value === undefined || isDeepStrictEqual(value, {});
    for (const key of new Set([...Object.keys(current), ...Object.keys(sections)])) {
        if (emptied(sections[key])) {
            doc.deleteTenantKey(index, ["overrides", key]);
        } else if (!isDeepStrictEqual(sections[key], current[key])) {
            doc.setTenantKey(index, ["overrides", key], sections[key]);
        }
    }
}

/** RFC 7396 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
    if (typeof patch !== "object" || patch === null || Array.isArray(patch)) {
        return patch;
    }
    const result: Record<string, unknown> = typeof target === "object" && target !== null && !Array.isArray(target) ? { ...target } : {};
    for (const [key, value] of Object.entries(patch)) {
        if (value === null) {
            delete result[key];
        } else {
            result[key] = mergePatch(result[key], value);
        }
    }
    return result;
}
