/** Units and rounding the cost model's files share. */

export const SECONDS_PER_DAY = 86_400;
export const GB = 1e9;

export const sum = (values: readonly number[]): number => values.reduce((total, v) => total + v, 0);

/** Math.ceil that ignores floating-point dust, so that exactly 2 nodes' worth of demand is 2 nodes, not 3. */
export const ceilOf = (value: number): number => Math.ceil(value - 1e-9);
