"""The service asked for in so many words inside a story (issue 16, generation-7 pass).

"Il voudrait de l'aide pour le ménage", "il cherche un psychologue pour être suivi": the needs read
in the sentences that ask (``Situation.besoins_demandes``, see ``knowledge.request_cues.asked_spans``)
point to one level-1 or level-2 rule. When the story around them touches several domains without
being really complex beside that service's mission (``Rules.really_complex``), the service asked for
comes first and the DAC after it, as for a service named by its type (docs/triage.md § 5).
"""
from __future__ import annotations

# Needs that ask for the DAC's own work: never a reason to put a specialised service first.
CASE_MANAGEMENT_NEEDS = frozenset({"coordination", "appui_parcours", "refus_aide"})


def needs_of(rule) -> frozenset[str]:
    """The needs a level rule's condition names."""
    c = rule.si
    return frozenset(c.get("besoins", ())) | frozenset(c.get("besoins_un_de", ())) | frozenset(
        c.get("publics_ou_besoins", ()))


def asked_rule(rules, situation, publics: set[str], besoins: set[str], dimensions: dict[str, int]):
    """The level-1 or -2 rule of the needs asked for, when they all point to one service type and the
    situation is not really complex beside that service's mission; else None."""
    asked = set(getattr(situation, "besoins_demandes", ())) & besoins
    if not asked or asked & CASE_MANAGEMENT_NEEDS:
        return None
    found = []
    for need in sorted(asked):
        rule = next((r for r in rules.niveaux if r.niveau < 3 and not r.fallback and need in needs_of(r)
                     and rules.matches(r, publics, {need}, dimensions, situation.age, False)), None)
        if rule is not None:
            found.append(rule)
    if not found or len({r.types[0] for r in found}) > 1:
        return None
    rule = min(found, key=rules.niveaux.index)
    return None if rules.really_complex(dimensions, rule.types[0]) else rule
