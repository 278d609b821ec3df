"""The HTTP and WebSocket API (SPEC §7): handlers parse, authorise and call services."""
