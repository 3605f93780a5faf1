"""`make run`: start the whole assistant on embedded defaults and wait for Ctrl-C."""
from __future__ import annotations

import signal
import sys
import time

from bot import keys
from bot.processes import base_env, Ports, ROOT, start_stack
from knowledge.retention import purge


def main() -> int:
    model = ROOT / "models" / "aiguillage.tar.gz"
    if not model.exists():
        print("Modèle absent : lancez `make run` (il l'entraîne) ou `make model`.", file=sys.stderr)
        return 1
    ports = Ports()
    print("Démarrage d'Aiguillage (serveur d'actions, serveur Rasa, web chat, console, API)…", flush=True)
    stack = start_stack(model, ports=ports, env=base_env(), api=True)
    print(
        "\nAiguillage est prêt :\n"
        f"  • web chat (médecins de garde) : http://localhost:{ports.webchat}/\n"
        f"  • canal REST Rasa (cette machine seulement) : POST http://127.0.0.1:{ports.rasa}/webhooks/rest/webhook  "
        '{"sender": "moi", "message": "…"}\n'
        f"  • API pour les autres logiciels (jeton, docs/api.md) : http://localhost:{ports.api}/api/v1/openapi.json\n"
        f"  • console des opérateurs : http://localhost:{ports.console}/ "
        "(créer un compte : .venv/bin/python -m bot.console create-user LOGIN --role admin)\n"
        f"  • journaux : {stack.logs} ; secrets internes : {keys.secrets_file(stack.env)} (docs/security.md)\n"
        "Ctrl-C pour arrêter.",
        flush=True,
    )
    stopping = False

    def _stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    next_purge = 0.0
    try:
        while not stopping:
            stack.check_alive()
            if time.time() >= next_purge:
                _purge()
                next_purge = time.time() + 24 * 3600
            time.sleep(1)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        print("Arrêt…", flush=True)
        stack.stop()
    return 0


def _purge() -> None:
    """Retention (docs/privacy.md): old conversations and closed requests' free text, daily."""
    try:
        report = purge()
    except Exception as exc:  # never stop the assistant for a failed purge; said once a day
        print(f"Purge de conservation impossible : {exc.__class__.__name__}", file=sys.stderr, flush=True)
        return
    if report.conversations or report.demandes:
        print("Purge de conservation : " + " ; ".join(report.lines()), flush=True)


if __name__ == "__main__":
    sys.exit(main())
