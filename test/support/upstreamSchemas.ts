import * as fs from "fs";
import * as path from "path";
import Ajv, { ErrorObject, ValidateFunction } from "ajv";

/**
 * Validates Kubernetes objects, as the engine records their inputs, against their upstream schemas: the OpenAPI v3
 * component schemas published by kubernetes/kubernetes for built-in kinds and the openAPIV3Schema of each project's
 * CustomResourceDefinition for custom kinds. The trimmed schemas live in test/fixtures/schemas; each file's
 * `$comment` names the repository, path and commit it was read from.
 *
 * Fixture layout:
 * - `kubernetes-<group>-<version>.json`: `components.schemas` of an OpenAPI v3 document; a schema carrying
 *   `x-kubernetes-group-version-kind` is the schema of that kind. `kubernetes-apimachinery.json` holds the shared
 *   meta/v1, resource and intstr types the others `$ref`.
 * - `<group>-<version>-<Kind>.json`: `{ group, version, kind, openAPIV3Schema }` of a CustomResourceDefinition.
 *
 * Applied at load time, so the fixtures stay as upstream wrote them:
 * - Objects are closed. A schema with `properties` and no `additionalProperties` gets `additionalProperties: false`
 *   unless it says `x-kubernetes-preserve-unknown-fields: true` or lies in a branch of `allOf`/`anyOf`/`oneOf`/`not`
 *   (which constrains the object its parent declares): built-in kinds as kubectl/kubeconform strict
 *   validation treats them, and structural CRD schemas as the API server does (strict field validation rejects
 *   fields the schema does not declare). Maps (`additionalProperties: {...}`) and schemas without `properties`
 *   stay open.
 * - A custom resource's `metadata` is validated as ObjectMeta (the CRD schema only says `type: object`; the API
 *   server validates it as ObjectMeta).
 * - Quantity strings must match the resource.Quantity grammar (the pattern controller-gen emits for Quantity in
 *   CRDs, as in cert-manager's); the built-in OpenAPI only says "string or number".
 * - OpenAPI formats are checked: int32/int64 ranges, byte (base64), date-time (RFC 3339).
 */

const FIXTURES = path.join(__dirname, "..", "fixtures", "schemas");
const APIMACHINERY = "kubernetes-apimachinery.json";
const COMPONENT_REF = "#/components/schemas/";
const OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const QUANTITY_PATTERN =
    "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";

type SchemaObject = Record<string, any>;

/** `apiVersion` and `kind` of a Kubernetes object. */
export interface ApiVersionKind {
    readonly apiVersion: string;
    readonly kind: string;
}

interface Registry {
    readonly validators: ReadonlyMap<string, { readonly file: string; readonly validate: ValidateFunction }>;
}

let registry: Registry | undefined;

const kindKey = ({ apiVersion, kind }: ApiVersionKind): string => `${apiVersion} ${kind}`;

const readFixture = (file: string): SchemaObject => JSON.parse(fs.readFileSync(path.join(FIXTURES, file), "utf8"));

/**
 * Rewrites a schema as described above; `ref` maps a `$ref` to its target in the compiled set. Schemas under
 * allOf/anyOf/oneOf/not only constrain values (a structural schema declares its fields outside them), so they are
 * not closed: the Gateway API's `addresses` items say in a oneOf which `value` each address `type` takes.
 */
function prepare(schema: unknown, ref: (target: string) => string, close = true): any {
    if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
        return schema;
    }
    const out: SchemaObject = {};
    for (const [keyword, value] of Object.entries(schema as SchemaObject)) {
        switch (keyword) {
            case "properties":
                out[keyword] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, prepare(s, ref, close)]));
                break;
            case "additionalProperties":
            case "items":
                out[keyword] = prepare(value, ref, close);
                break;
            case "not":
                out[keyword] = prepare(value, ref, false);
                break;
            case "allOf":
            case "anyOf":
            case "oneOf":
                // Cilium's `oneOf` of `endpointSelector` or `nodeSelector`, the Gateway API's `addresses` by `type`.
                out[keyword] = (value as unknown[]).map(s => prepare(s, ref, false));
                break;
            case "$ref":
                out[keyword] = ref(value);
                break;
            default:
                out[keyword] = value;
        }
    }
    if (
        close &&
        out.properties !== undefined &&
        out.additionalProperties === undefined &&
        out["x-kubernetes-preserve-unknown-fields"] !== true
    ) {
        out.additionalProperties = false;
    }
    return out;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function newAjv(): Ajv {
    // strict: false lets the x-kubernetes-* extensions and the OpenAPI `components` wrapper through as annotations.
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
    ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
    ajv.addFormat("byte", BASE64);
    ajv.addFormat("date-time", RFC3339);
    // The Gateway API CRDs check IP addresses with these (the API server validates them as Go's net.ParseIP would).
    ajv.addFormat("ipv4", /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/);
    ajv.addFormat("ipv6", { validate: (value: string) => value.includes(":") && /^[0-9a-fA-F:.]+$/.test(value) });
    // IntOrString carries this format next to its oneOf [integer, string], which does the checking.
    ajv.addFormat("int-or-string", { validate: () => true });
    return ajv;
}

function load(): Registry {
    const ajv = newAjv();
    const validators = new Map<string, { file: string; validate: ValidateFunction }>();
    const register = (gvk: ApiVersionKind, file: string, schema: SchemaObject): void => {
        const key = kindKey(gvk);
        if (validators.has(key)) {
            throw new Error(`${file}: ${gvk.apiVersion} ${gvk.kind} already has a schema in ${validators.get(key)!.file}`);
        }
        validators.set(key, { file, validate: ajv.compile(schema) });
    };

    const apimachinery: SchemaObject = readFixture(APIMACHINERY).components.schemas;
    const sharedRef = (target: string): string => {
        const name = target.startsWith(COMPONENT_REF) ? target.slice(COMPONENT_REF.length) : undefined;
        if (name === undefined || !(name in apimachinery)) {
            throw new Error(`unresolvable $ref ${target}`);
        }
        return `${APIMACHINERY}${COMPONENT_REF}${name}`;
    };
    const shared = Object.fromEntries(
        Object.entries(apimachinery).map(([name, s]) => [
            name,
            prepare(s, target =>
                target.startsWith(COMPONENT_REF) && target.slice(COMPONENT_REF.length) in apimachinery ? target : sharedRef(target),
            ),
        ]),
    );
    shared[QUANTITY] = { ...shared[QUANTITY], oneOf: [{ type: "string", pattern: QUANTITY_PATTERN }, { type: "number" }] };
    ajv.addSchema({ $id: APIMACHINERY, components: { schemas: shared } });

    for (const file of fs
        .readdirSync(FIXTURES)
        .filter(f => f.endsWith(".json") && f !== APIMACHINERY)
        .sort()) {
        const fixture = readFixture(file);
        if (fixture.components?.schemas) {
            // Built-in API group: one schema per kind, found by its x-kubernetes-group-version-kind.
            const local: SchemaObject = fixture.components.schemas;
            const ref = (target: string): string =>
                target.startsWith(COMPONENT_REF) && target.slice(COMPONENT_REF.length) in local ? target : sharedRef(target);
            const schemas = Object.fromEntries(Object.entries(local).map(([name, s]) => [name, prepare(s, ref)]));
            ajv.addSchema({ $id: file, components: { schemas } });
            for (const [name, schema] of Object.entries(local)) {
                for (const { group, version, kind } of schema["x-kubernetes-group-version-kind"] ?? []) {
                    register({ apiVersion: group ? `${group}/${version}` : version, kind }, file, {
                        $ref: `${file}${COMPONENT_REF}${name}`,
                    });
                }
            }
        } else if (fixture.openAPIV3Schema) {
            // CustomResourceDefinition version schema.
            const { group, version, kind } = fixture;
            const schema = prepare(fixture.openAPIV3Schema, target => {
                throw new Error(`${file}: unexpected $ref ${target} in a CRD schema`);
            });
            schema.properties.metadata = { $ref: `${APIMACHINERY}${COMPONENT_REF}${OBJECT_META}` };
            register({ apiVersion: `${group}/${version}`, kind }, file, schema);
        } else {
            throw new Error(`${file}: neither components.schemas nor openAPIV3Schema`);
        }
    }
    return { validators };
}

const loaded = (): Registry => (registry ??= load());

/** The apiVersion/kind pairs that have an upstream schema fixture, sorted. */
export function upstreamSchemaKinds(): string[] {
    return [...loaded().validators.keys()].sort();
}

/**
 * apiVersion and kind of a @pulumi/kubernetes resource: from its type token (`kubernetes:core/v1:ConfigMap`,
 * `kubernetes:keda.sh/v1alpha1:ScaledObject`; CustomResources get their token from their apiVersion and kind), or
 * from the inputs when the token carries no version.
 */
export function apiVersionKindOf(type: string, inputs: Record<string, unknown>): ApiVersionKind | undefined {
    const match = /^kubernetes:([^:]+):([^:]+)$/.exec(type);
    if (match && match[1].includes("/")) {
        return { apiVersion: match[1].replace(/^core\//, ""), kind: match[2] };
    }
    if (typeof inputs.apiVersion === "string" && typeof inputs.kind === "string") {
        return { apiVersion: inputs.apiVersion, kind: inputs.kind };
    }
    return undefined;
}

function formatError(error: ErrorObject): string {
    const params = error.params as Record<string, any>;
    const detail =
        params.additionalProperty !== undefined
            ? ` (${params.additionalProperty})`
            : Array.isArray(params.allowedValues)
              ? ` (${params.allowedValues.map(v => JSON.stringify(v)).join(", ")})`
              : "";
    return `${error.instancePath || "/"} ${error.message}${detail}`;
}

/**
 * Validates the inputs of a Kubernetes object against the upstream schema of its kind. Returns the error messages,
 * each as `<JSON pointer> <message>`; empty when the object is valid. An object whose kind has no schema fixture
 * is an error too, so that a new kind cannot pass unvalidated.
 */
export function validateKubernetesObject(type: string, inputs: object): string[] {
    const object = inputs as Record<string, unknown>;
    const gvk = apiVersionKindOf(type, object);
    if (gvk === undefined) {
        return [
            `cannot tell the apiVersion and kind of a ${type} (inputs apiVersion ${JSON.stringify(object.apiVersion)}, kind ${JSON.stringify(object.kind)})`,
        ];
    }
    const errors: string[] = [];
    for (const field of ["apiVersion", "kind"] as const) {
        if (object[field] !== gvk[field]) {
            errors.push(`/${field} is ${JSON.stringify(object[field])}, a ${type} must say ${JSON.stringify(gvk[field])}`);
        }
    }
    const entry = loaded().validators.get(kindKey(gvk));
    if (entry === undefined) {
        return [
            ...errors,
            `no upstream schema for apiVersion ${gvk.apiVersion}, kind ${gvk.kind}: add its schema to test/fixtures/schemas`,
        ];
    }
    if (!entry.validate(inputs)) {
        errors.push(...new Set((entry.validate.errors ?? []).map(formatError)));
    }
    return errors;
}
