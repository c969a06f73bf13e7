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
