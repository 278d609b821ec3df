import { useState, type FormEvent } from "react";
import { patch, post } from "../../api/client";
import type { Schedule, ScheduleInput, ScheduleOverride, WeeklyPeriod } from "../../api/types";
import { Dialog, DialogActions } from "../../components/Dialog";
import { ErrorBanner } from "../../components/ErrorBanner";
import { Field, Switch } from "../../components/Field";
import { OverridesEditor } from "./OverridesEditor";
import { NEW_PERIOD, sortWeekly } from "./periods";
import { browserTimeZone, TimeZoneSelect } from "./TimeZoneSelect";
import { WeeklyEditor } from "./WeeklyEditor";

interface ScheduleDialogProps {
  schedule?: Schedule;
  onSaved(): Promise<void>;
  onClose(): void;
}

const WORKWEEK: WeeklyPeriod[] = (["mon", "tue", "wed", "thu", "fri"] as const).map((day) => ({
  day,
  ...NEW_PERIOD,
}));

/** Create or edit a schedule: zone, weekly hours, dated exceptions and the emergency switch. */
export function ScheduleDialog({ schedule, onSaved, onClose }: ScheduleDialogProps) {
  const [name, setName] = useState(schedule?.name ?? "");
  const [timezone, setTimezone] = useState(schedule?.timezone ?? browserTimeZone());
  const [weekly, setWeekly] = useState<WeeklyPeriod[]>(sortWeekly(schedule?.weekly ?? WORKWEEK));
  const [overrides, setOverrides] = useState<ScheduleOverride[]>(schedule?.overrides ?? []);
  const [forceClosed, setForceClosed] = useState(schedule?.force_closed ?? false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body: ScheduleInput = {
      name: name.trim(),
      timezone,
      weekly: sortWeekly(weekly),
      overrides: [...overrides]
        .sort((a, b) => a.date.localeCompare(b.date))
        .map((o) => (o.closed ? { date: o.date, closed: true } : { date: o.date, periods: o.periods ?? [] })),
      force_closed: forceClosed,
    };
    try {
      if (schedule) await patch<Schedule>(`/schedules/${schedule.id}`, body);
      else await post<Schedule>("/schedules", body);
      await onSaved();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <Dialog title={schedule ? `Edit ${schedule.name}` : "New schedule"} onClose={onClose} wide>
      <form onSubmit={(event) => void submit(event)}>
        <div className="grid-2">
          <Field label="Name">
            <input required maxLength={200} value={name} data-autofocus onChange={(e) => setName(e.target.value)} />
          </Field>
          <TimeZoneSelect value={timezone} onChange={setTimezone} />
        </div>
        <WeeklyEditor weekly={weekly} onChange={setWeekly} />
        <OverridesEditor overrides={overrides} onChange={setOverrides} />
        <fieldset>
          <legend>Emergency</legend>
          <Switch label="Force closed (human service closed regardless of the hours)"
            checked={forceClosed} onChange={setForceClosed} />
        </fieldset>
        <ErrorBanner error={error} />
        <DialogActions>
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : schedule ? "Save changes" : "Create"}
          </button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
