import { describe, expect, it } from "vitest";
import { formatSimilar, parseSimilar } from "./similar";

describe("similar questions", () => {
  it("reads one question per line, without blanks or repeats", () => {
    expect(parseSimilar(" forgot password \n\nForgot Password\r\n忘记密码\n")).toEqual([
      "forgot password",
      "忘记密码",
    ]);
  });

  it("round-trips a list", () => {
    expect(parseSimilar(formatSimilar(["a", "b"]))).toEqual(["a", "b"]);
  });
});
