"""The secrets file: generated once (mode 600), stable, the environment wins; keyed ids."""
from __future__ import annotations

import stat

import pytest

from bot import keys


def test_generated_once_private_and_stable(tmp_path):
    path = tmp_path / "var" / "secrets.env"
    first = keys.ensure(path)
    assert set(first) == set(keys.NAMES) and all(len(v) >= 32 for v in first.values())
    assert len(set(first.values())) == len(first)                   # four different secrets
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert keys.ensure(path) == first                               # not regenerated at the next start


def test_environment_wins_and_short_values_are_refused(tmp_path):
    env = {keys.FILE_ENV: str(tmp_path / "s.env")}
    from_file = keys.get("AIGUILLAGE_ID_KEY", env)
    assert from_file == keys.ensure(tmp_path / "s.env")["AIGUILLAGE_ID_KEY"]
    assert keys.get("AIGUILLAGE_ID_KEY", {**env, "AIGUILLAGE_ID_KEY": "k" * 40}) == "k" * 40
    with pytest.raises(keys.SecretsError, match="32 caractères"):
        keys.get("AIGUILLAGE_ID_KEY", {**env, "AIGUILLAGE_ID_KEY": "court"})


def test_keyed_ids_depend_on_the_key(tmp_path):
    a = {keys.FILE_ENV: str(tmp_path / "a.env")}
    b = {keys.FILE_ENV: str(tmp_path / "b.env")}
    ida = keys.keyed_id("mail", "dr.martin@medecin.mssante.fr", a)
    assert ida == keys.keyed_id("mail", "dr.martin@medecin.mssante.fr", a)
    assert ida != keys.keyed_id("mail", "dr.martin@medecin.mssante.fr", b)
    assert ida.startswith("mail:") and len(ida) == 5 + 32 and "martin" not in ida


def test_rasa_launcher_adds_loopback_and_token_and_refuses_cors_star():
    from bot import rasaserver

    assert rasaserver.argv(["--port", "5005"], "t" * 40)[-3:] == ["--interface", "127.0.0.1", "--auth-token=" + "t" * 40]
    assert "--interface" not in rasaserver.argv(["-i", "10.0.0.2"], "t" * 40)[3:]
    assert rasaserver.main(["--cors", "*"]) == 2
    assert rasaserver.main(["--auth-token", "x"]) == 2


def test_rasa_launcher_passes_a_token_that_starts_with_a_dash():
    """token_urlsafe gives a leading "-" about once in 64: Rasa's own parser must still read it."""
    from rasa.cli.arguments.run import add_server_arguments
    import argparse

    from bot import rasaserver

    parser = argparse.ArgumentParser()
    add_server_arguments(parser)
    token = "-" + "t" * 42
    parsed = parser.parse_args(rasaserver.argv([], token)[2:])
    assert parsed.auth_token == token
    assert parsed.interface == "127.0.0.1"
