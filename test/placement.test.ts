import * as assert from "assert";
import fc from "fast-check";
import { placeTenants, PlacementSettings, PlacementTenant, PreviousPlacement, previousPlacementOf } from "../lib/placement";

const SETTINGS: PlacementSettings = { dedicatedDeviceThreshold: 50_000, sharedClusterMaxTenants: 4, sharedClusterMaxDevices: 100_000 };
const tenant = (name: string, deviceQuota: number, extra: Partial<PlacementTenant> = {}): PlacementTenant => ({
    name,
    deviceQuota,
    isolation: "auto",
    compliance: [],
    ...extra,
});
const clusterOf = (tenants: PlacementTenant[], settings = SETTINGS, previous: PreviousPlacement = new Map()) =>
    Object.fromEntries([...placeTenants(tenants, settings, previous).tenants.values()].map(p => [p.tenant, p.cluster]));
/** The placement a run records for the next one: each tenant's cluster. */
const asPrevious = (clusters: Record<string, string>): PreviousPlacement => new Map(Object.entries(clusters));

type ChangeKind = "add" | "pin" | "grow" | "shrink" | "isolate" | "remove";
/** One change to a stack's tenants, as operators and the provisioning service make them. */
const changeOp = fc.record({
    kind: fc.constantFrom<ChangeKind>("add", "add", "pin", "grow", "shrink", "isolate", "remove"),
    pick: fc.nat(),
    quota: fc.integer({ min: 1, max: 80_000 }),
});
type Change = { kind: ChangeKind; pick: number; quota: number };

/**
 * Applies a change: `add` inserts tenant `t<ordinal>` (at the end, or anywhere when `addAnywhere`), the others edit the
 * tenant `pick` chooses (`pin` pins it to `current[name]`). Returns the new tenants, the changed tenant and its index.
 */
function applyChange(
    tenants: readonly PlacementTenant[],
    { kind, pick, quota }: Change,
    ordinal: number,
    current: Record<string, string>,
    addAnywhere = false,
): { tenants: PlacementTenant[]; target?: string; index: number } {
    const index = kind === "add" || tenants.length === 0 ? tenants.length : pick % tenants.length;
    const target = tenants[index]?.name;
    const change = (edit: (t: PlacementTenant) => PlacementTenant) => tenants.map(t => (t.name === target ? edit(t) : t));
    if (target === undefined) {
        const at = addAnywhere ? pick % (tenants.length + 1) : tenants.length;
        return { tenants: [...tenants.slice(0, at), tenant(`t${ordinal}`, quota), ...tenants.slice(at)], index };
    }
    if (kind === "pin") {
        return { tenants: change(t => ({ ...t, cluster: current[t.name] })), target, index };
    }
    if (kind === "remove") {
        return { tenants: tenants.filter(t => t.name !== target), target, index };
    }
    if (kind === "isolate") {
        return { tenants: change(t => ({ ...t, isolation: "shared" })), target, index };
    }
    const factor = kind === "grow" ? 3 : 1 / 3;
    return { tenants: change(t => ({ ...t, deviceQuota: Math.max(1, Math.round(t.deviceQuota * factor)) })), target, index };
}

describe("tenant placement", () => {
    it("places a tenant at the dedicated threshold on its own cluster", () => {
        const placement = placeTenants([tenant("acme", 50_000), tenant("small", 49_999)], SETTINGS);
        assert.deepStrictEqual(placement.tenants.get("acme"), {
            tenant: "acme",
            cluster: "dedicated-acme",
            kind: "dedicated",
            reason: "threshold",
        });
        assert.strictEqual(placement.tenants.get("small")!.cluster, "shared-1");
    });

    it("gives a regulated tenant and an explicitly dedicated tenant their own clusters whatever their size", () => {
        const placement = placeTenants(
            [tenant("medica", 10, { compliance: ["hipaa"] }), tenant("vip", 10, { isolation: "dedicated" })],
            SETTINGS,
        );
        assert.strictEqual(placement.tenants.get("medica")!.reason, "compliance");
        assert.strictEqual(placement.tenants.get("vip")!.cluster, "dedicated-vip");
    });

    it("keeps a large tenant that asked for isolation: shared on a shared cluster", () => {
        assert.strictEqual(clusterOf([tenant("big", 90_000, { isolation: "shared" })]).big, "shared-1");
    });

    it("opens the next shared cluster when tenant count or device capacity is reached", () => {
        const byCount = clusterOf(["a", "b", "c", "d", "e"].map(n => tenant(n, 10)));
        assert.deepStrictEqual(Object.values(byCount), ["shared-1", "shared-1", "shared-1", "shared-1", "shared-2"]);
        const byDevices = clusterOf([tenant("a", 45_000), tenant("b", 45_000), tenant("c", 20_000), tenant("d", 5_000)]);
        assert.deepStrictEqual(byDevices, { a: "shared-1", b: "shared-1", c: "shared-2", d: "shared-1" });
    });

    it("honours a pinned cluster even when the tenant has since grown past the threshold", () => {
        const placement = placeTenants([tenant("grown", 80_000, { cluster: "shared-3" })], SETTINGS);
        assert.deepStrictEqual(placement.tenants.get("grown"), { tenant: "grown", cluster: "shared-3", kind: "shared", reason: "pinned" });
        assert.deepStrictEqual(
            placement.clusters.map(c => c.name),
            ["shared-3"],
        );
    });

    it("fills the lowest free shared number and counts pinned tenants against capacity", () => {
        const placed = clusterOf([
            tenant("p1", 10, { cluster: "shared-2" }),
            tenant("p2", 99_000, { cluster: "shared-1" }),
            tenant("new", 5_000),
        ]);
        assert.strictEqual(placed.new, "shared-2");
    });

    it("lists clusters with their tenants and device totals", () => {
        const placement = placeTenants([tenant("acme", 250_000), tenant("a", 100), tenant("b", 200)], SETTINGS);
        assert.deepStrictEqual(placement.clusters, [
            { name: "shared-1", kind: "shared", tenants: ["a", "b"], devices: 300 },
            { name: "dedicated-acme", kind: "dedicated", tenants: ["acme"], devices: 250_000 },
        ]);
    });

    it("never moves an earlier tenant when unpinned tenants are appended", () => {
        fc.assert(
            fc.property(fc.array(fc.integer({ min: 1, max: 60_000 }), { minLength: 1, maxLength: 60 }), quotas => {
                const tenants = quotas.map((q, i) => tenant(`t${i}`, q));
                const before = clusterOf(tenants.slice(0, -1));
                const after = clusterOf(tenants);
                for (const [name, cluster] of Object.entries(before)) {
                    assert.strictEqual(after[name], cluster, `${name} moved`);
                }
            }),
            { numRuns: 300 },
        );
    });

    it("never moves a pinned tenant, or one before the tenant that changed, over long sequences of changes with only some tenants pinned", () => {
        fc.assert(
            fc.property(fc.array(changeOp, { minLength: 20, maxLength: 200 }), ops => {
                // As the provisioning service runs: tenants arrive unpinned and are pinned where they landed once deployed,
                // so at any time some tenants are pinned and some are not.
                let tenants: PlacementTenant[] = [];
                let next = 0;
                for (const op of ops) {
                    const { kind } = op;
                    const before = clusterOf(tenants);
                    const changed = applyChange(tenants, op, next, before);
                    const { target } = changed;
                    next += target === undefined ? 1 : 0;
                    const earlier = new Set(tenants.slice(0, changed.index).map(t => t.name));
                    tenants = changed.tenants;
                    const after = clusterOf(tenants);
                    for (const t of tenants.filter(t => t.name in before)) {
                        if (kind === "pin" || t.cluster !== undefined || earlier.has(t.name)) {
                            assert.strictEqual(
                                after[t.name],
                                before[t.name],
                                `${t.name} (${t.cluster ? "pinned" : "unpinned"}) moved from ${before[t.name]} to ${after[t.name]} after ${kind} ${target ?? "a new tenant"}`,
                            );
                        }
                    }
                }
            }),
            { numRuns: 300 },
        );
    });
    it("keeps the unpinned tenants after a removed one where they were, instead of refilling the room", () => {
        const tenants = ["a", "b", "c", "d", "e"].map(n => tenant(n, 10));
        const first = clusterOf(tenants);
        assert.deepStrictEqual(first, { a: "shared-1", b: "shared-1", c: "shared-1", d: "shared-1", e: "shared-2" });
        const withoutA = tenants.filter(t => t.name !== "a");
        assert.strictEqual(clusterOf(withoutA).e, "shared-1", "without the previous placement, first-fit moves e");
        assert.deepStrictEqual(clusterOf(withoutA, SETTINGS, asPrevious(first)), {
            b: "shared-1",
            c: "shared-1",
            d: "shared-1",
            e: "shared-2",
        });
    });

    it("packs a new tenant around the kept ones, counting their load wherever they are in the file", () => {
        const previous = asPrevious({ late: "shared-1" });
        const placed = placeTenants([tenant("new", 60_000, { isolation: "shared" }), tenant("late", 60_000)], SETTINGS, previous);
        assert.deepStrictEqual(placed.tenants.get("late"), { tenant: "late", cluster: "shared-1", kind: "shared", reason: "kept" });
        assert.strictEqual(placed.tenants.get("new")!.cluster, "shared-2");
        assert.deepStrictEqual(placed.clusters[0], { name: "shared-1", kind: "shared", tenants: ["late"], devices: 60_000 });
    });

    it("keeps a tenant that grew past the threshold on its shared cluster, as a pinned one stays", () => {
        assert.strictEqual(clusterOf([tenant("grown", 80_000)], SETTINGS, asPrevious({ grown: "shared-2" })).grown, "shared-2");
    });

    it("moves a tenant only when its own entry forbids where it was: new compliance tags, isolation changes, another tenant's cluster", () => {
        const previous = asPrevious({
            regulated: "shared-1",
            vip: "shared-1",
            opened: "dedicated-opened",
            stray: "dedicated-other",
            odd: "edge-7",
        });
        assert.deepStrictEqual(
            clusterOf(
                [
                    tenant("regulated", 10, { compliance: ["gxp"] }),
                    tenant("vip", 10, { isolation: "dedicated" }),
                    tenant("opened", 10, { isolation: "shared" }),
                    tenant("stray", 10),
                    tenant("odd", 10),
                ],
                SETTINGS,
                previous,
            ),
            { regulated: "dedicated-regulated", vip: "dedicated-vip", opened: "shared-1", stray: "shared-1", odd: "shared-1" },
        );
    });

    it("lets a pin move a tenant away from where it was", () => {
        assert.strictEqual(
            clusterOf([tenant("moved", 10, { cluster: "shared-3" })], SETTINGS, asPrevious({ moved: "shared-1" })).moved,
            "shared-3",
        );
    });

    it("reads the previous placement from the stack's tenants output, and none from a stack without outputs", () => {
        assert.deepStrictEqual(
            previousPlacementOf({
                contoso: { cluster: "shared-1", namespace: "contoso" },
                acme: { cluster: "dedicated-acme" },
                broken: {},
            }),
            new Map([
                ["contoso", "shared-1"],
                ["acme", "dedicated-acme"],
            ]),
        );
        assert.deepStrictEqual(previousPlacementOf(undefined), new Map());
    });

    it("never moves another tenant, pinned or not, over long sequences of changes when each run starts from the last placement", () => {
        fc.assert(
            fc.property(fc.array(changeOp, { minLength: 20, maxLength: 200 }), ops => {
                let tenants: PlacementTenant[] = [];
                let last: Record<string, string> = {};
                let next = 0;
                for (const op of ops) {
                    const { kind } = op;
                    // New tenants go anywhere in the file, not only at its end.
                    const changed = applyChange(tenants, op, next, last, true);
                    const { target } = changed;
                    next += target === undefined ? 1 : 0;
                    tenants = changed.tenants;
                    const placed = clusterOf(tenants, SETTINGS, asPrevious(last));
                    for (const t of tenants.filter(t => t.name in last && (t.name !== target || kind !== "isolate"))) {
                        assert.strictEqual(
                            placed[t.name],
                            last[t.name],
                            `${t.name} moved from ${last[t.name]} to ${placed[t.name]} after ${kind} ${target ?? "a new tenant"}`,
                        );
                    }
                    last = placed;
                }
            }),
            { numRuns: 300 },
        );
    });
});
