"""Built-in commands: only the bot's own button payloads pass as commands."""
from __future__ import annotations

import pytest

from bot.channels import commands


def test_allowed_payloads_are_the_bots_buttons():
    # collected from actions/ (the level-3 answer's buttons) and domain.yml responses
    assert commands.allowed() >= {"/ouvrir_demande", "/nier"}
    assert not commands.allowed() & {"/restart", "/back", "/session_start"}


@pytest.mark.parametrize("text,expected", [
    ("/ouvrir_demande", "/ouvrir_demande"),
    (" /nier ", " /nier "),
    ("/restart", "aide"),
    ("/back", "aide"),
    ("/session_start", "aide"),
    ("//restart", "aide"),
    ('/informer{"commune": "18033"}', "aide"),
    ('/ouvrir_demande{"demande_confirmation": "confirmee"}', "aide"),   # a button payload with injected entities
    ("/orientation@1.0", "aide"),
    ("/ patiente 80 ans à Vierzon", "patiente 80 ans à Vierzon"),
    ("dame 87 ans / chutes", "dame 87 ans / chutes"),
    ("bonjour", "bonjour"),
])
def test_screen(text, expected):
    assert commands.screen(text) == expected
