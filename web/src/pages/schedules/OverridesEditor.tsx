import type { ScheduleOverride } from "../../api/types";
import { NEW_PERIOD } from "./periods";
import { PeriodList } from "./PeriodList";

interface OverridesEditorProps {
  overrides: ScheduleOverride[];
  onChange(overrides: ScheduleOverride[]): void;
}

/** Dates whose opening replaces the weekly hours: closed all day, or these periods. */
export function OverridesEditor({ overrides, onChange }: OverridesEditorProps) {
  const update = (index: number, next: ScheduleOverride) =>
    onChange(overrides.map((item, i) => (i === index ? next : item)));

  return (
    <fieldset>
      <legend>Date overrides</legend>
      {overrides.length === 0 && <p className="muted">No dates differ from the weekly hours.</p>}
      <ul className="override-list">
        {overrides.map((override, index) => {
          const what = override.date || `override ${index + 1}`;
          const closed = override.closed === true;
          return (
            <li key={index}>
              <input type="date" required aria-label={`Date of override ${index + 1}`}
                value={override.date}
                onChange={(e) => update(index, { ...override, date: e.target.value })} />
              <select aria-label={`Opening on ${what}`} value={closed ? "closed" : "open"}
                onChange={(e) => update(index, e.target.value === "closed"
                  ? { date: override.date, closed: true, periods: [] }
                  : { date: override.date, closed: false, periods: [NEW_PERIOD] })}>
                <option value="closed">Closed all day</option>
                <option value="open">Open these hours</option>
              </select>
              {!closed && (
                <PeriodList what={what} periods={override.periods ?? []}
                  onChange={(periods) => update(index, { ...override, periods })} />
              )}
              <button type="button" className="icon" aria-label={`Remove override ${what}`}
                onClick={() => onChange(overrides.filter((_, i) => i !== index))}>
                ×
              </button>
            </li>
          );
        })}
      </ul>
      <button type="button"
        onClick={() => onChange([...overrides, { date: "", closed: true, periods: [] }])}>
        Add date
      </button>
    </fieldset>
  );
}
