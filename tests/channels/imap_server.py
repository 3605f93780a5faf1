"""A small IMAP4rev1 server for tests (implicit TLS or plain): enough for imaplib's LOGIN, SELECT,
UID SEARCH UNSEEN, UID FETCH (BODY.PEEK[] / BODY[]), UID STORE +FLAGS, NOOP and LOGOUT.

Messages live in memory with their flags; tests inspect them and can inject failures.
"""
from __future__ import annotations

import re
import socketserver
import ssl
import threading
from dataclasses import dataclass, field


@dataclass
class StoredMessage:
    uid: int
    raw: bytes
    flags: set = field(default_factory=set)


class Store:
    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user, password
        self.messages: list[StoredMessage] = []
        self.next_uid = 1
        self.logins = 0
        self.fail_login = False
        self.idle = True                 # offer IDLE (RFC 2177)
        self.idles = 0                   # IDLE commands received
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)

    def deliver(self, raw: bytes | str) -> int:
        with self.lock:
            uid = self.next_uid
            self.next_uid += 1
            self.messages.append(StoredMessage(uid, raw.encode() if isinstance(raw, str) else raw))
            self.arrived.notify_all()
            return uid

    def get(self, uid: int) -> StoredMessage | None:
        return next((m for m in self.messages if m.uid == uid), None)

    def seen(self, uid: int) -> bool:
        m = self.get(uid)
        return bool(m and "\\Seen" in m.flags)


def _args(text: str) -> list[str]:
    """IMAP arguments: atoms, "quoted strings", (parenthesised lists) kept whole."""
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == " ":
            i += 1
        elif c == '"':
            j, buf = i + 1, []
            while text[j] != '"':
                if text[j] == "\\":
                    j += 1
                buf.append(text[j])
                j += 1
            out.append("".join(buf))
            i = j + 1
        elif c == "(":
            depth, j = 0, i
            while True:
                depth += text[j] == "("
                depth -= text[j] == ")"
                j += 1
                if depth == 0:
                    break
            out.append(text[i:j])
            i = j
        else:
            j = text.find(" ", i)
            j = len(text) if j < 0 else j
            out.append(text[i:j])
            i = j
    return out


class Handler(socketserver.StreamRequestHandler):
    store: Store

    def send(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        store = self.server.store
        authed = selected = False
        self.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] serveur de test prêt".encode("utf-8"))
        while True:
            line = self.rfile.readline()
            if not line:
                return
            line = line.decode("utf-8", "replace").rstrip("\r\n")
            tag, _, rest = line.partition(" ")
            cmd, _, argtext = rest.partition(" ")
            cmd = cmd.upper()
            args = _args(argtext)
            if cmd == "CAPABILITY":
                self.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN" + (" IDLE" if store.idle else ""))
                self.send(f"{tag} OK CAPABILITY completed")
            elif cmd == "NOOP":
                self.send(f"{tag} OK NOOP completed")
            elif cmd == "LOGOUT":
                self.send("* BYE au revoir")
                self.send(f"{tag} OK LOGOUT completed")
                return
            elif cmd == "LOGIN":
                if not store.fail_login and args == [store.user, store.password]:
                    authed = True
                    store.logins += 1
                    self.send(f"{tag} OK LOGIN completed")
                else:
                    self.send(f"{tag} NO [AUTHENTICATIONFAILED] identifiants refusés")
            elif not authed:
                self.send(f"{tag} BAD authentifiez-vous d'abord")
            elif cmd in ("SELECT", "EXAMINE"):
                if args and args[0].upper() == "INBOX":
                    selected = True
                    self.send(f"* {len(store.messages)} EXISTS")
                    self.send("* 0 RECENT")
                    self.send("* OK [UIDVALIDITY 1] UIDs valid")
                    self.send("* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)")
                    self.send(f"{tag} OK [READ-WRITE] SELECT completed")
                else:
                    self.send(f"{tag} NO dossier inconnu")
            elif cmd == "IDLE" and selected and store.idle:
                if not self.idle_command(tag, store):
                    return
            elif cmd == "UID" and selected:
                self.uid_command(tag, args, store)
            else:
                self.send(f"{tag} BAD commande non prise en charge")

    def uid_command(self, tag: str, args: list[str], store: Store) -> None:
        sub = args[0].upper() if args else ""
        seqs = {m.uid: i + 1 for i, m in enumerate(store.messages)}
        if sub == "SEARCH":
            crit = [a.upper() for a in args[1:]]
            with store.lock:
                uids = [m.uid for m in store.messages if not ("UNSEEN" in crit and "\\Seen" in m.flags)]
            self.send("* SEARCH" + "".join(f" {u}" for u in uids))
            self.send(f"{tag} OK SEARCH completed")
        elif sub == "FETCH":
            uid = int(args[1])
            m = store.get(uid)
            if m is not None:
                what = args[2].upper()
                if "BODY[]" in what and "PEEK" not in what:
                    m.flags.add("\\Seen")
                head = f"* {seqs[uid]} FETCH (UID {uid} BODY[] {{{len(m.raw)}}}".encode()
                self.wfile.write(head + b"\r\n" + m.raw + b")\r\n")
            self.send(f"{tag} OK FETCH completed")
        elif sub == "STORE":
            uid, op, flags = int(args[1]), args[2].upper(), re.findall(r"\\?\w+", args[3])
            m = store.get(uid)
            if m is not None:
                if op.startswith("+"):
                    m.flags.update(flags)
                elif op.startswith("-"):
                    m.flags.difference_update(flags)
                self.send(f"* {seqs[uid]} FETCH (UID {uid} FLAGS ({' '.join(sorted(m.flags))}))")
            self.send(f"{tag} OK STORE completed")
        else:
            self.send(f"{tag} BAD UID {sub} non pris en charge")


    def idle_command(self, tag: str, store: Store) -> bool:
        """RFC 2177: '+ idling', '* N EXISTS' when a message arrives, until the client's DONE."""
        with store.lock:
            store.idles += 1
            known = len(store.messages)
        self.send("+ idling")
        done = threading.Event()

        def wait_done():
            line = self.rfile.readline()
            done.set()
            return line

        reader = threading.Thread(target=lambda: setattr(self, "_done_line", wait_done()), daemon=True)
        reader.start()
        with store.lock:
            while not done.is_set() and len(store.messages) == known:
                store.arrived.wait(0.2)
            count = len(store.messages)
        if not done.is_set():
            try:
                self.send(f"* {count} EXISTS")
            except OSError:
                return False
        reader.join()
        if (getattr(self, "_done_line", b"") or b"").strip().upper() != b"DONE":
            return False                   # the client went away
        self.send(f"{tag} OK IDLE terminated")
        return True


class IMAPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, store: Store, tls: ssl.SSLContext | None = None) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.store = store
        self.tls = tls

    def get_request(self):
        sock, addr = super().get_request()
        if self.tls is not None:
            sock = self.tls.wrap_socket(sock, server_side=True)
        return sock, addr


def start(port: int, store: Store, tls: ssl.SSLContext | None = None) -> IMAPServer:
    srv = IMAPServer(port, store, tls)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv
