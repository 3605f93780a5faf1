"""`python -m bot.actionserver --port 5055`: the Rasa SDK action server, on loopback, for Rasa only.

rasa_sdk 3.6's own command line listens on every interface (``SANIC_HOST`` aside), allows CORS
from anywhere and authenticates nobody. This launcher serves the same endpoints on rasa_sdk's
executor, with the actions built once on one ``Services`` (actions/services.py), and adds: a bind
address (127.0.0.1 by default), no CORS, and ``/webhook`` refused (403) unless the request carries ``X-Aiguillage-Secret`` equal to
``AIGUILLAGE_ACTION_SECRET`` — Rasa sends it from ``action_endpoint.headers`` in
bot/endpoints*.yml. ``/health`` stays open (no data).
"""
from __future__ import annotations

import argparse
import hmac
import json
import logging
import sys
import zlib

from actions.actions import build_actions
from actions.orienting import warm_up
from actions.services import Services
from bot import keys
from knowledge.directory import DirectoryError

OPEN_PATHS = {"/health"}
logger = logging.getLogger("bot.actionserver")


def create_app(secret: str | None = None, services=None):
    """The action server's Sanic app: rasa_sdk's executor and endpoints (``/health``, ``/webhook``,
    ``/actions``, as ``rasa_sdk.endpoint.create_app``), with the actions of ``actions.actions``
    built once on one ``Services`` (rasa_sdk's own app instantiates every action class without
    arguments, so it cannot inject them)."""
    from rasa_sdk import utils
    from rasa_sdk.executor import ActionExecutor
    from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
    from sanic import Sanic, response

    secret = secret or keys.get("AIGUILLAGE_ACTION_SECRET")
    services = services or Services.from_settings()
    _warm_up(services)
    executor = ActionExecutor()
    for action in build_actions(services):
        executor.register_action(action)
    app = Sanic("aiguillage_actions", configure_logging=False)

    @app.on_request
    async def require_secret(request):
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get(keys.ACTION_HEADER) or ""
        if not given or not hmac.compare_digest(given.encode(), secret.encode()):
            return response.json({"error": "Accès refusé : en-tête d'authentification absent ou invalide."}, status=403)
        return None

    @app.get("/health")
    async def health(_):
        return response.json({"status": "ok"}, status=200)

    @app.post("/webhook")
    async def webhook(request):
        if request.headers.get("Content-Encoding") == "deflate":
            action_call = json.loads(zlib.decompress(request.body))
        else:
            action_call = request.json
        if action_call is None:
            return response.json({"error": "Invalid body request"}, status=400)
        utils.check_version_compatibility(action_call.get("version"))
        try:
            result = await executor.run(action_call)
        except ActionExecutionRejection as e:
            logger.debug(e)
            return response.json({"error": e.message, "action_name": e.action_name}, status=400)
        except ActionNotFoundException as e:
            logger.error(e)
            return response.json({"error": e.message, "action_name": e.action_name}, status=404)
        return response.json(result, status=200)

    @app.get("/actions")
    async def list_actions(_):
        return response.json([{"name": k} for k in executor.actions], status=200)

    @app.exception(Exception)
    async def exception_handler(request, exception: Exception):
        logger.error("Exception occurred during execution of request %s", request, exc_info=exception)
        return response.json({"error": str(exception), "request_body": request.json}, status=500)

    return app


def _warm_up(services) -> None:
    """The first user must not pay for loading the models and the directory."""
    try:
        warm_up(services)
    except DirectoryError as exc:   # an empty directory: the actions say so in French per turn
        logger.warning("Préchargement impossible : %s", exc)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bot.actionserver", description="Serveur d'actions d'Aiguillage.")
    p.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (défaut 127.0.0.1)")
    p.add_argument("--port", type=int, default=5055)
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        app = create_app()
    except keys.SecretsError as exc:
        print(f"Configuration invalide : {exc}", file=sys.stderr)
        return 2
    app.run(args.host, args.port, workers=1, motd=False, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
