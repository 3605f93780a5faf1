"""Operator console of the coordination team (web, French). Run: `python -m bot.console`."""
