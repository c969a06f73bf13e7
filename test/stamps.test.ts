import * as assert from "assert";
import fc from "fast-check";
import { IOT_HUB_MAX_DEVICES, placeOnStamps, StampSettings, StampTenant } from "../lib/stamps";

const SETTINGS: StampSettings = { maxDevicesPerStamp: 100_000 };
const tenant = (name: string, deviceQuota: number, stamp?: string): StampTenant => ({ name, deviceQuota, stamp });
const stampOf = (tenants: readonly StampTenant[], previous?: ReadonlyMap<string, string>) =>
    new Map([...placeOnStamps(tenants, SETTINGS, previous).tenants.values()].map(a => [a.tenant, a.stamp]));

describe("ingest stamp placement", () => {
    it("packs new tenants first-fit and opens the next stamp when a stamp's device limit is reached", () => {
        const placement = placeOnStamps([tenant("a", 60_000), tenant("b", 50_000), tenant("c", 40_000)], SETTINGS);
        assert.deepStrictEqual(placement.stamps, [
            { name: "stamp-1", tenants: ["a", "c"], devices: 100_000, dedicated: [] },
            { name: "stamp-2", tenants: ["b"], devices: 50_000, dedicated: [] },
        ]);
        assert.deepStrictEqual(placement.problems, []);
    });

    it("keeps a tenant on the stamp the stack last gave it even where packing would choose another", () => {
        const previous = new Map([
            ["a", "stamp-1"],
            ["b", "stamp-2"],
        ]);
        const placement = placeOnStamps([tenant("a", 10), tenant("b", 10), tenant("c", 10)], SETTINGS, previous);
        assert.deepStrictEqual(placement.tenants.get("b"), { tenant: "b", stamp: "stamp-2", reason: "kept" });
        assert.deepStrictEqual(placement.tenants.get("c"), { tenant: "c", stamp: "stamp-1", reason: "packed" });
    });

    it("moves a tenant only when an operator pins it elsewhere", () => {
        const placement = placeOnStamps([tenant("a", 10, "stamp-3")], SETTINGS, new Map([["a", "stamp-1"]]));
        assert.deepStrictEqual(placement.tenants.get("a"), { tenant: "a", stamp: "stamp-3", reason: "pinned" });
    });

    it("does not let a new tenant earlier in the file take the room a settled tenant holds", () => {
        const placed = stampOf([tenant("new", 60_000), tenant("old", 60_000)], new Map([["old", "stamp-1"]]));
        assert.deepStrictEqual(Object.fromEntries(placed), { new: "stamp-2", old: "stamp-1" });
    });

    it("refuses a tenant larger than one IoT Hub with the limit and what to do", () => {
        const placement = placeOnStamps([tenant("huge", IOT_HUB_MAX_DEVICES + 1)], { maxDevicesPerStamp: IOT_HUB_MAX_DEVICES });
        assert.deepStrictEqual(placement.problems, [
            {
                tenant: "huge",
                stamp: "stamp-1",
                message:
                    "tenant huge declares 1,000,001 devices, more than one IoT Hub stamp takes (1,000,000): " +
                    "split its devices across tenants, or across regions",
            },
        ]);
    });

    it("reports a stamp that grown tenants push over its limit instead of moving any of them", () => {
        const previous = new Map([
            ["a", "stamp-1"],
            ["b", "stamp-1"],
        ]);
        const placement = placeOnStamps([tenant("a", 70_000), tenant("b", 40_000)], SETTINGS, previous);
        assert.deepStrictEqual(placement.stamps, [{ name: "stamp-1", tenants: ["a", "b"], devices: 110_000, dedicated: [] }]);
        assert.deepStrictEqual(
            placement.problems.map(p => p.message),
            [
                "stamp-1 holds 110,000 devices of quota, over its 100,000: move a tenant to another stamp by pinning its `stamp` " +
                    "(its devices are then re-provisioned)",
            ],
        );
    });

    it("keeps a stamp all its tenants left, and fills it before opening another", () => {
        const emptied = placeOnStamps([tenant("b", 10)], SETTINGS, new Map([["b", "stamp-2"]]));
        assert.deepStrictEqual(
            emptied.stamps.map(stamp => [stamp.name, stamp.tenants]),
            [
                ["stamp-1", []],
                ["stamp-2", ["b"]],
            ],
        );
        assert.strictEqual(stampOf([tenant("b", 10), tenant("c", 10)], new Map([["b", "stamp-2"]])).get("c"), "stamp-1");
    });

    it("reports a stamp whose kept dedicated tenants need more custom endpoints than its hub has", () => {
        const dedicated = (name: string): StampTenant => ({ name, deviceQuota: 10, dedicated: true });
        const previous = new Map(["d1", "d2", "d3"].map(name => [name, "stamp-1"]));
        const placement = placeOnStamps(["d1", "d2", "d3"].map(dedicated), { ...SETTINGS, maxDedicatedPerStamp: 2 }, previous);
        assert.deepStrictEqual(
            placement.problems.map(p => p.message),
            [
                "stamp-1 routes to 3 dedicated tenants (d1, d2, d3), over the 2 its hub's custom endpoints leave beside the shared " +
                    "route: pin one to another stamp (its devices are then re-provisioned)",
            ],
        );
    });

    it("never moves a settled tenant nor drops a stamp when tenants are added, grown, shrunk or removed", () => {
        const quota = fc.integer({ min: 1, max: 60_000 });
        fc.assert(
            fc.property(
                fc.array(quota, { minLength: 1, maxLength: 40 }),
                fc.array(fc.record({ index: fc.nat(), change: fc.constantFrom("remove", "resize", "add"), quota }), { maxLength: 10 }),
                (quotas, changes) => {
                    let tenants = quotas.map((q, i) => tenant(`t${i}`, q));
                    const before = stampOf(tenants);
                    let added = 0;
                    for (const { index, change, quota } of changes) {
                        const at = index % tenants.length;
                        if (change === "add") {
                            tenants = [...tenants.slice(0, at), tenant(`new${added++}`, quota), ...tenants.slice(at)];
                        } else if (change === "resize") {
                            tenants = tenants.map((t, i) => (i === at ? tenant(t.name, quota) : t));
                        } else if (tenants.length > 1) {
                            tenants = tenants.filter((_, i) => i !== at);
                        }
                    }
                    const placement = placeOnStamps(tenants, SETTINGS, before);
                    const after = new Map([...placement.tenants.values()].map(a => [a.tenant, a.stamp]));
                    for (const t of tenants) {
                        if (before.has(t.name)) {
                            assert.strictEqual(after.get(t.name), before.get(t.name), `${t.name} moved`);
                        }
                    }
                    // No stamp the stack had goes (its hub would be deleted and its number reused for another).
                    const stamps = new Set(placement.stamps.map(stamp => stamp.name));
                    assert.ok([...before.values()].every(stamp => stamps.has(stamp)));
                },
            ),
        );
    });

    it("never lets packing put more devices on a stamp than its limit", () => {
        fc.assert(
            fc.property(fc.array(fc.integer({ min: 1, max: 100_000 }), { maxLength: 60 }), quotas => {
                const placement = placeOnStamps(
                    quotas.map((q, i) => tenant(`t${i}`, q)),
                    SETTINGS,
                );
                assert.ok(placement.stamps.every(s => s.devices <= SETTINGS.maxDevicesPerStamp));
                assert.deepStrictEqual(placement.problems, []);
            }),
        );
    });
});
