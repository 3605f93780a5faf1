"""knowledge/data/fuzzy-block.txt is generated: the shipped file is exactly what its script writes."""
import importlib.util
from pathlib import Path

import pytest

from knowledge.gazetteer import Gazetteer, words

ROOT = Path(__file__).resolve().parents[2]
SPEC = importlib.util.spec_from_file_location("build_fuzzy_block", ROOT / "scripts" / "build_fuzzy_block.py")
build = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(build)


@pytest.fixture(scope="module")
def unblocked():
    return Gazetteer(fuzzy_block=frozenset())


def test_the_script_rewrites_the_shipped_file_from_its_own_words(unblocked):
    """Every listed word is still one the typo rule would turn into a place (none is dead), and the
    file is in the script's canonical form: a data or rule change that alters either fails here."""
    shipped = words.FUZZY_BLOCK_FILE.read_text(encoding="utf-8")
    assert len(words.FUZZY_BLOCK) > 1500
    assert build.render(build.blocked_words(unblocked, sorted(words.FUZZY_BLOCK))) == shipped


@pytest.mark.skipif(importlib.util.find_spec("wordfreq") is None,
                    reason="wordfreq (offline build tool) not installed: the full regeneration needs its word list")
def test_the_script_regenerates_the_shipped_file_from_wordfreq(unblocked):
    import wordfreq
    text = build.render(build.blocked_words(unblocked, wordfreq.top_n_list("fr", 100000)))
    assert text == words.FUZZY_BLOCK_FILE.read_text(encoding="utf-8")


@pytest.mark.parametrize("word", ["mardi", "pompiers", "filles", "saisonnieres", "verrouillent"])
def test_blocked_words_are_never_corrected_into_a_place(word, unblocked):
    assert unblocked._fuzzy_cached(word) is not None      # without the list they would be
    assert Gazetteer.default().resolve(word) is None


@pytest.mark.parametrize("text", ["prado 37 apres prothese de hanche", "ssiad pr mr bourgeois 45",
                                  "pb d argent csapa 18"])
def test_short_messages_never_turn_a_common_word_into_a_town(text):
    """The town-name typo rule of short messages (knowledge/places.py) honours the same list."""
    from knowledge.places import find_places
    assert [m for m in find_places(text) if m.kind == "commune"] == []
