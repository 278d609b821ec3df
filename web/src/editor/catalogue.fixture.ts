// A snapshot of `GET /api/v1/modules` from the server, for the editor's tests only.
// Regenerate it from a running server when the catalogue changes.

import type { ModuleSpec } from "../api/types";

export const CATALOGUE: ModuleSpec[] = [
  {
    "type": "start",
    "title": "Start",
    "description": "Where every conversation enters the flow.",
    "config_schema": {
      "additionalProperties": false,
      "description": "`start` takes no settings.",
      "properties": {},
      "title": "Start",
      "type": "object"
    },
    "ports": {
      "static": [
        "next"
      ],
      "dynamic": null
    },
    "waits_for_customer": false,
    "deletable": false
  },
  {
    "type": "service_time",
    "title": "Service time",
    "description": "Branches on whether the schedule is open now.",
    "config_schema": {
      "additionalProperties": false,
      "description": "Settings of a `service_time` node.",
      "properties": {
        "schedule_id": {
          "description": "The schedule that says when service is open.",
          "maxLength": 64,
          "minLength": 1,
          "title": "Schedule Id",
          "type": "string"
        }
      },
      "required": [
        "schedule_id"
      ],
      "title": "Service time",
      "type": "object"
    },
    "ports": {
      "static": [
        "open",
        "closed"
      ],
      "dynamic": null
    },
    "waits_for_customer": false,
    "deletable": true
  },
  {
    "type": "message",
    "title": "Message",
    "description": "Sends a text message.",
    "config_schema": {
      "additionalProperties": false,
      "description": "Settings of a `message` node.",
      "properties": {
        "text": {
          "description": "The message to send; may contain ${Variable}.",
          "maxLength": 4000,
          "minLength": 1,
          "title": "Text",
          "type": "string"
        }
      },
      "required": [
        "text"
      ],
      "title": "Message",
      "type": "object"
    },
    "ports": {
      "static": [
        "next"
      ],
      "dynamic": null
    },
    "waits_for_customer": false,
    "deletable": true
  },
  {
    "type": "menu",
    "title": "Menu",
    "description": "Sends a navigation menu and waits for the customer's choice.",
    "config_schema": {
      "$defs": {
        "MenuOption": {
          "additionalProperties": false,
          "description": "One choice of a menu; its `id` is also the output port it leaves by.",
          "properties": {
            "id": {
              "description": "Option id and output port name; unique in the menu.",
              "pattern": "^[A-Za-z0-9_-]{1,64}$",
              "title": "Id",
              "type": "string"
            },
            "label": {
              "default": "",
              "description": "What the customer sees.",
              "maxLength": 200,
              "title": "Label",
              "type": "string"
            },
            "description": {
              "anyOf": [
                {
                  "maxLength": 500,
                  "type": "string"
                },
                {
                  "type": "null"
                }
              ],
              "default": null,
              "description": "A second line under the label (optional).",
              "title": "Description"
            },
            "keywords": {
              "description": "Words that pick this option when the customer types them.",
              "items": {
                "type": "string"
              },
              "maxItems": 50,
              "title": "Keywords",
              "type": "array"
            }
          },
          "required": [
            "id"
          ],
          "title": "MenuOption",
          "type": "object"
        }
      },
      "additionalProperties": false,
      "description": "Settings of a `menu` node.",
      "properties": {
        "text": {
          "description": "The menu's question; may contain ${Variable}.",
          "maxLength": 4000,
          "minLength": 1,
          "title": "Text",
          "type": "string"
        },
        "options": {
          "description": "The choices, in display order (1-20).",
          "items": {
            "$ref": "#/$defs/MenuOption"
          },
          "maxItems": 20,
          "minItems": 1,
          "title": "Options",
          "type": "array"
        },
        "tail": {
          "anyOf": [
            {
              "maxLength": 4000,
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Text shown after the options, e.g. a hint (optional).",
          "title": "Tail"
        },
        "retry_text": {
          "anyOf": [
            {
              "maxLength": 4000,
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Sent when a reply matches no option (default: the menu again).",
          "title": "Retry Text"
        },
        "max_retries": {
          "default": 2,
          "description": "Unmatched replies tolerated before leaving by `invalid`.",
          "maximum": 10,
          "minimum": 0,
          "title": "Max Retries",
          "type": "integer"
        },
        "timeout_seconds": {
          "anyOf": [
            {
              "maximum": 604800,
              "minimum": 1,
              "type": "integer"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Leave by `timeout` when no reply comes in this time (optional).",
          "title": "Timeout Seconds"
        }
      },
      "required": [
        "text",
        "options"
      ],
      "title": "Menu",
      "type": "object"
    },
    "ports": {
      "static": [
        "invalid",
        "timeout"
      ],
      "dynamic": {
        "field": "options",
        "key": "id"
      }
    },
    "waits_for_customer": true,
    "deletable": true
  },
  {
    "type": "collect",
    "title": "Collect",
    "description": "Asks a question, validates the reply and stores it in a variable.",
    "config_schema": {
      "additionalProperties": false,
      "description": "Settings of a `collect` node.",
      "properties": {
        "text": {
          "description": "The question to ask; may contain ${Variable}.",
          "maxLength": 4000,
          "minLength": 1,
          "title": "Text",
          "type": "string"
        },
        "variable": {
          "description": "The variable the valid answer is stored in.",
          "pattern": "^[A-Za-z_][A-Za-z0-9_.]{0,63}$",
          "title": "Variable",
          "type": "string"
        },
        "input_type": {
          "default": "text",
          "description": "What counts as a valid answer: any text, a number, an email address, a phone number (stored in E.164) or text fully matching `pattern`.",
          "enum": [
            "text",
            "number",
            "email",
            "phone",
            "regex"
          ],
          "title": "Input Type",
          "type": "string"
        },
        "pattern": {
          "anyOf": [
            {
              "maxLength": 1000,
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Regular expression the whole answer must match (for `regex`).",
          "title": "Pattern"
        },
        "retry_text": {
          "anyOf": [
            {
              "maxLength": 4000,
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Sent after an invalid answer (default: the question again).",
          "title": "Retry Text"
        },
        "max_retries": {
          "default": 2,
          "description": "Invalid answers tolerated before leaving by `invalid`.",
          "maximum": 10,
          "minimum": 0,
          "title": "Max Retries",
          "type": "integer"
        },
        "timeout_seconds": {
          "anyOf": [
            {
              "maximum": 604800,
              "minimum": 1,
              "type": "integer"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Leave by `timeout` when no answer comes in this time (optional).",
          "title": "Timeout Seconds"
        }
      },
      "required": [
        "text",
        "variable"
      ],
      "title": "Collect",
      "type": "object"
    },
    "ports": {
      "static": [
        "next",
        "invalid",
        "timeout"
      ],
      "dynamic": null
    },
    "waits_for_customer": true,
    "deletable": true
  },
  {
    "type": "condition",
    "title": "Condition",
    "description": "Ordered cases over variables; the first that matches wins.",
    "config_schema": {
      "$defs": {
        "Case": {
          "additionalProperties": false,
          "description": "A branch taken when its rules match (`all` of them, or `any`).",
          "properties": {
            "id": {
              "description": "Case id and output port name; unique in the node.",
              "pattern": "^[A-Za-z0-9_-]{1,64}$",
              "title": "Id",
              "type": "string"
            },
            "match": {
              "default": "all",
              "description": "Whether all rules or any rule must hold.",
              "enum": [
                "all",
                "any"
              ],
              "title": "Match",
              "type": "string"
            },
            "rules": {
              "description": "The tests (1-20).",
              "items": {
                "$ref": "#/$defs/Rule"
              },
              "maxItems": 20,
              "minItems": 1,
              "title": "Rules",
              "type": "array"
            }
          },
          "required": [
            "id",
            "rules"
          ],
          "title": "Case",
          "type": "object"
        },
        "Rule": {
          "additionalProperties": false,
          "description": "`variable operator value`, e.g. `OrderStatus equals shipped`.",
          "properties": {
            "variable": {
              "description": "The variable to test (a missing one is empty).",
              "pattern": "^[A-Za-z_][A-Za-z0-9_.]{0,63}$",
              "title": "Variable",
              "type": "string"
            },
            "operator": {
              "description": "How to compare; text comparisons ignore case.",
              "enum": [
                "equals",
                "not_equals",
                "contains",
                "not_contains",
                "starts_with",
                "ends_with",
                "matches",
                "gt",
                "gte",
                "lt",
                "lte",
                "in",
                "is_empty",
                "is_not_empty"
              ],
              "title": "Operator",
              "type": "string"
            },
            "value": {
              "anyOf": [
                {
                  "type": "string"
                },
                {
                  "type": "integer"
                },
                {
                  "type": "number"
                },
                {
                  "type": "boolean"
                },
                {
                  "items": {
                    "anyOf": [
                      {
                        "type": "string"
                      },
                      {
                        "type": "integer"
                      },
                      {
                        "type": "number"
                      },
                      {
                        "type": "boolean"
                      }
                    ]
                  },
                  "type": "array"
                },
                {
                  "type": "null"
                }
              ],
              "default": null,
              "description": "What to compare with; text may contain ${Variable}. A list for `in`; not used by `is_empty` / `is_not_empty`.",
              "title": "Value"
            }
          },
          "required": [
            "variable",
            "operator"
          ],
          "title": "Rule",
          "type": "object"
        }
      },
      "additionalProperties": false,
      "description": "Settings of a `condition` node.",
      "properties": {
        "cases": {
          "description": "Cases tried in order; the first that matches is taken, else `else`.",
          "items": {
            "$ref": "#/$defs/Case"
          },
          "maxItems": 50,
          "title": "Cases",
          "type": "array"
        }
      },
      "title": "Condition",
      "type": "object"
    },
    "ports": {
      "static": [
        "else"
      ],
      "dynamic": {
        "field": "cases",
        "key": "id"
      }
    },
    "waits_for_customer": false,
    "deletable": true
  },
  {
    "type": "set_variable",
    "title": "Set variable",
    "description": "Assigns variables.",
    "config_schema": {
      "$defs": {
        "Assignment": {
          "additionalProperties": false,
          "description": "`variable = value`; a value that is exactly one `${X}` copies X with its type.",
          "properties": {
            "variable": {
              "description": "The variable to set.",
              "pattern": "^[A-Za-z_][A-Za-z0-9_.]{0,63}$",
              "title": "Variable",
              "type": "string"
            },
            "value": {
              "description": "The value, a template such as ${OrderId} or text.",
              "maxLength": 4000,
              "title": "Value",
              "type": "string"
            }
          },
          "required": [
            "variable",
            "value"
          ],
          "title": "Assignment",
          "type": "object"
        }
      },
      "additionalProperties": false,
      "description": "Settings of a `set_variable` node.",
      "properties": {
        "assignments": {
          "description": "Applied in order; later values can read variables set by earlier ones.",
          "items": {
            "$ref": "#/$defs/Assignment"
          },
          "maxItems": 50,
          "minItems": 1,
          "title": "Assignments",
          "type": "array"
        }
      },
      "required": [
        "assignments"
      ],
      "title": "Set variable",
      "type": "object"
    },
    "ports": {
      "static": [
        "next"
      ],
      "dynamic": null
    },
    "waits_for_customer": false,
    "deletable": true
  },
  {
    "type": "http_request",
    "title": "HTTP request",
    "description": "Calls an external HTTP API and maps the JSON reply into variables.",
    "config_schema": {
      "$defs": {
        "ResponseMapping": {
          "additionalProperties": false,
          "description": "Store the value at `path` of the JSON reply in `variable` (`default` when absent).",
          "properties": {
            "variable": {
              "description": "The variable that receives the value.",
              "pattern": "^[A-Za-z_][A-Za-z0-9_.]{0,63}$",
              "title": "Variable",
              "type": "string"
            },
            "path": {
              "description": "Where the value is, e.g. data.items[0].status.",
              "maxLength": 500,
              "minLength": 1,
              "title": "Path",
              "type": "string"
            },
            "default": {
              "default": null,
              "description": "Used when the path is absent or the call fails (optional).",
              "title": "Default"
            }
          },
          "required": [
            "variable",
            "path"
          ],
          "title": "ResponseMapping",
          "type": "object"
        }
      },
      "additionalProperties": false,
      "description": "Settings of an `http_request` node.",
      "properties": {
        "method": {
          "default": "GET",
          "description": "HTTP method.",
          "enum": [
            "GET",
            "POST",
            "PUT",
            "PATCH",
            "DELETE"
          ],
          "title": "Method",
          "type": "string"
        },
        "url": {
          "description": "http(s) URL; may contain ${Variable} (the scheme must be written out).",
          "maxLength": 2000,
          "minLength": 1,
          "title": "Url",
          "type": "string"
        },
        "headers": {
          "additionalProperties": {
            "type": "string"
          },
          "default": {},
          "description": "Request headers; values may contain ${Variable}. Never logged.",
          "maxProperties": 30,
          "title": "Headers",
          "type": "object"
        },
        "body": {
          "anyOf": [
            {
              "type": "string"
            },
            {
              "additionalProperties": true,
              "type": "object"
            },
            {
              "items": {},
              "type": "array"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "A text template, or JSON whose strings may contain ${Variable} (optional).",
          "title": "Body"
        },
        "timeout_ms": {
          "default": 5000,
          "description": "Time allowed for each attempt (ms).",
          "maximum": 30000,
          "minimum": 100,
          "title": "Timeout Ms",
          "type": "integer"
        },
        "max_attempts": {
          "default": 1,
          "description": "Tries in all; retried only on timeouts, connection errors and 5xx.",
          "maximum": 5,
          "minimum": 1,
          "title": "Max Attempts",
          "type": "integer"
        },
        "response_mapping": {
          "default": [],
          "description": "Values to copy from the JSON reply.",
          "items": {
            "$ref": "#/$defs/ResponseMapping"
          },
          "maxItems": 50,
          "title": "Response Mapping",
          "type": "array"
        },
        "status_variable": {
          "anyOf": [
            {
              "pattern": "^[A-Za-z_][A-Za-z0-9_.]{0,63}$",
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Receives the HTTP status code (0 when no response came) (optional).",
          "title": "Status Variable"
        }
      },
      "required": [
        "url"
      ],
      "title": "HTTP request",
      "type": "object"
    },
    "ports": {
      "static": [
        "success",
        "failure"
      ],
      "dynamic": null
    },
    "waits_for_customer": false,
    "deletable": true
  },
  {
    "type": "chatbot",
    "title": "Chatbot",
    "description": "Answers questions from a knowledge base (FAQ or AI) until the customer leaves.",
    "config_schema": {
      "additionalProperties": false,
      "description": "Settings of a `chatbot` node.",
      "properties": {
        "knowledge_base_id": {
          "description": "The knowledge base the bot answers from.",
          "maxLength": 64,
          "minLength": 1,
          "title": "Knowledge Base Id",
          "type": "string"
        },
        "mode": {
          "default": "faq",
          "description": "`faq`: the best entry's answer; `llm`: an AI reply grounded in the entries.",
          "enum": [
            "faq",
            "llm"
          ],
          "title": "Mode",
          "type": "string"
        },
        "welcome_text": {
          "anyOf": [
            {
              "maxLength": 4000,
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Sent when the bot starts (optional).",
          "title": "Welcome Text"
        },
        "suggestions": {
          "default": [],
          "description": "Questions offered as buttons when the bot starts (up to 20).",
          "items": {
            "type": "string"
          },
          "maxItems": 20,
          "title": "Suggestions",
          "type": "array"
        },
        "no_answer_text": {
          "default": "Sorry, I could not find an answer to that. Could you rephrase it?",
          "description": "Sent for a question the bot cannot answer.",
          "maxLength": 4000,
          "minLength": 1,
          "title": "No Answer Text",
          "type": "string"
        },
        "max_misses": {
          "default": 2,
          "description": "Unanswered questions in a row before `no_answer`.",
          "maximum": 20,
          "minimum": 1,
          "title": "Max Misses",
          "type": "integer"
        },
        "handoff_keywords": {
          "default": [
            "human",
            "agent",
            "人工"
          ],
          "description": "Words that ask for a person: leave by `handoff`.",
          "items": {
            "type": "string"
          },
          "maxItems": 50,
          "title": "Handoff Keywords",
          "type": "array"
        },
        "exit_keywords": {
          "default": [],
          "description": "Words that leave by `exit`.",
          "items": {
            "type": "string"
          },
          "maxItems": 50,
          "title": "Exit Keywords",
          "type": "array"
        },
        "timeout_seconds": {
          "anyOf": [
            {
              "maximum": 604800,
              "minimum": 1,
              "type": "integer"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Leave by `timeout` when the customer is silent this long (optional).",
          "title": "Timeout Seconds"
        }
      },
      "required": [
        "knowledge_base_id"
      ],
      "title": "Chatbot",
      "type": "object"
    },
    "ports": {
      "static": [
        "handoff",
        "no_answer",
        "exit",
        "timeout"
      ],
      "dynamic": null
    },
    "waits_for_customer": true,
    "deletable": true
  },
  {
    "type": "transfer",
    "title": "Transfer",
    "description": "Transfers the conversation to a human agent through a skill group.",
    "config_schema": {
      "additionalProperties": false,
      "description": "Settings of a `transfer` node.",
      "properties": {
        "skill_group_id": {
          "description": "The skill group whose agents serve the customer.",
          "maxLength": 64,
          "minLength": 1,
          "title": "Skill Group Id",
          "type": "string"
        },
        "agent_id": {
          "anyOf": [
            {
              "maxLength": 64,
              "minLength": 1,
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "An agent tried first when free (optional).",
          "title": "Agent Id"
        },
        "priority": {
          "anyOf": [
            {
              "maximum": 5,
              "minimum": 1,
              "type": "integer"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Queue priority, 1 (served first) to 5 (optional).",
          "title": "Priority"
        },
        "connecting_text": {
          "anyOf": [
            {
              "maxLength": 4000,
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Sent when the transfer starts (optional).",
          "title": "Connecting Text"
        },
        "queue_text": {
          "anyOf": [
            {
              "maxLength": 4000,
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Sent while queued; ${WaitNo} is the number of customers ahead (optional).",
          "title": "Queue Text"
        },
        "success_text": {
          "anyOf": [
            {
              "maxLength": 4000,
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Sent when an agent takes over; ${StaffNickName} and ${StaffNo} name them (optional).",
          "title": "Success Text"
        },
        "failure_text": {
          "anyOf": [
            {
              "maxLength": 4000,
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Sent before leaving by `no_agent` (optional).",
          "title": "Failure Text"
        },
        "max_wait_seconds": {
          "anyOf": [
            {
              "maximum": 86400,
              "minimum": 1,
              "type": "integer"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Leave by `timeout` after waiting this long in the queue (optional).",
          "title": "Max Wait Seconds"
        }
      },
      "required": [
        "skill_group_id"
      ],
      "title": "Transfer",
      "type": "object"
    },
    "ports": {
      "static": [
        "done",
        "no_agent",
        "timeout"
      ],
      "dynamic": null
    },
    "waits_for_customer": true,
    "deletable": true
  },
  {
    "type": "survey",
    "title": "Survey",
    "description": "Asks for a satisfaction rating.",
    "config_schema": {
      "additionalProperties": false,
      "description": "Settings of a `survey` node.",
      "properties": {
        "text": {
          "description": "The question shown above the rating; may contain ${Variable}.",
          "maxLength": 4000,
          "minLength": 1,
          "title": "Text",
          "type": "string"
        },
        "scale": {
          "default": "stars5",
          "description": "`stars5`: 1 to 5 stars; `levels3`: 1 dissatisfied, 2 neutral, 3 satisfied.",
          "enum": [
            "stars5",
            "levels3"
          ],
          "title": "Scale",
          "type": "string"
        },
        "ask_comment": {
          "default": false,
          "description": "After a rating without a comment, ask for one.",
          "title": "Ask Comment",
          "type": "boolean"
        },
        "thanks_text": {
          "anyOf": [
            {
              "maxLength": 4000,
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Sent after the rating is recorded (optional).",
          "title": "Thanks Text"
        },
        "expire_seconds": {
          "anyOf": [
            {
              "maximum": 604800,
              "minimum": 1,
              "type": "integer"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Leave by `skipped` when no rating comes in this time (optional).",
          "title": "Expire Seconds"
        }
      },
      "required": [
        "text"
      ],
      "title": "Survey",
      "type": "object"
    },
    "ports": {
      "static": [
        "rated",
        "skipped"
      ],
      "dynamic": null
    },
    "waits_for_customer": true,
    "deletable": true
  },
  {
    "type": "end",
    "title": "End",
    "description": "Ends the conversation, optionally with a closing text.",
    "config_schema": {
      "additionalProperties": false,
      "description": "Settings of an `end` node.",
      "properties": {
        "text": {
          "anyOf": [
            {
              "maxLength": 4000,
              "type": "string"
            },
            {
              "type": "null"
            }
          ],
          "default": null,
          "description": "Closing text sent before the conversation ends (optional).",
          "title": "Text"
        }
      },
      "title": "End",
      "type": "object"
    },
    "ports": {
      "static": [],
      "dynamic": null
    },
    "waits_for_customer": false,
    "deletable": true
  }
];
