"""Operator accounts of the console: logins, roles, scrypt-hashed passwords, authentication."""
from __future__ import annotations

import hashlib
import hmac
import os
import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from knowledge.tickets.database import TicketDatabase
from knowledge.tickets.errors import TicketError
from knowledge.tickets.labels import ROLES
from knowledge.tickets.model import Operator
from knowledge.tickets.tables import OperateurRow, to_db


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """scrypt with a per-user random salt: "scrypt$n$r$p$salt_hex$hash_hex"."""
    if not password:
        raise TicketError("Le mot de passe ne peut pas être vide.")
    salt = salt or os.urandom(16)
    n, r, p = 2 ** 14, 8, 1
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if algo != "scrypt":
        return False
    got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                         p=int(p), dklen=len(digest) // 2)
    return hmac.compare_digest(got.hex(), digest)


_DUMMY_HASH = hash_password("aiguillage-dummy-password", salt=b"0" * 16)


class OperatorAccounts(TicketDatabase):
    """Console users (`operateur` < `coordinateur` < `admin`), in the requests' database."""

    def create_user(self, login: str, password: str, role: str, nom: str | None = None,
                    by: str = "système") -> Operator:
        login = (login or "").strip().lower()
        if not re.fullmatch(r"[a-z0-9._\-]{2,80}", login):
            raise TicketError("Identifiant invalide (lettres, chiffres, . _ -, 2 à 80 caractères).")
        if role not in ROLES:
            raise TicketError(f"Rôle inconnu : {role}.")
        if len(password or "") < 10:
            raise TicketError("Le mot de passe doit comporter au moins 10 caractères.")
        try:
            with self._session() as s, s.begin():
                s.add(OperateurRow(login=login, nom=nom, role=role, mot_de_passe=hash_password(password),
                                   actif=1, cree_le=to_db(self._now())))
        except IntegrityError:
            raise TicketError(f"L'utilisateur {login} existe déjà.") from None
        return Operator(login, nom, role, True)

    def set_password(self, login: str, password: str) -> None:
        if len(password or "") < 10:
            raise TicketError("Le mot de passe doit comporter au moins 10 caractères.")
        with self._session() as s, s.begin():
            op = self._op(s, login)
            op.mot_de_passe = hash_password(password)

    def set_role(self, login: str, role: str, actif: bool = True) -> Operator:
        if role not in ROLES:
            raise TicketError(f"Rôle inconnu : {role}.")
        with self._session() as s, s.begin():
            op = self._op(s, login)
            op.role, op.actif = role, 1 if actif else 0
            return Operator(op.login, op.nom, op.role, bool(op.actif))

    def authenticate(self, login: str, password: str) -> Operator | None:
        """The active operator when the password matches, else None (constant-ish time)."""
        with self._session() as s:
            op = s.execute(select(OperateurRow).where(
                OperateurRow.login == (login or "").strip().lower())).scalar_one_or_none()
        if op is None:
            verify_password(password or "", _DUMMY_HASH)
            return None
        if not verify_password(password or "", op.mot_de_passe) or not op.actif:
            return None
        return Operator(op.login, op.nom, op.role, True)

    def password_tag(self, login: str) -> str | None:
        """A digest of the stored password hash: changes with the password (session revocation)."""
        with self._session() as s:
            h = s.execute(select(OperateurRow.mot_de_passe).where(OperateurRow.login == login)).scalar_one_or_none()
        return hashlib.sha256(h.encode()).hexdigest() if h else None

    def user(self, login: str) -> Operator | None:
        with self._session() as s:
            op = s.execute(select(OperateurRow).where(OperateurRow.login == login)).scalar_one_or_none()
            return Operator(op.login, op.nom, op.role, bool(op.actif)) if op else None

    def users(self) -> list[Operator]:
        with self._session() as s:
            ops = s.execute(select(OperateurRow).order_by(OperateurRow.login)).scalars().all()
            return [Operator(o.login, o.nom, o.role, bool(o.actif)) for o in ops]

    def _op(self, s: Session, login: str) -> OperateurRow:
        op = s.execute(select(OperateurRow).where(OperateurRow.login == login)).scalar_one_or_none()
        if op is None:
            raise TicketError(f"Utilisateur inconnu : {login}.")
        return op
