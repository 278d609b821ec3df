// The module palette: one item per module type (except the start, which every flow already has),
// dragged onto the canvas or clicked to add at the centre of the view.

import type { DragEvent } from "react";
import type { ModuleSpec } from "../api/types";
import { MODULE_DRAG_TYPE } from "./FlowCanvas";
import { ModuleIcon } from "./ModuleIcon";

interface ModulePaletteProps {
  modules: readonly ModuleSpec[];
  onAdd(type: string): void;
}

export function ModulePalette({ modules, onAdd }: ModulePaletteProps) {
  const onDragStart = (event: DragEvent, type: string) => {
    event.dataTransfer.setData(MODULE_DRAG_TYPE, type);
    event.dataTransfer.effectAllowed = "copy";
  };
  return (
    <aside className="editor-palette" aria-label="Modules">
      <h2>Modules</h2>
      <p className="muted editor-hint">Drag onto the canvas, or click to add.</p>
      <ul>
        {modules
          .filter((m) => m.deletable)
          .map((module) => (
            <li key={module.type}>
              <button
                type="button"
                className="editor-palette-item"
                draggable
                onDragStart={(event) => onDragStart(event, module.type)}
                onClick={() => onAdd(module.type)}
                title={module.description}
                aria-label={`Add ${module.title}`}
              >
                <ModuleIcon type={module.type} size={14} />
                <span>{module.title}</span>
              </button>
            </li>
          ))}
      </ul>
    </aside>
  );
}
