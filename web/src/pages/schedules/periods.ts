import type { Period, Schedule, WeeklyPeriod } from "../../api/types";

export type Day = WeeklyPeriod["day"];

export const DAYS: { value: Day; label: string; short: string }[] = [
  { value: "mon", label: "Monday", short: "Mon" },
  { value: "tue", label: "Tuesday", short: "Tue" },
  { value: "wed", label: "Wednesday", short: "Wed" },
  { value: "thu", label: "Thursday", short: "Thu" },
  { value: "fri", label: "Friday", short: "Fri" },
  { value: "sat", label: "Saturday", short: "Sat" },
  { value: "sun", label: "Sunday", short: "Sun" },
];

// As engine/schedule.py checks them: a start is 00:00–23:59, an end may also be 24:00.
export const START_PATTERN = "([01][0-9]|2[0-3]):[0-5][0-9]";
export const END_PATTERN = `${START_PATTERN}|24:00`;

export const NEW_PERIOD: Period = { start: "09:00", end: "18:00" };

const dayIndex = (day: Day) => DAYS.findIndex((item) => item.value === day);

/** Weekly periods in day order, then by opening time, as people read them. */
export function sortWeekly(weekly: WeeklyPeriod[]): WeeklyPeriod[] {
  return [...weekly].sort(
    (a, b) => dayIndex(a.day) - dayIndex(b.day) || a.start.localeCompare(b.start),
  );
}

const periodText = (periods: Period[]) =>
  periods.map((period) => `${period.start}–${period.end}`).join(", ");

/** "Mon–Fri 09:00–18:00 · Sat 10:00–14:00": runs of days with the same hours, joined. */
export function weeklySummary(schedule: Pick<Schedule, "weekly">): string {
  const byDay = DAYS.map((day) =>
    periodText(sortWeekly(schedule.weekly).filter((period) => period.day === day.value)),
  );
  const parts: string[] = [];
  let runStart = 0;
  for (let index = 1; index <= DAYS.length; index += 1) {
    if (index < DAYS.length && byDay[index] === byDay[runStart]) continue;
    if (byDay[runStart]) {
      const first = DAYS[runStart].short;
      const days = index - 1 === runStart ? first : `${first}–${DAYS[index - 1].short}`;
      parts.push(`${days} ${byDay[runStart]}`);
    }
    runStart = index;
  }
  return parts.join(" · ") || "Never open";
}
