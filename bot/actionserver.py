"""`python -m bot.actionserver --port 5055`: the Rasa SDK action server, on loopback, for Rasa only.

rasa_sdk 3.6's own command line listens on every interface (``SANIC_HOST`` aside), allows CORS
from anywhere and authenticates nobody. This launcher builds the same app with
``rasa_sdk.endpoint.create_app`` and adds: a bind address (127.0.0.1 by default), no CORS, and
``/webhook`` refused (403) unless the request carries ``X-Aiguillage-Secret`` equal to
``AIGUILLAGE_ACTION_SECRET`` — Rasa sends it from ``action_endpoint.headers`` in
bot/endpoints*.yml. ``/health`` stays open (no data).
"""
from __future__ import annotations

import argparse
import logging
import sys

from actions.dialogue import warm_up
from bot import keys
from knowledge.directory import DirectoryError

OPEN_PATHS = {"/health"}


def create_app(actions: str = "actions.actions", secret: str | None = None):
    from rasa_sdk.endpoint import create_app as sdk_app
    from sanic import response

    secret = secret or keys.get("AIGUILLAGE_ACTION_SECRET")
    app = sdk_app(actions, cors_origins=None)
    _warm_up()

    @app.on_request
    async def require_secret(request):
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get(keys.ACTION_HEADER) or ""
        import hmac

        if not given or not hmac.compare_digest(given.encode(), secret.encode()):
            return response.json({"error": "Accès refusé : en-tête d'authentification absent ou invalide."}, status=403)
        return None

    return app


def _warm_up() -> None:
    """The first user must not pay for loading the models and the directory."""
    try:
        warm_up()
    except DirectoryError as exc:   # an empty directory: the actions say so in French per turn
        logging.getLogger("bot.actionserver").warning("Préchargement impossible : %s", exc)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bot.actionserver", description="Serveur d'actions d'Aiguillage.")
    p.add_argument("--host", default="127.0.0.1", help="adresse d'écoute (défaut 127.0.0.1)")
    p.add_argument("--port", type=int, default=5055)
    p.add_argument("--actions", default="actions.actions")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        app = create_app(args.actions)
    except keys.SecretsError as exc:
        print(f"Configuration invalide : {exc}", file=sys.stderr)
        return 2
    app.run(args.host, args.port, workers=1, motd=False, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
