"""Aiguillage's processes (Rasa store, channels, API, console, web chat).

Importing the package masks every log record of the process (knowledge.privacy): each
`python -m bot.…` process is covered before it configures its own logging.
"""
from knowledge.privacy import install_logging_filter as _install_logging_filter  # noqa: E402

_install_logging_filter("rasa", "sanic", "bot", "aiguillage", "knowledge")
