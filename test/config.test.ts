import * as assert from "assert";
import * as path from "path";
import { BUILT_IN_TENANT_DEFAULTS, ConfigError, ConfigProblem, parseFleetConfig, quantityValue, scalingQuotaProblems } from "../lib/config";
import { DATA_PLANE_DEFAULTS, dataPlaneSizing } from "../lib/dataPlane";
import { aksNames, clusterNameProblems } from "../lib/naming";
import { configProblems } from "./support/configProblems";
import { engineConfig, loadStackFile, parseEngineConfig, projectKeys, readStackConfig, stackFilePath } from "../lib/stackFile";
import { urlCarriesCredential } from "../policy/secretPatterns";

const ROOT = path.resolve(__dirname, "..");
const validKeys = () => projectKeys(readStackConfig(path.join(ROOT, "Pulumi.prod-weu.yaml")));

function problemsOf(raw: Record<string, unknown>): ConfigProblem[] {
    const problems = configProblems(raw);
    assert.ok(problems.length > 0, "expected the config to be rejected");
    return problems;
}

/** Each case breaks one thing in an otherwise valid stack and names the one problem the user must see. */
const BAD_INPUTS: { title: string; edit: (raw: any) => void; path: string; message: RegExp }[] = [
    ...[
        "https://x-access-token:ghp_0123456789abcdef@github.com/iot-platform/fleet",
        "https://ghp_0123456789abcdef@github.com/iot-platform/fleet",
        "ssh://git:hunter2@github.com/iot-platform/fleet",
        "https://dev.azure.com/iot/fleet?token=abc",
    ].map(url => ({
        title: `a repository URL that carries a credential (${url.split("//")[1].split("@")[0].split("?")[0]})`,
        edit: (raw: any) => {
            raw.gitops.repositoryUrl = url;
        },
        path: "iot-fleet:gitops.repositoryUrl",
        message: /carries a credential/,
    })),
    {
        title: "a duplicate tenant",
        edit: raw => raw.tenants.push({ name: "contoso", deviceQuota: 10 }),
        path: "iot-fleet:tenants[11].name",
        message: /duplicate tenant 'contoso' \(first defined at tenants\[1\]\)/,
    },
    {
        title: "a tenant name that is not a DNS-1123 label",
        edit: raw => {
            raw.tenants[1].name = "Contoso_Ltd";
        },
        path: "iot-fleet:tenants[1].name",
        message: /DNS-1123/,
    },
    {
        title: "a tenant name that is too long",
        edit: raw => {
            raw.tenants[1].name = "a".repeat(31);
        },
        path: "iot-fleet:tenants[1].name",
        message: /at most 30 characters/,
    },
    {
        title: "a reserved namespace as tenant name",
        edit: raw => {
            raw.tenants[1].name = "kube-system";
        },
        path: "iot-fleet:tenants[1].name",
        message: /reserved/,
    },
    {
        title: "a tenant name with consecutive hyphens, which Azure refuses in container and vault names",
        edit: raw => {
            raw.tenants[1].name = "contoso--eu";
        },
        path: "iot-fleet:tenants[1].name",
        message:
            /^tenant names must not contain consecutive hyphens: Azure refuses them in the tenant's blob container and Key Vault names, got "contoso--eu"$/,
    },
    {
        title: "a zero device quota",
        edit: raw => {
            raw.tenants[1].deviceQuota = 0;
        },
        path: "iot-fleet:tenants[1].deviceQuota",
        message: /positive number of devices, got 0/,
    },
    {
        title: "a negative device quota",
        edit: raw => {
            raw.tenants[1].deviceQuota = -5;
        },
        path: "iot-fleet:tenants[1].deviceQuota",
        message: /positive/,
    },
    {
        title: "a fractional device quota",
        edit: raw => {
            raw.tenants[1].deviceQuota = 10.5;
        },
        path: "iot-fleet:tenants[1].deviceQuota",
        message: /whole number/,
    },
    {
        title: "an unknown override key",
        edit: raw => {
            raw.tenants[1].overrides = { processing: { targetMesageCount: 10 } };
        },
        path: "iot-fleet:tenants[1].overrides.processing",
        message: /unknown key 'targetMesageCount'/,
    },
    {
        title: "a per-tenant setting outside overrides",
        edit: raw => {
            raw.tenants[1].targetMessageCount = 10;
        },
        path: "iot-fleet:tenants[1]",
        message: /unknown key 'targetMessageCount'; per-tenant settings go under tenants\[\]\.overrides/,
    },
    {
        title: "a system pool under 3 nodes",
        edit: raw => {
            raw.clusterDefaults.systemPool.count = 2;
        },
        path: "iot-fleet:clusterDefaults.systemPool.count",
        message: /at least 3 nodes/,
    },
    {
        title: "a Spot pool without baseline",
        edit: raw => {
            raw.clusterDefaults.processingPool.baselineCount = 0;
        },
        path: "iot-fleet:clusterDefaults.processingPool.baselineCount",
        message: /non-Spot baseline of at least 1 node/,
    },
    {
        title: "an unknown isolation value",
        edit: raw => {
            raw.tenants[1].isolation = "private";
        },
        path: "iot-fleet:tenants[1].isolation",
        message: /expected one of "auto"\|"shared"\|"dedicated", got "private"/,
    },
    {
        title: "a missing location",
        edit: raw => {
            delete raw.region.location;
        },
        path: "iot-fleet:region.location",
        message: /required, expected string/,
    },
    {
        title: "a missing tenants list",
        edit: raw => {
            delete raw.tenants;
        },
        path: "iot-fleet:tenants",
        message: /required, expected array/,
    },
    {
        title: "an unknown top-level key",
        edit: raw => {
            raw.tenant = [];
        },
        path: "iot-fleet:tenant",
        message: /unknown config key/,
    },
    {
        title: "min replicas above max replicas after overrides",
        edit: raw => {
            raw.tenants[1].overrides = { processing: { minReplicas: 30 } };
        },
        path: "iot-fleet:tenants[1].overrides.processing.minReplicas",
        message: /minReplicas \(30\) is greater than maxReplicas \(20\)/,
    },
    {
        title: "a pool whose min exceeds its max",
        edit: raw => {
            raw.clusterDefaults.ingestPool.minCount = 12;
        },
        path: "iot-fleet:clusterDefaults.ingestPool.minCount",
        message: /greater than maxCount/,
    },
    {
        title: "a regulated tenant pinned to a shared cluster",
        edit: raw => {
            raw.tenants[1].compliance = ["hipaa"];
        },
        path: "iot-fleet:tenants[1].cluster",
        message: /needs a dedicated cluster but is pinned to shared-1/,
    },
    {
        title: "a dedicated pin naming another tenant",
        edit: raw => {
            raw.tenants[1].cluster = "dedicated-acme";
        },
        path: "iot-fleet:tenants[1].cluster",
        message: /expected dedicated-contoso, got dedicated-acme/,
    },
    {
        title: "a malformed cluster pin",
        edit: raw => {
            raw.tenants[1].cluster = "cluster-7";
        },
        path: "iot-fleet:tenants[1].cluster",
        message: /expected shared-<n> or dedicated-<tenant>/,
    },
    {
        title: "fleet join without a stack reference",
        edit: raw => {
            raw.fleet = { mode: "join" };
        },
        path: "iot-fleet:fleet.stackReference",
        message: /required when fleet.mode is join/,
    },
    {
        title: "an address space overlapping the pod overlay",
        edit: raw => {
            raw.region.addressSpace = "10.244.0.0/16";
        },
        path: "iot-fleet:region.addressSpace",
        message: /overlaps 10\.244\.0\.0\/16/,
    },
    {
        title: "a public address space",
        edit: raw => {
            raw.region.addressSpace = "52.10.0.0/16";
        },
        path: "iot-fleet:region.addressSpace",
        message: /private range/,
    },
    {
        title: "a maintenance window shorter than AKS allows",
        edit: raw => {
            raw.clusterDefaults.maintenanceWindow.durationHours = 2;
        },
        path: "iot-fleet:clusterDefaults.maintenanceWindow.durationHours",
        message: /at least 4 hours/,
    },
    {
        title: "an invalid quota quantity",
        edit: raw => {
            raw.tenants[1].overrides = { quota: { memory: "lots" } };
        },
        path: "iot-fleet:tenants[1].overrides.quota.memory",
        message: /Kubernetes quantity/,
    },
    {
        title: "a patch upgrade channel, which Fleet Manager does not have",
        edit: raw => {
            raw.clusterDefaults.upgradeChannel = "patch";
        },
        path: "iot-fleet:clusterDefaults.upgradeChannel",
        message: /^Fleet Manager rolls upgrades and offers the channels stable, rapid and node-image \(or none\), got "patch"$/,
    },
    {
        title: "an unknown Event Hubs tier",
        edit: raw => {
            raw.eventHubs = { sku: "Basic" };
        },
        path: "iot-fleet:eventHubs.sku",
        message: /expected one of "Standard"\|"Premium", got "Basic"/,
    },
    {
        title: "an Event Hubs capacity Premium does not sell",
        edit: raw => {
            raw.eventHubs = { sku: "Premium", capacity: 3 };
        },
        path: "iot-fleet:eventHubs.capacity",
        message: /^the Premium tier takes 1, 2, 4, 8, 16 processing units, got 3$/,
    },
    {
        title: "more IoT Hub units than the tier takes",
        edit: raw => {
            raw.dataPlane.iotHub = { sku: "S3", units: 12 };
        },
        path: "iot-fleet:dataPlane.iotHub.units",
        message: /^an S3 hub takes at most 10 units; a larger load needs another region stack, got 12$/,
    },
    {
        title: "an ADX cluster of one instance",
        edit: raw => {
            raw.dataPlane.adx.instances = 1;
        },
        path: "iot-fleet:dataPlane.adx.instances",
        message: /^an ADX cluster with an SLA needs at least 2 instances, got 1$/,
    },
    {
        title: "an unknown kubelogin mode",
        edit: raw => {
            raw.kubeconfigLogin = "devicecode";
        },
        path: "iot-fleet:kubeconfigLogin",
        message: /"azurecli"\|"workloadidentity"\|"spn"/,
    },
];

describe("stack configuration", () => {
    it("accepts both real stack files and applies tenant overrides over the defaults", () => {
        const weu = loadStackFile(path.join(ROOT, "Pulumi.prod-weu.yaml"));
        const eus = loadStackFile(path.join(ROOT, "Pulumi.prod-eus.yaml"));
        const acme = weu.tenants.find(t => t.name === "acme")!;
        assert.strictEqual(acme.settings.processing.targetMessageCount, 1000);
        const contoso = weu.tenants.find(t => t.name === "contoso")!;
        assert.strictEqual(contoso.settings.processing.targetMessageCount, 500);
        assert.ok(weu.tenants.length >= 9);
        assert.ok(eus.tenants.some(t => t.compliance.length > 0));
        assert.strictEqual(eus.fleet.mode, "join");
    });

    it("gives an Event Hubs namespace its tier's default capacity when the stack names only the tier", () => {
        const withEventHubs = (eventHubs: object) => parseFleetConfig({ ...validKeys(), eventHubs }).eventHubs;
        const none = { ownNamespaceCompliance: [] };
        assert.deepStrictEqual(withEventHubs({ sku: "Premium" }), { sku: "Premium", capacity: 1, ...none });
        assert.deepStrictEqual(withEventHubs({}), { sku: "Standard", capacity: 2, ...none });
        assert.deepStrictEqual(withEventHubs({ sku: "Standard", capacity: 12 }), { sku: "Standard", capacity: 12, ...none });
    });

    it("sizes the data plane from the stack's IoT Hub, Event Hubs and ADX keys and the shared defaults for the rest", () => {
        const sizing = dataPlaneSizing(loadStackFile(path.join(ROOT, "Pulumi.prod-eus.yaml")));
        assert.deepStrictEqual(sizing, {
            ...DATA_PLANE_DEFAULTS,
            iotHubSku: "S2",
            iotHubUnits: 7,
            eventHubsSku: "Standard",
            eventHubsCapacity: 2,
            adxSku: "Standard_E2ads_v5",
            adxInstances: 5,
        });
    });

    it("accepts repository URLs that name only where the repository is, ssh's git@ user included", () => {
        const urls = [
            "https://github.com/iot-platform/fleet",
            "ssh://git@github.com/iot-platform/fleet",
            "https://dev.azure.com/iot/_git/fleet",
        ];
        assert.deepStrictEqual(urls.filter(urlCarriesCredential), []);
    });

    it("fills every default a minimal stack leaves out", () => {
        const minimal = parseFleetConfig({
            region: { shortName: "weu", location: "westeurope", addressSpace: "10.40.0.0/16" },
            gitops: { repositoryUrl: "https://github.com/iot-platform/fleet" },
            dns: { zoneName: "weu.iot.example.com", acmeEmail: "ops@example.com" },
            clusterDefaults: { apiServerAccess: { deployerRanges: ["203.0.113.0/28"] } },
            tenants: [{ name: "contoso", deviceQuota: 10 }],
        });
        assert.strictEqual(minimal.dedicatedDeviceThreshold, 50_000);
        assert.strictEqual(minimal.clusterDefaults.systemPool.count, 3);
        assert.strictEqual(minimal.clusterDefaults.processingPool.spot, true);
        assert.strictEqual(minimal.tenantDefaults.processing.targetMessageCount, 500);
        assert.deepStrictEqual(minimal.tenants[0].overrides, {});
        assert.strictEqual(minimal.tenants[0].isolation, "auto");
    });

    for (const bad of BAD_INPUTS) {
        it(`rejects ${bad.title} with its key path`, () => {
            const raw = validKeys();
            bad.edit(raw);
            const problems = problemsOf(raw);
            const match = problems.find(p => p.path === bad.path && bad.message.test(p.message));
            assert.ok(
                match,
                `no problem at ${bad.path} matching ${bad.message}; got:\n${problems.map(p => `${p.path}: ${p.message}`).join("\n")}`,
            );
        });
    }

    it("reports every problem of a broken stack file in one error", () => {
        assert.throws(
            () => loadStackFile(path.join(__dirname, "fixtures", "Pulumi.broken.yaml")),
            (err: unknown) => {
                assert.ok(err instanceof ConfigError);
                const paths = err.problems.map(p => p.path);
                for (const expected of [
                    "iot-fleet:region.location",
                    "iot-fleet:region.addressSpace",
                    "iot-fleet:clusterDefaults.systemPool.count",
                    "iot-fleet:clusterDefaults.processingPool.baselineCount",
                    "iot-fleet:tenants[1].name",
                    "iot-fleet:tenants[1].deviceQuota",
                    "iot-fleet:tenants[2].name",
                    "iot-fleet:tenants[2].isolation",
                    "iot-fleet:tenants[2].overrides",
                ]) {
                    assert.ok(paths.includes(expected), `missing ${expected} in:\n${err.message}`);
                }
                assert.match(err.message, /Pulumi\.broken\.yaml has \d+ problems/);
                return true;
            },
        );
    });

    it("reports an unreadable stack file as a config problem, not a crash", () => {
        assert.throws(
            () => loadStackFile(path.join(__dirname, "fixtures", "Pulumi.missing.yaml")),
            /cannot read the stack file \(ENOENT\)/,
        );
    });
});

describe("tenant quotas against the replicas KEDA may start", () => {
    const startable = (processing: number, ingest: number) =>
        `the ${processing + ingest} replicas KEDA may start (processing.maxReplicas ${processing} + ingest.maxReplicas ${ingest})`;

    it("accepts the built-in tenant defaults", () => {
        assert.deepStrictEqual(scalingQuotaProblems(BUILT_IN_TENANT_DEFAULTS, "iot-fleet:tenantDefaults"), []);
    });

    it("names the cpu, memory and pods a quota lacks for processing plus ingest max replicas at the default limits", () => {
        const settings = { ...BUILT_IN_TENANT_DEFAULTS, quota: { ...BUILT_IN_TENANT_DEFAULTS.quota, cpu: "8", memory: "8Gi", pods: 20 } };
        assert.deepStrictEqual(scalingQuotaProblems(settings, "iot-fleet:tenantDefaults"), [
            {
                path: "iot-fleet:tenantDefaults.quota.cpu",
                message: `quota.cpu 8 cannot hold ${startable(20, 8)} at limits.defaultCpu 500m each, 14 in all; raise quota.cpu to at least 14 or lower maxReplicas`,
            },
            {
                path: "iot-fleet:tenantDefaults.quota.memory",
                message: `quota.memory 8Gi cannot hold ${startable(20, 8)} at limits.defaultMemory 512Mi each, 14Gi in all; raise quota.memory to at least 14Gi or lower maxReplicas`,
            },
            {
                path: "iot-fleet:tenantDefaults.quota.pods",
                message: `quota.pods 20 cannot hold ${startable(20, 8)}; raise quota.pods to at least 28 or lower maxReplicas`,
            },
        ]);
    });

    it("rejects a tenant whose raised max replicas outgrow the default quota, at its overrides", () => {
        const raw: any = validKeys();
        delete raw.tenants[3].overrides.quota;
        assert.strictEqual(raw.tenants[3].name, "northwind");
        assert.deepStrictEqual(problemsOf(raw), [
            {
                path: "iot-fleet:tenants[3].overrides.quota.cpu",
                message: `quota.cpu 16 cannot hold ${startable(30, 8)} at limits.defaultCpu 500m each, 19 in all; raise quota.cpu to at least 19 or lower maxReplicas`,
            },
            {
                path: "iot-fleet:tenants[3].overrides.quota.memory",
                message: `quota.memory 16Gi cannot hold ${startable(30, 8)} at limits.defaultMemory 512Mi each, 19Gi in all; raise quota.memory to at least 19Gi or lower maxReplicas`,
            },
        ]);
    });

    it("reports a default quota too small once, at tenantDefaults, not again for every tenant that inherits it", () => {
        const raw: any = validKeys();
        raw.tenantDefaults.quota.cpu = "8";
        assert.deepStrictEqual(
            problemsOf(raw).map(p => p.path),
            ["iot-fleet:tenantDefaults.quota.cpu"],
        );
    });

    it("reads Kubernetes quantities as cores and bytes", () => {
        assert.deepStrictEqual(["500m", "2", "1.5", "512Mi", "1.5Gi", "2k"].map(quantityValue), [
            0.5,
            2,
            1.5,
            512 * 2 ** 20,
            1.5 * 2 ** 30,
            2000,
        ]);
        assert.throws(() => quantityValue("lots"), /expected a Kubernetes quantity such as 500m, 4 or 8Gi, got 'lots'/);
    });
});

/** The tenant list of prod-weu with its pins removed, so that placement packs every tenant itself. */
const unpinnedTenants = (raw: any) => raw.tenants.map(({ cluster: _pin, ...tenant }: any) => tenant);
const messagesAt = (problems: ConfigProblem[], path: string) => problems.filter(p => p.path === path).map(p => p.message);

describe("stack configuration: the clusters placement asks for", () => {
    it("rejects a tenant named adx, the consumer group ADX ingests through", () => {
        const raw: any = validKeys();
        raw.tenants[1].name = "adx";
        assert.deepStrictEqual(messagesAt(problemsOf(raw), "iot-fleet:tenants[1].name"), [
            "'adx' is the Event Hubs consumer group of ADX ingestion; choose another tenant name, got \"adx\"",
        ]);
    });

    it("rejects a pin to a shared cluster the address space has no subnet for, at the pin", () => {
        const raw: any = validKeys();
        raw.tenants[2].cluster = "shared-200";
        assert.deepStrictEqual(problemsOf(raw), [
            {
                path: "iot-fleet:tenants[2].cluster",
                message:
                    "shared-200 needs /24 slot 200, but 10.40.0.0/16 has room for shared-1 to shared-127: pin the tenant to a lower-numbered shared cluster",
            },
        ]);
    });

    it("rejects more shared clusters than the address space has subnets for, at the address space", () => {
        const raw: any = validKeys();
        raw.region.addressSpace = "10.40.0.0/20";
        raw.sharedClusterCapacity = { maxTenants: 1 };
        raw.tenants = unpinnedTenants(raw);
        assert.deepStrictEqual(
            messagesAt(problemsOf(raw), "iot-fleet:region.addressSpace"),
            [8, 9, 10].map(
                n =>
                    `shared-${n} needs /24 slot ${n}, but 10.40.0.0/20 has room for shared-1 to shared-7: use a larger address space or raise sharedClusterCapacity`,
            ),
        );
    });

    it("rejects more dedicated clusters than the upper half of the address space holds", () => {
        const raw: any = validKeys();
        raw.region.addressSpace = "10.40.0.0/20";
        raw.tenants = unpinnedTenants(raw).map((t: any) => ({ ...t, isolation: "dedicated" }));
        const problems = messagesAt(problemsOf(raw), "iot-fleet:region.addressSpace");
        assert.strictEqual(problems.length, raw.tenants.length - 8);
        for (const message of problems) {
            assert.match(
                message,
                /^no \/24 left for dedicated-[a-z-]+: 10\.40\.0\.0\/20 has room for 8 dedicated clusters: use a larger address space$/,
            );
        }
    });

    it("asks every unpinned tenant whose hashed /24 another unpinned one shares for a pin, at once, each with a distinct /24 to add", () => {
        const raw: any = validKeys();
        // All three hash to slot 135 of 10.40.0.0/16; nobody hashes to 128, 129 or 130.
        raw.tenants.push(...["t35", "t40", "t226"].map(name => ({ name, deviceQuota: 10, isolation: "dedicated" })));
        assert.deepStrictEqual(problemsOf(raw), [
            {
                path: "iot-fleet:tenants[11].subnet",
                message:
                    "dedicated-t35, dedicated-t40 and dedicated-t226 hash to the same /24, 10.40.135.0/24, so each needs a pin: add subnet: 10.40.128.0/24 (or, if dedicated-t35 already runs, the /24 it has now)",
            },
            {
                path: "iot-fleet:tenants[12].subnet",
                message:
                    "dedicated-t40, dedicated-t35 and dedicated-t226 hash to the same /24, 10.40.135.0/24, so each needs a pin: add subnet: 10.40.129.0/24 (or, if dedicated-t40 already runs, the /24 it has now)",
            },
            {
                path: "iot-fleet:tenants[13].subnet",
                message:
                    "dedicated-t226, dedicated-t35 and dedicated-t40 hash to the same /24, 10.40.135.0/24, so each needs a pin: add subnet: 10.40.130.0/24 (or, if dedicated-t226 already runs, the /24 it has now)",
            },
        ]);
    });

    it("says which rule each subnet pin breaks: a shared tenant's, outside the dedicated half, taken by a pin, an unpinned tenant's hashed /24, malformed", () => {
        const raw: any = validKeys();
        raw.tenants[1].subnet = "10.40.200.0/24";
        const dedicated = (name: string, subnet: string) => ({ name, deviceQuota: 10, isolation: "dedicated", subnet });
        raw.tenants.push(
            dedicated("far", "10.40.5.0/24"),
            dedicated("first", "10.40.200.0/24"),
            dedicated("second", "10.40.200.0/24"),
            dedicated("squatter", "10.40.247.0/24"),
            dedicated("sloppy", "10.40.200.7/24"),
        );
        assert.deepStrictEqual(problemsOf(raw), [
            {
                path: "iot-fleet:tenants[15].subnet",
                message: 'expected a /24 of the address space\'s upper half, such as 10.40.200.0/24, got "10.40.200.7/24"',
            },
            {
                path: "iot-fleet:tenants[1].subnet",
                message: "'contoso' runs on shared-1, and only a dedicated cluster's /24 is pinned: remove subnet",
            },
            {
                path: "iot-fleet:tenants[11].subnet",
                message:
                    "subnet 10.40.5.0/24 is outside the dedicated half of 10.40.0.0/16 (10.40.128.0/24 to 10.40.255.0/24): use subnet: 10.40.128.0/24 instead",
            },
            {
                path: "iot-fleet:tenants[13].subnet",
                message:
                    "subnet 10.40.200.0/24 is already pinned by dedicated-first, and pins are unique: use subnet: 10.40.129.0/24 instead",
            },
            {
                path: "iot-fleet:tenants[14].subnet",
                message:
                    "subnet 10.40.247.0/24 is the hashed /24 of dedicated-acme, which has no pin and keeps it: use subnet: 10.40.130.0/24 instead",
            },
        ]);
    });

    it("rejects a dedicated cluster whose DNS prefix AKS would refuse, at the tenant's name", () => {
        const raw: any = validKeys();
        raw.environment = "staging1";
        raw.region.shortName = "weus2";
        const tenant = "northwind-traders-europe-3-ltd";
        raw.tenants[1] = { name: tenant, deviceQuota: 10, isolation: "dedicated" };
        assert.deepStrictEqual(problemsOf(raw), [
            {
                path: "iot-fleet:tenants[1].name",
                message: `dedicated-${tenant}: AKS DNS prefix 'aks-staging1-weus2-dedicated-${tenant}' has 59 characters, Azure allows 54; shorten the tenant name`,
            },
        ]);
    });

    it("reports placement, address, name and schema problems of one stack file in one error", () => {
        const raw: any = validKeys();
        raw.tenants[1].name = "adx";
        raw.tenants[2].cluster = "shared-200";
        raw.tenants[3].deviceQuota = 0;
        raw.clusterDefaults.systemPool.count = 2;
        assert.deepStrictEqual(
            problemsOf(raw)
                .map(p => p.path)
                .sort(),
            [
                "iot-fleet:clusterDefaults.systemPool.count",
                "iot-fleet:tenants[1].name",
                "iot-fleet:tenants[2].cluster",
                "iot-fleet:tenants[3].deviceQuota",
            ],
        );
    });

    it("reads a real stack file the same through the engine's config map, as index.ts does, as from the file", () => {
        for (const stack of ["prod-weu", "prod-eus"]) {
            const file = stackFilePath(stack);
            assert.deepStrictEqual(parseEngineConfig(engineConfig(readStackConfig(file)), stack), loadStackFile(file));
        }
    });
});

describe("cluster names", () => {
    it("keeps AKS's own node resource group name where it fits, so existing clusters keep theirs", () => {
        assert.deepStrictEqual(aksNames("prod", "weu", "westeurope", "shared-1"), {
            aksName: "aks-prod-weu-shared-1",
            dnsPrefix: "aks-prod-weu-shared-1",
            nodeResourceGroup: "MC_rg-iotfleet-prod-weu_aks-prod-weu-shared-1_westeurope",
        });
    });

    it("names the node resource group of a 30-character tenant's cluster within AKS's 80 characters", () => {
        const names = aksNames("prod", "weu", "westeurope", "dedicated-northwind-traders-europe-3-ltd");
        assert.strictEqual(names.nodeResourceGroup, "MC_aks-prod-weu-dedicated-northwind-traders-europe-3-ltd");
        assert.deepStrictEqual(clusterNameProblems(names), []);
    });

    it("names every cluster name Azure would refuse for its length, with its limit", () => {
        const names = aksNames("staging1", "weus2", "westeurope", `dedicated-${"t".repeat(40)}`);
        assert.deepStrictEqual(clusterNameProblems(names), [
            `AKS cluster name '${names.aksName}' has 69 characters, Azure allows 63`,
            `AKS DNS prefix '${names.dnsPrefix}' has 69 characters, Azure allows 54`,
        ]);
    });
});
