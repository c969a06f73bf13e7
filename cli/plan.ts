import * as fs from "fs";
import * as path from "path";
import { PolicyPackConfig } from "@pulumi/policy";
import { ConfigError } from "../lib/errors";
import { FleetConfig } from "../lib/config";
import { listStacks, readStackConfig, stackFilePath } from "../lib/stackFile";
import { planStack } from "./planStack";
import { parsePlanArgs, PlanArgs } from "./args";
import { renderPlan } from "./report";

/** Exit codes: 0 clean, 1 a mandatory policy violation, 2 bad input (every problem listed). */
export const EXIT_VIOLATIONS = 1;
export const EXIT_BAD_INPUT = 2;

async function main(argv: readonly string[]): Promise<number> {
    try {
        const args = parsePlanArgs(argv);
        const progress = args.json || !process.stderr.isTTY ? undefined : progressLine();
        const report = await planStack({
            stack: args.stack,
            stackConfig: readStackConfig(stackFileOf(args)),
            program: args.programModule ? loadProgram(args.programModule) : undefined,
            policyConfig: args.policyConfigFile ? readPolicyConfig(args.policyConfigFile) : undefined,
            onResource: progress?.update,
        }).finally(() => progress?.done());
        process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : renderPlan(report));
        return report.policies.mandatory > 0 ? EXIT_VIOLATIONS : 0;
    } catch (err) {
        if (err instanceof ConfigError) {
            process.stderr.write(`${err.message}\n`);
            return EXIT_BAD_INPUT;
        }
        throw err;
    }
}

function stackFileOf(args: PlanArgs): string {
    if (args.configFile) {
        return path.resolve(args.configFile);
    }
    if (!listStacks().includes(args.stack)) {
        throw new ConfigError(
            [{ path: "--stack", message: `unknown stack '${args.stack}'; stacks with a stack file: ${listStacks().join(", ")}` }],
            "the command line",
        );
    }
    return stackFilePath(args.stack);
}

function loadProgram(modulePath: string): (config: FleetConfig) => unknown {
    // A module named on the command line, loaded at run time: only require() can.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported: Record<string, unknown> = require(path.resolve(modulePath));
    const programs = Object.values(exported).filter((value): value is (config: FleetConfig) => unknown => typeof value === "function");
    if (programs.length !== 1) {
        throw new ConfigError(
            [{ path: "--program", message: `${modulePath} must export exactly one function (the program), found ${programs.length}` }],
            "the command line",
        );
    }
    return programs[0];
}

function readPolicyConfig(file: string): PolicyPackConfig {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new ConfigError([{ path: file, message: `cannot read the policy config: ${(err as Error).message}` }], "the command line");
    }
}

/** A single status line on the terminal, redrawn at most every 100 ms. */
function progressLine() {
    let last = 0;
    return {
        update: (resources: number) => {
            const now = Date.now();
            if (now - last >= 100) {
                last = now;
                process.stderr.write(`\r  evaluating the program offline… ${resources} resources`);
            }
        },
        done: () => process.stderr.write("\r\x1b[2K"),
    };
}

main(process.argv.slice(2)).then(
    code => {
        process.exitCode = code;
    },
    err => {
        process.stderr.write(`internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
        process.exitCode = 70;
    },
);
