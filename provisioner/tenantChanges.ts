import { isDeepStrictEqual } from "util";
import { ConfigError, ConfigProblem, FleetConfig, parseFleetConfig, TenantEntry, TenantSpec } from "../lib/config";
import { tenantSchema } from "../lib/configSchema";
import { CONFIG_NAMESPACE } from "../lib/labels";
import { placeTenants, placementSettings } from "../lib/placement";
import { dedicatedSubnetPin } from "../lib/network";
import { projectKeys } from "../lib/stackFile";
import { deviceQuotaProblems } from "./deviceQuota";
import { ProvisionerError, stackFileConflict } from "./errors";
import { StackDocument } from "./stackDocument";
import { patchOverrides, patchProblems, TenantPatch } from "./tenantPatch";

export type { TenantPatch };

/**
 * What the service does to a stack's tenant list, decided without I/O: each function edits the
 * StackDocument it is given (the caller passes a clone and keeps it only on success) and validates
 * the whole resulting config with the program's own schema, so the file on disk is never invalid.
 */

export type TenantChange =
    | { readonly kind: "onboard"; readonly tenant: Record<string, unknown> }
    | { readonly kind: "update"; readonly name: string; readonly patch: TenantPatch }
    | { readonly kind: "decommission"; readonly name: string; readonly step: DecommissionStep };

/**
 * Decommissioning takes two explicit steps: `mark` sets `decommission: true` (the tenant's resources
 * lose their protection), `remove` deletes the entry (and so the resources) and is only allowed once
 * the tenant is marked. A repeated `mark` changes nothing, so retrying a DELETE never destroys a tenant.
 */
export type DecommissionStep = "mark" | "remove";

/** A tenant as its stack-file entry says, with the cluster placement put it on. */
export type TenantView = TenantEntry & { readonly cluster: string };

export interface AppliedChange {
    /** `unchanged`: the stack already is as asked (a repeated request), nothing to write or run. */
    readonly outcome: "changed" | "unchanged";
    readonly tenant: string;
    /** Decommissioning: which step this was. */
    readonly step?: DecommissionStep;
    /** The tenant after the change; undefined once removed. */
    readonly view?: TenantView;
    readonly summary: string;
}

const TENANTS_KEY = `${CONFIG_NAMESPACE}:tenants`;

export function validateStack(doc: StackDocument, stack: string): FleetConfig {
    return parseFleetConfig(projectKeys(doc.config()), `stack ${stack}`);
}

/** Every tenant of a validated config, with the cluster it is (or would be) placed on. */
export function tenantViews(config: FleetConfig): TenantView[] {
    const placement = placeTenants(config.tenants, placementSettings(config));
    return config.tenants.map(entryOf).map(entry => ({ ...entry, cluster: placement.tenants.get(entry.name)!.cluster }));
}

export function applyChange(doc: StackDocument, change: TenantChange, stack: string): AppliedChange {
    let before: FleetConfig;
    try {
        before = validateStack(doc, stack);
    } catch (err) {
        throw stackFileConflict(err, `the stack file of ${stack} has problems; fix them by hand before the service changes it`);
    }
    pinEveryTenant(doc, before);
    switch (change.kind) {
        case "onboard":
            return onboard(doc, before, change.tenant, stack);
        case "update":
            return update(doc, before, change.name, change.patch, stack);
        case "decommission":
            return decommission(doc, change.name, change.step, stack);
    }
}

/**
 * Pins each unpinned tenant where placement puts it now. Removing a tenant frees room that first-fit
 * packing would hand to a later unpinned tenant, moving it; with every tenant pinned nothing can move.
 */
function pinEveryTenant(doc: StackDocument, config: FleetConfig): void {
    const views = tenantViews(config);
    doc.rawTenants().forEach((raw, i) => {
        if ((raw as { cluster?: unknown }).cluster === undefined) {
            doc.setTenantKey(i, ["cluster"], views[i].cluster);
        }
    });
}

function onboard(doc: StackDocument, before: FleetConfig, body: Record<string, unknown>, stack: string): AppliedChange {
    const problems: ConfigProblem[] = [];
    if (body.cluster !== undefined) {
        problems.push({ path: "body.cluster", message: "placement decides the cluster and the service pins it; leave cluster out" });
    }
    if (body.subnet !== undefined) {
        problems.push({
            path: "body.subnet",
            message: "the address plan decides a dedicated cluster's subnet and the service pins it; leave subnet out",
        });
    }
    if (body.decommission === true) {
        problems.push({ path: "body.decommission", message: "a new tenant cannot be marked for decommissioning; leave decommission out" });
    }
    problems.push(...deviceQuotaProblems(body.deviceQuota, body.isolation, before));
    const existing = before.tenants.find(t => t.name === body.name);
    if (existing && problems.length === 0) {
        return unchangedOrConflict(existing, body, stack);
    }
    const { cluster: _cluster, decommission: _decommission, subnet: _subnet, ...requested } = body;
    // A dedicated tenant whose hashed /24 another tenant already has gets a subnet pin, or validation refuses it.
    const spec = tenantSchema.safeParse(requested);
    const subnet = spec.success ? dedicatedSubnetPin(before, spec.data) : undefined;
    const tenant = subnet === undefined ? requested : { ...requested, subnet };
    const trial = doc.clone();
    const index = trial.appendTenant(tenant);
    const after = validateOrCollect(trial, stack, index, problems);
    const name = String(body.name);
    const cluster = tenantViews(after)[index].cluster;
    doc.appendTenant(withPin(tenant, cluster));
    return { outcome: "changed", tenant: name, view: viewOf(doc, stack, name), summary: `onboard ${name} on ${cluster}` };
}

/** A tenant's stack-file entry, without the settings the config check resolved for it. */
const entryOf = ({ settings: _settings, ...entry }: TenantSpec): TenantEntry => entry;

/** A repeated onboarding is answered with the tenant as it is; the same name with another spec is a conflict. */
function unchangedOrConflict(existing: TenantSpec, body: Record<string, unknown>, stack: string): AppliedChange {
    if (existing.decommission) {
        throw ProvisionerError.conflict(
            `tenant ${existing.name} is being decommissioned in ${stack}; finish with DELETE, then onboard it again`,
        );
    }
    const requested = tenantSchema.safeParse(body);
    const withoutPin = ({ cluster: _cluster, subnet: _subnet, ...spec }: TenantEntry) => spec;
    if (!requested.success || !isDeepStrictEqual(withoutPin(requested.data), withoutPin(entryOf(existing)))) {
        throw ProvisionerError.conflict(`tenant ${existing.name} already exists in ${stack} with a different spec; change it with PATCH`);
    }
    return { outcome: "unchanged", tenant: existing.name, summary: `${existing.name} already onboarded` };
}

function update(doc: StackDocument, before: FleetConfig, name: string, patch: TenantPatch, stack: string): AppliedChange {
    const index = indexOrNotFound(doc, name, stack);
    const problems = [...patchProblems(patch), ...deviceQuotaProblems(patch.deviceQuota, before.tenants[index].isolation, before)];
    if (patch.deviceQuota !== undefined) {
        doc.setTenantKey(index, ["deviceQuota"], patch.deviceQuota);
    }
    if (patch.overrides !== undefined) {
        patchOverrides(doc, index, patch.overrides);
    }
    const after = validateOrCollect(doc, stack, index, problems);
    if (before.tenants[index].decommission) {
        throw ProvisionerError.conflict(`tenant ${name} is being decommissioned in ${stack}; it cannot change any more`);
    }
    const unchanged = isDeepStrictEqual(after.tenants[index], { ...before.tenants[index], cluster: after.tenants[index].cluster });
    return {
        outcome: unchanged ? "unchanged" : "changed",
        tenant: name,
        view: viewOf(doc, stack, name),
        summary: `update ${name} (${Object.keys(patch).join(", ")})`,
    };
}

function decommission(doc: StackDocument, name: string, step: DecommissionStep, stack: string): AppliedChange {
    const index = indexOrNotFound(doc, name, stack);
    const marked = (doc.rawTenants()[index] as { decommission?: unknown }).decommission === true;
    if (step === "mark" && marked) {
        return {
            outcome: "unchanged",
            tenant: name,
            step,
            view: viewOf(doc, stack, name),
            summary: `decommission ${name}, step 1: already marked`,
        };
    }
    if (step === "remove" && !marked) {
        throw ProvisionerError.conflict(
            `tenant ${name} is not marked for decommissioning in ${stack}: DELETE it without ?step=remove first, and remove it once that has succeeded`,
        );
    }
    if (step === "remove") {
        doc.removeTenant(index);
    } else {
        doc.setTenantKey(index, ["decommission"], true);
    }
    try {
        validateStack(doc, stack);
    } catch (err) {
        throw stackFileConflict(err, `cannot decommission ${name} in ${stack}`);
    }
    return step === "remove"
        ? { outcome: "changed", tenant: name, step, summary: `decommission ${name}, step 2: remove it` }
        : { outcome: "changed", tenant: name, step, view: viewOf(doc, stack, name), summary: `decommission ${name}, step 1: mark it` };
}

function indexOrNotFound(doc: StackDocument, name: string, stack: string): number {
    const index = doc.indexOfTenant(name);
    if (index < 0) {
        throw ProvisionerError.notFound(`stack ${stack} has no tenant ${name}`);
    }
    return index;
}

/** Validates the whole config; problems of the changed tenant are reported against the request body. */
function validateOrCollect(doc: StackDocument, stack: string, index: number, problems: ConfigProblem[]): FleetConfig {
    let config: FleetConfig | undefined;
    try {
        config = validateStack(doc, stack);
    } catch (err) {
        if (!(err instanceof ConfigError)) {
            throw err;
        }
        // The bound on deviceQuota, when it spoke, already says what the schema's "whole number" would, and what the
        // limits check (at the tenants key: devices per IoT hub, its units, DPS registrations) finds of that quota.
        const quotaBounded = problems.some(p => p.path === "body.deviceQuota");
        const saidByBound = (p: ConfigProblem) => quotaBounded && (p.path === "body.deviceQuota" || p.path === TENANTS_KEY);
        problems.push(...err.problems.map(p => asBodyProblem(p, index)).filter(p => !saidByBound(p)));
    }
    if (problems.length > 0) {
        throw ProvisionerError.invalid(problems);
    }
    return config!;
}

function asBodyProblem(problem: ConfigProblem, index: number): ConfigProblem {
    const prefix = `${TENANTS_KEY}[${index}]`;
    if (problem.path === prefix) {
        return { path: "body", message: problem.message };
    }
    return problem.path.startsWith(`${prefix}.`) ? { path: `body${problem.path.slice(prefix.length)}`, message: problem.message } : problem;
}

function viewOf(doc: StackDocument, stack: string, name: string): TenantView | undefined {
    return tenantViews(validateStack(doc, stack)).find(v => v.name === name);
}

/** The pin goes right after the quota, where a reader of the stack file looks for it. */
function withPin(tenant: Record<string, unknown>, cluster: string): Record<string, unknown> {
    const { name, deviceQuota, ...rest } = tenant;
    return { name, deviceQuota, cluster, ...rest };
}
