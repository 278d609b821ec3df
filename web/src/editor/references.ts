// Config fields that hold the id of another object get a picker showing names (SPEC §3:
// `schedule_id`, `skill_group_id`, `agent_id`, `knowledge_base_id`). Lists are fetched once per editor visit.

import { get } from "../api/client";
import type { KnowledgeBaseList, ScheduleList, SkillGroupList, UserList } from "../api/types";

export interface ReferenceOption {
  id: string;
  label: string;
}

interface ReferenceSource {
  /** What the picker lists, for messages ("No schedules yet"). */
  noun: string;
  load(): Promise<ReferenceOption[]>;
}

export const REFERENCE_FIELDS: Readonly<Record<string, ReferenceSource>> = {
  schedule_id: {
    noun: "schedules",
    load: async () =>
      (await get<ScheduleList>("/schedules")).schedules.map((s) => ({ id: s.id, label: s.name })),
  },
  skill_group_id: {
    noun: "skill groups",
    load: async () =>
      (await get<SkillGroupList>("/skill-groups")).skill_groups.map((g) => ({ id: g.id, label: g.name })),
  },
  knowledge_base_id: {
    noun: "knowledge bases",
    load: async () =>
      (await get<KnowledgeBaseList>("/knowledge-bases")).knowledge_bases.map((b) => ({ id: b.id, label: b.name })),
  },
  agent_id: {
    noun: "agents",
    load: async () =>
      (await get<UserList>("/users")).users.map((u) => ({
        id: u.id,
        label: u.staff_no ? `${u.display_name} (${u.staff_no})` : u.display_name,
      })),
  },
};

const cache = new Map<string, Promise<ReferenceOption[]>>();

/** The options for a reference field; the promise is shared until `forgetReferences`. */
export function loadReferences(field: string): Promise<ReferenceOption[]> {
  const source = REFERENCE_FIELDS[field];
  if (!source) return Promise.resolve([]);
  let pending = cache.get(field);
  if (!pending) {
    pending = source.load().catch((error: unknown) => {
      cache.delete(field);
      throw error;
    });
    cache.set(field, pending);
  }
  return pending;
}

/** Drop cached lists (each visit to the editor sees fresh schedules, groups and agents). */
export function forgetReferences(): void {
  cache.clear();
}
