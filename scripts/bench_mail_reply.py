"""Reply extraction on our French test messages: our reader (bot.channels.mailtext.new_text)
against mail-parser-reply (PyPI), alone and followed by our signature/greeting pass.

Prints `name: value` figures (exact matches of the expected new text) and the cases that differ.
mail-parser-reply is not a dependency: install it to run this (pip install mail-parser-reply==1.36).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.channels.mailtext import new_text  # noqa: E402
from tests.channels.test_mailtext import BODIES  # noqa: E402


R = "Homme 80 ans à Vierzon, troubles cognitifs, épouse épuisée."
# Client formats written for this comparison (not in the test suite, neither reader tuned on them)
EXTRA = [
    ("thunderbird", f"{R}\n\nLe 23/11/2026 à 10:02, Aiguillage a écrit :\n> Dans quelle commune ?", R),
    ("zimbra", f"{R}\n\n----- Mail original -----\nDe: \"Aiguillage\" <a@dac18.mssante.fr>\nÀ: dr@x.fr\nEnvoyé: Lundi 23 Novembre 2026 10:02:00\nObjet: orientation\n\nDans quelle commune ?", R),
    ("orange webmail", f"{R}\n\n> Message du 23/11/26 10:02\n> De : \"Aiguillage\" <a@dac18.mssante.fr>\n> Objet : orientation", R),
    ("message original", f"{R}\n\n-------- Message original --------\nDe : Aiguillage\nDate : 23/11/2026\nDans quelle commune ?", R),
    ("android footer", f"{R}\n\nEnvoyé depuis mon appareil Galaxy", R),
    ("outlook bold headers", f"{R}\n\n*De :* Aiguillage <a@dac18.mssante.fr>\n*Envoyé :* lundi 23 novembre 2026 10:02\n*À :* Dr Martin\n*Objet :* orientation", R),
    ("bien cordialement signature", f"Bonjour,\n{R}\nBien cordialement,\n\nDr Claire Dubois\nMédecin généraliste – 18100 Vierzon\nTél. 02 48 00 00 00", R),
]


def one_paragraph(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def main() -> int:
    try:
        from mailparser_reply import EmailReplyParser
        from mailparser_reply.version import VERSION
    except ImportError:
        print("mail-parser-reply absent : pip install mail-parser-reply==1.36")
        return 1
    parser = EmailReplyParser(languages=["fr", "en"])
    print(f"mail_parser_reply_version: {VERSION}")
    for label, cases in (("tests", BODIES), ("extra", EXTRA)):
        run(parser, label, cases)
    return 0


def run(parser, label: str, cases) -> None:
    scores = {"ours": 0, "mail_parser_reply": 0, "mail_parser_reply_then_ours": 0}
    differ = []
    for case, body, expected in cases:
        theirs_raw = parser.parse_reply(body) or ""
        got = {"ours": new_text(body), "mail_parser_reply": one_paragraph(theirs_raw),
               "mail_parser_reply_then_ours": new_text(theirs_raw)}
        for name, value in got.items():
            scores[name] += value == expected
        for name, value in got.items():
            if value != expected:
                differ.append((name, case, value))
    print(f"{label}_cases: {len(cases)}")
    for name, n in scores.items():
        print(f"{label}_exact_{name}: {n}/{len(cases)}")
    for name, case, value in differ:
        print(f"  {name} differs on « {case} » : {value[:80]!r}")


if __name__ == "__main__":
    raise SystemExit(main())
