import { Field } from "../../components/Field";
import type { SettingsForm } from "./channelSettings";

interface ChannelSettingsFieldsProps {
  form: SettingsForm;
  /** Web channels also show how the chat widget looks and where it may be embedded. */
  widget: boolean;
  onChange(form: SettingsForm): void;
}

/** The channel's settings: how the widget looks, and when idle conversations end. */
export function ChannelSettingsFields({ form, widget, onChange }: ChannelSettingsFieldsProps) {
  const set = <K extends keyof SettingsForm>(key: K, value: SettingsForm[K]) =>
    onChange({ ...form, [key]: value });

  return (
    <>
      {widget && <fieldset>
        <legend>Chat widget</legend>
        <div className="grid-2">
          <Field label="Title">
            <input value={form.title} maxLength={100}
              onChange={(e) => set("title", e.target.value)} />
          </Field>
          <Field label="Colour">
            <input type="color" value={form.color} className="color-input"
              onChange={(e) => set("color", e.target.value)} />
          </Field>
        </div>
        <Field label="Allowed origins" hint="One per line, e.g. https://shop.example.com. Empty allows any site.">
          <textarea rows={3} value={form.allowedOrigins} spellCheck={false}
            onChange={(e) => set("allowedOrigins", e.target.value)} />
        </Field>
        <Field label="Offline text" hint="Shown when the channel is unavailable.">
          <textarea rows={2} value={form.offlineText} maxLength={1000}
            onChange={(e) => set("offlineText", e.target.value)} />
        </Field>
      </fieldset>}
      <fieldset>
        <legend>Conversations</legend>
        <div className="grid-2">
          <Field label="Default region" hint="Two letters (e.g. GB) for phone numbers typed without a country code.">
            <input value={form.defaultRegion} maxLength={2} autoComplete="off"
              onChange={(e) => set("defaultRegion", e.target.value.toUpperCase())} />
          </Field>
          <Field label="Bot idle seconds" hint="End a conversation idle with the bot (60 – 2 592 000).">
            <input type="number" min={60} max={2592000} required value={form.botIdleSeconds}
              onChange={(e) => set("botIdleSeconds", e.target.value)} />
          </Field>
          <Field label="Customer idle seconds" hint="With an agent: end when the customer stays silent this long. Empty: never.">
            <input type="number" min={30} max={604800} value={form.customerIdleSeconds}
              onChange={(e) => set("customerIdleSeconds", e.target.value)} />
          </Field>
          <Field label="Customer reminder seconds" hint="Remind the customer after this long; less than the idle time. Empty: no reminder.">
            <input type="number" min={10} max={604800} value={form.customerReminderSeconds}
              onChange={(e) => set("customerReminderSeconds", e.target.value)} />
          </Field>
        </div>
        <Field label="Reminder text">
          <textarea rows={2} value={form.reminderText} maxLength={1000}
            onChange={(e) => set("reminderText", e.target.value)} />
        </Field>
        <Field label="Timeout text" hint="Sent when the customer idle time ends the conversation.">
          <textarea rows={2} value={form.timeoutText} maxLength={1000}
            onChange={(e) => set("timeoutText", e.target.value)} />
        </Field>
      </fieldset>
    </>
  );
}
