import { CONFIG_NAMESPACE } from "./labels";

/** A problem in a stack file: the key path as a user would write it, and what was expected. */
export interface ConfigProblem {
    readonly path: string;
    readonly message: string;
}

export class ConfigError extends Error {
    constructor(
        readonly problems: readonly ConfigProblem[],
        source = "stack configuration",
    ) {
        super(
            `${source} has ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n` +
                problems.map(p => `  - ${p.path}: ${p.message}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** A key path as a user writes it in the stack file: `iot-fleet:tenants[3].deviceQuota`. */
export function keyPath(path: readonly PropertyKey[]): string {
    if (path.length === 0) {
        return CONFIG_NAMESPACE;
    }
    const [key, ...rest] = path;
    return `${CONFIG_NAMESPACE}:${String(key)}` + rest.map(p => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
}
