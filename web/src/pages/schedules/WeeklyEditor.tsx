import type { Period, WeeklyPeriod } from "../../api/types";
import { DAYS, sortWeekly, type Day } from "./periods";
import { PeriodList } from "./PeriodList";

interface WeeklyEditorProps {
  weekly: WeeklyPeriod[];
  onChange(weekly: WeeklyPeriod[]): void;
}

/** The opening periods of each weekday, Monday to Sunday. */
export function WeeklyEditor({ weekly, onChange }: WeeklyEditorProps) {
  function setDay(day: Day, periods: Period[]) {
    // Kept in the order typed (sorted only when saved), so rows do not jump while editing.
    const others = weekly.filter((period) => period.day !== day);
    onChange([...others, ...periods.map((period) => ({ ...period, day }))]);
  }

  function copyMondayToWeekdays() {
    const monday = weekly.filter((period) => period.day === "mon");
    const weekdays: Day[] = ["tue", "wed", "thu", "fri"];
    const kept = weekly.filter((period) => !weekdays.includes(period.day));
    const copies = weekdays.flatMap((day) => monday.map((period) => ({ ...period, day })));
    onChange(sortWeekly([...kept, ...copies]));
  }

  return (
    <fieldset>
      <legend>Weekly hours</legend>
      <table className="week">
        <tbody>
          {DAYS.map((day) => {
            const periods = weekly.filter((period) => period.day === day.value);
            return (
              <tr key={day.value}>
                <th scope="row">{day.label}</th>
                <td>
                  {periods.length === 0 && <span className="muted closed-note">Closed</span>}
                  <PeriodList what={day.label} periods={periods}
                    onChange={(next) => setDay(day.value, next)} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <button type="button" className="link" onClick={copyMondayToWeekdays}>
        Copy Monday’s hours to Tuesday–Friday
      </button>
    </fieldset>
  );
}
