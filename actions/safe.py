"""An exception in an action is answered in French and logged once, never a silent `200 []`."""
from __future__ import annotations

import functools
import inspect
import logging
from typing import Any

from rasa_sdk.events import FollowupAction

from knowledge.degraded import degraded_answer

logger = logging.getLogger("actions.safe")


def _answer_error(self, dispatcher, tracker, exc: Exception) -> list:
    logger.error("action %s failed: %s: %s", self.name(), type(exc).__name__, str(exc)[:200],
                 exc_info=logger.isEnabledFor(logging.DEBUG))
    dispatcher.messages.clear()  # a half-said answer is worse than a clear error
    text = (tracker.latest_message or {}).get("text") or ""
    dispatcher.utter_message(text=degraded_answer(text[:4000], "erreur"))
    if self.name().startswith("validate_"):
        return []  # a form's validation: the form asks its question again
    # The turn ends on the error message: no policy is asked what follows an action that failed
    # (RulePolicy alone would answer the core fallback, "je n'ai pas compris", after it).
    return [FollowupAction("action_listen")]


def _wrap(cls: type) -> None:
    """Same signature and sync-ness as the original `run` (the SDK and the tests call both)."""
    run = cls.run
    if inspect.iscoroutinefunction(run):
        @functools.wraps(run)
        async def safe_run(self, dispatcher, tracker, domain):
            try:
                return await run(self, dispatcher, tracker, domain)
            except Exception as exc:  # noqa: BLE001 - answered, logged once with the action name
                return _answer_error(self, dispatcher, tracker, exc)
    else:
        @functools.wraps(run)
        def safe_run(self, dispatcher, tracker, domain):
            try:
                return run(self, dispatcher, tracker, domain)
            except Exception as exc:  # noqa: BLE001 - answered, logged once with the action name
                return _answer_error(self, dispatcher, tracker, exc)

    cls.run = safe_run
    cls._safe = True


def protect_actions(namespace: dict[str, Any]) -> None:
    """Wrap `run` of every Rasa SDK action class defined or imported in `namespace`."""
    from rasa_sdk import Action

    for obj in list(namespace.values()):
        if inspect.isclass(obj) and issubclass(obj, Action) and obj.__module__.startswith("actions"):
            _wrap_once(obj)
    for cls in namespace.get("ASK_ACTIONS", []):
        _wrap_once(cls)


def _wrap_once(cls: type) -> None:
    if "_safe" not in cls.__dict__:
        _wrap(cls)
