"""The one place where Aiguillage changes Rasa's own code, pinned to Rasa 3.6.21.

Rasa 3.6.21 validates every action-server response with `jsonschema.validate(result, schema)`
(`RemoteAction._validate_action_result`). That call re-checks the schema against the JSON-Schema
meta-schema and builds a new validator each time, then tries the 23 branches of the event
`oneOf` for every returned event: about 25 ms per action call on this machine, several calls per
user message (docs/performance.md).

`apply()` replaces that method with `ActionResultValidator.validate`, compiled once with
`fastjsonschema`:
- the response envelope (object; `events` and `responses` arrays of objects) is checked as Rasa
  does;
- each event is checked against its own branch of Rasa's `EVENT_SCHEMA` (the shared properties
  plus the branch whose `event` constant is the event's type). Rasa's branches are told apart by
  a distinct `event` constant, so at most one branch can ever match: "exactly one branch" (oneOf)
  is the same as "the branch of this type". `apply()` checks that property of the schema before
  patching;
- whenever the fast check rejects a response, Rasa's original method runs on it: its verdict and
  its `jsonschema.ValidationError` (with Rasa's message) are exactly those of stock Rasa.

`apply()` also drops spaCy's named-entity recogniser from the loaded language model
(`SpacyNLP.load_model`, which already drops the parser): no component of config.yml reads
`doc.ents` (tokens, lemmas and part-of-speech come from the other pipes), so parses are identical
and each message skips one network (tests/perf/test_rasa_patches.py compares the parses).

`apply()` also gives `Event.resolve_by_type` a table of event classes by type name. Stock Rasa
walks every subclass of `Event` (`all_subclasses`, with an `inspect.isabstract` test per class)
for each event it deserialises: every stored event of a conversation on every retrieve, every
event an action returns; about 4 % of the Rasa CPU per message under load (docs/performance.md).
The table is built from the same walk, first class wins as in Rasa's loop; a name not in it
(a class defined later, "topic", an unknown name) goes to Rasa's own method, so results and errors
are Rasa's (tests/perf/test_rasa_patches.py). `AIGUILLAGE_RASA_EVENT_TABLE=0` leaves this one
stock (scripts/bench_cpu.py measures both in one run).

`apply()` also makes the action calls share one aiohttp `ClientSession` per event loop (keep-alive
connections to the action server) instead of Rasa's new session, TCP connection and connector
per call (`EndpointConfig.request`, about 5 % of the Rasa CPU per message). Only the action
endpoint of `RemoteAction` (custom actions and form validations) is concerned: `RemoteAction`
gets a view of its `EndpointConfig` (same attributes, shared) whose `request` is Rasa's code with
the pooled session. An idle connection is dropped by the client after `ACTION_KEEPALIVE_S`,
shorter than Sanic's default keep-alive (5 s; ours is 60 s), so that the action server does not
close a connection the client is about to reuse (the lost actions of docs/performance.md); if it
still happens (`ServerDisconnectedError` or an OS error on a connection taken from the pool,
before any answer), the call is sent once more on a new connection. A call that failed on a
fresh connection is not repeated, as stock Rasa. `AIGUILLAGE_ACTION_SESSION=0` keeps Rasa's
session per call.

All four are applied when the Rasa server imports our tracker store (`bot/stores.py`, named by
`bot/endpoints*.yml`), before any action runs. It refuses to patch any other Rasa version, and
`AIGUILLAGE_RASA_PATCHES=0` leaves Rasa untouched (used by `make bench-load` to measure stock
behaviour in the same run).
"""
from __future__ import annotations

import asyncio
import functools
import logging
import os
import ssl
import weakref
from typing import Any, Callable

import aiohttp

from knowledge import settings

logger = logging.getLogger(__name__)

PINNED_RASA = "3.6.21"
_original: Callable | None = None
_original_spacy_load: Callable | None = None
_original_resolve_by_type: Callable | None = None
_original_remote_init: Callable | None = None
ACTION_KEEPALIVE_S = 4.0  # below Sanic's default keep-alive (5 s): the client closes idle connections first
UNUSED_SPACY_PIPES = ("ner",)


class PatchRefused(RuntimeError):
    """The installed Rasa is not the version these patches were written and tested for."""


def _branch_types(event_schema: dict) -> list[str]:
    """The `event` constant of each `oneOf` branch; raises if two branches could both match."""
    types = []
    for branch in event_schema["oneOf"]:
        const = branch.get("properties", {}).get("event", {}).get("const")
        if not isinstance(const, str):
            raise PatchRefused("a branch of Rasa's EVENT_SCHEMA has no `event` constant")
        types.append(const)
    if len(set(types)) != len(types):
        raise PatchRefused("two branches of Rasa's EVENT_SCHEMA share an `event` constant")
    return types


class ActionResultValidator:
    """Rasa's action-response schema, compiled once, checked per event type."""

    def __init__(self, response_schema: dict, event_schema: dict) -> None:
        import fastjsonschema

        events = response_schema["properties"]["events"]
        if events.get("items") is not event_schema and events.get("items") != event_schema:
            raise PatchRefused("Rasa's action response schema no longer lists EVENT_SCHEMA items")
        envelope = {
            **response_schema,
            "properties": {**response_schema["properties"], "events": {"type": "array", "items": {"type": "object"}}},
        }
        shared = {k: v for k, v in event_schema.items() if k != "oneOf"}
        self._envelope = fastjsonschema.compile(envelope)
        self._by_type = {
            t: fastjsonschema.compile({"allOf": [shared, branch]})
            for t, branch in zip(_branch_types(event_schema), event_schema["oneOf"])
        }

    def is_valid(self, result: Any) -> bool:
        """True when Rasa's schema accepts `result`; False means "ask jsonschema" (never raises)."""
        from fastjsonschema import JsonSchemaException

        try:
            self._envelope(result)
            for event in result.get("events") or []:
                check = self._by_type.get(event.get("event")) if isinstance(event.get("event"), str) else None
                if check is None:
                    return False
                check(event)
        except (JsonSchemaException, AttributeError, TypeError):
            return False
        return True


def apply(rasa_version: str | None = None) -> bool:
    """Install the compiled validator on `RemoteAction`; True when installed (idempotent).

    Returns False, leaving Rasa untouched, when disabled by `AIGUILLAGE_RASA_PATCHES=0`.
    Raises `PatchRefused` on any Rasa version other than 3.6.21.
    """
    global _original
    if settings.flag("AIGUILLAGE_RASA_PATCHES") is False:
        logger.info("Rasa patches disabled (AIGUILLAGE_RASA_PATCHES=0)")
        return False
    import rasa
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.utils.schemas.events import EVENT_SCHEMA

    version = rasa_version or rasa.__version__
    if version != PINNED_RASA:
        raise PatchRefused(
            f"bot/rasa_patches.py is written for Rasa {PINNED_RASA}, not {version}: "
            "re-read RemoteAction._validate_action_result and update or remove the patch"
        )
    if _original is not None:
        return True
    validator = ActionResultValidator(RemoteAction.action_response_format_spec(), EVENT_SCHEMA)
    original = RemoteAction._validate_action_result

    def _validate_action_result(self: RemoteAction, result: dict) -> bool:
        if validator.is_valid(result):
            return True
        return original(self, result)  # stock verdict and error message

    _validate_action_result.__doc__ = "Compiled once by bot/rasa_patches.py; stock Rasa decides rejections."
    _original = original
    RemoteAction._validate_action_result = _validate_action_result
    _patch_spacy_load()
    if settings.flag("AIGUILLAGE_RASA_EVENT_TABLE") is not False:
        _patch_resolve_by_type()
    if settings.flag("AIGUILLAGE_ACTION_SESSION") is not False:
        _patch_action_session()
    logger.info("Rasa %s: action responses checked by the compiled validator (bot/rasa_patches.py)", version)
    return True


def _patch_spacy_load() -> None:
    global _original_spacy_load
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    original = SpacyNLP.load_model

    def load_model(spacy_model_name: str):
        model = original(spacy_model_name)
        for name in UNUSED_SPACY_PIPES:
            if name in model.model.pipe_names:
                model.model.disable_pipe(name)
        return model

    _original_spacy_load = original
    SpacyNLP.load_model = staticmethod(load_model)


def event_classes_by_type() -> dict:
    """Rasa's `Event` classes by `type_name`, in the order Rasa's `resolve_by_type` tries them."""
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    table: dict = {}
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        table.setdefault(cls.type_name, cls)
    return table


def _patch_resolve_by_type() -> None:
    global _original_resolve_by_type
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    table = event_classes_by_type()

    def resolve_by_type(type_name, default=None):
        cls = table.get(type_name)
        if cls is not None:
            return cls
        return original(type_name, default)  # Rasa's walk, its default and its error

    resolve_by_type.__doc__ = "Table lookup built by bot/rasa_patches.py; misses go to Rasa's method."
    _original_resolve_by_type = original
    Event.resolve_by_type = staticmethod(resolve_by_type)


class _Reused:
    """aiohttp trace hooks: did the attempt `ctx` run on a connection taken from the pool?"""

    def __init__(self) -> None:
        self.reused = False


def _trace_config() -> aiohttp.TraceConfig:
    async def on_reuse(_session: Any, trace_ctx: Any, _params: Any) -> None:
        if isinstance(trace_ctx.trace_request_ctx, _Reused):
            trace_ctx.trace_request_ctx.reused = True

    config = aiohttp.TraceConfig()
    config.on_connection_reuseconn.append(on_reuse)
    return config


_sessions: "weakref.WeakKeyDictionary[Any, dict]" = weakref.WeakKeyDictionary()  # loop -> {key: session}


def action_session(endpoint: Any):
    """The `ClientSession` of this event loop for `endpoint` (headers, basic auth), made once."""
    from rasa.utils import endpoints

    loop = asyncio.get_running_loop()
    by_key = _sessions.setdefault(loop, {})
    key = (tuple(sorted((endpoint.headers or {}).items())), tuple(sorted((endpoint.basic_auth or {}).items())))
    session = by_key.get(key)
    if session is None or session.closed:
        auth = (aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
                if endpoint.basic_auth else None)
        session = aiohttp.ClientSession(
            headers=endpoint.headers, auth=auth,
            timeout=aiohttp.ClientTimeout(total=endpoints.DEFAULT_REQUEST_TIMEOUT),  # as Rasa's
            connector=aiohttp.TCPConnector(keepalive_timeout=ACTION_KEEPALIVE_S),
            trace_configs=[_trace_config()],
        )
        by_key[key] = session
    return session


async def close_action_sessions() -> None:
    """Close the sessions of the running loop (tests, shutdown)."""
    for session in list(_sessions.pop(asyncio.get_running_loop(), {}).values()):
        await session.close()


async def pooled_request(endpoint: Any, method: str = "post", subpath: str | None = None,
                         content_type: str | None = "application/json", compress: bool = False,
                         **kwargs: Any) -> Any:
    """Rasa 3.6.21's `EndpointConfig.request`, on the loop's shared session, one retry on a
    connection from the pool that the server had closed."""
    from rasa.shared.exceptions import FileNotFoundException
    from rasa.utils.endpoints import ClientResponseError, concat_url

    headers = {}
    if content_type:
        headers["Content-Type"] = content_type
    if "headers" in kwargs:
        headers.update(kwargs.pop("headers"))
    if endpoint.headers:
        headers.update(endpoint.headers)
    url = concat_url(endpoint.url, subpath)
    sslcontext = None
    if endpoint.cafile:
        try:
            sslcontext = ssl.create_default_context(cafile=endpoint.cafile)
        except FileNotFoundError as e:
            raise FileNotFoundException(
                f"Failed to find certificate file, '{os.path.abspath(endpoint.cafile)}' does not exist."
            ) from e
    params = endpoint.combine_parameters(kwargs)
    for attempt in (1, 2):
        ctx = _Reused()
        try:
            async with action_session(endpoint).request(
                method, url, headers=headers, params=params, compress=compress, ssl=sslcontext,
                trace_request_ctx=ctx, **kwargs,
            ) as response:
                if response.status >= 400:
                    raise ClientResponseError(response.status, response.reason, await response.content.read())
                try:
                    return await response.json()
                except aiohttp.ContentTypeError:
                    return None
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
            if attempt == 2 or not ctx.reused or isinstance(exc, aiohttp.ClientConnectorError):
                raise
            logger.info("Action server closed a kept-alive connection (%s): call sent again", type(exc).__name__)


@functools.lru_cache(maxsize=1)
def _pooled_class() -> type:
    from rasa.utils.endpoints import EndpointConfig

    class PooledEndpointConfig(EndpointConfig):
        """Rasa's `EndpointConfig` whose `request` runs on the loop's shared session."""

        async def request(self, *args: Any, **kwargs: Any) -> Any:
            return await pooled_request(self, *args, **kwargs)

    return PooledEndpointConfig


def pooled_view(endpoint: Any) -> Any:
    """`endpoint` seen through `PooledEndpointConfig` (its attributes shared, not copied)."""
    from rasa.utils.endpoints import EndpointConfig

    if type(endpoint) is not EndpointConfig:
        return endpoint  # None, already a view, or a subclass we do not know: left as it is
    view = object.__new__(_pooled_class())
    view.__dict__ = endpoint.__dict__
    return view


def _patch_action_session() -> None:
    global _original_remote_init
    from rasa.core.actions.action import RemoteAction

    original = RemoteAction.__init__

    def __init__(self: RemoteAction, name: str, action_endpoint: Any) -> None:
        original(self, name, pooled_view(action_endpoint))

    _original_remote_init = original
    RemoteAction.__init__ = __init__


def revert() -> None:
    """Restore Rasa's methods (tests)."""
    global _original, _original_spacy_load, _original_resolve_by_type, _original_remote_init
    if _original_remote_init is not None:
        from rasa.core.actions.action import RemoteAction

        RemoteAction.__init__ = _original_remote_init
        _original_remote_init = None
    if _original is not None:
        from rasa.core.actions.action import RemoteAction

        RemoteAction._validate_action_result = _original
        _original = None
    if _original_spacy_load is not None:
        from rasa.nlu.utils.spacy_utils import SpacyNLP

        SpacyNLP.load_model = staticmethod(_original_spacy_load)
        _original_spacy_load = None
    if _original_resolve_by_type is not None:
        from rasa.shared.core.events import Event

        Event.resolve_by_type = staticmethod(_original_resolve_by_type)
        _original_resolve_by_type = None
