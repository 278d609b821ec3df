import type { SkillGroupReception, SkillGroupStrategy } from "../../api/types";

export const STRATEGIES: { value: SkillGroupStrategy; label: string; hint: string }[] = [
  { value: "longest_idle", label: "Longest idle", hint: "The agent whose last assignment is oldest." },
  { value: "least_busy", label: "Least busy", hint: "Fewest open conversations, then longest idle." },
  { value: "round_robin", label: "Round robin", hint: "Each agent in turn." },
  { value: "priority", label: "Priority", hint: "Lowest priority number first, then longest idle." },
  {
    value: "webhook",
    label: "Webhook",
    hint: "Your routing URL names the agent (or group); if it fails or is slow (2 s), longest idle.",
  },
];

export const RECEPTIONS: { value: SkillGroupReception; label: string }[] = [
  { value: "auto", label: "Automatic (assigned at once)" },
  { value: "manual", label: "Manual (the agent accepts an offer)" },
];

export function strategyLabel(value: string): string {
  return STRATEGIES.find((strategy) => strategy.value === value)?.label ?? value;
}
