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
  strategy: "longest_idle" | "least_busy" | "round_robin" | "priority" | "webhook";
  reception: "auto" | "manual";
  offer_timeout_seconds: number;
  max_queue: number | null;
  /** Where the `webhook` strategy asks who takes a conversation. */
  routing_url: string | null;
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

// ---------------------------------------------------------------------------------------------
// Admin pages: request bodies, list envelopes and the fields the staff views add (views.py,
// api/*.py). Derived from the types above where possible, so the two cannot drift apart.

/** A failed field of a 422, as `details` lists them. */
export interface FieldProblem {
  loc: (string | number)[];
  message: string;
}

export interface FlowList {
  flows: Flow[];
}

export interface FlowCreate {
  name: string;
  document?: FlowDocument;
}

/** `Channel.settings` as services/channels.py `ChannelSettings` defines it. */
export interface ChannelSettings {
  title: string;
  color: string;
  allowed_origins: string[];
  offline_text: string;
  default_region: string | null;
  bot_idle_seconds: number;
  customer_idle_seconds: number | null;
  customer_reminder_seconds: number | null;
  customer_reminder_text: string;
  customer_timeout_text: string;
  trust_customer_id: boolean;
}

export type ChannelType = Channel["type"];

export interface ChannelList {
  channels: Channel[];
}

export interface ChannelCreate {
  name: string;
  type: ChannelType;
  settings?: Partial<ChannelSettings>;
  enabled?: boolean;
}

export interface ChannelPatch {
  name?: string;
  settings?: Partial<ChannelSettings>;
  enabled?: boolean;
}

export type Role = User["role"];
export type UserStatus = User["status"];

export interface UserList {
  users: User[];
}

export interface UserCreate {
  email: string;
  password: string;
  display_name: string;
  staff_no: string | null;
  role: Role;
  max_concurrent: number;
}

export interface UserPatch {
  display_name?: string;
  staff_no?: string | null;
  role?: Role;
  max_concurrent?: number;
  status?: UserStatus;
  password?: string;
}

export type SkillGroupStrategy = SkillGroup["strategy"];
export type SkillGroupReception = SkillGroup["reception"];
export type SkillGroupMember = SkillGroup["members"][number];

export interface SkillGroupList {
  skill_groups: SkillGroup[];
}

export interface SkillGroupInput {
  name: string;
  strategy: SkillGroupStrategy;
  reception: SkillGroupReception;
  offer_timeout_seconds: number;
  max_queue: number | null;
  routing_url: string | null;
  members: { user_id: string; priority: number }[];
}

export type WeeklyPeriod = Schedule["weekly"][number];
export type ScheduleOverride = Schedule["overrides"][number];
export type Period = Omit<WeeklyPeriod, "day">;

export interface ScheduleList {
  schedules: Schedule[];
}

export type ScheduleInput = Omit<Schedule, "id" | "open_now">;

export type ConversationState = Conversation["state"];

/** What `GET /conversations/{id}` adds for staff (views.py `conversation_view(staff=True)`). */
export interface StaffConversation extends Conversation {
  customer_name: string | null;
  agent_id: string | null;
  skill_group_id: string | null;
  priority: number | null;
  queued_at: string | null;
  offered_to: string | null;
  offer_expires_at: string | null;
  last_agent_id: string | null;
  rating_agent_id: string | null;
  rating_comment: string | null;
  updated_at: string;
  variables: Record<string, unknown>;
  path: string[];
}

export interface ConversationList {
  conversations: StaffConversation[];
}

/** A message as the transcript shows it: what the customer chose or rated rides along. */
export interface TranscriptMessage extends Message {
  choice?: string;
  rating?: number;
  comment?: string | null;
  client_msg_id?: string;
}

export interface MessageList {
  messages: TranscriptMessage[];
}

export interface KnowledgeBase {
  id: string;
  name: string;
  description: string;
  /** Bumped by every change to the base or its entries. */
  revision: number;
  entry_count: number;
  created_at: string;
  updated_at: string;
}

export interface KnowledgeBaseList {
  knowledge_bases: KnowledgeBase[];
}

export interface KnowledgeEntry {
  id: string;
  question: string;
  similar_questions: string[];
  answer: string;
  enabled: boolean;
  position: number;
  created_at: string;
  updated_at: string;
}

export type KnowledgeEntryInput = Pick<KnowledgeEntry, "question" | "similar_questions" | "answer" | "enabled">;

export interface KnowledgeEntryPage {
  entries: KnowledgeEntry[];
  total: number;
  offset: number;
  limit: number;
}

export interface KnowledgeImportResult {
  imported: number;
  mode: "append" | "replace";
  knowledge_base: KnowledgeBase;
}
