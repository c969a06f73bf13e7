import * as fs from "fs";
import * as path from "path";
import { evaluateStack, Evaluation, RecordedResource } from "../../offline/evaluate";
import { readStackConfig, stackFilePath } from "../../lib/stackFile";

export const REAL_STACKS = ["prod-weu", "prod-eus"] as const;

const cache = new Map<string, Promise<Evaluation>>();

/** The real stack file evaluated under the offline engine, once per test run. */
export function evaluateRealStack(stack: string): Promise<Evaluation> {
    if (!cache.has(stack)) {
        cache.set(stack, evaluateStack({ stack, stackConfig: readStackConfig(stackFilePath(stack)) }));
    }
    return cache.get(stack)!;
}

export const ofType = (evaluation: Evaluation, type: string): RecordedResource[] => evaluation.resources.filter(r => r.type === type);

export const byUrn = (evaluation: Evaluation): Map<string, RecordedResource> => new Map(evaluation.resources.map(r => [r.urn, r]));

/** Ancestors of a resource, nearest first. */
export function ancestors(evaluation: Evaluation, resource: RecordedResource): RecordedResource[] {
    const index = byUrn(evaluation);
    const chain: RecordedResource[] = [];
    for (let parent = index.get(resource.parent); parent; parent = index.get(parent.parent)) {
        chain.push(parent);
    }
    return chain;
}

/** Whether an azure-native resource type accepts tags, read from its published type definition. */
export function acceptsTags(type: string): boolean {
    const [, module, resource] = type.split(":");
    const file = path.join(
        path.dirname(require.resolve("@pulumi/azure-native/package.json")),
        module,
        `${resource[0].toLowerCase()}${resource.slice(1)}.d.ts`,
    );
    const text = fs.readFileSync(file, "utf8");
    const start = text.indexOf(`export interface ${resource}Args`);
    if (start < 0) {
        throw new Error(`${file} declares no ${resource}Args: cannot tell whether ${type} accepts tags`);
    }
    const args = text.slice(start);
    return /\n {4}tags\?:/.test(args.slice(0, args.indexOf("\n}")));
}
