import * as assert from "assert";
import { evaluateRealStack, REAL_STACKS } from "./support/stacks";
import { GraphEntry, graphOf, readGraphSnapshot } from "./support/graphSnapshot";

/** URNs added, removed and changed between the committed snapshot and the graph the program registers now. */
function graphChanges(before: readonly GraphEntry[], after: readonly GraphEntry[]): string[] {
    const old = new Map(before.map(entry => [entry.urn, entry]));
    const now = new Map(after.map(entry => [entry.urn, entry]));
    const changes: string[] = [];
    for (const [urn, entry] of now) {
        const previous = old.get(urn);
        if (!previous) {
            changes.push(`added ${urn}`);
            continue;
        }
        try {
            assert.deepStrictEqual(entry, previous);
        } catch {
            const fields = (Object.keys(entry) as (keyof GraphEntry)[]).filter(key => {
                try {
                    assert.deepStrictEqual(entry[key], previous[key]);
                    return false;
                } catch {
                    return true;
                }
            });
            changes.push(`changed ${urn}: ${fields.join(", ")}`);
        }
    }
    for (const urn of old.keys()) {
        if (!now.has(urn)) {
            changes.push(`removed ${urn}`);
        }
    }
    return changes;
}

for (const stack of REAL_STACKS) {
    describe(`the registered graph of ${stack}`, () => {
        it("matches the committed snapshot: every resource's type, name, parent, provider, options and inputs", async () => {
            const changes = graphChanges(readGraphSnapshot(stack), graphOf(await evaluateRealStack(stack)));
            assert.deepStrictEqual(
                changes,
                [],
                "the graph changed; if that is meant, run `npm run snapshot` and review the snapshot's diff",
            );
        });
    });
}
