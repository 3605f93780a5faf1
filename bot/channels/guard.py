"""Safety net of every channel: bounded input, bounded time, never a silent reply.

Every channel (REST `bot.channels.rest`, socket.io `bot.channels.socketio`, and through REST
the API gateway and the mail channel) hands its message to :func:`process`:

- the text is cut to ``MAX_INPUT_CHARS`` *before* the NLU reads it, and the answer starts with a
  French note saying how long it was and what was kept;
- the turn gets ``REPLY_BUDGET`` seconds, counted on a loop that the bot's work cannot hold up:
  turns run on one worker thread with its own event loop (:class:`_Worker`), at most
  ``TURN_SLOTS`` at once (the others queue, first come first served), while the server's loop
  only receives messages, keeps the time and answers. When the budget runs out before the
  turn has committed, the turn is *abandoned*: the user gets the French answer at once, the turn
  is cancelled, nothing it says afterwards reaches the user, and its tracker is never saved (the
  conversation stays as it was before the message, which the answer asks to re-send). A turn
  commits when Rasa saves its tracker, or when a streaming channel (socket.io) delivers its first
  line; a committed turn is never abandoned;
- a turn that produced no text (an action failed, the action server is down or hung, an
  exception) or ran out of time is answered by :func:`fallback`: the emergency if the triage
  rules find one within ``FALLBACK_ANALYSIS`` seconds, then
  :func:`knowledge.degraded.degraded_answer`: what happened, the regional line, 15 and 116 117;
- each failure is logged once, in one bounded line, without the message text.

Rasa 3.6 calls the action server with a fixed 300 s timeout (``DEFAULT_REQUEST_TIMEOUT`` of
``rasa.core.actions.action``, not read from endpoints.yml): :func:`install` lowers it to
``ACTION_TIMEOUT`` seconds, counts failed remote actions per turn, and puts the commit gates on
Rasa's tracker save and on socket.io's emits.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Optional

from knowledge import settings
from knowledge.degraded import degraded_answer, emergencies

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
# Turns that run at once on the worker's loop; the others wait their turn, first come first
# served, and one abandoned while waiting costs nothing. Without this bound, 50 turns interleave
# on one loop (processor sharing): when the CPU cannot serve them all within the budget, every
# one of them misses it together and every user gets the fallback, after all the work was done.
TURN_SLOTS = max(1, int(_env_float("AIGUILLAGE_TURN_SLOTS", 4)))
# A turn that got its slot after this share of its budget is not started (it would likely be
# abandoned half done, its CPU lost): the guard answers it at once.
LATE_START = 0.5
COMMIT_GRACE = 0.5  # a turn that committed just as its budget ran out: seconds left to finish saving
# Seconds the fallback may spend looking for an emergency in the message (triage rules: seconds
# for a long or adversarial text on a loaded machine); past that, the generic numbers alone.
FALLBACK_ANALYSIS = _env_float("AIGUILLAGE_FALLBACK_ANALYSIS", 0.5)
FALLBACK_ANALYSIS_CHARS = 500  # and on the message's start only: its cost grows faster than the text

_turn: contextvars.ContextVar[Optional["Turn"]] = contextvars.ContextVar("aiguillage_turn", default=None)
_installed = False


class TurnAbandoned(Exception):
    """Raised in a turn at its commit point when the guard has already answered for it."""


class TurnDropped(Exception):
    """Raised by the worker for a turn that waited too long for a slot: not started, answered now."""


@dataclass(eq=False)
class Turn:
    """What happened during one user message, and whether it may still commit."""

    failed_actions: list[str] = field(default_factory=list)
    home: Optional[asyncio.AbstractEventLoop] = None  # the channel's loop (socket.io emits there)
    state: str = "running"  # running → committed (tracker saved or a line delivered) | abandoned
    started: Optional[float] = None  # time.monotonic() when it left the queue for a slot
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def commit(self) -> bool:
        """The turn's point of no return; False when it was abandoned (it must then stop)."""
        with self._lock:
            if self.state == "abandoned":
                return False
            self.state = "committed"
            return True

    def abandon(self) -> bool:
        """The guard answers for the turn; False when the turn has already committed."""
        with self._lock:
            if self.state == "committed":
                return False
            self.state = "abandoned"
            return True

    def unless_abandoned(self, action: Callable[[], Any]) -> None:
        """Run `action` (collect a line) unless the turn was abandoned, atomically with `abandon`."""
        with self._lock:
            if self.state != "abandoned":
                action()


def commit_point() -> None:
    """The current turn keeps its changes from here on; TurnAbandoned if the guard answered for it."""
    turn = _turn.get()
    if turn is not None and not turn.commit():
        raise TurnAbandoned()


def install() -> None:
    """Bound Rasa's action-server calls to ACTION_TIMEOUT, record their failures, gate the
    turn's commit points (tracker save, collected and emitted lines); idempotent."""
    global _installed
    if _installed:
        return
    import rasa.core.actions.action as rasa_action
    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.channels.socketio import SocketIOOutput
    from rasa.core.processor import MessageProcessor

    rasa_action.DEFAULT_REQUEST_TIMEOUT = ACTION_TIMEOUT
    original_run = rasa_action.RemoteAction.run

    async def run(self, *args: Any, **kwargs: Any):
        try:
            return await original_run(self, *args, **kwargs)
        except Exception:
            turn = _turn.get()
            if turn is not None:
                turn.failed_actions.append(self.name())
            raise

    original_save = MessageProcessor.save_tracker

    async def save_tracker(self, tracker: Any) -> None:
        commit_point()
        await original_save(self, tracker)

    original_persist = CollectingOutputChannel._persist_message

    async def persist(self, message: Any) -> None:
        turn = _turn.get()
        if turn is None:
            await original_persist(self, message)
        else:  # Rasa's own is `self.messages.append(message)`
            turn.unless_abandoned(lambda: self.messages.append(message))

    original_emit = SocketIOOutput._send_message

    async def emit(self, socket_id: str, response: Any) -> None:
        turn = _turn.get()
        if turn is None:
            return await original_emit(self, socket_id, response)
        if not turn.commit():
            return  # abandoned: the user already has the guard's answer
        if turn.home is not None and turn.home is not asyncio.get_running_loop():
            # python-socketio's server lives on the channel's loop, not on the worker's
            await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(original_emit(self, socket_id, response), turn.home))
        else:
            await original_emit(self, socket_id, response)

    rasa_action.RemoteAction.run = run
    MessageProcessor.save_tracker = save_tracker
    CollectingOutputChannel._persist_message = persist
    SocketIOOutput._send_message = emit
    _analysing.acquire()
    _analyser.submit(_analyse, "patient inconscient à Bourges")  # word lists loaded now, in the background
    _installed = True


class _Worker:
    """One thread with its own event loop, where every turn of this process runs.

    The bot's work (NLU, policies, tracker store, action calls' serialisation) is mostly
    synchronous Python: on the channel's loop it held up the very timer meant to bound it, and
    the reception of other messages. Here it holds up only this loop; the GIL still gives the
    channel's thread its turn every few milliseconds (sys.getswitchinterval()).
    """

    def __init__(self, slots: int = TURN_SLOTS) -> None:
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._lock = threading.Lock()
        self.slots = slots
        self._slots: Optional[asyncio.Semaphore] = None  # made on the worker's loop (its first turn)
        self._slots_loop: Optional[asyncio.AbstractEventLoop] = None

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="aiguillage-turns", daemon=True).start()
                self._loop = loop
            return self._loop

    def submit(self, run_turn: Callable[[str], Awaitable[Any]], kept: str, turn: Turn,
               channel: str, budget: float = float("inf")) -> concurrent.futures.Future:
        queued = time.monotonic()

        async def turn_in_worker() -> Any:
            _turn.set(turn)  # this task's own context
            how = "ended"
            try:
                async with self._semaphore():
                    if turn.state == "abandoned":  # answered by the guard while it waited: no work
                        how = "dropped from the queue"
                        return None
                    if time.monotonic() - queued > LATE_START * budget and turn.abandon():
                        how = "dropped from the queue (late)"
                        raise TurnDropped()
                    turn.started = time.monotonic()
                    return await run_turn(kept)
            except asyncio.CancelledError:
                how = "cancelled"
                raise
            except TurnDropped:
                raise
            except TurnAbandoned:  # nobody waits for it any more: ended here, logged below
                how = "stopped before its save"
                return None
            except Exception as exc:
                how = _short(exc)
                if turn.state == "abandoned":
                    return None
                raise
            finally:
                if turn.state == "abandoned":
                    waited = (turn.started or time.monotonic()) - queued
                    logger.info("%s: abandoned turn %s after %.1f s (%.1f s waiting for a slot)",
                                channel, how, time.monotonic() - queued, waited)

        return asyncio.run_coroutine_threadsafe(turn_in_worker(), self.loop())

    def _semaphore(self) -> asyncio.Semaphore:
        """The slots of the current (worker) loop; a new loop gets new slots."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots_loop is not loop:
            self._slots, self._slots_loop = asyncio.Semaphore(self.slots), loop
        return self._slots


_worker = _Worker()
# One emergency analysis at a time, on a thread of its own: a fallback never waits for another's.
_analyser = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="aiguillage-fallback")
_analysing = threading.Semaphore(1)


def _analyse(text: str) -> list[str]:
    try:
        return emergencies(text)
    finally:
        _analysing.release()


def ready(timeout: float) -> bool:
    """True once no emergency check is running (install()'s warm-up included), within `timeout` s."""
    if _analysing.acquire(timeout=timeout):
        _analysing.release()
        return True
    return False


async def fallback(kept: str, reason: str) -> str:
    """The French answer of a turn that could not answer: the emergency of `kept` first if found
    (in its first FALLBACK_ANALYSIS_CHARS characters, within FALLBACK_ANALYSIS seconds: an
    analysis still running goes on in the background, the next fallbacks say the numbers alone
    meanwhile), then what happened, the regional line, 15 and 116 117."""
    lines: list[str] = []
    if kept.strip() and _analysing.acquire(blocking=False):
        try:
            future = _analyser.submit(_analyse, kept[:FALLBACK_ANALYSIS_CHARS])
        except RuntimeError:  # interpreter shutting down
            _analysing.release()
        else:
            try:
                lines = await asyncio.wait_for(asyncio.wrap_future(future), FALLBACK_ANALYSIS)
            except asyncio.TimeoutError:
                logger.info("fallback: emergency check longer than %.1f s, generic numbers only", FALLBACK_ANALYSIS)
    return "\n".join([*lines, degraded_answer("", reason)])


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
    discard: Callable[[], None] | None = None,
) -> str:
    """Run one turn under the guard; returns "ok", "lent", "indisponible", "vide" or "erreur".

    `run_turn(kept_text)` runs the bot on the bounded text (on the worker's loop); `text_count()`
    is the number of texts in the answer so far; `say(text)` adds a French message to the answer
    (on the caller's loop); `discard()` drops what an abandoned turn had collected (REST: lines
    not yet sent; socket.io has nothing to drop, its lines commit the turn).
    """
    budget = REPLY_BUDGET if budget is None else budget
    started = time.monotonic()
    kept, note = bound_text(text)
    before = text_count()
    if note:
        await say(note)
        before += 1  # the guard's own note is not the bot's answer
    turn = Turn(home=asyncio.get_running_loop())
    future = _worker.submit(run_turn, kept, turn, channel, budget)
    waiting = asyncio.wrap_future(future)

    def has_text() -> bool:
        return text_count() > before

    outcome = "ok"
    try:
        await asyncio.wait_for(asyncio.shield(waiting), max(0.0, budget - (time.monotonic() - started)))
    except asyncio.TimeoutError:
        outcome = await _out_of_time(turn, future, waiting, channel, started, budget, has_text)
    except TurnDropped:
        outcome = "lent"
        logger.warning("%s: no slot within %.1f s: turn not started", channel, LATE_START * budget)
    except Exception as exc:  # noqa: BLE001 - answered in French, logged once
        outcome = "erreur"
        logger.error("%s: turn failed after %.1f s: %s", channel, time.monotonic() - started, _short(exc))

    if outcome == "ok" and not has_text():
        outcome = "indisponible" if turn.failed_actions else "vide"
        if turn.failed_actions:
            logger.warning("%s: no answer, failed actions: %s", channel, ", ".join(turn.failed_actions[:5]))
    if outcome == "lent" and discard is not None:
        discard()
    if outcome != "ok":
        await say(await fallback(kept, outcome))
    return outcome


async def _out_of_time(turn: Turn, future: concurrent.futures.Future, waiting: asyncio.Future,
                       channel: str, started: float, budget: float, has_text: Callable[[], bool]) -> str:
    """The budget ran out: abandon the turn, or let a committed one finish; the outcome."""
    if turn.abandon():
        future.cancel()  # dropped if still queued, else cancelled at its next await
        # Whether it ran tells CPU (ran late) from queueing (never got a slot) in the log.
        ran = f"ran {time.monotonic() - turn.started:.1f} s" if turn.started else "still waiting for a slot"
        logger.warning("%s: no answer within %.1f s: turn abandoned (%s)", channel, budget, ran)
        return "lent"
    # Committed: its tracker is being saved (REST), or it has spoken already (socket.io: the rest
    # of its lines follow as they come).
    try:
        await asyncio.wait_for(asyncio.shield(waiting), COMMIT_GRACE)
        return "ok"
    except asyncio.TimeoutError:
        logger.warning("%s: committed turn still running after %.1f s", channel, time.monotonic() - started)
        return "ok" if has_text() else "lent"
    except Exception as exc:  # noqa: BLE001
        logger.error("%s: turn failed after %.1f s: %s", channel, time.monotonic() - started, _short(exc))
        return "erreur"
