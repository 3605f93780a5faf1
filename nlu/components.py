"""Deterministic entity extractors for the Aiguillage NLU (Rasa 3.6 graph components).

They wrap the plain-Python readers of ``knowledge/`` so that the NLU and the orientation logic
read a message the same way:

* ``CommuneExtractor``: ``commune`` (INSEE code), ``departement`` ("18"), ``code_postal``
  ("18200") from ``knowledge.gazetteer``; an out-of-region place is a ``commune`` entity with the
  role ``hors_region`` and its label as value.
* ``AgeExtractor``: ``age`` in years as a string ("82a", "octogénaire", "3 semaines" -> "0").
* ``VocabularyExtractor``: ``public``, ``besoin``, ``type_ressource``, ``urgence_temps`` (vocabulary
  codes) from ``knowledge.vocabulary``; a negated mention keeps its entity with the role ``nie``
  (slot mappings without a role ignore it).
* ``TimeExtractor``: ``temps`` (surface text, validated by ``knowledge.when.parse_when``).
* ``RequestNumberExtractor``: ``numero_demande`` ("AIG-2026-000123").
* ``EntityOverlapResolver``: drops entities overlapping a higher-priority one (run it last).
* ``SpacyTokensNLP``: ``SpacyNLP`` that keeps only the listed spaCy pipes (default: none, the
  model's tokenizer alone): docs/performance.md.

Every resource (gazetteer, vocabulary) is loaded once, when the component is created.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyNLP
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_ROLE,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from knowledge import when
from knowledge.ages import MAX_AGE
from knowledge.gazetteer import Gazetteer
from knowledge.places import find_places
from knowledge.situation import parse_age
from knowledge.tickets.numbers import find_numeros
from knowledge.vocabulary import Vocabulary

ROLE_NEGATED = "nie"
ROLE_OUT_OF_REGION = "hors_region"

VOCABULARY_ENTITY = {
    "type": "type_ressource",
    "public": "public",
    "besoin": "besoin",
    "urgence": "urgence_temps",
}

# Higher first: on overlapping spans the lower-priority entity is dropped.
DEFAULT_PRIORITY = [
    "numero_demande", "code_postal", "age", "type_ressource", "commune", "departement",
    "public", "besoin", "urgence_temps", "temps",
]


def entity(kind: str, start: int, end: int, text: str, value: Any,
           role: Optional[str] = None, **extra: Any) -> Dict[Text, Any]:
    """One Rasa entity dict."""
    e: Dict[Text, Any] = {
        ENTITY_ATTRIBUTE_TYPE: kind,
        ENTITY_ATTRIBUTE_START: start,
        ENTITY_ATTRIBUTE_END: end,
        ENTITY_ATTRIBUTE_VALUE: value,
        "text": text[start:end],
        "confidence_entity": 1.0,
    }
    if role:
        e[ENTITY_ATTRIBUTE_ROLE] = role
    e.update(extra)
    return e


class _Deterministic(GraphComponent, EntityExtractorMixin):
    """Base of the non-trainable extractors: ``extract(text)`` -> entity dicts."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = {**self.get_default_config(), **(config or {})}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "_Deterministic":
        return cls(config)

    def extract(self, text: str) -> List[Dict[Text, Any]]:  # pragma: no cover - abstract
        raise NotImplementedError

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = self.add_extractor_name(self.extract(text))
            message.set(ENTITIES, message.get(ENTITIES, []) + found, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training examples keep their gold annotations (nothing to learn here)."""
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class CommuneExtractor(_Deterministic):
    """Communes, departments and postal codes via ``knowledge.gazetteer`` (rapidfuzz inside)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"min_score": 0.0, "keep_out_of_region": True, "bare_max_tokens": 6}

    def __init__(self, config: Dict[Text, Any], gazetteer: Any = None) -> None:
        super().__init__(config)
        if gazetteer is None:
            gazetteer = Gazetteer.default()
        self.gazetteer = gazetteer

    def extract(self, text: str) -> List[Dict[Text, Any]]:
        """Entities of the places ``knowledge.places.find_places`` reads (the dialogue's reader)."""

        return [e for m in find_places(text, self.gazetteer) for e in self._entities(m, text)]

    def _entities(self, m: Any, text: str) -> List[Dict[Text, Any]]:
        if m.score < self.config["min_score"]:
            return []
        start, end = m.start, m.end
        if not (0 <= start < end <= len(text)):
            start, end = 0, len(text)
        cands = [c.code_insee for c in m.candidates]
        if m.kind == "commune" and (m.commune is not None or cands):
            # Unresolved homonyms: the value is the name as written (not an INSEE code) so that
            # the dialogue asks which one; the candidates' codes ride along.
            value = m.commune.code_insee if m.commune is not None else text[start:end]
            extra = {"candidates": cands} if cands else {}
            return [entity("commune", start, end, text, value, **extra)]
        if m.kind == "departement" and m.departement is not None:
            return [entity("departement", start, end, text, m.departement.code)]
        if m.kind == "code_postal":
            digits = re.sub(r"\D", "", m.text) or m.text
            extra = {"candidates": cands} if cands else {}
            if m.commune is not None:
                extra["commune"] = m.commune.code_insee
            return [entity("code_postal", start, end, text, digits, **extra)]
        if m.kind == "hors_region" and self.config["keep_out_of_region"]:
            return [entity("commune", start, end, text, m.label or m.text, role=ROLE_OUT_OF_REGION)]
        return []


_AGE_WORDS = ("centenaire", "nonagenaire", "octogenaire", "septuagenaire", "sexagenaire",
              "quinquagenaire", "quadragenaire", "trentenaire", "quarantenaire", "cinquantenaire",
              "soixantenaire")
_AGE_WORD_YEARS = {"centenaire": 100, "nonagenaire": 90, "octogenaire": 80, "septuagenaire": 70,
                   "sexagenaire": 60, "soixantenaire": 60, "quinquagenaire": 50,
                   "cinquantenaire": 50, "quadragenaire": 40, "quarantenaire": 40,
                   "trentenaire": 30}
# Years: "82 ans", "82a", "82 a", "82an", "82 ans 1/2".
_YEARS_RE = re.compile(r"(?<![\w/.,])(\d{1,3})\s?(ans|an|a)(?![\w])")
# Months, weeks, days: only for an infant/child cue before ("bébé 2 mois", "nourrisson de 3 sem").
_SMALL_RE = re.compile(r"(?<![\w/.,])(\d{1,2})\s?(mois|semaines|semaine|sem|jours|jour|j)(?![\w])")
_INFANT_CUE = re.compile(r"\b(bebe|bb|nourrisson|nouveau ne|nne|prema|premature|prematuree|"
                         r"ne|nee|enfant|fille|fils|garcon|gamin|gamine|petit|petite|ptit|ptite|"
                         r"ptte|ptt|age|agee|de)\s*$")
# Words before a number that make it a duration, not an age.
_DURATION_CUE = re.compile(r"\b(depuis|dans|pendant|il y a|ya|durant|sous|tous les|toutes les|"
                           r"en|x|par|pour|apres|avant|enceinte de|enceinte|grossesse de|"
                           r"de plus de|plus de|moins de|ca fait|cela fait|voila)\s*$")
_AGE_WORD_RE = re.compile(r"\b(" + "|".join(_AGE_WORDS) + r")s?\b")


def fold_keep_offsets(text: str) -> str:
    """Lower case, accents stripped, ``'’-_.`` -> space, one char per char (offsets kept)."""
    out = []
    for c in text:
        d = unicodedata.normalize("NFD", c.lower())
        base = "".join(ch for ch in d if not unicodedata.combining(ch)) or " "
        if c in "'’‘ʼ`´-‐‑‒–—_." or c.isspace():
            base = " "
        out.append(base[0])
    return "".join(out)


def _age_value(span: str, n: Optional[int], unit: Optional[str], word: Optional[str]) -> Optional[int]:
    """Years for a located age; ``knowledge.situation.parse_age`` decides first."""
    value = parse_age(span)
    if value is not None:
        return value
    if word:
        return _AGE_WORD_YEARS.get(word)
    if n is None or unit is None:
        return None
    if unit.startswith(("an", "a")):
        return n
    if unit.startswith("mois"):
        return n // 12
    return 0


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class AgeExtractor(_Deterministic):
    """Ages: '82 ans', '82a', 'octogénaire', 'nourrisson de 3 semaines', 'ado de 15 ans'."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"max_years": MAX_AGE}

    def extract(self, text: str) -> List[Dict[Text, Any]]:
        t = fold_keep_offsets(text)
        out = []
        for m in _YEARS_RE.finditer(t):
            n = int(m.group(1))
            before = t[max(0, m.start() - 25):m.start()]
            if n > self.config["max_years"] or _DURATION_CUE.search(before):
                continue
            unit = "an"
            # A bare "a" ("82a", "82 a") followed by a digit or "h" is not an age ("3 a 4h").
            if m.group(2) == "a" and re.match(r"\s*(\d|h\b)",
                                                                   t[m.end():m.end() + 3]):
                continue
            value = _age_value(text[m.start():m.end()], n, unit, None)
            if value is not None:
                out.append(entity("age", m.start(), m.end(), text, str(value)))
        for m in _SMALL_RE.finditer(t):
            before = t[max(0, m.start() - 25):m.start()]
            if _DURATION_CUE.search(before) or not _INFANT_CUE.search(before):
                continue
            value = _age_value(text[m.start():m.end()], int(m.group(1)), m.group(2), None)
            if value is not None:
                out.append(entity("age", m.start(), m.end(), text, str(value)))
        for m in _AGE_WORD_RE.finditer(t):
            value = _age_value(text[m.start():m.end()], None, None, m.group(1))
            if value is not None:
                out.append(entity("age", m.start(), m.end(), text, str(value)))
        return sorted(out, key=lambda e: e[ENTITY_ATTRIBUTE_START])


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class VocabularyExtractor(_Deterministic):
    """Publics, needs, resource types and urgency cues via ``knowledge.vocabulary``.

    ``negation``: "role" keeps a negated mention with the role ``nie`` (default); "drop" removes it.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"negation": "role"}

    def __init__(self, config: Dict[Text, Any], vocabulary: Any = None) -> None:
        super().__init__(config)
        if vocabulary is None:
            vocabulary = Vocabulary.default()
        self.vocabulary = vocabulary

    def extract(self, text: str) -> List[Dict[Text, Any]]:
        out = []
        for m in self.vocabulary.find(text):
            kind = VOCABULARY_ENTITY.get(m.kind)
            if kind is None:
                continue
            if m.negated and self.config["negation"] == "drop":
                continue
            out.append(entity(kind, m.start, m.end, text, m.code,
                              role=ROLE_NEGATED if m.negated else None))
        return out


# Time spans: the patterns of knowledge.when are applied to an offset-preserving folding and
# adjacent pieces merged ("samedi" + "10h"); each span is validated by parse_when.
_TIME_JOIN = re.compile(r"^\s*(?:a|vers|des|de|entre|,)?\s*$")
_NOT_A_TIME_BEFORE = re.compile(r"\b(bonne|bon|hier|avant hier)\s*$")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class TimeExtractor(_Deterministic):
    """Dates and times ('samedi 10h', 'demain matin', 'ce soir') validated by ``parse_when``."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        super().__init__(config)
        self._when = when
        self._patterns = [p for name, p in when._RE.items() if name not in ("pm",)]

    def extract(self, text: str) -> List[Dict[Text, Any]]:
        t = fold_keep_offsets(text)
        spans = sorted((m.start(), m.end()) for p in self._patterns for m in p.finditer(t)
                       if m.end() > m.start())
        merged: List[List[int]] = []
        for s, e in spans:
            if merged and (s <= merged[-1][1] or _TIME_JOIN.match(t[merged[-1][1]:s])):
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        now = datetime.now(self._when.TZ)
        out = []
        for s, e in merged:
            while e > s and t[e - 1] == " ":
                e -= 1
            if _NOT_A_TIME_BEFORE.search(t[max(0, s - 12):s]):
                continue  # "bonne nuit", "bonne soirée", "hier soir"
            if self._when.parse_when(text[s:e], now) is not None:
                out.append(entity("temps", s, e, text, text[s:e]))
        return out


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class RequestNumberExtractor(_Deterministic):
    """Support request numbers 'AIG-2026-000123' (also 'aig 2026 123'), value normalised."""

    def extract(self, text: str) -> List[Dict[Text, Any]]:
        return [entity("numero_demande", s, e, text, numero) for s, e, numero in find_numeros(text)]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class EntityOverlapResolver(_Deterministic):
    """Keeps one entity per character: on overlap the higher ``priority`` (then longer) wins."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"priority": DEFAULT_PRIORITY, "may_overlap": [["temps", "urgence_temps"]]}

    def resolve(self, entities: List[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
        rank = {k: i for i, k in enumerate(self.config["priority"])}

        def key(e: Dict[Text, Any]):
            return (rank.get(e[ENTITY_ATTRIBUTE_TYPE], len(rank)),
                    -(e[ENTITY_ATTRIBUTE_END] - e[ENTITY_ATTRIBUTE_START]), e[ENTITY_ATTRIBUTE_START])

        pairs = {frozenset(p) for p in self.config["may_overlap"]}
        kept: List[Dict[Text, Any]] = []
        for e in sorted(entities, key=key):
            if all(e[ENTITY_ATTRIBUTE_END] <= k[ENTITY_ATTRIBUTE_START]
                   or e[ENTITY_ATTRIBUTE_START] >= k[ENTITY_ATTRIBUTE_END]
                   or frozenset((e[ENTITY_ATTRIBUTE_TYPE], k[ENTITY_ATTRIBUTE_TYPE])) in pairs
                   for k in kept):
                kept.append(e)
        return sorted(kept, key=lambda e: e[ENTITY_ATTRIBUTE_START])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get(ENTITIES)
            if entities:
                message.set(ENTITIES, self.resolve(entities), add_to_output=True)
        return messages


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.MODEL_LOADER, DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER],
    is_trainable=False, model_from="SpacyTokensNLP",
)
class SpacyTokensNLP(SpacyNLP):
    """``SpacyNLP`` running only the pipes of ``keep`` (default none: the model's own tokenizer).

    With no pipe, ``SpacyTokenizer`` gets the same tokens as with the whole model but no lemma
    (Rasa then uses the lower-cased text) and no part of speech, for a fraction of the CPU.
    The model is loaded once per process and shared by the graph's nodes.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**SpacyNLP.get_default_config(), "keep": []}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SpacyTokensNLP":
        config = {**cls.get_default_config(), **config}
        key = (config.get("model"), tuple(config["keep"] or ()))
        model = _SPACY_MODELS.get(key)
        if model is None:
            model = cls.load_model(config.get("model"))
            cls.ensure_proper_language_model(model.model)
            for name in list(model.model.component_names):
                if name not in key[1]:
                    model.model.remove_pipe(name)
            _SPACY_MODELS[key] = model
        return cls(model, config)


# Rasa builds two nodes of a model loader (`provide_*` and `run_*`), each calling `create`: one
# loaded spaCy model per process instead of two (read-only once its pipes are removed).
_SPACY_MODELS: Dict[Any, Any] = {}
