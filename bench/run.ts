import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BARE_RESOURCES } from "./bareResources";
import { Measurement, RESULT_PREFIX } from "./measure";
import type { OnboardingMeasurement } from "./onboarding";
import { BenchResults, BenchRow, checkTargets, markdownReport, tableLines } from "./report";

/**
 * The evaluation benchmark: `ts-node --transpile-only bench/run.ts [--sizes 10,100] [--ts-node]`.
 *
 * For each size, the fleet program on a generated stack (the size in long-tail tenants, plus 3 dedicated
 * ones), then as many bare ConfigMaps through the same harness (the SDK's floor), each in a process of its
 * own so that peak RSS is per measurement. The children run precompiled JavaScript (bin/bench) unless
 * --ts-node is given: under ts-node, compilation and source-mapped stack traces would be measured too.
 * Writes bench/results/results.json and results.md.
 */

const DEFAULT_SIZES = [10, 100, 1_000, 5_000];
/** Regions one tenant is onboarded into (the README quotes both). */
const ONBOARDING_SIZES = [10, 1_000];
/** Each type floor registers this many bare resources of one type, on a stack of TYPE_FLOOR_LONG_TAIL long-tail tenants. */
const TYPE_FLOOR_COUNT = 10_000;
/** 333 tenants: the floor waits a turn every 30 resources, as the fleet does after each tenant. */
const TYPE_FLOOR_LONG_TAIL = 330;
/** Node's default heap limit (~4 GB here) is exceeded at 1,000 tenants; raised so that every size completes and its real peak shows. */
const CHILD_HEAP_LIMIT_MB = 16_384;
const BENCH_DIR = __dirname;
const PROJECT_DIR = path.resolve(BENCH_DIR, "..");
const OUT_DIR = path.join(PROJECT_DIR, "bin", "bench");
const RESULTS_DIR = path.join(BENCH_DIR, "results");

function parseArgs(argv: readonly string[]): { sizes: number[]; tsNode: boolean } {
    const sizesAt = argv.indexOf("--sizes");
    const sizes = sizesAt >= 0 ? argv[sizesAt + 1].split(",").map(Number) : DEFAULT_SIZES;
    if (sizes.some(size => !Number.isInteger(size) || size < 1)) {
        throw new Error(`--sizes takes positive whole numbers separated by commas, got '${argv[sizesAt + 1]}'`);
    }
    return { sizes, tsNode: argv.includes("--ts-node") };
}

function precompile(): void {
    const started = Date.now();
    execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", path.join(BENCH_DIR, "tsconfig.json")], {
        cwd: PROJECT_DIR,
        stdio: "inherit",
    });
    console.log(
        `compiled bench/ and the program to ${path.relative(PROJECT_DIR, OUT_DIR)} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
}

function runChild<T = Measurement>(tsNode: boolean, args: readonly string[]): T {
    const entry = tsNode
        ? ["-r", "ts-node/register/transpile-only", path.join(BENCH_DIR, "measure.ts")]
        : [path.join(OUT_DIR, "bench", "measure.js")];
    const child = spawnSync(process.execPath, [`--max-old-space-size=${CHILD_HEAP_LIMIT_MB}`, ...entry, ...args], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        maxBuffer: 64 * 1024 * 1024,
    });
    const line = child.stdout.split("\n").find(l => l.startsWith(RESULT_PREFIX));
    if (child.status !== 0 || line === undefined) {
        throw new Error(`measure ${args.join(" ")} failed (exit ${child.status ?? child.signal}):\n${child.stdout.slice(-2_000)}`);
    }
    return JSON.parse(line.slice(RESULT_PREFIX.length)) as T;
}

function treeState(): BenchResults["tree"] {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: PROJECT_DIR, encoding: "utf8" }).trim();
    // Each porcelain line starts with two status columns, the first often a space: never trim those.
    const porcelain = () => execFileSync("git", ["status", "--porcelain"], { cwd: PROJECT_DIR, encoding: "utf8" });
    try {
        const changed = porcelain()
            .split("\n")
            .filter(Boolean)
            .map(line => line.slice(3));
        return { commit: git("rev-parse", "--short", "HEAD"), subject: git("log", "-1", "--format=%s"), uncommittedPaths: changed };
    } catch {
        return { commit: "unknown", subject: "not a git work tree", uncommittedPaths: [] };
    }
}

function main(): void {
    const { sizes, tsNode } = parseArgs(process.argv.slice(2));
    if (!tsNode) {
        precompile();
    }
    const rows: BenchRow[] = [];
    for (const size of sizes) {
        process.stdout.write(`${size} long-tail tenants: fleet... `);
        const fleet = runChild(tsNode, ["fleet", String(size)]);
        process.stdout.write(`${(fleet.evaluateMs / 1000).toFixed(1)} s, ${fleet.resources} resources; floor... `);
        const floor = runChild(tsNode, ["floor", String(size), String(fleet.resources)]);
        console.log(`${(floor.evaluateMs / 1000).toFixed(1)} s`);
        rows.push({ fleet, floor });
    }
    const typeFloors = Object.keys(BARE_RESOURCES).map(type => {
        process.stdout.write(`type floor ${type}... `);
        const floor = runChild(tsNode, ["floor", String(TYPE_FLOOR_LONG_TAIL), String(TYPE_FLOOR_COUNT), type]);
        console.log(`${(floor.evaluateMs / floor.resources).toFixed(3)} ms/resource`);
        return { type, floor };
    });
    const onboarding = ONBOARDING_SIZES.map(size => {
        process.stdout.write(`onboarding one tenant into ${size} long-tail tenants... `);
        const measured = runChild<OnboardingMeasurement>(tsNode, ["onboard", String(size)]);
        console.log(
            `cold ${(measured.cold.totalMs / 1000).toFixed(1)} s, warm ${(measured.warm.totalMs / 1000).toFixed(1)} s, ${measured.warm.targets} targets`,
        );
        return measured;
    });
    const cpus = os.cpus();
    const results: BenchResults = {
        date: new Date().toISOString(),
        machine: {
            cores: cpus.length,
            cpuModel: cpus[0]?.model ?? "unknown",
            memoryGB: Math.round(os.totalmem() / 1e9),
            node: process.version,
            platform: `${os.platform()} ${os.release()}`,
        },
        tree: treeState(),
        mode: tsNode ? "ts-node (transpile-only)" : "precompiled JavaScript (tsc -p bench)",
        childHeapLimitMB: CHILD_HEAP_LIMIT_MB,
        rows,
        typeFloors,
        targets: checkTargets(rows),
        onboarding,
    };
    fs.mkdirSync(RESULTS_DIR, { recursive: true });
    fs.writeFileSync(path.join(RESULTS_DIR, "results.json"), JSON.stringify(results, null, 2) + "\n");
    fs.writeFileSync(path.join(RESULTS_DIR, "results.md"), markdownReport(results));
    console.log(
        [
            "",
            ...tableLines(rows, typeFloors),
            "",
            ...results.targets.map(t => `${t.met ? "met   " : "MISSED"} ${t.name}: ${t.actual}`),
        ].join("\n"),
    );
    console.log(`\nwrote ${path.relative(PROJECT_DIR, RESULTS_DIR)}/results.json and results.md`);
}

if (require.main === module) {
    main();
}
