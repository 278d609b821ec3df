"""Actions that change state (`do_*`-style): load, run the engine, persist in one transaction,
then publish events. API handlers parse and authorise, then call these; nothing else writes."""
