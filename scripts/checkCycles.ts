/**
 * Fails when the project's TypeScript has an import cycle, between files or between folders, type-only
 * imports included (a reader meets those all the same). madge builds the file graph; folders are its
 * files grouped by directory. Run by `npm test`.
 */
import * as path from "path";
import madge from "madge";

const ROOTS = ["index.ts", "program.ts", "bench", "cli", "components", "lib", "offline", "policy", "provisioner", "scripts", "test"];

/** Every cycle of a directed graph, each as the path from a node back to itself (one per strongly connected component). */
function cyclesOf(graph: Readonly<Record<string, readonly string[]>>): string[][] {
    const cycles: string[][] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    const visit = (node: string): void => {
        state.set(node, "open");
        stack.push(node);
        for (const next of graph[node] ?? []) {
            if (state.get(next) === "open") {
                cycles.push([...stack.slice(stack.indexOf(next)), next]);
            } else if (!state.has(next)) {
                visit(next);
            }
        }
        stack.pop();
        state.set(node, "done");
    };
    Object.keys(graph)
        .sort()
        .forEach(node => state.has(node) || visit(node));
    return cycles;
}

/** The file graph collapsed to folders: an edge for every import from a file in one folder to a file in another. */
function folderGraph(files: Readonly<Record<string, readonly string[]>>): Record<string, string[]> {
    const folders: Record<string, Set<string>> = {};
    for (const [file, imports] of Object.entries(files)) {
        const from = path.dirname(file);
        folders[from] ??= new Set();
        imports
            .map(path.dirname)
            .filter(to => to !== from)
            .forEach(to => folders[from].add(to));
    }
    return Object.fromEntries(Object.entries(folders).map(([folder, to]) => [folder, [...to].sort()]));
}

async function main(): Promise<void> {
    const root = path.resolve(__dirname, "..");
    const result = await madge(
        ROOTS.map(entry => path.join(root, entry)),
        {
            baseDir: root,
            fileExtensions: ["ts"],
            excludeRegExp: [/node_modules/, /\.d\.ts$/],
            tsConfig: path.join(root, "tsconfig.json"),
            detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } },
        },
    );
    const files = result.obj();
    const problems = [
        ...cyclesOf(files).map(cycle => `file cycle: ${cycle.join(" -> ")}`),
        ...cyclesOf(folderGraph(files)).map(cycle => `folder cycle: ${cycle.join(" -> ")}`),
    ];
    const unread = result.warnings().skipped;
    if (unread.length > 0) {
        problems.push(`imports madge could not resolve (so could not check): ${unread.join(", ")}`);
    }
    if (problems.length > 0) {
        console.error(problems.join("\n"));
        process.exit(1);
    }
    console.log(`no import cycle among ${Object.keys(files).length} files`);
}

if (require.main === module) {
    main().catch(error => {
        console.error(error);
        process.exit(1);
    });
}
