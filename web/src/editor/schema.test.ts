import { describe, expect, it } from "vitest";
import { CATALOGUE } from "./catalogue.fixture";
import { convertValue, defaultsFromSchema, fieldLabel, fieldShape, newListItem, resolve, variantOf, type JsonSchema } from "./schema";

const schemaOf = (type: string) => CATALOGUE.find((m) => m.type === type)!.config_schema as JsonSchema;

describe("defaults from schema", () => {
  it("fills required fields with empty values and keeps non-null defaults", () => {
    expect(defaultsFromSchema(schemaOf("message"))).toEqual({ text: "" });
    expect(defaultsFromSchema(schemaOf("collect"))).toEqual({ text: "", variable: "", input_type: "text", max_retries: 2 });
    expect(defaultsFromSchema(schemaOf("survey"))).toEqual({ text: "", scale: "stars5", ask_comment: false });
    expect(defaultsFromSchema(schemaOf("set_variable"))).toEqual({ assignments: [] });
    expect(defaultsFromSchema(schemaOf("end"))).toEqual({});
    expect(defaultsFromSchema(schemaOf("transfer"))).toEqual({ skill_group_id: "" });
  });

  it("fills every module of the catalogue without throwing", () => {
    for (const module of CATALOGUE) expect(typeof defaultsFromSchema(module.config_schema as JsonSchema)).toBe("object");
  });
});

describe("field shapes", () => {
  const menu = schemaOf("menu");
  const props = menu.properties!;

  it("reads $ref lists of objects, optional (anyOf null) text and integers", () => {
    expect(fieldShape("options", props.options, menu).kind).toBe("objectList");
    expect(fieldShape("tail", props.tail, menu)).toMatchObject({ kind: "text", nullable: true });
    expect(fieldShape("timeout_seconds", props.timeout_seconds, menu)).toMatchObject({ kind: "integer", nullable: true });
    expect(fieldShape("max_retries", props.max_retries, menu)).toMatchObject({ kind: "integer", nullable: false });
    const option = resolve(props.options.items!, menu);
    expect(fieldShape("keywords", option.properties!.keywords, menu).kind).toBe("stringList");
    expect(fieldShape("id", option.properties!.id, menu).kind).toBe("string");
  });

  it("reads enums, booleans and a condition value of several types", () => {
    const collect = schemaOf("collect");
    expect(fieldShape("input_type", collect.properties!.input_type, collect).kind).toBe("enum");
    const survey = schemaOf("survey");
    expect(fieldShape("ask_comment", survey.properties!.ask_comment, survey).kind).toBe("boolean");
    const condition = schemaOf("condition");
    const rule = resolve({ $ref: "#/$defs/Rule" }, condition);
    const value = fieldShape("value", rule.properties!.value, condition);
    expect(value.kind).toBe("mixed");
    expect(value.nullable).toBe(true);
    expect(value.options.map((o) => o.type)).toEqual(["string", "integer", "number", "boolean", "array"]);
    expect(variantOf(["a"], value.options)).toBe(4);
    expect(variantOf(3, value.options)).toBe(1);
    expect(convertValue("a, b", value.options[4])).toEqual(["a", "b"]);
  });

  it("labels fields in sentence case", () => {
    expect(fieldLabel("retry_text", props.retry_text)).toBe("Retry text");
    expect(fieldLabel("x_y", {})).toBe("X y");
  });
});

describe("new list rows", () => {
  it("gives rows with an id a fresh one", () => {
    const menu = schemaOf("menu");
    const item = menu.properties!.options.items!;
    expect(newListItem("options", item, menu, [])).toEqual({ id: "option_1", label: "" });
    expect(newListItem("options", item, menu, [{ id: "option_2" }, { id: "x" }]).id).toBe("option_3");
    const condition = schemaOf("condition");
    expect(newListItem("cases", condition.properties!.cases.items!, condition, [])).toEqual({ id: "case_1", match: "all", rules: [] });
  });
});

describe("the chatbot and http_request forms", () => {
  it("start from usable defaults", () => {
    expect(defaultsFromSchema(schemaOf("http_request"))).toMatchObject({
      method: "GET",
      url: "",
      timeout_ms: 5000,
      max_attempts: 1,
      headers: {},
      response_mapping: [],
    });
    expect(defaultsFromSchema(schemaOf("chatbot"))).toMatchObject({
      knowledge_base_id: "",
      mode: "faq",
      max_misses: 2,
      handoff_keywords: ["human", "agent", "人工"],
      suggestions: [],
    });
  });

  it("edit each field with a fitting control", () => {
    const http = schemaOf("http_request");
    const hp = http.properties!;
    expect(fieldShape("method", hp.method, http).kind).toBe("enum");
    expect(fieldShape("url", hp.url, http).kind).toBe("string");
    expect(fieldShape("timeout_ms", hp.timeout_ms, http).kind).toBe("integer");
    expect(fieldShape("response_mapping", hp.response_mapping, http).kind).toBe("objectList");
    expect(fieldShape("status_variable", hp.status_variable, http)).toMatchObject({ kind: "string", nullable: true });
    // Free-form shapes (header map, a body that is text or JSON) are edited as JSON.
    expect(fieldShape("headers", hp.headers, http).kind).toBe("json");
    expect(fieldShape("body", hp.body, http)).toMatchObject({ kind: "json", nullable: true });
    const bot = schemaOf("chatbot");
    const bp = bot.properties!;
    expect(fieldShape("mode", bp.mode, bot).kind).toBe("enum");
    expect(fieldShape("suggestions", bp.suggestions, bot).kind).toBe("stringList");
    expect(fieldShape("handoff_keywords", bp.handoff_keywords, bot).kind).toBe("stringList");
    expect(fieldShape("no_answer_text", bp.no_answer_text, bot).kind).toBe("text");
    expect(fieldShape("welcome_text", bp.welcome_text, bot)).toMatchObject({ kind: "text", nullable: true });
    expect(fieldShape("timeout_seconds", bp.timeout_seconds, bot)).toMatchObject({ kind: "integer", nullable: true });
  });
});
