import { Document, isMap, isSeq } from "yaml";
import { CONFIG_NAMESPACE } from "../lib/labels";
import { parseStackDocument } from "../lib/stackFile";

const TENANTS_PATH = ["config", `${CONFIG_NAMESPACE}:tenants`] as const;

/** A stack file's name, as messages show it: never its absolute path, which is the server's business. */
export const stackFileName = (stack: string): string => `Pulumi.${stack}.yaml`;

export type TenantKeyPath = readonly (string | number)[];

/**
 * A stack file held as a YAML document, edited in place: comments, key order and every other key
 * survive an edit, so a diff of the file shows only what the service changed.
 */
export class StackDocument {
    private constructor(private readonly doc: Document.Parsed | Document) {}

    /** Parses a stack file's text; a file that is not valid YAML throws a ConfigError naming the lines. */
    static parse(text: string, source: string): StackDocument {
        return new StackDocument(parseStackDocument(text, source));
    }

    clone(): StackDocument {
        return new StackDocument(this.doc.clone());
    }

    /** The `config:` map as plain values, keyed by full key (`iot-fleet:tenants`). */
    config(): Record<string, unknown> {
        const root = this.doc.toJS() as { config?: Record<string, unknown> } | null;
        return root?.config ?? {};
    }

    /** The tenant entries as written in the file (no defaults applied). */
    rawTenants(): unknown[] {
        const tenants = this.config()[TENANTS_PATH[1]];
        return Array.isArray(tenants) ? tenants : [];
    }

    indexOfTenant(name: string): number {
        return this.rawTenants().findIndex(t => typeof t === "object" && t !== null && (t as { name?: unknown }).name === name);
    }

    appendTenant(tenant: Record<string, unknown>): number {
        if (!isSeq(this.doc.getIn(TENANTS_PATH))) {
            this.doc.setIn(TENANTS_PATH, this.doc.createNode([]));
        }
        this.doc.addIn(TENANTS_PATH, this.doc.createNode(tenant));
        return this.rawTenants().length - 1;
    }

    /** Sets one key of a tenant entry; a path into a map that does not exist yet creates it. */
    setTenantKey(index: number, path: TenantKeyPath, value: unknown): void {
        this.doc.setIn([...TENANTS_PATH, index, ...path], this.doc.createNode(value));
    }

    /** Deletes one key of a tenant entry, and the maps that it leaves empty (an empty `overrides: {}` is noise). */
    deleteTenantKey(index: number, path: TenantKeyPath): void {
        this.doc.deleteIn([...TENANTS_PATH, index, ...path]);
        for (let depth = path.length - 1; depth > 0; depth--) {
            const parent = this.doc.getIn([...TENANTS_PATH, index, ...path.slice(0, depth)]);
            if (!isMap(parent) || parent.items.length > 0) {
                break;
            }
            this.doc.deleteIn([...TENANTS_PATH, index, ...path.slice(0, depth)]);
        }
    }

    removeTenant(index: number): void {
        this.doc.deleteIn([...TENANTS_PATH, index]);
    }

    toString(): string {
        return this.doc.toString({ flowCollectionPadding: false });
    }
}
