"""A learned second net for emergencies that the cue phrases and the signs reader miss.

A logistic regression over character and word n-grams of the folded message (scikit-learn,
already installed with Rasa; no download), trained deterministically at first use on the written
corpus `knowledge/data/emergency_corpus.yaml` (templates by sign family and voice, expanded with
a fixed seed, plus many non-emergency messages and the project's NLU examples without
emergency). It never sees the held-out sets.

Its answer for a number the rules did not raise:
- probability ≥ the high threshold: the emergency, said plainly;
- between the low and the high threshold (doubt): a conditional line ("Si ces signes ont
  commencé il y a moins de quelques heures, appelez le 15.") rather than silence;
- nothing on small talk (fewer than MIN_WORDS words), nor when the signs reader found only
  negated, past, hypothetical or reassuring signs (or only negated words of its rules), nor when
  the triage dropped a cue phrase for those reasons.
"""
from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from knowledge.signs import DEFAULT_PATH as SIGNS_PATH
from knowledge.signs import SignReader
from knowledge.text import fold

CORPUS = Path(__file__).parent / "data" / "emergency_corpus.yaml"
NLU_DIR = Path(__file__).resolve().parents[1] / "nlu" / "data"
NUMBERS = ("15", "3114", "3919", "17", "119", "3977", "115")
NONE = "0"
VARIANTS_EMERGENCY = 24        # expansions per emergency template
VARIANTS_OTHER = 12            # expansions per non-emergency template
MIN_WORDS = 3
# (low, high) probability thresholds per number: doubt between them, emergency above.
THRESHOLDS = {"15": (0.40, 0.80)}
SOCIAL_THRESHOLDS = (0.55, 0.85)

CONDITIONAL = {
    "15": "Si ces signes ont commencé il y a moins de quelques heures, appelez le 15.",
    "3114": "Si la personne pense au suicide, appelez le 3114 (24h/24, 7j/7).",
    "3919": "Si elle subit des violences de son conjoint, le 3919 écoute et oriente (24h/24, gratuit, anonyme).",
    "17": "Si la personne est en danger en ce moment, appelez le 17.",
    "119": "Si un enfant est en danger, appelez le 119 (24h/24).",
    "3977": "Si une personne âgée ou handicapée est maltraitée, appelez le 3977.",
    "115": "Si la personne n'a nulle part où dormir ce soir, appelez le 115.",
}
PLAIN = {
    "15": "urgence vitale possible (signes évocateurs)",
    "3114": "souffrance suicidaire possible",
    "3919": "violences conjugales possibles",
    "17": "danger immédiat possible",
    "119": "enfant en danger possible",
    "3977": "maltraitance possible d'une personne vulnérable",
    "115": "sans hébergement ce soir",
}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_WORDS = re.compile(r"[a-z0-9]+")


@dataclass
class Prediction:
    numero: str | None
    probabilite: float
    probabilites: dict[str, float]


def _expand(template: str, fillers: dict[str, list[str]], rng: random.Random, n: int) -> list[str]:
    keys = _PLACEHOLDER.findall(template)
    if not keys:
        return [template]
    out = []
    for _ in range(n):
        text = _PLACEHOLDER.sub(lambda m: rng.choice(fillers[m.group(1)]), template)
        text = re.sub(r"\s+", " ", text).strip()
        if rng.random() < 0.3:
            text = _sms(text, rng)
        out.append(text)
    return list(dict.fromkeys(out))


def _sms(text: str, rng: random.Random) -> str:
    """An SMS-style variant: no accents, no apostrophes, a few usual shortenings."""
    t = fold(text)
    for a, b in ((" qu il", " quil"), (" d un", " dun"), (" l a ", " la "), (" beaucoup", " bcp"),
                 (" dans ", " ds "), (" plus ", " pu ") if rng.random() < 0.3 else ("", ""),
                 (" que ", " ke ") if rng.random() < 0.2 else ("", "")):
        if a:
            t = t.replace(a, b)
    return t


def corpus(path: Path = CORPUS) -> tuple[list[str], list[str]]:
    """(texts, labels) of the training corpus, expanded deterministically."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rng = random.Random(data.get("graine", 0))
    fillers = {k: [str(x) for x in v] for k, v in data["remplissages"].items()}
    texts: list[str] = []
    labels: list[str] = []
    for numero, templates in data["urgences"].items():
        for t in templates:
            for x in _expand(str(t), fillers, rng, VARIANTS_EMERGENCY):
                texts.append(x)
                labels.append(str(numero))
    neg = data["sans_urgence"]
    for t in neg["gabarits"]:
        for x in _expand(str(t), fillers, rng, VARIANTS_OTHER):
            texts.append(x)
            labels.append(NONE)
    for x in neg["phrases"]:
        texts.append(str(x))
        labels.append(NONE)
    # Traps built from the emergency templates: the same signs told as past or hypothetical.
    for numero, templates in data["urgences"].items():
        for t in templates[::3]:
            x = _expand(str(t), fillers, rng, 1)[0]
            texts.append(f"Question générale, rien en cours : que faire si {x}")
            labels.append(NONE)
            texts.append(f"{x} — c'était il y a cinq ans, tout va bien depuis, on cherche un suivi.")
            labels.append(NONE)
    texts_nlu = _nlu_negatives()
    texts.extend(texts_nlu)
    labels.extend([NONE] * len(texts_nlu))
    return texts, labels


def _nlu_negatives() -> list[str]:
    """The project's NLU examples (not the held-out sets) in which the signs reader finds no live
    sign (an example naming an emergency is not a negative)."""
    reader = SignReader.default()
    out = []
    for name in ("orientation.yml", "dialogue.yml"):
        path = NLU_DIR / name
        if not path.exists():
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if not line.startswith("- "):
                    continue
                text = re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line[2:]).strip()
                if text and not any(reader.is_live(s) for s in reader.read(text)):
                    out.append(text)
    return out


class EmergencyNet:
    """The trained classifier. `EmergencyNet.default()`; `predict(text)`."""

    def __init__(self, texts: list[str], labels: list[str]):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, make_pipeline

        features = FeatureUnion([
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, sublinear_tf=True,
                                      preprocessor=fold)),
            ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1, sublinear_tf=True,
                                      preprocessor=fold, token_pattern=r"[a-z0-9]+")),
        ])
        self.model = make_pipeline(features, LogisticRegression(C=8.0, solver="liblinear", class_weight="balanced"))
        self.model.fit(texts, labels)
        self.classes = list(self.model.classes_)
        self.size = len(texts)

    @classmethod
    def default(cls) -> "EmergencyNet":
        return _default_net()

    def predict(self, text: str) -> Prediction:
        """The net's prediction for `text` (a turn triages its message once: ``actions.turn.Turn``)."""
        probs = self.model.predict_proba([text or ""])[0]
        table = {c: float(p) for c, p in zip(self.classes, probs)}
        best = max((c for c in self.classes if c != NONE), key=lambda c: table[c])
        return Prediction(best, table[best], table)


CACHE_DIR = Path(__file__).resolve().parents[1] / ".build"


@lru_cache(maxsize=1)
def _default_net() -> EmergencyNet:
    """Trained once per process (a few seconds); the fitted model is also kept in .build/,
    keyed by the corpus, the NLU data and the scikit-learn version, so later processes load it."""
    import pickle

    import sklearn

    path = CACHE_DIR / f"emergency_net-{digest()}-{sklearn.__version__}.pkl"
    try:
        with path.open("rb") as fh:
            net = pickle.load(fh)
        if isinstance(net, EmergencyNet):
            return net
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        pass
    texts, labels = corpus()
    net = EmergencyNet(texts, labels)
    try:
        CACHE_DIR.mkdir(exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(net, fh)
        tmp.replace(path)
    except OSError:
        pass
    return net


def digest() -> str:
    """Hash of everything the net is trained on (and of this module's thresholds-free code)."""
    h = hashlib.sha256(CORPUS.read_bytes())
    h.update(SIGNS_PATH.read_bytes())
    for name in ("orientation.yml", "dialogue.yml"):
        p = NLU_DIR / name
        if p.exists():
            h.update(p.read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:12]


@dataclass(frozen=True)
class Alarm:
    """An emergency the net raises: said plainly, or as a conditional line when in doubt."""
    numero: str
    motif: str
    conditionnel: bool = False


# A question about what might happen ("si jamais il refait un malaise, qui j'appelle ?") or a
# message that says itself that nothing is serious ("rien de grave", "pour l'instant elle va
# bien"), with nothing dated now: the net's doubt has no situation to qualify.
_SUPPOSED = re.compile(r"\b(?:si jamais|au cas ou|et si|si un jour|des fois que|dans l hypothese)\b")
_CALM = re.compile(
    r"\b(?:rien de grave|pas de (?:souci|probleme) grave|pas urgent|sans urgence|rien d urgent|pas d urgence|"
    r"aucune urgence|rien d inquietant|(?:n est |ne sont )?pas en danger|aucun danger|tout va bien|"
    r"(?:il|elle|ils|elles|tout le monde|tous) (?:va|vont) (?:bien|mieux|tres bien))\b")
_NOW = re.compile(
    r"\b(?:(?:depuis|il y a|ya|y a|dp) (?:\d+|une|un|deux|trois|quelques|dix|vingt) ?(?:min|mn|minutes?|h|heures?)|"
    r"depuis (?:ce matin|cette nuit|ce midi|tout a l heure|hier soir)|en ce moment|a l instant|d un coup|tout a coup|"
    r"brutalement|soudain\w*|vient de|viennent de|ce matin|cette nuit|ce soir|ce midi)\b")


def nothing_current(text: str, *, hypothetical: bool = False) -> bool:
    """A supposed or self-declared harmless situation, with nothing dated now (see above);
    `hypothetical`: the caller already knows the message is a question, only the "now" counts."""
    folded = fold(text)
    return (hypothetical or bool(_SUPPOSED.search(folded) or _CALM.search(folded))) and not _NOW.search(folded)


def second_net(situation, said: set[str], *, vetoed: bool = False) -> list[Alarm]:
    """Emergencies (plain or conditional) the net adds for numbers not already raised."""
    text = situation.text or ""
    if vetoed or len(_WORDS.findall(fold(text))) < MIN_WORDS or nothing_current(text):
        return []
    signes = getattr(situation, "signes", None) or []
    if signes:
        reader = SignReader.default()
        if not any(reader.is_live(s) for s in signes):
            return []       # only negated, past, hypothetical or reassuring signs: no alarm
    elif SignReader.default().denied_only(text):
        return []           # the alarm words are all negated ("la plaie ne saigne pas")
    pred = EmergencyNet.default().predict(text)
    out = []
    for numero in sorted(NUMBERS, key=lambda n: -pred.probabilites.get(n, 0.0)):
        if numero in said or (numero != "15" and "15" in said and numero != "3114"):
            continue
        p = pred.probabilites.get(numero, 0.0)
        lo, hi = THRESHOLDS.get(numero, SOCIAL_THRESHOLDS)
        if p >= hi:
            out.append(Alarm(numero, PLAIN[numero]))
        elif p >= lo:
            out.append(Alarm(numero, CONDITIONAL[numero], conditionnel=True))
    return out[:1]
