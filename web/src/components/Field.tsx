import { cloneElement, isValidElement, useId, type ReactElement, type ReactNode } from "react";

interface FieldProps {
  label: string;
  /** A short explanation under the control, announced as its description. */
  hint?: ReactNode;
  /** One control (input, select, textarea). */
  children: ReactElement<{ "aria-describedby"?: string }>;
}

/**
 * A form control with its visible label: the <label> wraps the control, so it is named by
 * the label alone; the hint sits outside it and is linked with aria-describedby.
 */
export function Field({ label, hint, children }: FieldProps) {
  const hintId = useId();
  const control =
    hint && isValidElement(children) ? cloneElement(children, { "aria-describedby": hintId }) : children;
  return (
    <div className="field">
      <label>
        <span className="field-label">{label}</span>
        {control}
      </label>
      {hint && <small id={hintId} className="hint">{hint}</small>}
    </div>
  );
}

interface SwitchProps {
  label: string;
  checked: boolean;
  onChange(checked: boolean): void;
  disabled?: boolean;
  /** A fuller accessible name when the visible label repeats down a list. */
  ariaLabel?: string;
}

/** An on/off control (a checkbox announced as a switch). */
export function Switch({ label, checked, onChange, disabled, ariaLabel }: SwitchProps) {
  return (
    <label className="switch">
      <input
        type="checkbox"
        role="switch"
        checked={checked}
        disabled={disabled}
        aria-label={ariaLabel}
        onChange={(event) => onChange(event.target.checked)}
      />
      <span>{label}</span>
    </label>
  );
}
