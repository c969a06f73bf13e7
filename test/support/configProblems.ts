import * as assert from "assert";
import { ConfigError, ConfigProblem, parseFleetConfig } from "../../lib/config";

/** Every problem `parseFleetConfig` reports for a stack's keys, in its order; none for a valid stack. */
export function configProblems(raw: Record<string, unknown>): ConfigProblem[] {
    try {
        parseFleetConfig(raw);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
        return [...err.problems];
    }
    return [];
}
