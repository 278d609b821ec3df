"""Flowdesk: customer service built around conversation service flows."""
