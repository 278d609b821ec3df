// Shapes of the API's JSON (SPEC §7), as the server's views.py writes them.

export interface User {
  id: string;
  email: string;
  display_name: string;
  staff_no: string | null;
  role: "admin" | "agent";
  max_concurrent: number;
  status: "online" | "away" | "offline";
  created_at: string;
}

export interface Position {
  x: number;
  y: number;
}

export interface FlowNode {
  id: string;
  type: string;
  name: string;
  config: Record<string, unknown>;
  position: Position;
}

export interface FlowEdge {
  source: string;
  port: string;
  target: string;
}

export interface FlowDocument {
  schema_version: 1;
  name?: string;
  nodes: FlowNode[];
  edges: FlowEdge[];
}

export interface ChannelRef {
  id: string;
  name: string;
}

export interface Flow {
  id: string;
  name: string;
  revision: number;
  latest_version: number | null;
  channels: ChannelRef[];
  created_at: string;
  updated_at: string;
  updated_by: string | null;
  document?: FlowDocument;
}

export interface FlowVersion {
  flow_id: string;
  version: number;
  published_at: string;
  published_by: string | null;
  note: string;
  document?: FlowDocument;
}

export interface Problem {
  code: string;
  message: string;
  severity: "error" | "warning";
  node_id: string | null;
  port: string | null;
  details: unknown;
}

export interface ModuleSpec {
  type: string;
  title: string;
  description: string;
  config_schema: Record<string, unknown>;
  ports: { static: string[]; dynamic: { field: string; key: string } | null };
  waits_for_customer: boolean;
  deletable: boolean;
}

export interface Channel {
  id: string;
  name: string;
  type: "web" | "api";
  key: string;
  flow_id: string | null;
  settings: Record<string, unknown>;
  enabled: boolean;
  snippet?: string;
  created_at: string;
  updated_at: string;
}

export interface Message {
  id: string;
  seq: number;
  sender: "customer" | "bot" | "agent" | "system";
  type: "text" | "menu" | "survey" | "notice";
  text: string;
  options?: { id: string; label: string; description: string }[];
  scale?: "stars5" | "levels3";
  created_at: string;
}

export interface Conversation {
  id: string;
  channel_id: string;
  customer_id: string;
  state: "bot" | "queued" | "offered" | "agent" | "ended";
  flow_id: string;
  flow_version: number;
  node_id: string | null;
  started_at: string;
  ended_at: string | null;
  end_reason: string | null;
  rating: number | null;
  queue_position: number | null;
  agent: { display_name: string; staff_no: string | null } | null;
  last_seq: number;
  variables?: Record<string, unknown>;
  path?: string[];
  agent_id?: string | null;
  skill_group_id?: string | null;
}

export interface SkillGroup {
  id: string;
  name: string;
  strategy: "longest_idle" | "least_busy" | "round_robin" | "priority";
  reception: "auto" | "manual";
  offer_timeout_seconds: number;
  max_queue: number | null;
  members: { user_id: string; priority: number; display_name: string; status: string }[];
}

export interface Schedule {
  id: string;
  name: string;
  timezone: string;
  weekly: { day: string; start: string; end: string }[];
  overrides: { date: string; closed?: boolean; periods?: { start: string; end: string }[] }[];
  force_closed: boolean;
  open_now: boolean;
}
