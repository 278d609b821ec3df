import type { Channel, ChannelSettings } from "../../api/types";

/** The settings form's state: every field as typed, converted only when saving. */
export interface SettingsForm {
  title: string;
  color: string;
  allowedOrigins: string;
  offlineText: string;
  defaultRegion: string;
  botIdleSeconds: string;
  customerIdleSeconds: string;
  customerReminderSeconds: string;
  reminderText: string;
  timeoutText: string;
}

// The server's defaults (services/channels.py), for settings a channel has not stored yet.
const DEFAULTS: Omit<ChannelSettings, "trust_customer_id"> = {
  title: "",
  color: "#2563eb",
  allowed_origins: [],
  offline_text: "",
  default_region: null,
  bot_idle_seconds: 86400,
  customer_idle_seconds: null,
  customer_reminder_seconds: null,
  customer_reminder_text: "Are you still there?",
  customer_timeout_text: "",
};

function stored<K extends keyof typeof DEFAULTS>(channel: Channel, key: K): ChannelSettings[K] {
  const value = channel.settings[key];
  return (value === undefined ? DEFAULTS[key] : value) as ChannelSettings[K];
}

const text = (value: number | null) => (value === null ? "" : String(value));

export function settingsForm(channel: Channel): SettingsForm {
  return {
    title: stored(channel, "title"),
    color: stored(channel, "color"),
    allowedOrigins: stored(channel, "allowed_origins").join("\n"),
    offlineText: stored(channel, "offline_text"),
    defaultRegion: stored(channel, "default_region") ?? "",
    botIdleSeconds: text(stored(channel, "bot_idle_seconds")),
    customerIdleSeconds: text(stored(channel, "customer_idle_seconds")),
    customerReminderSeconds: text(stored(channel, "customer_reminder_seconds")),
    reminderText: stored(channel, "customer_reminder_text"),
    timeoutText: stored(channel, "customer_timeout_text"),
  };
}

/** Whole seconds, or null for an empty box; anything else is a mistake to point out. */
function seconds(label: string, value: string): number | null {
  const trimmed = value.trim();
  if (trimmed === "") return null;
  if (!/^\d+$/.test(trimmed)) throw new Error(`${label} must be a whole number of seconds.`);
  return Number(trimmed);
}

/** The PATCH body's `settings`; the server checks ranges and formats and says what is wrong. */
export function settingsBody(form: SettingsForm): Partial<ChannelSettings> {
  const botIdle = seconds("Bot idle seconds", form.botIdleSeconds);
  return {
    title: form.title,
    color: form.color,
    allowed_origins: form.allowedOrigins.split("\n").map((line) => line.trim()).filter(Boolean),
    offline_text: form.offlineText,
    default_region: form.defaultRegion.trim().toUpperCase() || null,
    bot_idle_seconds: botIdle ?? DEFAULTS.bot_idle_seconds,
    customer_idle_seconds: seconds("Customer idle seconds", form.customerIdleSeconds),
    customer_reminder_seconds: seconds("Customer reminder seconds", form.customerReminderSeconds),
    customer_reminder_text: form.reminderText,
    customer_timeout_text: form.timeoutText,
  };
}
