// The embed: <script src="https://HOST/widget.js" data-channel="KEY" async></script>. The API is
// wherever this script came from, so one snippet works on any site.

import { CustomerApi } from "./api";
import { Widget } from "./widget";

declare global {
  interface Window {
    __flowdeskWidgets?: Record<string, true>;
  }
}

function ownScript(): HTMLScriptElement | null {
  // Set during this script's first run, also with `async`; the query is for odd loaders.
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.src) return current;
  return document.querySelector<HTMLScriptElement>('script[data-channel][src*="widget.js"]');
}

function boot(): void {
  const script = ownScript();
  const channel = script?.dataset.channel;
  if (!script || !channel) {
    console.warn("Flowdesk widget: add data-channel=\"KEY\" to the script tag");
    return;
  }
  const loaded = (window.__flowdeskWidgets ??= {});
  if (loaded[channel]) return; // the snippet pasted twice
  loaded[channel] = true;
  // `https://desk.example.com/widget.js` → `https://desk.example.com` (a path prefix is kept).
  const base = new URL(".", script.src).href.replace(/\/$/, "");
  const widget = new Widget(new CustomerApi(base), channel);
  const mount = () => widget.mount(document.body);
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount, { once: true });
}

boot();
