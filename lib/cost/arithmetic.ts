/** Units and rounding the cost model's files share. */

export { ceilOf, SECONDS_PER_DAY } from "../ingestLoad";
export const GB = 1e9;

export const sum = (values: readonly number[]): number => values.reduce((total, v) => total + v, 0);
