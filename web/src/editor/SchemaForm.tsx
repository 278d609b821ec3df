// A config form generated from a module's JSON Schema (as `GET /modules` publishes it). Each
// field reports its new value and its path, so the history can merge typing in one field.

import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { ReferenceSelect } from "./ReferenceSelect";
import { REFERENCE_FIELDS } from "./references";
import {
  convertValue,
  fieldLabel,
  fieldShape,
  newListItem,
  resolve,
  singular,
  variantName,
  variantOf,
  type JsonSchema,
} from "./schema";
import { TemplateTextArea } from "./TemplateTextArea";

type Path = readonly (string | number)[];
type OnChange = (value: unknown, path: Path) => void;
type Obj = Record<string, unknown>;

function asObject(value: unknown): Obj {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Obj) : {};
}

function withProperty(object: Obj, name: string, value: unknown): Obj {
  const next = { ...object };
  if (value === undefined) delete next[name];
  else next[name] = value;
  return next;
}

function domId(prefix: string, path: Path): string {
  return `${prefix}-${path.join("-")}`.replace(/[^A-Za-z0-9_-]/g, "_");
}

interface SchemaFormProps {
  /** The module's config schema (the root for `$ref`s). */
  schema: JsonSchema;
  value: Obj;
  onChange(value: Obj, path: Path): void;
  /** Prefix for element ids, unique per node. */
  idPrefix: string;
}

/** The whole config form of one node. */
export function SchemaForm({ schema, value, onChange, idPrefix }: SchemaFormProps) {
  return (
    <ObjectFields
      schema={schema}
      root={schema}
      value={value}
      path={[]}
      idPrefix={idPrefix}
      onChange={(next, path) => onChange(asObject(next), path)}
    />
  );
}

interface FieldsProps {
  schema: JsonSchema;
  root: JsonSchema;
  value: unknown;
  path: Path;
  idPrefix: string;
  onChange: OnChange;
}

function ObjectFields({ schema, root, value, path, idPrefix, onChange }: FieldsProps) {
  const resolved = resolve(schema, root);
  const object = asObject(value);
  const required = new Set(resolved.required ?? []);
  return (
    <>
      {Object.entries(resolved.properties ?? {}).map(([name, property]) => (
        <SchemaField
          key={name}
          name={name}
          schema={property}
          root={root}
          required={required.has(name)}
          value={object[name]}
          path={[...path, name]}
          idPrefix={idPrefix}
          onChange={(next, at) => onChange(withProperty(object, name, next), at)}
        />
      ))}
    </>
  );
}

interface FieldProps extends FieldsProps {
  name: string;
  required: boolean;
}

/** A label, the input for one property and its description as a hint. */
function SchemaField({ name, schema, root, required, value, path, idPrefix, onChange }: FieldProps) {
  const shape = fieldShape(name, schema, root);
  const outer = resolve(schema, root);
  const label = fieldLabel(name, outer);
  const id = domId(idPrefix, path);
  const hintId = `${id}-hint`;
  const hint = outer.description ?? shape.schema.description;
  const optional = !required;
  const change = (next: unknown) => onChange(next, path);
  const describedBy = hint ? hintId : undefined;
  const hintNode = hint ? (
    <small id={hintId} className="editor-field-hint">
      {hint}
    </small>
  ) : null;

  if (REFERENCE_FIELDS[name] && (shape.kind === "string" || shape.kind === "text")) {
    return (
      <div className="editor-field">
        <label htmlFor={id}>{label.replace(/ id$/i, "")}</label>
        <ReferenceSelect
          id={id}
          field={name}
          value={typeof value === "string" ? value : ""}
          optional={optional || shape.nullable}
          describedBy={describedBy}
          onChange={(next) => change(next === "" ? (optional ? undefined : "") : next)}
        />
        {hintNode}
      </div>
    );
  }

  switch (shape.kind) {
    case "boolean":
      return (
        <div className="editor-field editor-field-check">
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            aria-describedby={describedBy}
            onChange={(event) => change(event.target.checked)}
          />
          <label htmlFor={id}>{label}</label>
          {hintNode}
        </div>
      );
    case "enum": {
      const options = shape.schema.enum ?? [];
      const current = value === undefined || value === null ? "" : String(value);
      return (
        <div className="editor-field">
          <label htmlFor={id}>{label}</label>
          <select
            id={id}
            value={current}
            aria-describedby={describedBy}
            onChange={(event) => {
              const picked = options.find((o) => String(o) === event.target.value);
              change(picked === undefined ? undefined : picked);
            }}
          >
            {(optional || current === "") && <option value="">{shape.schema.default !== undefined ? `Default (${String(shape.schema.default)})` : "Not set"}</option>}
            {options.map((option) => (
              <option key={String(option)} value={String(option)}>
                {String(option).replace(/_/g, " ")}
              </option>
            ))}
          </select>
          {hintNode}
        </div>
      );
    }
    case "integer":
    case "number":
      return (
        <div className="editor-field">
          <label htmlFor={id}>{label}</label>
          <NumberInput
            id={id}
            schema={shape.schema}
            integer={shape.kind === "integer"}
            value={typeof value === "number" ? value : undefined}
            describedBy={describedBy}
            placeholder={outer.default !== undefined && outer.default !== null ? `Default: ${String(outer.default)}` : undefined}
            onChange={change}
          />
          {hintNode}
        </div>
      );
    case "string":
    case "text": {
      const text = typeof value === "string" ? value : "";
      // An optional field left empty is removed, so the server's default (usually none) applies.
      const onText = (next: string) => change(next === "" && (optional || shape.nullable) ? undefined : next);
      return (
        <div className="editor-field">
          <label htmlFor={id}>{label}</label>
          {shape.kind === "text" ? (
            <TemplateTextArea id={id} value={text} onChange={onText} describedBy={describedBy} maxLength={shape.schema.maxLength} required={required} />
          ) : (
            <input
              id={id}
              type="text"
              value={text}
              maxLength={shape.schema.maxLength}
              required={required}
              aria-describedby={describedBy}
              onChange={(event) => onText(event.target.value)}
            />
          )}
          {hintNode}
        </div>
      );
    }
    case "stringList":
      return (
        <div className="editor-field">
          <label htmlFor={id}>{label} (one per line)</label>
          <LinesInput id={id} value={Array.isArray(value) ? value : []} describedBy={describedBy} onChange={(lines) => change(lines.length === 0 && optional ? undefined : lines)} />
          {hintNode}
        </div>
      );
    case "objectList":
      return (
        <ObjectList
          name={name}
          label={label}
          schema={shape.schema}
          root={root}
          value={Array.isArray(value) ? value : []}
          path={path}
          idPrefix={idPrefix}
          hint={hintNode}
          describedBy={describedBy}
          onChange={onChange}
        />
      );
    case "object":
      return (
        <fieldset className="editor-fieldset" aria-describedby={describedBy}>
          <legend>{label}</legend>
          {hintNode}
          <ObjectFields schema={shape.schema} root={root} value={value} path={path} idPrefix={idPrefix} onChange={onChange} />
        </fieldset>
      );
    case "mixed":
      return (
        <MixedField
          id={id}
          name={name}
          label={label}
          options={shape.options}
          nullable={shape.nullable || optional}
          value={value}
          describedBy={describedBy}
          hint={hintNode}
          onChange={change}
        />
      );
    default:
      return (
        <div className="editor-field">
          <label htmlFor={id}>{label} (JSON)</label>
          <JsonInput id={id} value={value} describedBy={describedBy} onChange={change} />
          {hintNode}
        </div>
      );
  }
}

// ------------------------------------------------------------------------------ inputs

interface NumberInputProps {
  id: string;
  schema: JsonSchema;
  integer: boolean;
  value: number | undefined;
  describedBy?: string;
  placeholder?: string;
  onChange(value: number | undefined): void;
}

function NumberInput({ id, schema, integer, value, describedBy, placeholder, onChange }: NumberInputProps) {
  return (
    <input
      id={id}
      type="number"
      inputMode={integer ? "numeric" : "decimal"}
      step={integer ? 1 : "any"}
      min={schema.minimum}
      max={schema.maximum}
      placeholder={placeholder}
      value={value ?? ""}
      aria-describedby={describedBy}
      onChange={(event) => {
        const raw = event.target.value;
        if (raw === "") return onChange(undefined);
        const n = integer ? Math.trunc(Number(raw)) : Number(raw);
        if (Number.isFinite(n)) onChange(n);
      }}
    />
  );
}

/** Text kept locally while typing, so an empty last line survives until the next word. */
function useLocalText<T>(value: T, format: (value: T) => string, parse: (text: string) => T | undefined) {
  const [text, setText] = useState(() => format(value));
  const lastSent = useRef<string>(JSON.stringify(value));
  useEffect(() => {
    const incoming = JSON.stringify(value);
    if (incoming !== lastSent.current) {
      lastSent.current = incoming;
      setText(format(value));
    }
  }, [value, format]);
  const update = (next: string, send: (value: T) => void) => {
    setText(next);
    const parsed = parse(next);
    if (parsed !== undefined) {
      lastSent.current = JSON.stringify(parsed);
      send(parsed);
    }
  };
  return [text, update] as const;
}

const formatLines = (lines: unknown[]) => lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n");
const parseLines = (text: string) =>
  text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);

function LinesInput({ id, value, describedBy, onChange }: { id: string; value: unknown[]; describedBy?: string; onChange(lines: string[]): void }) {
  const [text, update] = useLocalText<unknown[]>(value, formatLines, parseLines);
  return (
    <textarea id={id} rows={Math.min(8, Math.max(2, value.length + 1))} value={text} aria-describedby={describedBy} onChange={(event) => update(event.target.value, (v) => onChange(v as string[]))} />
  );
}

const formatJson = (value: unknown) => (value === undefined ? "" : JSON.stringify(value, null, 2));

function JsonInput({ id, value, describedBy, onChange }: { id: string; value: unknown; describedBy?: string; onChange(value: unknown): void }) {
  const [error, setError] = useState<string | null>(null);
  const parse = (text: string): unknown => {
    if (text.trim() === "") {
      setError(null);
      return null;
    }
    try {
      const parsed: unknown = JSON.parse(text);
      setError(null);
      return parsed;
    } catch {
      setError("Not valid JSON yet");
      return undefined;
    }
  };
  const [text, update] = useLocalText<unknown>(value, formatJson, parse);
  return (
    <>
      <textarea id={id} rows={4} className="editor-mono" value={text} aria-describedby={describedBy} aria-invalid={error !== null} onChange={(event) => update(event.target.value, (v) => onChange(v === null ? undefined : v))} />
      {error && <small className="error">{error}</small>}
    </>
  );
}

// ------------------------------------------------------------------------------ mixed values

interface MixedFieldProps {
  id: string;
  name: string;
  label: string;
  options: JsonSchema[];
  nullable: boolean;
  value: unknown;
  describedBy?: string;
  hint: ReactNode;
  onChange(value: unknown): void;
}

/** A value of several possible types (a condition's value): a type picker and the matching input. */
function MixedField({ id, name, label, options, nullable, value, describedBy, hint, onChange }: MixedFieldProps) {
  const empty = value === undefined || value === null;
  const index = variantOf(value, options);
  const variant = options[index];
  const typeId = `${id}-type`;
  return (
    <fieldset className="editor-fieldset editor-mixed">
      <legend>{label}</legend>
      <div className="editor-field">
        <label htmlFor={typeId}>{label} type</label>
        <select
          id={typeId}
          value={empty && nullable ? "none" : String(index)}
          onChange={(event) => {
            if (event.target.value === "none") onChange(undefined);
            else onChange(convertValue(value, options[Number(event.target.value)]));
          }}
        >
          {nullable && <option value="none">None</option>}
          {options.map((option, i) => (
            <option key={i} value={String(i)}>
              {variantName(option)}
            </option>
          ))}
        </select>
      </div>
      {!(empty && nullable) && (
        <div className="editor-field">
          <label htmlFor={id}>{label}</label>
          {variant.type === "boolean" ? (
            <select id={id} value={value === true ? "true" : "false"} aria-describedby={describedBy} onChange={(event) => onChange(event.target.value === "true")}>
              <option value="true">Yes</option>
              <option value="false">No</option>
            </select>
          ) : variant.type === "integer" || variant.type === "number" ? (
            <NumberInput id={id} schema={variant} integer={variant.type === "integer"} value={typeof value === "number" ? value : undefined} describedBy={describedBy} onChange={(n) => onChange(n ?? 0)} />
          ) : variant.type === "array" ? (
            <LinesInput id={id} value={Array.isArray(value) ? value : []} describedBy={describedBy} onChange={onChange} />
          ) : (
            <TemplateTextArea id={id} value={typeof value === "string" ? value : ""} describedBy={describedBy} rows={name === "value" ? 1 : 3} onChange={onChange} />
          )}
        </div>
      )}
      {hint}
    </fieldset>
  );
}

// ------------------------------------------------------------------------------ lists of objects

interface ObjectListProps {
  name: string;
  label: string;
  schema: JsonSchema;
  root: JsonSchema;
  value: unknown[];
  path: Path;
  idPrefix: string;
  hint: ReactNode;
  describedBy?: string;
  onChange: OnChange;
}

let rowSerial = 0;
const newRowKey = () => `row${(rowSerial += 1)}`;

/** Stable React keys for list rows, moved along with the rows (so local input state follows). */
function useRowKeys(length: number) {
  const keys = useRef<string[]>([]);
  while (keys.current.length < length) keys.current.push(newRowKey());
  if (keys.current.length > length) keys.current.length = length;
  return keys;
}

function rowSummary(item: unknown): string {
  const object = asObject(item);
  for (const key of ["label", "id", "variable", "name"]) {
    const v = object[key];
    if (typeof v === "string" && v.trim()) return v;
  }
  return "";
}

/** An editable list of rows (menu options, condition cases and rules, assignments). */
function ObjectList({ name, label, schema, root, value, path, idPrefix, hint, describedBy, onChange }: ObjectListProps) {
  const keys = useRowKeys(value.length);
  const listId = useId();
  const itemSchema = schema.items ?? {};
  const noun = singular(name).replace(/_/g, " ");
  const max = schema.maxItems ?? Infinity;

  const move = (from: number, to: number) => {
    const next = [...value];
    const [item] = next.splice(from, 1);
    next.splice(to, 0, item);
    const k = keys.current;
    const [key] = k.splice(from, 1);
    k.splice(to, 0, key);
    onChange(next, path);
  };
  const remove = (index: number) => {
    keys.current.splice(index, 1);
    onChange(
      value.filter((_, i) => i !== index),
      path,
    );
  };
  const add = () => {
    keys.current.push(newRowKey());
    onChange([...value, newListItem(name, itemSchema, root, value)], path);
  };

  return (
    <fieldset className="editor-fieldset editor-list" aria-describedby={describedBy} id={listId}>
      <legend>{label}</legend>
      {hint}
      {value.length === 0 && <p className="muted editor-empty">None yet.</p>}
      <ol>
        {value.map((item, index) => {
          const title = `${noun[0].toUpperCase()}${noun.slice(1)} ${index + 1}`;
          const summary = rowSummary(item);
          return (
            <li key={keys.current[index]} className="editor-list-row">
              <fieldset className="editor-fieldset editor-row">
                <legend>
                  {title}
                  {summary && <span className="muted"> · {summary}</span>}
                </legend>
                <div className="editor-row-tools">
                  <button type="button" aria-label={`Move ${noun} ${index + 1} up`} title="Move up" disabled={index === 0} onClick={() => move(index, index - 1)}>
                    ↑
                  </button>
                  <button type="button" aria-label={`Move ${noun} ${index + 1} down`} title="Move down" disabled={index === value.length - 1} onClick={() => move(index, index + 1)}>
                    ↓
                  </button>
                  <button type="button" className="danger" aria-label={`Remove ${noun} ${index + 1}`} title="Remove" onClick={() => remove(index)}>
                    ✕
                  </button>
                </div>
                <ObjectFields
                  schema={itemSchema}
                  root={root}
                  value={item}
                  path={[...path, index]}
                  idPrefix={idPrefix}
                  onChange={(next, at) => onChange(value.map((v, i) => (i === index ? next : v)), at)}
                />
              </fieldset>
            </li>
          );
        })}
      </ol>
      <button type="button" className="editor-add-row" disabled={value.length >= max} onClick={add}>
        + Add {noun}
      </button>
    </fieldset>
  );
}
