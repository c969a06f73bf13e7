import * as assert from "assert";
import fc from "fast-check";
import { cidrsOverlap, dedicatedSubnetPin, planClusterSubnets, SubnetPinConfig } from "../lib/network";
import { privateEndpointSubnet, privateEndpointSubnets } from "../lib/endpointSubnets";
import { placeTenants, placementSettings, PlacementTenant } from "../lib/placement";

type Tenant = PlacementTenant & { readonly subnet?: string };

const dedicated = (name: string, subnet?: string): Tenant => ({
    name,
    deviceQuota: 10,
    isolation: "dedicated",
    compliance: [],
    ...(subnet === undefined ? {} : { subnet }),
});
const small = (name: string): Tenant => ({ name, deviceQuota: 10, isolation: "auto", compliance: [] });

function stack(tenants: readonly Tenant[], addressSpace = "10.40.0.0/16"): SubnetPinConfig {
    return {
        region: { addressSpace },
        dedicatedDeviceThreshold: 50_000,
        sharedClusterCapacity: { maxTenants: 50, maxDevices: 500_000 },
        tenants,
    };
}

function planOf(config: SubnetPinConfig) {
    const placement = placeTenants(config.tenants, placementSettings(config));
    return planClusterSubnets(config.region.addressSpace, placement.clusters, config.tenants);
}

/** Every cluster's /24, failing on any problem: what `pulumi up` would build. */
function subnetsOf(config: SubnetPinConfig): Record<string, string> {
    const plan = planOf(config);
    assert.deepStrictEqual(plan.problems, []);
    return Object.fromEntries(plan.subnets);
}

/** Onboards a tenant as the provisioning service does: with the pin `dedicatedSubnetPin` asks for, if any. */
function onboard(config: SubnetPinConfig, tenant: Tenant): SubnetPinConfig {
    const subnet = dedicatedSubnetPin(config, tenant);
    return { ...config, tenants: [...config.tenants, subnet === undefined ? tenant : { ...tenant, subnet }] };
}

// In 10.40.0.0/16, dedicated-t35 and dedicated-t40 both hash to slot 135, dedicated-t195 to slot 128.
describe("cluster subnets", () => {
    it("keeps a dedicated cluster on its hashed /24 without a pin, whatever tenants come before or after it", () => {
        const alone = subnetsOf(stack([dedicated("acme")]));
        assert.strictEqual(alone["dedicated-acme"], "10.40.247.0/24");
        const among = subnetsOf(stack([dedicated("t35"), small("contoso"), dedicated("acme"), dedicated("medica")]));
        assert.strictEqual(among["dedicated-acme"], "10.40.247.0/24");
        assert.strictEqual(among["shared-1"], "10.40.1.0/24");
    });

    it("no longer moves dedicated-t40 when dedicated-t35, which hashes to the same /24, is removed or reordered", () => {
        const both = onboard(onboard(stack([]), dedicated("t35")), dedicated("t40"));
        assert.deepStrictEqual(
            both.tenants.map(t => t.subnet),
            [undefined, "10.40.128.0/24"],
        );
        assert.deepStrictEqual(subnetsOf(both), { "dedicated-t35": "10.40.135.0/24", "dedicated-t40": "10.40.128.0/24" });
        assert.deepStrictEqual(subnetsOf({ ...both, tenants: [both.tenants[1]] }), { "dedicated-t40": "10.40.128.0/24" });
        assert.deepStrictEqual(subnetsOf({ ...both, tenants: [...both.tenants].reverse() }), {
            "dedicated-t40": "10.40.128.0/24",
            "dedicated-t35": "10.40.135.0/24",
        });
    });

    it("asks for no pin when the tenant lands on a shared cluster, even if its name would hash onto a dedicated one", () => {
        assert.strictEqual(dedicatedSubnetPin(stack([dedicated("t35")]), small("t40")), undefined);
    });

    it("asks for a pin when the hashed /24 is another's pin, and skips /24s anybody hashes to", () => {
        // t195 hashes to 128; 129 is where t15 hashes (pinned elsewhere), so 130 is the first /24 nobody hashes to.
        const config = stack([dedicated("t35", "10.40.128.0/24"), dedicated("t15", "10.40.131.0/24")]);
        assert.strictEqual(dedicatedSubnetPin(config, dedicated("t195")), "10.40.130.0/24");
    });

    it("pins a tenant whose hashed /24 is only a pinned tenant's, which validation alone would let it keep", () => {
        const pinnedAway = stack([dedicated("t35", "10.40.128.0/24")]);
        assert.strictEqual(
            subnetsOf({ ...pinnedAway, tenants: [...pinnedAway.tenants, dedicated("t40")] })["dedicated-t40"],
            "10.40.135.0/24",
        );
        assert.strictEqual(dedicatedSubnetPin(pinnedAway, dedicated("t40")), "10.40.129.0/24");
    });

    it("falls back to a /24 a pinned tenant hashes to, and asks for no pin once the dedicated half is full", () => {
        // In 10.40.0.0/20 the dedicated /24s are slots 8 to 15; t0 to t6 hash to 9, 14, 11, 8, 13, 10, 15, and dedicated-late to 9.
        const space = "10.40.0.0/20";
        const pinnedBelowFifteen = stack(
            Array.from({ length: 7 }, (_, i) => dedicated(`t${i}`, `10.40.${8 + i}.0/24`)),
            space,
        );
        assert.strictEqual(dedicatedSubnetPin(pinnedBelowFifteen, dedicated("late")), "10.40.15.0/24");
        const full = stack([...pinnedBelowFifteen.tenants, dedicated("t7", "10.40.15.0/24")], space);
        assert.strictEqual(dedicatedSubnetPin(full, dedicated("late")), undefined);
    });

    it("keeps every tenant's subnet through random onboarding, removal and reordering of dedicated tenants", () => {
        const space = "10.40.0.0/19"; // 16 dedicated /24s, so that names often hash alike
        const step = fc.oneof(
            fc.record({ kind: fc.constant("add" as const), name: fc.integer({ min: 0, max: 40 }) }),
            fc.record({ kind: fc.constant("remove" as const), at: fc.nat() }),
            fc.record({ kind: fc.constant("reorder" as const), by: fc.nat() }),
        );
        fc.assert(
            fc.property(fc.array(step, { maxLength: 60 }), steps => {
                let config = stack([small("contoso")], space);
                let before = subnetsOf(config);
                for (const change of steps) {
                    const dedicatedCount = config.tenants.length - 1;
                    if (change.kind === "add" && dedicatedCount < 12 && !config.tenants.some(t => t.name === `t${change.name}`)) {
                        config = onboard(config, dedicated(`t${change.name}`));
                    } else if (change.kind === "remove" && dedicatedCount > 0) {
                        const removed = config.tenants.filter(t => t.isolation === "dedicated")[change.at % dedicatedCount];
                        config = { ...config, tenants: config.tenants.filter(t => t !== removed) };
                    } else if (change.kind === "reorder") {
                        const rotated = [
                            ...config.tenants.slice(change.by % config.tenants.length),
                            ...config.tenants.slice(0, change.by % config.tenants.length),
                        ];
                        config = { ...config, tenants: change.by % 2 === 0 ? rotated : rotated.reverse() };
                    }
                    const after = subnetsOf(config);
                    for (const [cluster, subnet] of Object.entries(before)) {
                        assert.ok(!(cluster in after) || after[cluster] === subnet, `${cluster} moved from ${subnet} to ${after[cluster]}`);
                    }
                    before = after;
                }
            }),
            { numRuns: 200 },
        );
    });

    it("rejects a subnet pin on a tenant of a shared cluster", () => {
        const plan = planOf(stack([{ ...small("contoso"), subnet: "10.40.200.0/24" }]));
        assert.deepStrictEqual(plan.problems, [
            {
                cluster: "shared-1",
                tenant: "contoso",
                message: "'contoso' runs on shared-1, and only a dedicated cluster's /24 is pinned: remove subnet",
            },
        ]);
    });
});

describe("the private-endpoint subnet tenant pods may send to", () => {
    it("never overlaps a cluster's node subnet, whatever the address space and tenants, so tenant egress reaches no node", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 16, max: 20 }),
                fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 12 }),
                fc.integer({ min: 0, max: 30 }),
                fc.integer({ min: 1, max: 6 }),
                (prefix, dedicatedIds, smallTenants, endpointCount) => {
                    const addressSpace = `10.40.0.0/${prefix}`;
                    const tenants = [
                        ...[...new Set(dedicatedIds)].map(id => dedicated(`t${id}`)),
                        ...Array.from({ length: smallTenants }, (_, i) => small(`s${i}`)),
                    ];
                    const endpointSubnets = privateEndpointSubnets(addressSpace, endpointCount);
                    assert.strictEqual(endpointSubnets[0], privateEndpointSubnet(addressSpace));
                    assert.strictEqual(new Set(endpointSubnets).size, endpointCount);
                    const config = stack(tenants, addressSpace);
                    const placement = placeTenants(config.tenants, placementSettings(config));
                    const plan = planClusterSubnets(addressSpace, placement.clusters, config.tenants, endpointCount);
                    for (const endpoints of endpointSubnets) {
                        assert.ok(cidrsOverlap(endpoints, addressSpace), `${endpoints} lies outside ${addressSpace}`);
                        for (const [cluster, subnet] of plan.subnets) {
                            assert.ok(!cidrsOverlap(endpoints, subnet), `${cluster}'s ${subnet} overlaps the endpoint subnet ${endpoints}`);
                        }
                    }
                    // Every shared cluster the endpoint subnets leave no /24 for is refused, naming the address space.
                    for (const cluster of placement.clusters.filter(c => c.kind === "shared" && !plan.subnets.has(c.name))) {
                        assert.ok(plan.problems.some(p => p.cluster === cluster.name && p.message.includes(addressSpace)));
                    }
                },
            ),
        );
    });

    it("takes further private-endpoint subnets from the top of the shared half down, and refuses a shared cluster that would reach them", () => {
        assert.deepStrictEqual(privateEndpointSubnets("10.40.0.0/16", 3), ["10.40.0.0/24", "10.40.127.0/24", "10.40.126.0/24"]);
        const clusters = [{ name: "shared-126", kind: "shared" as const, tenants: [], devices: 0 }];
        assert.deepStrictEqual(planClusterSubnets("10.40.0.0/16", clusters, [], 2).problems, []);
        assert.deepStrictEqual(planClusterSubnets("10.40.0.0/16", clusters, [], 3).problems, [
            {
                cluster: "shared-126",
                message:
                    "shared-126 needs /24 slot 126, but 10.40.0.0/16 has room for shared-1 to shared-125 beside its 3 private-endpoint subnets",
            },
        ]);
    });
});
