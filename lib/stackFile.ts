import * as fs from "fs";
import * as path from "path";
import { Document, parseDocument } from "yaml";
import { CONFIG_NAMESPACE } from "./labels";
import { ConfigError, FleetConfig, parseFleetConfig } from "./config";

/** The project directory: the folder that holds Pulumi.yaml and the stack files. */
export const PROJECT_DIR = path.resolve(__dirname, "..");

export const stackFilePath = (stack: string, projectDir = PROJECT_DIR): string => path.join(projectDir, `Pulumi.${stack}.yaml`);

/** The stacks that have a stack file in the project directory. */
export function listStacks(projectDir = PROJECT_DIR): string[] {
    return fs
        .readdirSync(projectDir)
        .map(file => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

/** The parsed `config:` map of a stack file, keyed by full key (`iot-fleet:tenants`, `azure-native:location`). */
export function readStackConfig(file: string): Record<string, unknown> {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new ConfigError(
            [{ path: file, message: `cannot read the stack file (${(err as NodeJS.ErrnoException).code ?? String(err)})` }],
            file,
        );
    }
    const root = parseStackDocument(text, file).toJS() as { config?: Record<string, unknown> } | null;
    return root?.config ?? {};
}

/** Parses a stack file's text as a YAML document; invalid YAML throws a ConfigError naming the lines. */
export function parseStackDocument(text: string, source: string): Document.Parsed {
    const doc = parseDocument(text);
    if (doc.errors.length > 0) {
        throw new ConfigError(
            doc.errors.map(e => ({ path: `${source}:${e.linePos?.[0]?.line ?? "?"}`, message: e.message.split("\n")[0] })),
            source,
        );
    }
    return doc;
}

/** The `iot-fleet:` keys of a config map, with the prefix removed. */
export function projectKeys(config: Record<string, unknown>): Record<string, unknown> {
    const prefix = `${CONFIG_NAMESPACE}:`;
    return Object.fromEntries(
        Object.entries(config)
            .filter(([key]) => key.startsWith(prefix))
            .map(([key, value]) => [key.slice(prefix.length), value]),
    );
}

/**
 * The `iot-fleet:` keys of every other stack file of the project: the stacks of the same `subscription.group`
 * count toward its role assignments. An unreadable one is skipped here; its own plan reports it.
 */
export function otherStackConfigs(stack: string, projectDir = PROJECT_DIR): Record<string, unknown>[] {
    return listStacks(projectDir)
        .filter(other => other !== stack)
        .flatMap(other => {
            try {
                return [projectKeys(readStackConfig(stackFilePath(other, projectDir)))];
            } catch (err) {
                if (err instanceof ConfigError) {
                    return [];
                }
                throw err;
            }
        });
}

/** Reads and validates a stack file; every problem comes back in one ConfigError. */
export function loadStackFile(file: string): FleetConfig {
    return parseFleetConfig(projectKeys(readStackConfig(file)), file);
}

/**
 * The same map as the Pulumi engine hands a program (`PULUMI_CONFIG`): full keys, strings as they
 * are, structured values as JSON. Used to run the program under mocks exactly as the CLI would.
 */
export function engineConfig(config: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
    );
}

/** The validated config of a stack from the map the engine hands a program: what index.ts runs on. */
export function parseEngineConfig(config: Record<string, string>, stack: string): FleetConfig {
    return parseFleetConfig(projectKeys(decodeEngineConfig(config)), `stack ${stack}`, { otherStacks: otherStackConfigs(stack) });
}

/** The inverse of `engineConfig`: structured values back from JSON, plain strings as they are. */
export function decodeEngineConfig(config: Record<string, string>): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(config).map(([key, value]) => {
            try {
                return [key, JSON.parse(value)];
            } catch {
                return [key, value];
            }
        }),
    );
}
