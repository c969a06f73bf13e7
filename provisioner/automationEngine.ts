import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    CommandError,
    ConcurrentUpdateError,
    EngineEvent,
    LocalWorkspace,
    OutputMap,
    PolicyEvent,
    PreviewOptions,
    PulumiCommand,
    StackAlreadyExistsError,
    StackNotFoundError,
    UpOptions,
} from "@pulumi/pulumi/automation";
import { parseFleetConfig } from "../lib/config";
import { projectKeys, readStackConfig, stackFilePath } from "../lib/stackFile";
import { stackPolicyConfig } from "../offline/policyConfig";
import { Engine, EngineError, ReportedViolation, RunOptions, RunResult } from "./engine";

/** The part of an Automation API `Stack` the engine uses; tests hand in fakes. */
export interface AutomationStack {
    preview(options: PreviewOptions): Promise<unknown>;
    up(options: UpOptions): Promise<{ readonly outputs: OutputMap }>;
    outputs(): Promise<OutputMap>;
}

/** A tenant change is a few resources; a run that takes longer than this is stuck (a hung provider, a lost connection). */
export const DEFAULT_RUN_TIMEOUT_MS = 60 * 60 * 1000;
/** The longest timeout a timer holds: AbortSignal.timeout, like setTimeout, fires at once above 2^31-1 ms (about 24.8 days). */
export const MAX_RUN_TIMEOUT_MS = 2 ** 31 - 1;

export interface AutomationEngineOptions {
    /** The Pulumi project (Pulumi.yaml, index.ts and the stack files). Required. */
    readonly projectDir: string;
    /** The policy pack run on every preview and up. Default: `<projectDir>/policy`. */
    readonly policyPackDir?: string;
    /** Extra environment for the CLI (backend URL, passphrase); the process environment is inherited. Default: none. */
    readonly envVars?: Record<string, string>;
    /** Where the CLI is installed: `<pulumiRoot>/bin/pulumi`. Default: the `pulumi` on the PATH. */
    readonly pulumiRoot?: string;
    /**
     * How long one preview or up may run before the CLI is interrupted (SIGINT, which lets it end its
     * update cleanly). An interrupted preview is a preview error, an interrupted up a deploy error. At most
     * MAX_RUN_TIMEOUT_MS. Default: DEFAULT_RUN_TIMEOUT_MS (1 hour).
     */
    readonly runTimeoutMs?: number;
    /** Opens a stack of the project. Default: `LocalWorkspace.selectStack` with the CLI above. */
    readonly openStack?: (stack: string) => Promise<AutomationStack>;
}

/**
 * Workspace operations (select) of one project directory, one at a time: concurrent selects
 * corrupt the workspace's state (pulumi/pulumi #8186, #6287). Previews and ups pass `--stack`
 * explicitly, so those of different stacks may overlap.
 */
const workspaceLocks = new Map<string, Promise<unknown>>();

function inWorkspaceLock<T>(projectDir: string, work: () => Promise<T>): Promise<T> {
    const run = (workspaceLocks.get(projectDir) ?? Promise.resolve()).then(work);
    workspaceLocks.set(
        projectDir,
        run.catch(() => undefined),
    );
    return run;
}

type Phase = "preview" | "up";

/**
 * The engine for real deployments: the project's own program (index.ts) through the Pulumi CLI.
 * The stack's config comes from the stack file the service has just written; it never goes through
 * `setConfig`, which would put values on the CLI's command line.
 */
export class AutomationEngine implements Engine {
    readonly name = "automation";
    readonly policyPackDir: string;
    private readonly stacks = new Map<string, Promise<AutomationStack>>();
    private readonly openStack: (stack: string) => Promise<AutomationStack>;
    private readonly runTimeoutMs: number;

    constructor(private readonly options: AutomationEngineOptions) {
        this.policyPackDir = path.resolve(options.policyPackDir ?? path.join(options.projectDir, "policy"));
        this.openStack = options.openStack ?? (stack => this.select(stack));
        this.runTimeoutMs = options.runTimeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
        if (!(this.runTimeoutMs > 0 && this.runTimeoutMs <= MAX_RUN_TIMEOUT_MS)) {
            // A longer timer would fire at once and interrupt every run as it starts.
            throw new RangeError(`runTimeoutMs must be above 0 and at most ${MAX_RUN_TIMEOUT_MS} ms, got ${this.runTimeoutMs}`);
        }
    }

    preview(stack: string, options: RunOptions = {}): Promise<RunResult> {
        return this.run(stack, "preview", options, async (opened, common) => {
            await opened.preview({ ...common, diff: true });
            return undefined;
        });
    }

    up(stack: string, options: RunOptions = {}): Promise<RunResult> {
        return this.run(stack, "up", options, async (opened, common) => tenantOutputs((await opened.up(common)).outputs));
    }

    /** `pulumi stack output --json --show-secrets`: what the program's self-reference reads on the next update. */
    async deployedOutputs(stack: string): Promise<Record<string, unknown>> {
        const outputs = await (await this.stack(stack)).outputs();
        return Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.value]));
    }

    /**
     * Runs one CLI operation, collecting its output lines and the policy violations its events report.
     * A failed run is an answer, classified by what failed; an error before anything ran is an EngineError.
     */
    private async run(
        stack: string,
        phase: Phase,
        options: RunOptions,
        operation: (opened: AutomationStack, common: PreviewOptions & UpOptions) => Promise<Record<string, unknown> | undefined>,
    ): Promise<RunResult> {
        const opened = await this.stack(stack).catch(err => {
            throw cannotOpen(err, stack);
        });
        const log: string[] = [];
        const violations: ReportedViolation[] = [];
        const signal = AbortSignal.timeout(this.runTimeoutMs);
        const policyConfigDir = fs.mkdtempSync(path.join(os.tmpdir(), "iot-fleet-policy-config-"));
        let policyConfigFile: string;
        let candidateFile: string | undefined;
        try {
            // A staged candidate is previewed with `--config-file`: the stack file is written only once it has passed.
            if (options.stackFileText !== undefined) {
                candidateFile = path.join(policyConfigDir, path.basename(stackFilePath(stack)));
                fs.writeFileSync(candidateFile, options.stackFileText, { mode: 0o600 });
            }
            policyConfigFile = this.writePolicyConfig(stack, policyConfigDir, candidateFile);
        } catch (err) {
            fs.rmSync(policyConfigDir, { recursive: true, force: true });
            throw err;
        }
        const common = {
            ...(candidateFile === undefined ? {} : { configFile: candidateFile }),
            ...targeted(options.targets),
            policyPacks: [this.policyPackDir],
            policyPackConfigs: [policyConfigFile],
            color: "never" as const,
            signal,
            onOutput: (out: string) => {
                for (const line of out.split(/\r?\n/).filter(l => l.trim() !== "")) {
                    log.push(line);
                    options.onOutput?.(line);
                }
            },
            onEvent: (event: EngineEvent) => {
                if (event.policyEvent) {
                    violations.push(toViolation(event.policyEvent));
                }
                options.onEvent?.(event);
            },
        };
        const mandatory = () => violations.some(v => v.enforcementLevel === "mandatory");
        try {
            const outputs = await operation(opened, common);
            const ok = !mandatory();
            return {
                ok,
                ...(ok ? {} : { failure: phase === "up" ? "deploy-error" : "policy" }),
                policyViolations: violations,
                outputs,
                log,
            };
        } catch (err) {
            const mapped = mapCommandError(err, stack);
            if (mapped instanceof EngineError || !(err instanceof CommandError)) {
                throw mapped;
            }
            if (signal.aborted) {
                common.onOutput(`the ${phase} took longer than ${this.runTimeoutMs} ms and was interrupted`);
            }
            common.onOutput(err.message);
            // Only a preview is harmless to fail; and it is the policy's refusal only if a mandatory policy spoke.
            const failure = phase === "up" ? "deploy-error" : mandatory() ? "policy" : "preview-error";
            return { ok: false, failure, policyViolations: violations, log };
        } finally {
            fs.rmSync(policyConfigDir, { recursive: true, force: true });
        }
    }

    /**
     * The pack's settings the stack implies (`--policy-pack-config`), as the offline engine applies them:
     * dedicated-threshold judges by the stack's own `dedicatedDeviceThreshold`, the one its placement used.
     */
    private writePolicyConfig(stack: string, dir: string, candidateFile?: string): string {
        const stackFile = candidateFile ?? stackFilePath(stack, this.options.projectDir);
        const config = parseFleetConfig(projectKeys(readStackConfig(stackFile)), `stack ${stack}`);
        const file = path.join(dir, "policy-config.json");
        fs.writeFileSync(file, JSON.stringify(stackPolicyConfig(config)));
        return file;
    }

    private stack(stack: string): Promise<AutomationStack> {
        let opened = this.stacks.get(stack);
        if (!opened) {
            opened = inWorkspaceLock(this.options.projectDir, () => this.openStack(stack));
            this.stacks.set(stack, opened);
            opened.catch(() => this.stacks.delete(stack));
        }
        return opened;
    }

    /** Selects, never creates: a stack the backend does not know is a 404, not a new empty stack (and a rewritten stack file). */
    private async select(stack: string): Promise<AutomationStack> {
        return LocalWorkspace.selectStack(
            { stackName: stack, workDir: this.options.projectDir },
            {
                pulumiCommand: await PulumiCommand.get({ root: this.options.pulumiRoot }),
                envVars: this.options.envVars,
            },
        );
    }
}

/**
 * What keeps the policy pack from running, or undefined. Without its dependencies installed the CLI
 * fails every preview, which must not pass for a policy refusal: the service refuses to start instead.
 */
export function policyPackProblem(policyPackDir: string): string | undefined {
    return fs.existsSync(path.join(policyPackDir, "node_modules", "@pulumi", "policy"))
        ? undefined
        : `the policy pack in ${policyPackDir} has no @pulumi/policy installed: run npm --prefix ${policyPackDir} ci`;
}

/**
 * Pulumi's errors as the service answers them (as in automation-api-examples' pulumiOverHttp):
 * a stack the backend does not know is 404, a held lock or a clash on creation is 409.
 */
export function mapCommandError(err: unknown, stack: string): unknown {
    if (err instanceof StackNotFoundError) {
        return new EngineError(404, `stack ${stack} does not exist in the Pulumi backend`);
    }
    if (err instanceof ConcurrentUpdateError) {
        return new EngineError(409, `stack ${stack} is being updated by someone else (its lock is held); try again when that update ends`);
    }
    if (err instanceof StackAlreadyExistsError) {
        return new EngineError(409, `stack ${stack} was created by someone else at the same time; try again`);
    }
    return err;
}

/** Selecting a stack ran nothing yet: a CLI that fails there (not logged in, a broken install) is Pulumi's side failing, 502. */
function cannotOpen(err: unknown, stack: string): unknown {
    const mapped = mapCommandError(err, stack);
    return mapped instanceof CommandError ? new EngineError(502, `the pulumi CLI cannot select stack ${stack}: ${mapped.message}`) : mapped;
}

/**
 * `--target` for each URN of an offline plan, without `--target-dependents`: the engine counts a resource's children
 * among its dependents (pulumi/pulumi #14238), and a plan names region components (the stack, the Region) whose
 * registered outputs change, whose children are the whole region. A dependent the plan did not name (one a
 * provider's replacement would drag along, which no offline evaluation sees) makes the engine fail the update
 * instead, naming it: a deploy error, which marks the stack for an operator.
 */
function targeted(targets: readonly string[] | undefined): Pick<UpOptions, "target" | "targetDependents"> {
    return targets === undefined ? {} : { target: [...targets], targetDependents: false };
}

function toViolation(event: PolicyEvent): ReportedViolation {
    return {
        policyName: event.policyName,
        enforcementLevel: event.enforcementLevel === "mandatory" ? "mandatory" : "advisory",
        urn: event.resourceUrn ?? "",
        message: event.message,
    };
}

/**
 * Only the `tenants` output leaves the engine: it is all the service reports, and the others hold
 * nested secrets (the clusters' kubeconfigs) that the SDK's OutputMap flags as secret only at the top
 * level, so their values would come out in clear text.
 */
function tenantOutputs(outputs: OutputMap): Record<string, unknown> {
    const tenants = outputs.tenants;
    return tenants === undefined ? {} : { tenants: tenants.secret ? "[secret]" : tenants.value };
}
