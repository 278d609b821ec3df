// The widget's DOM inside a shadow root: launcher, panel (header, transcript, status, composer).
// It renders a `PanelModel` and reports what the customer does; it holds no conversation state.

import { safeColor, textColorOn } from "./color";
import { el, icon, ICONS } from "./dom";
import { surveyChoices, type BubbleItem, type Item, type PanelModel } from "./model";
import { CSS } from "./styles";
import type { CustomerInput } from "./types";

export const UNAVAILABLE_TEXT = "Chat is unavailable right now";

export interface ViewActions {
  toggle(open: boolean): void;
  send(input: CustomerInput, shownAs: string): void;
}

export class WidgetView {
  readonly host: HTMLElement;
  private readonly root: HTMLDivElement;
  private readonly launcher: HTMLButtonElement;
  private readonly panel: HTMLDivElement;
  private readonly title: HTMLHeadingElement;
  private readonly subtitle: HTMLParagraphElement;
  private readonly log: HTMLDivElement;
  private readonly status: HTMLDivElement;
  private readonly input: HTMLInputElement;
  private readonly sendButton: HTMLButtonElement;
  private offline: string | null = null;

  constructor(private readonly actions: ViewActions) {
    this.host = el("div", { "data-flowdesk-widget": "" });
    const shadow = this.host.attachShadow({ mode: "open" });
    adoptStyles(shadow, CSS);
    this.launcher = el("button", { class: "launcher", type: "button", "aria-label": "Open chat", "aria-expanded": "false" }, icon(ICONS.chat));
    this.title = el("h2", { class: "title" });
    this.subtitle = el("p", { class: "subtitle" }, "We usually reply in a few minutes");
    const minimise = el("button", { class: "minimise", type: "button", "aria-label": "Minimise chat" }, icon(ICONS.down));
    this.log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
    this.status = el("div", { class: "status", role: "status", hidden: true });
    this.input = el("input", { class: "input", type: "text", "aria-label": "Message", placeholder: "Write a message…", maxlength: "4000", autocomplete: "off" });
    this.sendButton = el("button", { class: "send", type: "submit", "aria-label": "Send" }, icon(ICONS.send));
    const composer = el("form", { class: "composer" }, this.input, this.sendButton);
    this.panel = el(
      "div",
      { class: "panel", role: "dialog", "aria-label": "Chat", hidden: true },
      el("div", { class: "header" }, el("div", { class: "avatar" }, icon(ICONS.chat)), el("div", { class: "heading" }, this.title, this.subtitle), minimise),
      this.log,
      this.status,
      composer,
      el("div", { class: "brand" }, "Powered by Flowdesk"),
    );
    this.root = el("div", { class: "root", hidden: true }, this.panel, this.launcher);
    shadow.append(this.root);

    this.launcher.addEventListener("click", () => this.actions.toggle(this.panel.hidden));
    minimise.addEventListener("click", () => this.actions.toggle(false));
    composer.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
  }

  /** Title and colour from the channel's settings. */
  configure(title: string, color: string): void {
    const accent = safeColor(color);
    const onAccent = textColorOn(accent);
    this.root.style.setProperty("--accent", accent);
    this.root.style.setProperty("--on-accent", onAccent);
    // Buttons write the accent on white: a pale accent would vanish, so use dark text then.
    this.root.style.setProperty("--accent-text", onAccent === "#ffffff" ? accent : "#111827");
    this.title.textContent = title;
    this.panel.setAttribute("aria-label", title || "Chat");
  }

  /** Shown once the channel's look is known, so the launcher does not flash another colour. */
  reveal(): void {
    this.root.hidden = false;
  }

  setOpen(open: boolean): void {
    this.panel.hidden = !open;
    this.launcher.replaceChildren(icon(open ? ICONS.down : ICONS.chat));
    this.launcher.setAttribute("aria-label", open ? "Close chat" : "Open chat");
    this.launcher.setAttribute("aria-expanded", String(open));
    if (open) {
      this.scrollToEnd();
      if (!this.input.disabled) this.input.focus({ preventScroll: true });
    }
  }

  /** No chat here (no flow, disabled, origin refused): the offline text instead of a transcript. */
  showOffline(text: string): void {
    this.offline = text || UNAVAILABLE_TEXT;
    this.subtitle.textContent = "Offline";
    this.log.replaceChildren(el("p", { class: "offline" }, this.offline));
    this.status.hidden = true;
    this.input.disabled = true;
    this.input.placeholder = "Chat is unavailable";
    this.sendButton.disabled = true;
  }

  render(model: PanelModel): void {
    if (this.offline !== null) return;
    const nearEnd = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
    this.log.replaceChildren(...model.items.map((item) => this.item(item)));
    this.status.textContent = model.status ?? "";
    this.status.hidden = model.status === null;
    if (nearEnd) this.scrollToEnd();
  }

  private item(item: Item): HTMLElement {
    if (item.kind === "notice") return el("div", { class: "notice", "data-seq": item.key }, item.text);
    return this.bubble(item);
  }

  private bubble(item: BubbleItem): HTMLElement {
    const row = el("div", { class: `row ${item.side}${item.pending ? " pending" : ""}` });
    if (item.author) row.append(el("span", { class: "author" }, item.author));
    row.append(el("div", { class: "bubble" }, item.text));
    if (item.menu) {
      const choices = el("div", { class: "choices", role: "group", "aria-label": "Options" });
      for (const option of item.menu.options) {
        const button = el("button", { class: "choice", type: "button", disabled: !item.menu.active, title: option.description ?? undefined }, option.label);
        button.addEventListener("click", () => this.actions.send({ choice: option.id }, option.label));
        choices.append(button);
      }
      row.append(choices);
    }
    if (item.survey) {
      const stars = item.survey.scale === "stars5";
      const group = el("div", { class: stars ? "stars" : "choices", role: "group", "aria-label": "Rating" });
      for (const choice of surveyChoices(item.survey.scale)) {
        const button = el("button", { class: stars ? "star" : "choice", type: "button", "aria-label": choice.name, disabled: !item.survey.active }, choice.label);
        button.addEventListener("click", () => this.actions.send({ rating: choice.rating }, choice.name));
        group.append(button);
      }
      row.append(group);
    }
    return row;
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text || this.input.disabled) return;
    this.input.value = "";
    this.actions.send({ text }, text);
  }

  private scrollToEnd(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }
}

/** Constructed stylesheets pass a host page's strict CSP (no 'unsafe-inline' needed). */
function adoptStyles(shadow: ShadowRoot, css: string): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    shadow.adoptedStyleSheets = [sheet];
  } catch {
    shadow.append(el("style", {}, css));
  }
}
