import * as path from "path";
import {
    CommandError, ConcurrentUpdateError, EngineEvent, LocalWorkspace, OutputMap, PolicyEvent, PreviewOptions,
    PulumiCommand, StackAlreadyExistsError, StackNotFoundError, UpOptions,
} from "@pulumi/pulumi/automation";
import { Engine, EngineError, PolicyViolation, RunOptions, RunResult } from "./engine";

/** The part of an Automation API `Stack` the engine uses; tests hand in fakes. */
export interface AutomationStack {
    preview(options: PreviewOptions): Promise<unknown>;
    up(options: UpOptions): Promise<{ readonly outputs: OutputMap }>;
}

export interface AutomationEngineOptions {
    /** The Pulumi project (Pulumi.yaml, index.ts and the stack files). */
    readonly projectDir: string;
    /** The policy pack run on every preview and up. Default: `<projectDir>/policy`. */
    readonly policyPackDir?: string;
    /** Extra environment for the CLI (backend URL, passphrase); the process environment is inherited. */
    readonly envVars?: Record<string, string>;
    /** Opens a stack of the project. Default: `LocalWorkspace.createOrSelectStack` with the CLI on the PATH. */
    readonly openStack?: (stack: string) => Promise<AutomationStack>;
}

/**
 * Workspace operations (create/select) of one project directory, one at a time: concurrent selects
 * corrupt the workspace's state (pulumi/pulumi #8186, #6287). Previews and ups pass `--stack`
 * explicitly, so those of different stacks may overlap.
 */
const workspaceLocks = new Map<string, Promise<unknown>>();

function inWorkspaceLock<T>(projectDir: string, work: () => Promise<T>): Promise<T> {
    const run = (workspaceLocks.get(projectDir) ?? Promise.resolve()).then(work);
    workspaceLocks.set(projectDir, run.catch(() => undefined));
    return run;
}

/**
 * The engine for real deployments: the project's own program (index.ts) through the Pulumi CLI.
 * The stack's config comes from the stack file the service has just written; it never goes through
 * `setConfig`, which would put values on the CLI's command line.
 */
export class AutomationEngine implements Engine {
    readonly name = "automation";
    private readonly stacks = new Map<string, Promise<AutomationStack>>();
    private readonly policyPackDir: string;
    private readonly openStack: (stack: string) => Promise<AutomationStack>;

    constructor(private readonly options: AutomationEngineOptions) {
        this.policyPackDir = path.resolve(options.policyPackDir ?? path.join(options.projectDir, "policy"));
        this.openStack = options.openStack ?? (stack => this.createOrSelect(stack));
    }

    preview(stack: string, options: RunOptions = {}): Promise<RunResult> {
        return this.run(stack, options, async (opened, common) => {
            await opened.preview({ ...common, diff: true });
            return undefined;
        });
    }

    up(stack: string, options: RunOptions = {}): Promise<RunResult> {
        return this.run(stack, options, async (opened, common) => plainOutputs((await opened.up(common)).outputs));
    }

    /** Runs one CLI operation, collecting its output lines and the policy violations its events report. */
    private async run(stack: string, options: RunOptions,
        operation: (opened: AutomationStack, common: PreviewOptions & UpOptions) => Promise<Record<string, unknown> | undefined>): Promise<RunResult> {
        const log: string[] = [];
        const violations: PolicyViolation[] = [];
        const common = {
            policyPacks: [this.policyPackDir],
            color: "never" as const,
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
        try {
            const outputs = await operation(await this.stack(stack), common);
            return { ok: !violations.some(v => v.enforcementLevel === "mandatory"), policyViolations: violations, outputs, log };
        } catch (err) {
            const mapped = mapCommandError(err, stack);
            if (mapped instanceof EngineError || !(err instanceof CommandError)) {
                throw mapped;
            }
            // A failed run (a mandatory policy, a program or provider error) is an answer, not an exception.
            common.onOutput(err.message);
            return { ok: false, policyViolations: violations, log };
        }
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

    private async createOrSelect(stack: string): Promise<AutomationStack> {
        return LocalWorkspace.createOrSelectStack({ stackName: stack, workDir: this.options.projectDir }, {
            pulumiCommand: await PulumiCommand.get(),
            envVars: this.options.envVars,
        });
    }
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

function toViolation(event: PolicyEvent): PolicyViolation {
    return {
        policyName: event.policyName,
        enforcementLevel: event.enforcementLevel === "mandatory" ? "mandatory" : "advisory",
        urn: event.resourceUrn ?? "",
        message: event.message,
    };
}

function plainOutputs(outputs: OutputMap): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.secret ? "[secret]" : output.value]));
}
