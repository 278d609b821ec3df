import { useState } from "react";
import { patch } from "../../api/client";
import type { Schedule } from "../../api/types";
import { errorMessage } from "../../components/errors";
import { Switch } from "../../components/Field";

interface ForceClosedSwitchProps {
  schedule: Schedule;
  onChanged(): Promise<void>;
}

/** The emergency switch, flipped straight from the list. */
export function ForceClosedSwitch({ schedule, onChanged }: ForceClosedSwitchProps) {
  // While saving, the switch shows where it is going; on failure it flips back.
  const [pending, setPending] = useState<boolean | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function toggle(forceClosed: boolean) {
    setPending(forceClosed);
    setError(null);
    try {
      await patch<Schedule>(`/schedules/${schedule.id}`, { force_closed: forceClosed });
      await onChanged();
    } catch (caught) {
      setError(caught);
    } finally {
      setPending(null);
    }
  }

  return (
    <>
      <Switch label="Force closed" ariaLabel={`Force closed: ${schedule.name}`}
        checked={pending ?? schedule.force_closed} disabled={pending !== null} onChange={(on) => void toggle(on)} />
      {error !== null && <p role="alert" className="error">{errorMessage(error)}</p>}
    </>
  );
}
