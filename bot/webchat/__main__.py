"""`python -m bot.webchat --port 8080 --rasa-port 5005`: serve the web chat page and relay its socket.io to Rasa."""
from __future__ import annotations

import argparse
import sys

from bot.webchat.server import serve


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bot.webchat", description="Web chat d'Aiguillage (page et relais socket.io).")
    p.add_argument("--host", default="0.0.0.0", help="adresse d'écoute (défaut 0.0.0.0)")
    p.add_argument("--port", type=int, default=8080, help="port de la page (défaut 8080)")
    p.add_argument("--rasa-port", type=int, default=5005, help="port du serveur Rasa sur 127.0.0.1")
    p.add_argument(
        "--rasa-url",
        default=None,
        help="URL du serveur Rasa vers lequel relayer socket.io (sinon $AIGUILLAGE_RASA_URL, sinon http://127.0.0.1:--rasa-port)",
    )
    args = p.parse_args(argv)
    serve(args.host, args.port, rasa_port=args.rasa_port, rasa_url=args.rasa_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
