// The widget's styles, inside its shadow root: the host page's CSS cannot reach in, and ours
// cannot leak out. `--accent` and `--on-accent` come from the channel's colour.

export const CSS = `
:host { all: initial; }
.root[hidden] { display: none; }
.root { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1f2937; -webkit-font-smoothing: antialiased; }
button { font: inherit; cursor: pointer; }
button:disabled { cursor: default; }
svg { width: 24px; height: 24px; fill: none; stroke: currentColor; stroke-width: 2;
  stroke-linecap: round; stroke-linejoin: round; }
.launcher { position: absolute; right: 0; bottom: 0; width: 60px; height: 60px; border: 0;
  border-radius: 50%; background: var(--accent); color: var(--on-accent); display: grid;
  place-items: center; box-shadow: 0 6px 20px rgba(15, 23, 42, .28); transition: transform .15s; }
.launcher:hover { transform: scale(1.06); }
.launcher svg { width: 28px; height: 28px; }
.launcher:focus-visible, .panel button:focus-visible { outline: 3px solid #93c5fd; outline-offset: 2px; }
.input:focus { outline: none; border-color: var(--accent); box-shadow: 0 0 0 3px rgba(15, 23, 42, .08); }
.panel { position: absolute; right: 0; bottom: 76px; width: 372px; height: min(600px, calc(100vh - 120px));
  display: flex; flex-direction: column; background: #fff; border-radius: 16px; overflow: hidden;
  box-shadow: 0 12px 48px rgba(15, 23, 42, .25), 0 0 0 1px rgba(15, 23, 42, .06); }
.panel[hidden] { display: none; }
.header { display: flex; align-items: center; gap: 12px; padding: 16px 14px 16px 18px;
  background: var(--accent); color: var(--on-accent); }
.avatar { width: 36px; height: 36px; border-radius: 50%; display: grid; place-items: center;
  background: rgba(255, 255, 255, .2); flex: none; }
.avatar svg { width: 20px; height: 20px; }
.heading { flex: 1; min-width: 0; }
.title { margin: 0; font-size: 16px; font-weight: 650; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.subtitle { margin: 0; font-size: 12.5px; opacity: .85; }
.minimise { border: 0; background: transparent; color: inherit; width: 36px; height: 36px;
  border-radius: 8px; display: grid; place-items: center; }
.minimise:hover { background: rgba(255, 255, 255, .18); }
.log { flex: 1; overflow-y: auto; padding: 16px 14px 8px; background: #f6f7f9;
  display: flex; flex-direction: column; gap: 8px; }
.row { display: flex; flex-direction: column; max-width: 82%; }
.row.customer { align-self: flex-end; align-items: flex-end; }
.row.bot, .row.agent { align-self: flex-start; align-items: flex-start; }
.author { font-size: 12px; color: #6b7280; margin: 0 0 2px 4px; }
.bubble { padding: 9px 13px; border-radius: 16px; white-space: pre-wrap; overflow-wrap: anywhere; }
.customer .bubble { background: var(--accent); color: var(--on-accent); border-bottom-right-radius: 5px; }
.bot .bubble, .agent .bubble { background: #fff; border: 1px solid #e5e7eb; border-bottom-left-radius: 5px; }
.agent .bubble { border-color: #d1d5db; }
.pending .bubble { opacity: .6; }
.notice { align-self: center; max-width: 90%; text-align: center; font-size: 12px; color: #4b5563;
  background: #e9ebef; padding: 4px 12px; border-radius: 999px; }
.choices { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
.choice { border: 1.5px solid var(--accent); color: var(--accent-text); background: #fff;
  border-radius: 999px; padding: 6px 12px; font-size: 13.5px; font-weight: 550; }
.choice:hover:not(:disabled) { background: var(--accent); color: var(--on-accent); }
.choice:disabled { border-color: #d1d5db; color: #9ca3af; }
.stars { display: flex; gap: 2px; margin-top: 6px; }
.star { border: 0; background: transparent; font-size: 30px; line-height: 1; padding: 2px 3px;
  color: #f59e0b; }
.star:disabled { color: #d1d5db; }
.stars:hover .star:not(:disabled) { color: #f59e0b; }
.stars .star:hover ~ .star:not(:disabled) { color: #d1d5db; }
.status { padding: 7px 16px; font-size: 12.5px; color: #374151; background: #eef2ff;
  border-top: 1px solid #e0e7ff; }
.status[hidden] { display: none; }
.offline { margin: auto; padding: 24px; text-align: center; color: #4b5563; }
.composer { display: flex; gap: 8px; padding: 10px 12px; border-top: 1px solid #e5e7eb; background: #fff; }
.input { flex: 1; min-width: 0; border: 1px solid #d1d5db; border-radius: 999px; padding: 9px 14px;
  font: inherit; color: inherit; background: #fff; }
.input:disabled { background: #f3f4f6; }
.send { flex: none; width: 40px; height: 40px; border: 0; border-radius: 50%; display: grid;
  place-items: center; background: var(--accent); color: var(--on-accent); }
.send:disabled { opacity: .45; }
.send svg { width: 20px; height: 20px; }
.brand { text-align: center; font-size: 11px; color: #9ca3af; padding: 0 0 8px; background: #fff; }
@media (max-width: 480px) {
  .root { right: 12px; bottom: 12px; }
  .panel { position: fixed; inset: 0; width: auto; height: auto; border-radius: 0; }
}
`;
