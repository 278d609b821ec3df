import type { Period } from "../../api/types";
import { END_PATTERN, NEW_PERIOD, START_PATTERN } from "./periods";

interface PeriodListProps {
  /** Names the periods for screen readers, e.g. "Monday" or "25 Dec 2026". */
  what: string;
  periods: Period[];
  onChange(periods: Period[]): void;
}

const HINT = "HH:MM, 24-hour; a closing time before the opening time runs past midnight";

/** Opening periods of one day: HH:MM inputs (closing may be 24:00), add and remove. */
export function PeriodList({ what, periods, onChange }: PeriodListProps) {
  const update = (index: number, change: Partial<Period>) =>
    onChange(periods.map((period, i) => (i === index ? { ...period, ...change } : period)));

  return (
    <div className="period-list">
      {periods.map((period, index) => (
        <span className="period" key={index}>
          <input className="time" aria-label={`${what} period ${index + 1} opens`} required
            pattern={START_PATTERN} title={HINT} placeholder="HH:MM" maxLength={5}
            inputMode="numeric" value={period.start}
            onChange={(e) => update(index, { start: e.target.value })} />
          <span aria-hidden="true">–</span>
          <input className="time" aria-label={`${what} period ${index + 1} closes`} required
            pattern={END_PATTERN} title={`${HINT}; 24:00 is midnight`} placeholder="HH:MM"
            maxLength={5} inputMode="numeric" value={period.end}
            onChange={(e) => update(index, { end: e.target.value })} />
          <button type="button" className="icon" aria-label={`Remove ${what} period ${index + 1}`}
            onClick={() => onChange(periods.filter((_, i) => i !== index))}>
            ×
          </button>
        </span>
      ))}
      <button type="button" className="link" aria-label={`Add a period on ${what}`}
        onClick={() => onChange([...periods, periods.length ? { start: "", end: "" } : NEW_PERIOD])}>
        + Add period
      </button>
    </div>
  );
}
