"""bot/rasa_patches.py: action calls on one kept-alive session per loop, Rasa's answers unchanged.

A small HTTP server (asyncio streams) counts connections and requests and can close a kept-alive
connection instead of answering, as Sanic does when its keep-alive timeout ends just as the next
request is sent.
"""
from __future__ import annotations

import asyncio
import json

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot import rasa_patches


class Server:
    """HTTP/1.1 with keep-alive; `drop(conn, req)` True: close connection `conn` at its request `req`."""

    def __init__(self, drop=lambda conn, req: False, status: int = 200) -> None:
        self.drop, self.status = drop, status
        self.connections = 0
        self.requests: list[tuple[int, dict, dict]] = []  # (connection, headers, body)

    async def __aenter__(self) -> "Server":
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/webhook"
        return self

    async def __aexit__(self, *exc) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn, n = self.connections, 0
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode().split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:] if l)}
                body = json.loads(await reader.readexactly(int(headers.get("content-length", 0))) or b"{}")
                if self.drop(conn, n):
                    writer.close()
                    return
                self.requests.append((conn, headers, body))
                if self.status == 200:
                    out = json.dumps({"events": [{"event": "slot", "name": "commune", "value": body.get("n")}],
                                      "responses": []}).encode()
                else:
                    out = json.dumps({"action_name": "action_x", "error": "refus"}).encode()
                writer.write(b"HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                             % (self.status, len(out)) + out)
                await writer.drain()
                n += 1
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


@pytest.fixture
def patched():
    rasa_patches.revert()
    assert rasa_patches.apply() is True
    yield
    rasa_patches.revert()


def _endpoint(url: str) -> EndpointConfig:
    return EndpointConfig(url, headers={"X-Aiguillage-Secret": "s3cret"}, enable_selective_domain=True)


def run(coro_fn):
    async def main():
        try:
            return await coro_fn()
        finally:
            await rasa_patches.close_action_sessions()
    return asyncio.run(main())


def test_remote_actions_share_one_connection_per_loop(patched):
    async def scenario():
        async with Server() as srv:
            endpoint = _endpoint(srv.url)
            answers = [await RemoteAction("action_orienter", endpoint).action_endpoint.request(json={"n": i})
                       for i in range(5)]
            return srv, answers, endpoint

    srv, answers, endpoint = run(scenario)
    assert srv.connections == 1 and len(srv.requests) == 5
    assert [a["events"][0]["value"] for a in answers] == [0, 1, 2, 3, 4]
    assert all(h["x-aiguillage-secret"] == "s3cret" for _, h, _ in srv.requests)
    assert type(endpoint) is EndpointConfig  # the agent's endpoint itself is untouched


def test_the_view_shares_the_endpoints_attributes(patched):
    endpoint = _endpoint("http://127.0.0.1:1/webhook")
    action = RemoteAction("action_orienter", endpoint)
    assert isinstance(action.action_endpoint, EndpointConfig) and action.action_endpoint == endpoint
    assert action.action_endpoint.kwargs.get("enable_selective_domain") is True
    endpoint.url = "http://127.0.0.1:2/webhook"
    assert action.action_endpoint.url == endpoint.url
    assert RemoteAction("x", action.action_endpoint).action_endpoint is action.action_endpoint
    assert RemoteAction("x", None).action_endpoint is None


def test_answers_and_errors_are_rasas(patched):
    async def scenario(pooled: bool):
        async with Server(status=400) as srv:
            endpoint = _endpoint(srv.url)
            target = rasa_patches.pooled_view(endpoint) if pooled else endpoint
            with pytest.raises(ClientResponseError) as err:
                await target.request(json={"n": 1}, method="post", timeout=5)
            return err.value.status, json.loads(err.value.text)

    assert run(lambda: scenario(True)) == run(lambda: scenario(False)) == (400, {"action_name": "action_x", "error": "refus"})


def test_a_kept_alive_connection_closed_by_the_server_is_retried_once_on_a_new_one(patched):
    async def scenario():
        async with Server(drop=lambda conn, req: conn == 0 and req == 1) as srv:
            endpoint = rasa_patches.pooled_view(_endpoint(srv.url))
            first = await endpoint.request(json={"n": 1})
            second = await endpoint.request(json={"n": 2})  # conn 0 closes: sent again on conn 1
            return srv, first, second

    srv, first, second = run(scenario)
    assert first["events"][0]["value"] == 1 and second["events"][0]["value"] == 2
    assert srv.connections == 2 and [(c, b["n"]) for c, _, b in srv.requests] == [(0, 1), (1, 2)]


def test_a_call_that_fails_on_a_new_connection_is_not_repeated(patched):
    import aiohttp

    async def scenario():
        async with Server(drop=lambda conn, req: True) as srv:
            endpoint = rasa_patches.pooled_view(_endpoint(srv.url))
            with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
                await endpoint.request(json={"n": 1})
            return srv

    assert run(scenario).connections == 1


def test_each_loop_has_its_own_session(patched):
    async def session_of_this_loop():
        return rasa_patches.action_session(_endpoint("http://127.0.0.1:1/webhook"))

    async def twice():
        return await session_of_this_loop(), await session_of_this_loop()

    a, b = run(twice)
    c = run(session_of_this_loop)
    assert a is b and a is not c


def test_can_be_left_out_for_measurements(monkeypatch):
    rasa_patches.revert()
    stock = RemoteAction.__init__
    monkeypatch.setenv("AIGUILLAGE_ACTION_SESSION", "0")
    try:
        assert rasa_patches.apply() is True
        assert RemoteAction.__init__ is stock
        endpoint = _endpoint("http://127.0.0.1:1/webhook")
        assert RemoteAction("x", endpoint).action_endpoint is endpoint
    finally:
        rasa_patches.revert()
    assert RemoteAction.__init__ is stock
