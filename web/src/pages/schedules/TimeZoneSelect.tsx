import { useMemo } from "react";
import { Field } from "../../components/Field";

// For browsers without Intl.supportedValuesOf: the zones most desks work in.
const FALLBACK_ZONES = [
  "UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
  "Europe/Madrid", "Europe/Rome", "Europe/Amsterdam", "Europe/Stockholm", "Europe/Warsaw",
  "Europe/Athens", "Europe/Istanbul", "Europe/Moscow", "Africa/Cairo", "Africa/Johannesburg",
  "Africa/Lagos", "Asia/Dubai", "Asia/Karachi", "Asia/Kolkata", "Asia/Bangkok", "Asia/Jakarta",
  "Asia/Singapore", "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Taipei", "Asia/Seoul", "Asia/Tokyo",
  "Australia/Perth", "Australia/Sydney", "Pacific/Auckland", "America/Sao_Paulo",
  "America/Argentina/Buenos_Aires", "America/Mexico_City", "America/Bogota", "America/New_York",
  "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Anchorage",
  "Pacific/Honolulu",
];

function supportedZones(): string[] {
  try {
    const zones = Intl.supportedValuesOf("timeZone");
    if (zones.length > 0) return zones;
  } catch {
    // Older browsers: fall through to the short list.
  }
  return FALLBACK_ZONES;
}

/** The browser's own zone, as the default for a new schedule. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

export function TimeZoneSelect({ value, onChange }: { value: string; onChange(zone: string): void }) {
  const zones = useMemo(() => {
    const all = new Set(["UTC", ...supportedZones()]);
    if (value) all.add(value); // a zone this browser does not list stays choosable
    return ["UTC", ...[...all].filter((zone) => zone !== "UTC").sort()];
  }, [value]);

  return (
    <Field label="Time zone" hint="The hours below are local times in this zone.">
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {zones.map((zone) => <option key={zone} value={zone}>{zone.replace(/_/g, " ")}</option>)}
      </select>
    </Field>
  );
}
