/** Kubernetes resource quantities as the stack file writes them (`500m`, `4`, `16Gi`). */

export const QUANTITY = /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G)?$/;

const QUANTITY_SUFFIXES: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** The value of a Kubernetes quantity the schema accepts: cores for CPU (`500m` is 0.5), bytes for memory (`1Ki` is 1024). */
export function quantityValue(quantity: string): number {
    const match = QUANTITY.exec(quantity);
    if (!match) {
        throw new Error(`expected a Kubernetes quantity such as 500m, 4 or 8Gi, got '${quantity}'`);
    }
    const suffix = match[2] ?? "";
    return Number(quantity.slice(0, quantity.length - suffix.length)) * (QUANTITY_SUFFIXES[suffix] ?? 1);
}
