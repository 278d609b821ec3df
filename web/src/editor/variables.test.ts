import { describe, expect, it } from "vitest";
import type { FlowDocument } from "../api/types";
import { applyCompletion, completionAt, knownVariables, SYSTEM_VARIABLES } from "./variables";

const doc: FlowDocument = {
  schema_version: 1,
  nodes: [
    { id: "ask", type: "collect", name: "", config: { text: "Email?", variable: "email" }, position: { x: 0, y: 0 } },
    {
      id: "set",
      type: "set_variable",
      name: "",
      config: { assignments: [{ variable: "topic", value: "x" }, { variable: "email", value: "y" }, { variable: "bad name", value: "" }] },
      position: { x: 0, y: 0 },
    },
    { id: "cond", type: "condition", name: "", config: { cases: [{ id: "c", rules: [{ variable: "read_only", operator: "is_empty" }] }] }, position: { x: 0, y: 0 } },
  ],
  edges: [],
};

describe("known variables", () => {
  it("lists system variables then those collect and set_variable write, once each", () => {
    expect(knownVariables(doc)).toEqual([...SYSTEM_VARIABLES, "email", "topic"]);
  });
});

describe("${ completion", () => {
  const vars = knownVariables(doc);

  it("opens right after ${ with every variable", () => {
    const text = "Hi ${";
    expect(completionAt(text, text.length, vars)).toEqual({ start: 3, query: "", items: vars });
  });

  it("filters by what is typed, prefix matches first", () => {
    const text = "Hi ${st";
    const completion = completionAt(text, text.length, vars)!;
    expect(completion.items).toEqual(["StaffNo", "StaffNickName", "SystemClientUserID"]);
  });

  it("stays closed elsewhere, after a closed reference and after the $${ escape", () => {
    expect(completionAt("Hi $", 4, vars)).toBeNull();
    expect(completionAt("Hi ${Now} ", 10, vars)).toBeNull();
    expect(completionAt("$${", 3, vars)).toBeNull();
  });

  it("inserts ${Name} replacing the partial name, and places the caret after it", () => {
    const text = "Hi ${Cli and more";
    const caret = 8;
    const completion = completionAt(text, caret, vars)!;
    expect(applyCompletion(text, caret, completion, "ClientAppName")).toEqual({ text: "Hi ${ClientAppName} and more", caret: 19 });
    const closed = "a ${Now}";
    expect(applyCompletion(closed, 5, completionAt(closed, 5, vars)!, "Now").text).toBe("a ${Now}");
  });
});
