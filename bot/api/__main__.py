"""`python -m bot.api --port 5010`: run the API gateway."""
from __future__ import annotations

import argparse
import sys

from bot.api.app import create_app
from knowledge.settings import ApiSettings, SettingsError


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bot.api", description="Passerelle API d'Aiguillage.")
    p.add_argument("--host", default="0.0.0.0")
    p.add_argument("--port", type=int, default=5010)
    p.add_argument("--rasa-url", default=None, help="URL du serveur Rasa (sinon $AIGUILLAGE_RASA_URL)")
    args = p.parse_args(argv)
    try:
        settings = ApiSettings.from_env()
    except SettingsError as exc:
        print(f"Configuration invalide : {exc}", file=sys.stderr)
        return 2
    if args.rasa_url:
        settings.rasa_url = args.rasa_url.rstrip("/")
    if not settings.tokens:
        print("Attention : aucun jeton (AIGUILLAGE_API_TOKENS) : seules /health et /openapi.json répondent.", file=sys.stderr)

    app = create_app(settings)
    app.run(host=args.host, port=args.port, access_log=False, workers=1, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
