import * as pulumi from "@pulumi/pulumi";

/** Globally unique Azure names: a readable prefix, the resource's role and the region's random suffix. */

/** Length of the region's random suffix; the name budgets below reserve room for it. */
const SUFFIX_LENGTH = 6;

/** `<prefix>-<role>-<suffix>`, with the prefix trimmed so the whole name fits `max`. */
export function dashedName(prefix: string, role: string, suffix: pulumi.Input<string>, max: number): pulumi.Output<string> {
    const head = prefix.slice(0, max - role.length - SUFFIX_LENGTH - 2).replace(/-+$/, "");
    return pulumi.interpolate`${head}-${role}-${suffix}`;
}

/** Like dashedName, for resources whose names must be lowercase alphanumeric only. */
export function alnumName(prefix: string, role: string, suffix: pulumi.Input<string>, max: number): pulumi.Output<string> {
    const head = prefix.replace(/-/g, "").slice(0, max - role.length - SUFFIX_LENGTH);
    return pulumi.interpolate`${head}${role}${suffix}`;
}
