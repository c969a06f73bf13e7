/**
 * Writes the registered graph of both real stacks to test/fixtures/graph/, the snapshot that
 * test/graphSnapshot.test.ts holds the program to. Run it (`npm run snapshot`) only for a change
 * meant to alter the graph, and review the diff of the snapshot in the same commit.
 */
import * as fs from "fs";
import { evaluateRealStack, REAL_STACKS } from "../test/support/stacks";
import { graphOf, graphSnapshotPath, serializeGraph } from "../test/support/graphSnapshot";

async function main(): Promise<void> {
    for (const stack of REAL_STACKS) {
        const graph = graphOf(await evaluateRealStack(stack));
        fs.writeFileSync(graphSnapshotPath(stack), serializeGraph(graph));
        console.log(`${stack}: ${graph.length} resources -> ${graphSnapshotPath(stack)}`);
    }
}

main().catch(error => {
    console.error(error);
    process.exit(1);
});
