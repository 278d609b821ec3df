function display(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  return JSON.stringify(value);
}

/** The conversation's variables, by name. */
export function VariablesTable({ variables }: { variables: Record<string, unknown> }) {
  const names = Object.keys(variables).sort((a, b) => a.localeCompare(b));
  if (names.length === 0) return <p className="muted">No variables set.</p>;
  return (
    <table className="compact">
      <thead>
        <tr><th>Variable</th><th>Value</th></tr>
      </thead>
      <tbody>
        {names.map((name) => (
          <tr key={name}>
            <td><code>{name}</code></td>
            <td className="pre">{display(variables[name])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
