import { ConfigProblem, TenantEntry } from "../lib/config";
import { listStacks, stackFilePath } from "../lib/stackFile";
import { attentionConflict } from "./attention";
import { FileSystem, nodeFileSystem } from "./atomicFile";
import { Engine, ReportedViolation } from "./engine";
import { ProvisionerError, stackFileConflict } from "./errors";
import { OfflineEngine } from "./offlineEngine";
import { OperationJournal } from "./operationJournal";
import { Operation, OperationStore } from "./operations";
import { recoverOperations, RecoveryReport } from "./recovery";
import { StackDocument, stackFileName } from "./stackDocument";
import { StackWorker } from "./stackWorker";
import { applyChange, DecommissionStep, TenantChange, TenantPatch, TenantView, tenantViews, validateStack } from "./tenantChanges";

export interface ProvisionerOptions {
    /** The Pulumi project directory: Pulumi.yaml and the stack files. */
    readonly projectDir: string;
    /** Runs accepted changes: the Automation API engine, or the offline one without a CLI. */
    readonly engine: Engine;
    /** Previews dry runs in memory; they never touch a stack file. */
    readonly dryRunEngine: OfflineEngine;
    /** The file system the stack files are read and written through. Default: node's. */
    readonly fs?: FileSystem;
    /**
     * Where the operation journal lives (operationJournal.ts): operations and stack file writes are
     * recorded there before they are answered or done, so that they survive a crash; call `recover()`
     * before serving. Default: none, operations live as long as the object (tests of the library).
     */
    readonly stateDir?: string;
}

/** Dry runs of one stack queued or running at once; more are refused with 429, so that they cannot starve real changes. */
export const MAX_DRY_RUNS_PER_STACK = 4;

export interface ChangeOptions {
    /** Preview the change in memory (offline engine) without writing or running anything. Default: false. */
    readonly dryRun?: boolean;
}

export interface DecommissionOptions extends ChangeOptions {
    /** `mark` (step 1) sets `decommission: true`; `remove` (step 2) deletes the marked entry. Default: `mark`. */
    readonly step?: DecommissionStep;
}

/** How a change request ends, as the HTTP layer answers it. */
export type ChangeOutcome =
    /**
     * 202: queued; follow the operation. The tenant as the request makes it; an onboarding's has no
     * `cluster` yet: the worker pins it when it applies the change (the operation then says where).
     */
    | { readonly kind: "accepted"; readonly operation: Operation; readonly tenant?: TenantEntry }
    /** 200: the stack already is as asked; nothing was written or run. */
    | { readonly kind: "unchanged"; readonly tenant?: TenantView }
    /** 200: the verdict of a dry run. */
    | {
          readonly kind: "dryRun";
          readonly ok: boolean;
          readonly changed: boolean;
          readonly tenant?: TenantView;
          readonly policyViolations: readonly ReportedViolation[];
          readonly outputs?: unknown;
          readonly log: readonly string[];
      };

/**
 * The provisioning library: tenants of the region stacks (any stack with a stack file in the
 * project directory), changed by editing the stack file and running Pulumi. Each request is checked
 * against the file when it arrives (so a bad one is refused at once) and again when its stack's
 * worker gets to it; a repeated request joins the identical one in flight or finds nothing to do.
 */
export class Provisioner {
    readonly operations: OperationStore;
    private readonly journal?: OperationJournal;
    private readonly workers = new Map<string, StackWorker>();
    private readonly dryRuns = new Map<string, number>();
    private readonly fs: FileSystem;

    constructor(private readonly options: ProvisionerOptions) {
        this.fs = options.fs ?? nodeFileSystem;
        this.journal = options.stateDir === undefined ? undefined : new OperationJournal(options.stateDir);
        this.operations = new OperationStore(this.journal);
    }

    /**
     * Recovers what a previous run of the service left (recovery.ts): call once, before serving.
     * Without a state directory there is nothing to recover.
     */
    async recover(): Promise<RecoveryReport> {
        if (!this.journal) {
            return { interrupted: [], restored: [], marked: [], removedTempFiles: [] };
        }
        return recoverOperations({ journal: this.journal, store: this.operations, projectDir: this.options.projectDir, fs: this.fs });
    }

    /** Which engine runs accepted changes (`automation` or `offline`). */
    get engineName(): string {
        return this.options.engine.name;
    }

    stacks(): string[] {
        return listStacks(this.options.projectDir);
    }

    async listTenants(stack: string): Promise<TenantView[]> {
        const doc = await this.read(stack);
        try {
            return tenantViews(validateStack(doc, stack));
        } catch (err) {
            throw stackFileConflict(err, `the stack file of ${stack} has problems; fix them by hand`);
        }
    }

    async getTenant(stack: string, name: string): Promise<TenantView> {
        const tenant = (await this.listTenants(stack)).find(t => t.name === name);
        if (!tenant) {
            throw ProvisionerError.notFound(`stack ${stack} has no tenant ${name}`);
        }
        return tenant;
    }

    /** Onboards a tenant (a `tenants[]` entry without `cluster`: placement decides it and the service pins it). */
    onboard(stack: string, tenant: Record<string, unknown>, options: ChangeOptions = {}): Promise<ChangeOutcome> {
        return this.change(stack, { kind: "onboard", tenant }, options);
    }

    /** Changes a tenant's deviceQuota and/or overrides (a JSON merge patch); never its cluster. */
    update(stack: string, name: string, patch: TenantPatch, options: ChangeOptions = {}): Promise<ChangeOutcome> {
        return this.change(stack, { kind: "update", name, patch }, options);
    }

    /** Step 1 (`mark`) marks the tenant `decommission: true`; step 2 (`remove`), once step 1 has run, removes it. */
    decommission(stack: string, name: string, options: DecommissionOptions = {}): Promise<ChangeOutcome> {
        return this.change(stack, { kind: "decommission", name, step: options.step ?? "mark" }, options);
    }

    /**
     * Clears the mark a failed `up` left on a stack (see attention.ts), once an operator has checked it;
     * false when the stack had no mark.
     */
    async clearAttention(stack: string): Promise<boolean> {
        this.knownStack(stack);
        return this.worker(stack).clearAttention();
    }

    /**
     * The problems of a change's body against its stack, without queuing or writing anything: for a 400
     * that lists them along with those of the path and query. Empty when the stack or tenant is unknown
     * (there is nothing to check the body against) or the change fails otherwise (a conflict).
     */
    async bodyProblems(stack: string, change: TenantChange): Promise<readonly ConfigProblem[]> {
        try {
            applyChange((await this.read(stack)).clone(), change, stack);
            return [];
        } catch (err) {
            return err instanceof ProvisionerError && err.status === 400 ? err.problems : [];
        }
    }

    operation(id: string): Operation | undefined {
        return this.operations.get(id);
    }

    whenFinished(id: string): Promise<Operation> {
        return this.operations.whenFinished(id);
    }

    /** Resolves when every accepted operation has finished (for a graceful shutdown). */
    async drained(): Promise<void> {
        await Promise.all(this.operations.unfinished().map(o => this.operations.whenFinished(o.id)));
    }

    private async change(stack: string, change: TenantChange, options: ChangeOptions): Promise<ChangeOutcome> {
        // Both reads come first: from the in-flight check to the enqueue nothing may wait, or two identical requests both get queued.
        this.knownStack(stack);
        const [doc, mark] = await Promise.all([this.read(stack), this.worker(stack).attention()]);
        const requestKey = canonicalJson([stack, change]);
        const inFlight = options.dryRun ? undefined : this.operations.inFlightFor(requestKey);
        if (inFlight) {
            return { kind: "accepted", operation: inFlight };
        }
        const trial = doc.clone();
        const result = applyChange(trial, change, stack);
        if (options.dryRun) {
            const verdict = await this.boundedDryRun(stack, () => this.options.dryRunEngine.previewConfig(stack, trial.config()));
            return {
                kind: "dryRun",
                ok: verdict.ok,
                changed: result.outcome === "changed",
                tenant: result.view,
                policyViolations: verdict.policyViolations,
                log: verdict.log,
                outputs: (verdict.outputs?.tenants as Record<string, unknown> | undefined)?.[result.tenant],
            };
        }
        if (result.outcome === "unchanged") {
            return { kind: "unchanged", tenant: result.view ?? (await this.getTenant(stack, result.tenant)) };
        }
        if (mark) {
            throw attentionConflict(stack, mark);
        }
        const operation = this.operations.create(stack, result.tenant, change.kind, requestKey);
        operation.step = result.step;
        // The 202 promises the operation: it is on disk before it is queued, or it is not accepted.
        try {
            await this.operations.persist(operation);
        } catch (err) {
            await this.operations.fail(operation, { status: 500, message: "the operation could not be recorded" });
            throw err;
        }
        this.worker(stack).enqueue({ operation, change });
        return { kind: "accepted", operation, tenant: change.kind === "onboard" ? withoutPin(result.view!) : result.view };
    }

    private async boundedDryRun<T>(stack: string, run: () => Promise<T>): Promise<T> {
        const inProgress = this.dryRuns.get(stack) ?? 0;
        if (inProgress >= MAX_DRY_RUNS_PER_STACK) {
            throw ProvisionerError.busy(
                `${MAX_DRY_RUNS_PER_STACK} dry runs of stack ${stack} are already queued or running; retry when one has answered`,
            );
        }
        this.dryRuns.set(stack, inProgress + 1);
        try {
            return await run();
        } finally {
            this.dryRuns.set(stack, (this.dryRuns.get(stack) ?? 1) - 1);
        }
    }

    private knownStack(stack: string): void {
        if (!this.stacks().includes(stack)) {
            throw ProvisionerError.notFound(`no stack ${stack}: the project has no Pulumi.${stack}.yaml`);
        }
    }

    private async read(stack: string): Promise<StackDocument> {
        this.knownStack(stack);
        const file = stackFilePath(stack, this.options.projectDir);
        try {
            return StackDocument.parse(await this.fs.readFile(file), stackFileName(stack));
        } catch (err) {
            throw stackFileConflict(err, `the stack file of ${stack} is not valid YAML; fix it by hand`);
        }
    }

    private worker(stack: string): StackWorker {
        let worker = this.workers.get(stack);
        if (!worker) {
            worker = new StackWorker({
                stack,
                file: stackFilePath(stack, this.options.projectDir),
                fs: this.fs,
                engine: this.options.engine,
                operations: this.operations,
                journal: this.journal,
            });
            this.workers.set(stack, worker);
        }
        return worker;
    }
}

/** An onboarding's pin computed on the file as it was when the request arrived: it is provisional until the worker applies the change. */
function withoutPin({ cluster: _provisional, ...tenant }: TenantView): TenantEntry {
    return tenant;
}

/** JSON with sorted keys, so that the same request written in another key order is the same request. */
function canonicalJson(value: unknown): string {
    return JSON.stringify(value, (_key, v) =>
        v !== null && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
            : v,
    );
}
