import { RecordedResource } from "../../offline/evaluate";

/** A recorded resource built by hand around real component output, for policies that look at one resource. */
export const resource = (type: string, inputs: Record<string, any>): RecordedResource => ({
    urn: `urn:pulumi:test::iot-fleet::${type}::fragment`,
    type,
    name: "fragment",
    custom: true,
    parent: "",
    provider: "",
    packageVersion: "",
    protect: false,
    dependencies: [],
    propertyDependencies: {},
    ignoreChanges: [],
    inputs,
    outputs: inputs,
});

/** A copy of a recorded resource with a change made to both its inputs and its outputs. */
export function changed(recorded: RecordedResource, change: (props: any) => void, rest: Partial<RecordedResource> = {}): RecordedResource {
    const [inputs, outputs] = [structuredClone(recorded.inputs), structuredClone(recorded.outputs)];
    change(inputs);
    change(outputs);
    return { ...recorded, ...rest, inputs, outputs };
}

/** The stack's resources with the ones matching `select` replaced by `replace`'s result (dropped when it returns undefined). */
export const replacing = (
    resources: readonly RecordedResource[],
    select: (r: RecordedResource) => boolean,
    replace: (r: RecordedResource) => RecordedResource | undefined,
): RecordedResource[] => resources.flatMap(r => (select(r) ? [replace(r)].filter((x): x is RecordedResource => x !== undefined) : [r]));
