import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { generatedStackConfig } from "../bench/stacks";
import { AUTH, killHard, startService } from "../test/support/service";

/**
 * `npx ts-node --transpile-only scripts/provisionerHealthBench.ts [tenants]`: how fast the provisioning
 * service answers `/healthz` while it evaluates a large stack. Starts the real service on a generated
 * stack of `tenants` long-tail tenants (default 1,000, plus 3 dedicated: bench/stacks.ts), sends one dry
 * run (a full offline evaluation, on the evaluation thread), and probes `/healthz` every 20 ms until the
 * dry run answers. Prints the latencies' p50, p99 and maximum.
 */

const PROBE_INTERVAL_MS = 20;

function percentile(sorted: readonly number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function timed(url: string): Promise<number> {
    const start = performance.now();
    const response = await fetch(url);
    await response.arrayBuffer();
    return performance.now() - start;
}

async function main(): Promise<void> {
    const tenants = Number(process.argv[2] ?? 1000);
    const stack = `bench-${tenants}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provisioner-health-"));
    fs.copyFileSync(path.join(__dirname, "..", "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify({ config: generatedStackConfig({ longTailTenants: tenants }) }));
    const service = await startService(dir, { NODE_OPTIONS: "--max-old-space-size=8192", PROVISIONER_REQUESTS_PER_MINUTE: "100000" });
    try {
        const health = `${service.url}/healthz`;
        const idle: number[] = [];
        for (let i = 0; i < 50; i++) {
            idle.push(await timed(health));
        }
        const started = performance.now();
        let answered = false;
        // node's http, not fetch: fetch gives up on an answer that takes more than 5 minutes.
        const dryRun = new Promise<{ status: number; body: { log?: string[] } }>((resolve, reject) => {
            const request = http.request(
                `${service.url}/v1/stacks/${stack}/tenants?dryRun=true`,
                { method: "POST", headers: { ...AUTH, "content-type": "application/json" } },
                response => {
                    let text = "";
                    response.on("data", chunk => (text += chunk));
                    response.on("end", () => {
                        answered = true;
                        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as { log?: string[] } });
                    });
                },
            );
            request.on("error", reject);
            request.end(JSON.stringify({ name: "health-probe", deviceQuota: 500 }));
        });
        const during: number[] = [];
        while (!answered) {
            during.push(await timed(health));
            await new Promise(resolve => setTimeout(resolve, PROBE_INTERVAL_MS));
        }
        const verdict = await dryRun;
        const seconds = (performance.now() - started) / 1000;
        const report = (name: string, values: number[]) => {
            const sorted = [...values].sort((a, b) => a - b);
            const ms = (v: number) => v.toFixed(1);
            return `${name}: ${values.length} probes, p50 ${ms(percentile(sorted, 50))} ms, p99 ${ms(percentile(sorted, 99))} ms, max ${ms(sorted.at(-1)!)} ms`;
        };
        console.log(`${tenants} long-tail tenants; the dry run answered ${verdict.status} after ${seconds.toFixed(1)} s`);
        console.log(verdict.body.log?.filter(line => /resources registered/.test(line)).join("\n") ?? "");
        console.log(report("/healthz before", idle));
        console.log(report("/healthz during the evaluation", during));
    } finally {
        await killHard(service);
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main().catch(err => {
    console.error(err);
    process.exit(1);
});
