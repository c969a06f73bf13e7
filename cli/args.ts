import { parseArgs } from "util";
import { ConfigError } from "../lib/errors";

export interface PlanArgs {
    /** Stack whose `Pulumi.<stack>.yaml` to plan. Default: prod-weu. */
    readonly stack: string;
    /** Any stack file, instead of the stack's own. */
    readonly configFile?: string;
    /** A module exporting a program function to run instead of the fleet program (fixtures, forks). */
    readonly programModule?: string;
    /** A `--policy-pack-config` style JSON file. */
    readonly policyConfigFile?: string;
    /** Machine-readable output. */
    readonly json: boolean;
}

export const DEFAULT_STACK = "prod-weu";

export const USAGE = `usage: npm start -- [--stack <name>] [--config <stack file>] [--policy-config <file>] [--program <module>] [--json]
  --stack <name>          plan Pulumi.<name>.yaml (default ${DEFAULT_STACK})
  --config <file>         plan any stack file (the stack name is taken from Pulumi.<name>.yaml)
  --policy-config <file>  policy levels and thresholds, as for pulumi --policy-pack-config
  --program <module>      run the program a module exports instead of the fleet program
  --json                  print one JSON document, no progress`;

/** Parses the command line; every problem comes back in one ConfigError. */
export function parsePlanArgs(argv: readonly string[]): PlanArgs {
    let parsed;
    try {
        parsed = parseArgs({
            args: [...argv],
            options: {
                stack: { type: "string" },
                config: { type: "string" },
                program: { type: "string" },
                "policy-config": { type: "string" },
                json: { type: "boolean", default: false },
                help: { type: "boolean", default: false },
            },
            strict: true,
            allowPositionals: false,
        });
    } catch (err) {
        throw new ConfigError([{ path: "command line", message: `${(err as Error).message}\n${USAGE}` }], "the command line");
    }
    const { values } = parsed;
    if (values.help) {
        throw new ConfigError([{ path: "command line", message: USAGE }], "the command line");
    }
    const fromFile = values.config ? /Pulumi\.(.+)\.yaml$/.exec(values.config)?.[1] : undefined;
    return {
        stack: values.stack ?? fromFile ?? DEFAULT_STACK,
        configFile: values.config,
        programModule: values.program,
        policyConfigFile: values["policy-config"],
        json: values.json ?? false,
    };
}
