// A multi-line template field with `${` completion: typing `${` lists the known variables and
// picking one inserts `${Name}`.

import { useContext, useId, useRef, useState, type KeyboardEvent } from "react";
import { applyCompletion, completionAt, type Completion } from "./variables";
import { VariablesContext } from "./formContext";

interface TemplateTextAreaProps {
  id: string;
  value: string;
  onChange(value: string): void;
  describedBy?: string;
  maxLength?: number;
  rows?: number;
  required?: boolean;
}

export function TemplateTextArea({ id, value, onChange, describedBy, maxLength, rows = 3, required }: TemplateTextAreaProps) {
  const variables = useContext(VariablesContext);
  const ref = useRef<HTMLTextAreaElement>(null);
  const [completion, setCompletion] = useState<Completion | null>(null);
  const [active, setActive] = useState(0);
  const listId = useId();
  const open = completion !== null && completion.items.length > 0;

  const refresh = (text: string, caret: number) => {
    const next = completionAt(text, caret, variables);
    setCompletion(next);
    if (!next || next.query !== completion?.query) setActive(0);
  };

  const choose = (name: string) => {
    const area = ref.current;
    if (!area || !completion) return;
    const result = applyCompletion(value, area.selectionStart, completion, name);
    onChange(result.text);
    setCompletion(null);
    requestAnimationFrame(() => {
      area.focus();
      area.setSelectionRange(result.caret, result.caret);
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (!open || !completion) return;
    const count = completion.items.length;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      setActive((a) => (a + 1) % count);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive((a) => (a - 1 + count) % count);
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      choose(completion.items[Math.min(active, count - 1)]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      setCompletion(null);
    }
  };

  return (
    <div className="editor-template">
      <textarea
        ref={ref}
        id={id}
        value={value}
        rows={rows}
        maxLength={maxLength}
        required={required}
        aria-describedby={describedBy}
        aria-autocomplete="list"
        aria-controls={open ? listId : undefined}
        aria-activedescendant={open ? `${listId}-${active}` : undefined}
        onChange={(event) => {
          onChange(event.target.value);
          refresh(event.target.value, event.target.selectionStart);
        }}
        onKeyDown={onKeyDown}
        onClick={(event) => refresh(event.currentTarget.value, event.currentTarget.selectionStart)}
        onKeyUp={(event) => {
          if (event.key === "ArrowLeft" || event.key === "ArrowRight" || event.key === "Home" || event.key === "End") {
            refresh(event.currentTarget.value, event.currentTarget.selectionStart);
          }
        }}
        onBlur={() => setCompletion(null)}
      />
      {open && completion && (
        <ul className="editor-completion" role="listbox" id={listId} aria-label="Variables">
          {completion.items.map((name, index) => (
            <li
              key={name}
              id={`${listId}-${index}`}
              role="option"
              aria-selected={index === active}
              className={index === active ? "active" : undefined}
              // mousedown, not click: the textarea must not lose focus (which closes the list) first.
              onMouseDown={(event) => {
                event.preventDefault();
                choose(name);
              }}
            >
              {"${"}
              {name}
              {"}"}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
