"""nlu.components.SpacyTokensNLP: the tokens of the whole spaCy model, without its networks."""
from __future__ import annotations

import pytest

pytest.importorskip("rasa", reason="rasa is needed for the NLU graph components")

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.nlu.tokenizers.spacy_tokenizer import SpacyTokenizer  # noqa: E402
from rasa.nlu.utils.spacy_utils import SpacyNLP  # noqa: E402
from rasa.shared.nlu.constants import TEXT  # noqa: E402
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from bot.processes import ROOT  # noqa: E402
from nlu.components import SpacyTokensNLP  # noqa: E402


def _create(cls, config):
    ctx = ExecutionContext(GraphSchema({}), "test")
    return cls.create({**cls.get_default_config(), **config}, None, None, ctx)


@pytest.fixture(scope="module")
def texts():
    data = load_data(str(ROOT / "nlu" / "eval" / "heldout.yml"))
    return [m.get("text") for m in data.intent_examples][:150]


def _tokens(nlp, texts):
    tokenizer = SpacyTokenizer(SpacyTokenizer.get_default_config())
    out = []
    for text in texts:
        msg = Message(data={TEXT: text})
        nlp.process([msg], nlp.provide())
        tokenizer.process([msg])
        out.append([(t.text, t.start, t.end, t.lemma) for t in msg.get("text_tokens")])
    return out


def test_no_pipe_is_left_by_default():
    nlp = _create(SpacyTokensNLP, {"model": "fr_core_news_md", "case_sensitive": False})
    assert nlp.provide().model.pipe_names == []


def test_kept_pipes_stay():
    nlp = _create(SpacyTokensNLP, {"model": "fr_core_news_md", "keep": ["tok2vec", "morphologizer"]})
    assert nlp.provide().model.pipe_names == ["tok2vec", "morphologizer"]


def test_same_tokens_as_the_whole_model_and_the_text_as_lemma(texts):
    config = {"model": "fr_core_news_md", "case_sensitive": False}
    full = _tokens(_create(SpacyNLP, config), texts)
    light = _tokens(_create(SpacyTokensNLP, config), texts)
    assert len(texts) > 100
    lemmas_differ = 0
    for a, b in zip(full, light):
        assert [t[:3] for t in a] == [t[:3] for t in b]
        assert all(lemma == text for text, _, _, lemma in b)
        lemmas_differ += any(x[3] != y[3] for x, y in zip(a, b))
    assert lemmas_differ > 0  # the full model does lemmatise: the comparison is not vacuous
