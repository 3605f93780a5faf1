"""One qualifier step for every alarm source (cue lists, signs rules, learned net).

The signs reader (`knowledge.signs`) computes the qualifiers of a span (negated, past history,
hypothetical, feared, reported, onset, reassuring); this module holds the one decision taken on
them and the message-level frames:

- `real(sign, ...)`: whether a qualified span raises its number. The signs rules call it with
  their own options (`ignore`, `requiert_non_ancien`, `requiert_brutal`); the cue phrases of
  `knowledge/data/triage.yaml` call it with the options of their number (`cue_options`).
- `unreal(text, spans)`: the message is framed as fiction or training ("dans un film", "formation
  sur…") or says the episode is over ("tout est revenu à la normale"), the sentences that raised an
  alarm ask for information ("quels sont les signes"), or its clause is a supposed case ("que faire
  si…"), with nothing dated now: the alarm is dropped. Without spans (the learned net), the
  whole message is read.
- `nothing_current(text)`: the supposed / calm part alone (the learned net's old veto).

Someone else is not a qualifier that silences: a neighbour who collapses now is an emergency; a
neighbour's past stroke is caught as past history.
"""
from __future__ import annotations

import re
import unicodedata

from knowledge.text import SENTENCE, SENTENCE_ENDS, fold

# A question about what might happen ("si jamais il refait un malaise, qui j'appelle ?").
_SUPPOSED = re.compile(
    r"\b(?:si jamais|au cas ou|et si|si un jour|des fois que|dans l hypothese|que faire si|quoi faire si|"
    r"qu est ce qu on fait si|qu est ce que je fais si|imaginons|imaginez|supposons|admettons|mettons qu)\b")
# A message that says itself that nothing is serious.
_CALM = re.compile(
    r"\b(?:rien de grave|pas de (?:souci|probleme) grave|pas urgent|sans urgence|rien d urgent|pas d urgence|"
    r"aucune urgence|rien d inquietant|(?:n est |ne sont )?pas en danger|aucun danger|tout va bien|"
    r"(?:il|elle|ils|elles|tout le monde|tous) (?:va|vont) (?:bien|mieux|tres bien))\b")
# Fiction, training, teaching material: not a situation of the writer, for the whole message.
_FRAME = re.compile(
    r"\b(?:dans (?:un|une|le|la|l|ce|cet|cette|ma|mon|sa|son) (?:film|telefilm|serie|episode|feuilleton|livre|roman|jeu video|bd|manga|cauchemar|reve)|"
    r"(?:vu|lu|regarde) (?:un|une|le|la|l|ce|cet|cette) (?:film|telefilm|serie|episode|feuilleton|roman|livre|documentaire|reportage)|"
    r"(?:le|un|ce) (?:film|telefilm|episode) (?:d hier|hier|d avant hier|de la veille|de dimanche|du dimanche|a la tele|sur arte|sur netflix)|"
    r"au theatre|une piece de theatre|"
    r"(?:une|notre|cette|nos|des) (?:soiree|journee|seance|session|matinee|demi journee)s? (?:de|d) (?:formation|sensibilisation|prevention|information)|"
    r"le heros|le personnage|un personnage|le perso|fait un cauchemar|fait un reve|"
    r"formation (?:sur|aux|au|a la)|former (?:les|nos|des|mes)|formons|psc ?1|gestes qui sauvent|"
    r"on va apprendre|cours de secourisme|(?:un|une|notre|d) atelier (?:de|d|sur)|une conference|un webinaire|"
    r"session de sensibilisation|exercice de simulation|mise en situation|cas cliniques?|l ecos|"
    r"(?:suivi|suivre|fait|faire|organise|organiser|propose|proposer) (?:la|une|cette|notre|ma) formation|"
    r"(?:travaille|bosse|en stage|stagiaire|interne) (?:aux|au|a la|en) (?:urgences|samu|smur|reanimation|rea)|"
    r"mon memoire|pour (?:un|mon) expose|question pour un expose|un depliant|nos affiches|une affiche|"
    r"prepare un guide|protocole de cabinet|une fiche pour)\b")
# Said not to be the situation now, or not of the person the alarm words name.
_NOT_THEM = re.compile(
    r"\b(?:(?:pas de|aucun) cas actuel|(?:pas de|aucune) situation (?:actuelle|en cours)|"
    r"ce n est pas pour (?:elle|lui|eux|elles) que|il ne s agit pas (?:d elle|de lui|d eux)|"
    r"j ai cru (?:faire|que j allais faire) (?:un|une))\b")
# An information request: holds in its own sentence ("Quels sont les signes d'un AVC ? Ma femme a
# la bouche de travers" is an emergency).
_ASKING = re.compile(
    r"\b(?:je me renseigne|pour (?:information|info|ma culture|mon information)|question generale|par curiosite|"
    r"c est quoi (?:la|les) (?:difference|symptomes|signes)|quelle (?:est la )?difference|"
    r"quels sont les (?:signes|symptomes|criteres|numeros)|comment reconnaitre|"
    r"quel numero (?:donner|afficher|indiquer|communiquer)|quels numeros|confirmer le numero)\b")
# An episode the message itself says is over ("tout est revenu à la normale", "le scanner n'a
# rien montré"), wherever it is said.
_RESOLVED = re.compile(
    r"\b(?:tout est (?:revenu|rentre) (?:normal|a la normale|dans l ordre)|(?:est|sont) revenus? a la normale|"
    r"n a rien montre|n ont rien montre|rien n a ete trouve|hors de danger|tiree? d affaire|en pleine forme|"
    r"s en est (?:bien )?remise?|s en sont (?:bien )?remis)\b")
# Something dated now: the frame does not hold.
_NOW = re.compile(
    r"\b(?:(?:depuis|il y a|ya|y a|dp) (?:\d+|une|un|deux|trois|quelques|dix|vingt) ?(?:min|mn|minutes?|h|heures?)|"
    r"depuis (?:ce matin|cette nuit|ce midi|tout a l heure|hier soir)|en ce moment|a l instant|d un coup|tout a coup|"
    r"brutalement|soudain\w*|vient de|viennent de|ce matin|cette nuit|ce soir|ce midi|devant moi|sous mes yeux)\b")

# A question that opens on a "si" clause in the present, no perfect ("si ma mère tombe et se cogne
# la tête, c'est grave ?"); "si elle est tombée…" or "si elle a…" may tell what happened.
_IF_ASKED = re.compile(r"^\W*(?:et )?(?:si|s (?:il|ils|elle|elles|on))\b(?![^.!?;\n]*\b(?:a|ont|est|sont|avait|etait|as|es)\b)[^.!?;\n]*\?")

_ONSET = {"brutalement", "d un coup", "tout a coup"}
_IMAGINE = re.compile(r"\b(?:imaginons|imaginez|supposons|admettons|mettons qu)\b")


def _plain(text: str) -> str:
    """Lower case, no accents, apostrophes as spaces; punctuation kept (sentence ends, "?")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"['’]", " ", "".join(c for c in decomposed if not unicodedata.combining(c)))


def nothing_current(text: str, *, hypothetical: bool = False) -> bool:
    """A supposed or self-declared harmless situation, with nothing dated now;
    `hypothetical`: the caller already knows the message is a question, only the "now" counts."""
    folded = fold(text)
    supposed = _SUPPOSED.search(folded) or _CALM.search(folded) or _IF_ASKED.search(_plain(text))
    return (hypothetical or bool(supposed)) and not _NOW.search(folded)


def framed(text: str) -> bool:
    """Fiction or training frames the whole message ("dans un film", "formation sur…")."""
    return bool(_FRAME.search(fold(text)))  # (not _NOT_THEM: those say whose the words are)


def unreal(text: str, spans=None, *, concrete=None) -> bool:
    """Fiction, training, information request, supposed case or episode over, with nothing dated
    now (an onset adverb alone, "si un aidant s'effondre brutalement", dates nothing). With the
    `spans` (start, end) that raised an alarm, every span must be framed: by an information request
    in its sentence ("Quels sont les signes d'un AVC ? Ma femme a la bouche de travers" is an
    emergency), unless `concrete(start, end)` says the span is a current sign of a definite person
    ("je me renseigne pour mon père, il a la bouche de travers"), or by a supposed case in its
    clause; fiction, training and an episode said to be over count anywhere."""
    folded = fold(text)
    if any(m.group(0) not in _ONSET and not m.group(0).startswith("soudain") for m in _NOW.finditer(folded)):
        return False
    if _RESOLVED.search(folded):
        return True
    if _NOT_THEM.search(folded):
        return True
    # fiction or training frames the message, unless a span is the writer's own now ("on
    # regardait un film quand mon mari s'est effondré")
    if _FRAME.search(folded) and not (spans and concrete is not None and any(concrete(s, e) == 2 for s, e in spans)):
        return True
    if not spans:
        return bool(_ASKING.search(folded) or _SUPPOSED.search(folded))
    return all(_asked_at(text, start, end, concrete) or _supposed_at(text, start, end) for start, end in spans)


def _asked_at(text: str, start: int, end: int, concrete=None) -> bool:
    """Whether the span `start:end` lies in a sentence that asks for information, and is not a
    current sign of a definite person (`concrete`)."""
    asked = any(m.start() < end and start < m.end() and _ASKING.search(fold(m.group(0))) for m in SENTENCE.finditer(text))
    return asked and not (concrete is not None and concrete(start, end) >= 1)


def _supposed_at(text: str, start: int, end: int) -> bool:
    """Whether the span `start:end` lies in a supposed clause: after "si jamais", "que faire si"… in
    the same clause (no comma or colon between), or in a sentence that opens a supposition ("imaginons")."""
    begin = max(text.rfind(mark, 0, start) for mark in SENTENCE_ENDS) + 1
    if _IMAGINE.search(fold(text[begin:end])):
        return True
    clause = max([begin] + [text.rfind(mark, begin, start) + 1 for mark in ",:"])
    return bool(_SUPPOSED.search(fold(text[clause:end])))


def cue_options(numero: str, regle: str) -> dict:
    """Options of `real` for a cue phrase of triage.yaml: vital cues (15, not suicide) also fall
    when feared, reassured or long-standing; suicide and social cues hold when feared."""
    vital = numero == "15" and not regle.startswith("suicide")
    return {"numero": numero, "ignore": frozenset() if vital else frozenset({"crainte"}),
            "non_ancien": vital, "rassurant": vital}


def real(sign, *, numero: str, ignore=frozenset(), non_ancien: bool = False, brutal: bool = False,
         rassurant: bool | None = None) -> bool:
    """A qualified span that raises its number: affirmed, current, real. `sign` has the
    qualifiers of `knowledge.signs.Sign`; `ignore`: qualifiers that do not count for this rule;
    `rassurant`: a reassuring check silences (default: vital number and fear counts)."""
    if sign.nie and "nie" not in ignore:
        return False
    if sign.antecedent and "antecedent" not in ignore and sign.debut != "brutal":
        return False
    # A supposed sign whose onset is dated now ("c'est grave s'il vomit du sang depuis ce
    # matin ?") is a question about a real situation.
    if sign.hypothese and "hypothese" not in ignore and sign.debut != "brutal":
        return False
    if sign.crainte and "crainte" not in ignore:
        return False
    if non_ancien and sign.debut == "ancien":
        return False
    if brutal and sign.debut != "brutal":
        return False
    if rassurant is None:
        rassurant = numero == "15" and "crainte" not in ignore
    return not (sign.rassurant and rassurant)
