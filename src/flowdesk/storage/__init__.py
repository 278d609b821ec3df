"""Persistence: the database handle, the tables and the migrations."""
