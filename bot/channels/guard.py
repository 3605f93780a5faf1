"""Safety net of every channel: bounded input, bounded time, never a silent reply.

Every channel (REST `bot.channels.rest`, socket.io `bot.channels.socketio`, and through REST
the API gateway and the mail channel) hands its message to :func:`process`:

- the text is cut to ``MAX_INPUT_CHARS`` *before* the NLU reads it, and the answer starts with a
  French note saying how long it was and what was kept;
- the turn gets ``REPLY_BUDGET`` seconds; after that the user is answered at once (the turn
  goes on in the background, so its tracker and any support request stay consistent);
- a turn that produced no text (an action failed, the action server is down or hung, an
  exception) is answered by :func:`knowledge.degraded.degraded_answer`: the emergency if any,
  the regional line, 15 and 116 117;
- each failure is logged once, in one bounded line, without the message text.

Rasa 3.6 calls the action server with a fixed 300 s timeout (``DEFAULT_REQUEST_TIMEOUT`` of
``rasa.core.actions.action``, not read from endpoints.yml): :func:`install` lowers it to
``ACTION_TIMEOUT`` seconds and counts failed remote actions per turn.
"""
from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Optional

from knowledge import settings
from knowledge.degraded import degraded_answer

logger = logging.getLogger("bot.channels.guard")


def _env_float(name: str, default: float) -> float:
    try:
        return settings.number(name)
    except ValueError:
        return default


MAX_INPUT_CHARS = int(_env_float("AIGUILLAGE_MAX_INPUT_CHARS", 2000))
MAX_INPUT_TOKENS = int(_env_float("AIGUILLAGE_MAX_INPUT_TOKENS", 400))
REPLY_BUDGET = _env_float("AIGUILLAGE_REPLY_BUDGET", 4.0)
ACTION_TIMEOUT = _env_float("AIGUILLAGE_ACTION_TIMEOUT", 2.5)
MAX_BODY_BYTES = 1 << 20  # a REST body above this is refused (413) before JSON decoding

_turn: contextvars.ContextVar[Optional["Turn"]] = contextvars.ContextVar("aiguillage_turn", default=None)
_installed = False


@dataclass
class Turn:
    """What happened during one user message."""

    failed_actions: list[str] = field(default_factory=list)


def install() -> None:
    """Bound Rasa's action-server calls to ACTION_TIMEOUT and record their failures (idempotent)."""
    global _installed
    if _installed:
        return
    import rasa.core.actions.action as rasa_action

    rasa_action.DEFAULT_REQUEST_TIMEOUT = ACTION_TIMEOUT
    original = rasa_action.RemoteAction.run

    async def run(self, *args: Any, **kwargs: Any):
        try:
            return await original(self, *args, **kwargs)
        except Exception:
            turn = _turn.get()
            if turn is not None:
                turn.failed_actions.append(self.name())
            raise

    rasa_action.RemoteAction.run = run
    _installed = True


_TOKEN = re.compile(r"\w+|[^\w\s]")


def bound_text(text: str) -> tuple[str, Optional[str]]:
    """(text kept for the NLU, French note when it was cut).

    Two bounds: characters, and tokens (words or symbols: the NLU's cost grows with them, faster
    than linearly; "((((" or emoji are one token each).
    """
    kept = text
    if len(kept) > MAX_INPUT_CHARS:
        kept = kept[:MAX_INPUT_CHARS]
        cut = kept.rfind(" ", MAX_INPUT_CHARS - 200)
        if cut > 0:
            kept = kept[:cut]
    for i, m in enumerate(_TOKEN.finditer(kept)):
        if i == MAX_INPUT_TOKENS:
            kept = kept[:m.start()].rstrip()
            break
    if kept == text:
        return text, None
    end = " ".join(kept[-40:].split())
    note = (
        f"Votre message était trop long ({_n(len(text))} caractères) : je n'ai lu que les "
        f"{_n(len(kept))} premiers, jusqu'à « …{end} ». Envoyez la suite dans un autre message si besoin."
    )
    return kept, note


def _n(value: int) -> str:
    """12345 → "12 345" (French thousands separator, narrow no-break space)."""
    return f"{value:,}".replace(",", "\u202f")


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc)[:160]}"


async def process(
    run_turn: Callable[[str], Awaitable[Any]],
    text: str,
    *,
    text_count: Callable[[], int],
    say: Callable[[str], Awaitable[None]],
    channel: str,
    budget: float | None = None,
) -> str:
    """Run one turn under the guard; returns "ok", "lent", "indisponible", "vide" or "erreur".

    `run_turn(kept_text)` runs the bot on the bounded text; `text_count()` is the number of texts
    in the answer so far; `say(text)` adds a French message to the answer.
    """
    kept, note = bound_text(text)
    before = text_count()
    if note:
        await say(note)
        before += 1  # the guard's own note is not the bot's answer
    turn = Turn()
    token = _turn.set(turn)
    started = time.monotonic()
    try:
        task = asyncio.ensure_future(run_turn(kept))  # copies the context: the same Turn
    finally:
        _turn.reset(token)
    outcome = "ok"
    try:
        await asyncio.wait_for(asyncio.shield(task), budget if budget is not None else REPLY_BUDGET)
    except asyncio.TimeoutError:
        outcome = "lent"
        task.add_done_callback(_late(channel, started))
    except Exception as exc:  # noqa: BLE001 - answered in French, logged once
        outcome = "erreur"
        logger.error("%s: turn failed after %.1f s: %s", channel, time.monotonic() - started, _short(exc))

    def has_text() -> bool:
        return text_count() > before

    if outcome == "ok" and not has_text():
        outcome = "indisponible" if turn.failed_actions else "vide"
        if turn.failed_actions:
            logger.warning("%s: no answer, failed actions: %s", channel, ", ".join(turn.failed_actions[:5]))
    elif outcome == "lent" and has_text():
        outcome = "ok"  # a partial answer was already said (socket.io emits as it goes)
    if outcome != "ok":
        if outcome == "lent":
            logger.warning("%s: no answer within %.1f s", channel, budget if budget is not None else REPLY_BUDGET)
        await say(degraded_answer(kept, outcome))
    return outcome


def _late(channel: str, started: float) -> Callable[[asyncio.Future], None]:
    def done(task: asyncio.Future) -> None:
        exc = task.exception() if not task.cancelled() else None
        logger.info("%s: late turn ended after %.1f s%s", channel, time.monotonic() - started,
                    f" ({_short(exc)})" if exc else "")

    return done
