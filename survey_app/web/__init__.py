"""Blueprints: thin request handlers that parse, call a service and render."""
