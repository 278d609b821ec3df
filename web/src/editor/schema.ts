// Reading the module config JSON Schemas the server publishes (pydantic's `model_json_schema`):
// `$ref`/`$defs`, `anyOf` with null for optional fields, and the defaults a new node starts with.
// Pure, so the form generator and the tests share one reading of a schema.

export interface JsonSchema {
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
}

/** Follow a local `$ref` (`#/$defs/Name`) against the root schema; other schemas pass through. */
export function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let current = schema;
  for (let hops = 0; current.$ref && hops < 20; hops += 1) {
    const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(current.$ref);
    const target = match ? root[match[1] as "$defs" | "definitions"]?.[match[2]] : undefined;
    if (!target) return {};
    // Keywords beside a $ref (title, description, default) win over the target's.
    const { $ref: _ref, ...beside } = current;
    current = { ...target, ...beside };
  }
  return current;
}

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}

/** The variants of a schema, with `null` split out: `anyOf: [X, null]` is an optional X. */
export function variants(schema: JsonSchema, root: JsonSchema): { options: JsonSchema[]; nullable: boolean } {
  const resolved = resolve(schema, root);
  const alternatives = resolved.anyOf ?? resolved.oneOf;
  if (alternatives) {
    const options: JsonSchema[] = [];
    let nullable = false;
    for (const alternative of alternatives) {
      const variant = resolve(alternative, root);
      if (typesOf(variant).length === 1 && typesOf(variant)[0] === "null") nullable = true;
      else options.push(variant);
    }
    return { options, nullable };
  }
  const types = typesOf(resolved);
  if (types.length > 1) {
    return {
      options: types.filter((t) => t !== "null").map((type) => ({ ...resolved, type })),
      nullable: types.includes("null"),
    };
  }
  return { options: [resolved], nullable: false };
}

export type FieldKind =
  | "enum"
  | "boolean"
  | "integer"
  | "number"
  | "string"
  | "text" // a multi-line template
  | "stringList"
  | "objectList"
  | "object"
  | "mixed" // several scalar/list types, e.g. a condition rule's value
  | "json"; // anything else: edited as JSON

export interface FieldShape {
  kind: FieldKind;
  /** The (non-null) schema the editor works with; for "mixed", the first variant. */
  schema: JsonSchema;
  nullable: boolean;
  /** For "mixed": every non-null variant. */
  options: JsonSchema[];
}

const TEXT_FIELD = /^(text|tail|retry_text|value|body|.+_text)$/;

/** Fields the admin writes prose or templates into get a multi-line text area. */
export function isTextField(name: string): boolean {
  return TEXT_FIELD.test(name);
}

function scalarKind(name: string, schema: JsonSchema, root: JsonSchema): FieldKind {
  if (schema.enum) return "enum";
  const [type] = typesOf(schema);
  switch (type) {
    case "boolean":
      return "boolean";
    case "integer":
      return "integer";
    case "number":
      return "number";
    case "string":
      return isTextField(name) ? "text" : "string";
    case "array": {
      const item = schema.items ? variants(schema.items, root) : null;
      if (!item || item.options.length !== 1) return item && item.options.every(isScalar) ? "stringList" : "json";
      const only = item.options[0];
      if (typesOf(only)[0] === "object" && only.properties) return "objectList";
      if (isScalar(only)) return "stringList";
      return "json";
    }
    case "object":
      return schema.properties ? "object" : "json";
    default:
      return "json";
  }
}

function isScalar(schema: JsonSchema): boolean {
  const [type] = typesOf(schema);
  return type === "string" || type === "integer" || type === "number" || type === "boolean";
}

/** How to edit the property `name` described by `schema`. */
export function fieldShape(name: string, schema: JsonSchema, root: JsonSchema): FieldShape {
  const { options, nullable } = variants(schema, root);
  if (options.length === 0) return { kind: "json", schema: {}, nullable, options };
  if (options.length === 1) {
    return { kind: scalarKind(name, options[0], root), schema: options[0], nullable, options };
  }
  const simple = options.every((o) => isScalar(o) || (typesOf(o)[0] === "array" && scalarKind(name, o, root) === "stringList"));
  return { kind: simple ? "mixed" : "json", schema: options[0], nullable, options };
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** A sensible empty value for a required field with no default: "" for text, [] for lists… */
export function emptyValue(schema: JsonSchema, root: JsonSchema): unknown {
  const { options, nullable } = variants(schema, root);
  const first = options[0];
  if (!first) return nullable ? null : "";
  if (first.default !== undefined) return clone(first.default);
  if (first.enum && first.enum.length > 0) return clone(first.enum[0]);
  if (first.const !== undefined) return clone(first.const);
  switch (typesOf(first)[0]) {
    case "string":
      return "";
    case "integer":
    case "number":
      return first.minimum ?? 0;
    case "boolean":
      return false;
    case "array":
      return [];
    case "object":
      return defaultsFromSchema(first, root);
    default:
      return nullable ? null : "";
  }
}

/**
 * The config a new node starts with: every non-null default, and an empty value for each
 * required field without one. Optional fields without a default are left out.
 */
export function defaultsFromSchema(schema: JsonSchema, root: JsonSchema = schema): Record<string, unknown> {
  const resolved = resolve(schema, root);
  const required = new Set(resolved.required ?? []);
  const config: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(resolved.properties ?? {})) {
    const prop = resolve(property, root);
    if (prop.default !== undefined && prop.default !== null) config[name] = clone(prop.default);
    else if (required.has(name)) config[name] = emptyValue(prop, root);
  }
  return config;
}

/** "options" → "option", "cases" → "case", "assignments" → "assignment". */
export function singular(name: string): string {
  if (name.endsWith("ies")) return `${name.slice(0, -3)}y`;
  if (/(ss|sh|ch|x)es$/.test(name)) return name.slice(0, -2);
  if (name.endsWith("s") && !name.endsWith("ss")) return name.slice(0, -1);
  return name;
}

/**
 * A new row for the list `field`: the item's defaults, and when rows have an `id` (menu options,
 * condition cases: their ids name output ports) a fresh one such as `option_3`.
 */
export function newListItem(
  field: string,
  itemSchema: JsonSchema,
  root: JsonSchema,
  siblings: readonly unknown[],
): Record<string, unknown> {
  const item = defaultsFromSchema(itemSchema, root);
  const properties = resolve(itemSchema, root).properties ?? {};
  if ("id" in properties) {
    const taken = new Set(
      siblings.map((s) => (s && typeof s === "object" ? (s as Record<string, unknown>).id : undefined)),
    );
    const prefix = singular(field);
    let n = siblings.length + 1;
    while (taken.has(`${prefix}_${n}`)) n += 1;
    item.id = `${prefix}_${n}`;
  }
  return item;
}

/** A label for a property: its schema title in sentence case ("Retry Text" → "Retry text"). */
export function fieldLabel(name: string, schema: JsonSchema): string {
  const raw = schema.title ?? name.replace(/_/g, " ");
  const words = raw.split(/\s+/).filter(Boolean);
  return words.map((w, i) => (i === 0 ? w[0].toUpperCase() + w.slice(1) : w.toLowerCase())).join(" ");
}

/** A short name for a schema type, used by the type picker of a "mixed" field. */
export function variantName(schema: JsonSchema): string {
  const [type] = typesOf(schema);
  switch (type) {
    case "string":
      return "Text";
    case "integer":
      return "Whole number";
    case "number":
      return "Number";
    case "boolean":
      return "Yes/no";
    case "array":
      return "List";
    default:
      return type ?? "Value";
  }
}

/** Which variant of a "mixed" field a value currently is (by its JavaScript type). */
export function variantOf(value: unknown, options: JsonSchema[]): number {
  const wanted = Array.isArray(value)
    ? ["array"]
    : typeof value === "boolean"
      ? ["boolean"]
      : typeof value === "number"
        ? Number.isInteger(value)
          ? ["integer", "number"]
          : ["number"]
        : ["string"];
  for (const type of wanted) {
    const index = options.findIndex((o) => typesOf(o)[0] === type);
    if (index >= 0) return index;
  }
  return 0;
}

/** Convert a value when the admin switches a "mixed" field to another type. */
export function convertValue(value: unknown, target: JsonSchema): unknown {
  const [type] = typesOf(target);
  const asText = Array.isArray(value) ? value.join(", ") : value === null || value === undefined ? "" : String(value);
  switch (type) {
    case "string":
      return asText;
    case "integer": {
      const n = Math.round(Number(asText));
      return Number.isFinite(n) ? n : 0;
    }
    case "number": {
      const n = Number(asText);
      return Number.isFinite(n) ? n : 0;
    }
    case "boolean":
      return asText === "true";
    case "array":
      return Array.isArray(value) ? value : asText ? asText.split(",").map((s) => s.trim()).filter(Boolean) : [];
    default:
      return value;
  }
}
