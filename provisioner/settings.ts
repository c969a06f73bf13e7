import * as path from "path";
import { PROJECT_DIR } from "../lib/stackFile";
import { loadToken, TokenConfigError } from "./auth";
import { DEFAULT_RUN_TIMEOUT_MS, MAX_RUN_TIMEOUT_MS } from "./automationEngine";
import { EngineChoice } from "./engine";

/** The service's configuration, read from the environment once at start-up. */
export interface ServiceSettings {
    /** PROVISIONER_TOKEN or the first line of PROVISIONER_TOKEN_FILE. Required. */
    readonly token: string;
    /** HOST. Default: 127.0.0.1. */
    readonly host: string;
    /** PORT (0: any free port). Default: 8080. */
    readonly port: number;
    /** PROVISIONER_ENGINE. Default: auto (the Automation API when `pulumi` is on the PATH, else offline). */
    readonly engine: EngineChoice;
    /** PROVISIONER_PROJECT_DIR, absolute. Default: this repository. */
    readonly projectDir: string;
    /** PROVISIONER_RUN_TIMEOUT_MINUTES, in ms: how long one preview or up may run. Default: DEFAULT_RUN_TIMEOUT_MS (60 minutes). */
    readonly runTimeoutMs: number;
}

/** Every problem of the service's environment, one message each; the service does not start with any. */
export class SettingsError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(problems.join("\n"));
        this.name = "SettingsError";
    }
}

const ENGINE_CHOICES: readonly EngineChoice[] = ["auto", "automation", "offline"];
const MS_PER_MINUTE = 60_000;
/** The longest timeout in whole minutes: a timer set above 2^31-1 ms fires at once instead. */
const MAX_RUN_TIMEOUT_MINUTES = Math.floor(MAX_RUN_TIMEOUT_MS / MS_PER_MINUTE);

/** Reads the settings from the environment; throws a SettingsError listing every problem at once. */
export function serviceSettings(env: NodeJS.ProcessEnv): ServiceSettings {
    const problems: string[] = [];
    let token = "";
    try {
        token = loadToken(env);
    } catch (err) {
        if (!(err instanceof TokenConfigError)) {
            throw err;
        }
        problems.push(err.message);
    }
    const port = Number(env.PORT ?? 8080);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
        problems.push(`PORT must be a port number, got ${JSON.stringify(env.PORT)}`);
    }
    const engine = (env.PROVISIONER_ENGINE ?? "auto") as EngineChoice;
    if (!ENGINE_CHOICES.includes(engine)) {
        problems.push(`PROVISIONER_ENGINE must be one of ${ENGINE_CHOICES.join(", ")}, got ${JSON.stringify(engine)}`);
    }
    const runTimeoutMinutes = Number(env.PROVISIONER_RUN_TIMEOUT_MINUTES ?? DEFAULT_RUN_TIMEOUT_MS / MS_PER_MINUTE);
    if (!Number.isFinite(runTimeoutMinutes) || runTimeoutMinutes <= 0 || runTimeoutMinutes > MAX_RUN_TIMEOUT_MINUTES) {
        problems.push(
            `PROVISIONER_RUN_TIMEOUT_MINUTES must be a positive number of minutes up to ${MAX_RUN_TIMEOUT_MINUTES} ` +
                `(about 24 days: longer timers fire at once), got ${JSON.stringify(env.PROVISIONER_RUN_TIMEOUT_MINUTES)}`,
        );
    }
    if (problems.length > 0) {
        throw new SettingsError(problems);
    }
    return {
        token,
        port,
        engine,
        host: env.HOST ?? "127.0.0.1",
        projectDir: path.resolve(env.PROVISIONER_PROJECT_DIR ?? PROJECT_DIR),
        runTimeoutMs: runTimeoutMinutes * MS_PER_MINUTE,
    };
}
