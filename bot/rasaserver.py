"""`python -m bot.rasaserver [rasa run options]`: Rasa's server, locked down.

Adds to ``rasa run``: ``--interface 127.0.0.1`` (unless given), ``--auth-token`` from
``AIGUILLAGE_RASA_TOKEN`` (passed inside the process, so it never shows in the process list), and
``AIGUILLAGE_ACTION_SECRET`` in the environment for bot/endpoints*.yml. Refuses ``--cors`` with
``*`` (any web page could then drive the API in a user's browser).
"""
from __future__ import annotations

import os
import sys

from bot import keys


def argv(args: list[str], token: str) -> list[str]:
    out = ["rasa", "run", *args]
    if not any(a in ("-i", "--interface") or a.startswith("--interface=") for a in args):
        out += ["--interface", "127.0.0.1"]
    # One argument: a token may start with "-" (token_urlsafe), which argparse would take for an option.
    return out + [f"--auth-token={token}"]


def main(args: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if args is None else args)
    if any(a in ("-t", "--auth-token") or a.startswith("--auth-token=") for a in args):
        print("Le jeton de l'API Rasa vient de AIGUILLAGE_RASA_TOKEN (ou var/secrets.env), pas de la ligne de commande.", file=sys.stderr)
        return 2
    if "*" in args:
        print("--cors \"*\" est refusé : indiquez les origines autorisées.", file=sys.stderr)
        return 2
    try:
        token = keys.get("AIGUILLAGE_RASA_TOKEN")
        for name in keys.NAMES:
            os.environ[name] = keys.get(name)
    except keys.SecretsError as exc:
        print(f"Configuration invalide : {exc}", file=sys.stderr)
        return 2
    sys.argv = argv(args, token)
    from rasa.__main__ import main as rasa_main

    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
