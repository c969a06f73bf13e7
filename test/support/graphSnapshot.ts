import * as fs from "fs";
import * as path from "path";
import { Evaluation } from "../../offline/evaluate";

/**
 * The registered graph of a stack as the engine would diff it: every resource's URN, type, name, parent,
 * provider, options and inputs, sorted by URN so that a change of registration order alone is no change.
 * A refactoring that keeps this identical keeps every resource in place on the next `pulumi up`.
 */
export interface GraphEntry {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent: string;
    readonly provider: string;
    readonly protect: boolean;
    readonly dependencies: readonly string[];
    readonly ignoreChanges: readonly string[];
    readonly inputs: Record<string, unknown>;
}

export const graphSnapshotPath = (stack: string): string => path.join(__dirname, "..", "fixtures", "graph", `${stack}.json`);

export function graphOf(evaluation: Evaluation): GraphEntry[] {
    return evaluation.resources
        .map(r => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent,
            provider: r.provider,
            protect: r.protect,
            dependencies: [...r.dependencies].sort(),
            ignoreChanges: [...r.ignoreChanges].sort(),
            inputs: r.inputs,
        }))
        .sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
}

/** One resource a line, so that a diff of the committed snapshot names the resources that changed. */
export const serializeGraph = (graph: readonly GraphEntry[]): string => `[\n${graph.map(entry => JSON.stringify(entry)).join(",\n")}\n]\n`;

export const readGraphSnapshot = (stack: string): GraphEntry[] => JSON.parse(fs.readFileSync(graphSnapshotPath(stack), "utf8"));
