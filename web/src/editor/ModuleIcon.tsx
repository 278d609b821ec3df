// How each module type looks on the palette, the canvas and the minimap: a colour and an icon.
// Presentation only; a type this table does not know gets a neutral look.

interface Look {
  colour: string;
  /** SVG path data in a 24×24 box, drawn with a stroke. */
  path: string;
}

const LOOKS: Readonly<Record<string, Look>> = {
  start: { colour: "#16a34a", path: "M8 5v14l11-7z" },
  service_time: { colour: "#0891b2", path: "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18zM12 7v5l3 3" },
  message: { colour: "#2563eb", path: "M4 5h16v11H9l-5 4z" },
  menu: { colour: "#7c3aed", path: "M5 6h14M5 12h14M5 18h14" },
  collect: { colour: "#db2777", path: "M4 6h16v12H4zM8 10h8M8 14h5" },
  condition: { colour: "#ea580c", path: "M12 3l9 9l-9 9l-9-9z" },
  set_variable: { colour: "#0d9488", path: "M5 9h14M5 15h14M10 5l-2 14M16 5l-2 14" },
  http_request: { colour: "#4f46e5", path: "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18zM3 12h18M12 3c3 3 3 15 0 18M12 3c-3 3-3 15 0 18" },
  chatbot: { colour: "#9333ea", path: "M6 8h12v10H6zM12 4v4M9 12h.01M15 12h.01M10 15h4" },
  transfer: { colour: "#ca8a04", path: "M12 4a4 4 0 1 0 0 8a4 4 0 1 0 0-8zM5 20c1-4 4-6 7-6s6 2 7 6" },
  survey: { colour: "#e11d48", path: "M12 3l2.6 5.6l6.1.7l-4.5 4.2l1.2 6L12 16.5L6.6 19.5l1.2-6L3.3 9.3l6.1-.7z" },
  end: { colour: "#475569", path: "M6 6h12v12H6z" },
};

const FALLBACK: Look = { colour: "#64748b", path: "M5 5h14v14H5z" };

export function moduleColour(type: string): string {
  return (LOOKS[type] ?? FALLBACK).colour;
}

export function ModuleIcon({ type, size = 18 }: { type: string; size?: number }) {
  const look = LOOKS[type] ?? FALLBACK;
  return (
    <span className="editor-module-icon" style={{ background: look.colour, width: size + 8, height: size + 8 }} aria-hidden="true">
      <svg viewBox="0 0 24 24" width={size} height={size} fill="none" stroke="#fff" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round">
        <path d={look.path} />
      </svg>
    </span>
  );
}
