"""`python -m bot.console [serve] [--host H] [--port P]` and `python -m bot.console create-user LOGIN --role R`."""
from __future__ import annotations

import argparse
import getpass
import logging
import sys

from knowledge import privacy, settings

PORT_ENV = "AIGUILLAGE_CONSOLE_PORT"
PASSWORD_ENV = "AIGUILLAGE_CONSOLE_PASSWORD"


def _store():
    from knowledge.tickets import TicketStore
    return TicketStore()


def serve(host: str, port: int) -> None:
    """The console on Sanic (bot/console/server.py), the outbox worker beside it."""
    from bot.console.app import ConsoleApp
    from bot.console.security import load_secret
    from bot.console.server import serve as serve_console
    from knowledge.tickets import settings_from_env
    app = ConsoleApp(_store(), load_secret(), smtp=settings_from_env(),
                     secure_cookie=settings.flag("AIGUILLAGE_CONSOLE_SECURE_COOKIE"),
                     trust_proxy=bool(settings.flag("AIGUILLAGE_CONSOLE_TRUST_PROXY")))
    serve_console(app, host, port)


def _password(args) -> str:
    pw = settings.value(PASSWORD_ENV)
    if pw:
        return pw
    if not sys.stdin.isatty():
        pw = sys.stdin.readline().rstrip("\n")
        if pw:
            return pw
        raise SystemExit(f"Mot de passe absent : définissez {PASSWORD_ENV} ou tapez-le.")
    pw = getpass.getpass("Mot de passe : ")
    if pw != getpass.getpass("Confirmez le mot de passe : "):
        raise SystemExit("Les deux mots de passe diffèrent.")
    return pw


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.console", description="Console de coordination Aiguillage")
    sub = parser.add_subparsers(dest="cmd")
    p_serve = sub.add_parser("serve", help="lancer la console web (par défaut)")
    p_serve.add_argument("--host", default=settings.text("AIGUILLAGE_CONSOLE_HOST"))
    p_serve.add_argument("--port", type=int, default=settings.integer(PORT_ENV))
    p_user = sub.add_parser("create-user", help="créer un compte")
    p_user.add_argument("login")
    p_user.add_argument("--role", required=True, choices=["operateur", "coordinateur", "admin"])
    p_user.add_argument("--nom", default=None)
    p_pw = sub.add_parser("set-password", help="changer le mot de passe d'un compte")
    p_pw.add_argument("login")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    privacy.install_logging_filter("aiguillage")
    from knowledge.tickets import TicketError
    try:
        if args.cmd == "create-user":
            op = _store().create_user(args.login, _password(args), args.role, nom=args.nom, by="ligne de commande")
            print(f"Compte {op.login} créé (rôle : {op.role}).")
            return 0
        if args.cmd == "set-password":
            from bot.console.sessions import SessionStore
            from bot.console.security import SESSION_SECONDS
            store = _store()
            store.set_password(args.login, _password(args))
            closed = SessionStore(store, SESSION_SECONDS).close_all(args.login)
            print(f"Mot de passe de {args.login} modifié ; {closed} session(s) ouverte(s) fermée(s).")
            return 0
    except TicketError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    host = getattr(args, "host", None) or settings.text("AIGUILLAGE_CONSOLE_HOST")
    port = getattr(args, "port", None) or settings.integer(PORT_ENV)
    serve(host, port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
