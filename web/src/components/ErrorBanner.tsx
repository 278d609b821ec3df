import { errorMessage, fieldProblems } from "./errors";

/** Where a field lives, for people: `body.settings.color` → `settings › color`. */
function where(loc: (string | number)[]): string {
  return loc
    .filter((part) => part !== "body")
    .map((part) => (typeof part === "number" ? `#${part + 1}` : part.replace(/_/g, " ")))
    .join(" › ");
}

/** A failure, as the server explained it; each refused field listed when there are several. */
export function ErrorBanner({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null;
  const problems = fieldProblems(error);
  return (
    <div role="alert" className="error-banner">
      <p>{errorMessage(error)}</p>
      {problems.length > 1 && (
        <ul>
          {problems.map((problem, index) => (
            <li key={index}>
              {where(problem.loc) && <strong>{where(problem.loc)}: </strong>}
              {problem.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
