"""Mail channel fixtures: a TLS IMAP server, a STARTTLS+AUTH SMTP peer (aiosmtpd), a Rasa REST peer
with canned answers, and the real stack (tests/e2e fixtures) for the end-to-end test."""
from __future__ import annotations

import shutil
import ssl
import subprocess
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from bot.channels.mss import MailSettings
from bot.processes import free_port
from tests.channels import imap_server
from tests.peers import rasa_peer_running

USER = "aiguillage@dac18.exemple.mssante.fr"
PASSWORD = "mot-de-passe-de-test"



@pytest.fixture(scope="session")
def certs(tmp_path_factory) -> Path:
    """A self-signed certificate for 127.0.0.1 (the test CA the client trusts)."""
    if not shutil.which("openssl"):
        pytest.skip("openssl absent : impossible de créer le certificat TLS de test")
    d = tmp_path_factory.mktemp("certs")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(d / "key.pem"),
         "-out", str(d / "cert.pem"), "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    return d


def server_context(certs: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(certs / "cert.pem", certs / "key.pem")
    return ctx


@pytest.fixture
def imap(certs):
    store = imap_server.Store(USER, PASSWORD)
    port = free_port()
    srv = imap_server.start(port, store, tls=server_context(certs))
    store.port = port
    yield store
    srv.shutdown()
    srv.server_close()


class Outbox:
    """aiosmtpd handler keeping the received messages; `down` refuses every message (451)."""

    def __init__(self) -> None:
        self.messages = []
        self.down = False
        self.logins = []

    async def handle_DATA(self, server, session, envelope):
        if self.down:
            return "451 4.3.0 Service momentanément indisponible"
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=default_policy)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(certs):
    box = Outbox()

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login.decode(), auth_data.password.decode()) == (USER, PASSWORD)
        if ok:
            box.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)

    ctl = Controller(
        box, hostname="127.0.0.1", port=free_port(), tls_context=server_context(certs), require_starttls=True,
        authenticator=authenticator, auth_require_tls=True,
    )
    ctl.start()
    box.port = ctl.port
    yield box
    ctl.stop()


@pytest.fixture
def rasa_peer():
    with rasa_peer_running() as peer:
        yield peer


def make_settings(imap, smtp, certs: Path, rasa_url: str, state_file: Path, **kw) -> MailSettings:
    return MailSettings(
        imap_host="127.0.0.1", imap_port=imap.port, imap_security="ssl",
        smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="starttls",
        user=USER, password=PASSWORD, allowed_domains=("mssante.fr",), rasa_url=rasa_url,
        ca_file=str(certs / "cert.pem"), state_file=state_file, timeout=30, **kw,
    )
