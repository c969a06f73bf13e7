// The static half of `npm test`: lint (ESLint, Prettier), the import-cycle check and the type check. They are
// independent and each single-threaded, so they run two at a time; every one runs to the end, each one's output
// is printed whole once it ends, and the exit code is non-zero when any failed.
import { spawn } from "node:child_process";

const CHECKS = [
    ["eslint", ["npx", "eslint", "."]],
    ["tsc", ["npx", "tsc", "--noEmit", "-p", "tsconfig.json"]],
    ["prettier", ["npx", "prettier", "--check", "."]],
    ["cycles", ["npm", "run", "--silent", "cycles"]],
];
const AT_ONCE = 2;

function run([name, [command, ...args]]) {
    return new Promise(resolve => {
        const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", chunk => (output += chunk));
        child.stderr.on("data", chunk => (output += chunk));
        child.on("close", code => {
            process.stdout.write(`> ${name}: ${code === 0 ? "ok" : `failed (exit ${code})`}\n${output}`);
            resolve(code === 0);
        });
    });
}

const queue = [...CHECKS];
const results = [];
const worker = async () => {
    while (queue.length > 0) {
        results.push(await run(queue.shift()));
    }
};
await Promise.all(Array.from({ length: AT_ONCE }, worker));
process.exit(results.every(Boolean) ? 0 : 1);
