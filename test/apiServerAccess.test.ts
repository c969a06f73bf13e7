import * as assert from "assert";
import * as path from "path";
import { apiServerAccessProfile, authorizedRangeProblem, MAX_AUTHORIZED_IP_RANGES } from "../lib/apiServerAccess";
import { projectKeys, readStackConfig } from "../lib/stackFile";
import { configProblems } from "./support/configProblems";
import { evaluateRealStack, ofType, REAL_STACKS } from "./support/stacks";

const ROOT = path.resolve(__dirname, "..");
const ACCESS_PATH = "iot-fleet:clusterDefaults.apiServerAccess";

/** The prod-weu stack file with its `clusterDefaults.apiServerAccess` replaced. */
function withAccess(access: unknown): Record<string, any> {
    const raw: Record<string, any> = projectKeys(readStackConfig(path.join(ROOT, "Pulumi.prod-weu.yaml")));
    return { ...raw, clusterDefaults: { ...raw.clusterDefaults, apiServerAccess: access } };
}

describe("API server access", () => {
    it("refuses a stack that leaves the API server open: authorized ranges without any range", () => {
        assert.deepStrictEqual(configProblems(withAccess(undefined)), [
            {
                path: ACCESS_PATH,
                message:
                    "mode authorizedRanges needs at least one range in deployerRanges or ciRanges: without one, AKS leaves the API server open to the internet",
            },
        ]);
    });

    it("reports every bad range at its key path in one error", () => {
        const problems = configProblems(
            withAccess({ deployerRanges: ["0.0.0.0/0", "203.0.113.5/28"], ciRanges: ["10.0.0.300/8", "ci-runners"] }),
        );
        assert.deepStrictEqual(problems, [
            {
                path: `${ACCESS_PATH}.deployerRanges[0]`,
                message: `authorizes every address on the internet; list the deployers' and CI's ranges instead, got "0.0.0.0/0"`,
            },
            {
                path: `${ACCESS_PATH}.deployerRanges[1]`,
                message: `does not start at its range's first address; write 203.0.113.0/28, got "203.0.113.5/28"`,
            },
            { path: `${ACCESS_PATH}.ciRanges[0]`, message: `not an IPv4 CIDR (octets 0-255, prefix 0-32), got "10.0.0.300/8"` },
            {
                path: `${ACCESS_PATH}.ciRanges[1]`,
                message: `expected an IPv4 CIDR such as 203.0.113.0/24, got "ci-runners"`,
            },
        ]);
    });

    it("refuses more distinct ranges than AKS allows, counting a range listed twice once", () => {
        const ranges = Array.from({ length: MAX_AUTHORIZED_IP_RANGES + 1 }, (_, i) => `198.51.${Math.floor(i / 64)}.${(i % 64) * 4}/30`);
        assert.deepStrictEqual(
            configProblems(withAccess({ deployerRanges: ranges.slice(0, MAX_AUTHORIZED_IP_RANGES), ciRanges: ranges.slice(0, 5) })),
            [],
        );
        assert.deepStrictEqual(configProblems(withAccess({ deployerRanges: ranges })), [
            { path: ACCESS_PATH, message: `201 distinct authorized ranges; AKS allows at most 200: merge neighbouring ranges` },
        ]);
    });

    it("refuses authorized ranges on a private cluster, where AKS does not apply them", () => {
        assert.deepStrictEqual(configProblems(withAccess({ mode: "private", ciRanges: ["198.51.100.0/27"] })), [
            {
                path: `${ACCESS_PATH}.ciRanges`,
                message:
                    "authorized IP ranges do not apply to a private cluster (AKS refuses them); remove them or use mode authorizedRanges",
            },
        ]);
    });

    it("accepts a single address and the documentation ranges as written", () => {
        for (const cidr of ["203.0.113.7/32", "203.0.113.0/24", "198.51.100.0/27", "0.0.0.0/32"]) {
            assert.strictEqual(authorizedRangeProblem(cidr), undefined, cidr);
        }
    });

    it("authorizes the deployers' and CI's ranges, each once and in a stable order, on a public endpoint", () => {
        const access = {
            mode: "authorizedRanges" as const,
            deployerRanges: ["203.0.113.0/28", "198.51.100.0/27"],
            ciRanges: ["198.51.100.0/27"],
        };
        assert.deepStrictEqual(apiServerAccessProfile(access), {
            authorizedIPRanges: ["198.51.100.0/27", "203.0.113.0/28"],
            enablePrivateCluster: false,
        });
    });

    it("makes a private cluster with AKS's own private DNS zone and no public FQDN", () => {
        assert.deepStrictEqual(apiServerAccessProfile({ mode: "private", deployerRanges: [], ciRanges: [] }), {
            enablePrivateCluster: true,
            privateDNSZone: "system",
            enablePrivateClusterPublicFQDN: false,
        });
    });

    for (const stack of REAL_STACKS) {
        it(`limits every cluster of ${stack} to the stack file's deployer and CI ranges`, async () => {
            const evaluation = await evaluateRealStack(stack);
            const access = evaluation.config.clusterDefaults.apiServerAccess;
            const expected = [...new Set([...access.deployerRanges, ...access.ciRanges])].sort();
            assert.ok(expected.length > 0, `${stack} lists no range`);
            const clusters = ofType(evaluation, "azure-native:containerservice:ManagedCluster");
            assert.ok(clusters.length > 0);
            for (const cluster of clusters) {
                assert.deepStrictEqual(
                    cluster.inputs.apiServerAccessProfile,
                    { authorizedIPRanges: expected, enablePrivateCluster: false },
                    cluster.name,
                );
            }
        });
    }
});
