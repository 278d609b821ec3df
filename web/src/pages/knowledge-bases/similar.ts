// Similar questions are edited as lines of a textarea: one phrasing per line.

/** The textarea's text as a list: trimmed lines, blanks and repeats (ignoring case) left out. */
export function parseSimilar(text: string): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const question = line.trim();
    const key = question.toLocaleLowerCase();
    if (question && !seen.has(key)) {
      seen.add(key);
      result.push(question);
    }
  }
  return result;
}

export function formatSimilar(questions: string[]): string {
  return questions.join("\n");
}
