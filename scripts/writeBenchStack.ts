import * as fs from "fs";
import * as YAML from "yaml";
import { benchStackConfig } from "../bench/stacks";

/**
 * Writes the benchmark's region of a size as a stack file, so that `npm start -- --config <file>` plans it like any
 * other: `npm run bench:stack -- 1000 Pulumi.region-1000.yaml` (1,000 long-tail tenants, 3 dedicated, 2 M devices).
 */
const [size, file] = process.argv.slice(2);
if (!/^\d+$/.test(size ?? "") || file === undefined) {
    console.error("usage: npm run bench:stack -- <long-tail tenants> <stack file to write>");
    process.exit(2);
}
fs.writeFileSync(file, YAML.stringify({ config: benchStackConfig(Number(size)) }));
console.log(`wrote ${file}: ${size} long-tail tenants and 3 dedicated ones`);
