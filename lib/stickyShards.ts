/**
 * Sticky first-fit sharding, the rule a region uses wherever one resource holds a bounded number of tenants (the
 * private-endpoint subnets, the Cosmos DB accounts): a tenant the stack placed in a shard before stays there, and
 * only new tenants are packed, in list order, into the lowest shard with room. So adding or removing a tenant never
 * moves another (a move would recreate its endpoint or its container), and a shard never takes a new tenant past its
 * capacity; holes left by removed tenants are filled first.
 */

/** Where each name went, and how many each shard holds (index = shard). */
export interface ShardPlan {
    readonly shardOf: ReadonlyMap<string, number>;
    readonly load: readonly number[];
}

/**
 * Shards for `names`: a name with a `previous` shard (a non-negative integer) keeps it, the others go first-fit by
 * `capacityOf(shard)`, which must be positive from some shard on. A kept shard over its capacity (a lowered quota)
 * stays over it: nothing is moved, and no new name joins it.
 */
export function assignShards(
    names: readonly string[],
    capacityOf: (shard: number) => number,
    previous: ReadonlyMap<string, number>,
): ShardPlan {
    const shardOf = new Map<string, number>();
    const load: number[] = [];
    const add = (name: string, shard: number) => {
        shardOf.set(name, shard);
        while (load.length <= shard) {
            load.push(0);
        }
        load[shard]++;
    };
    for (const name of names) {
        const kept = previous.get(name);
        if (kept !== undefined && Number.isInteger(kept) && kept >= 0) {
            add(name, kept);
        }
    }
    for (const name of names.filter(n => !shardOf.has(n))) {
        let shard = 0;
        while ((load[shard] ?? 0) >= capacityOf(shard)) {
            shard++;
        }
        add(name, shard);
    }
    return { shardOf, load };
}
