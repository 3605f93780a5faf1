import pytest

from knowledge.negation import is_history, is_negated
from knowledge.text import fold
from knowledge.vocabulary import fold_aligned


def span(text: str, mention: str) -> tuple[str, int, int]:
    """Folded text (as the vocabulary builds it) and the folded span of ``mention`` in ``text``."""
    folded, index = fold_aligned(text)
    start = text.index(mention)
    fs = index.index(start)
    fe = index.index(start + len(mention) - 1) + 1
    assert folded[fs:fe] == fold(mention) or fold(folded[fs:fe]) == fold(mention)
    return folded, fs, fe


NEGATION_CASES = [
    # (message, mention, negated)
    ("pas de chutes", "chutes", True),
    ("pas de chute récente", "chute", True),
    ("Pas d'aide à domicile pour l'instant ni de SSIAD", "SSIAD", True),
    ("aucun trouble cognitif", "trouble cognitif", True),
    ("aucune chute depuis 6 mois", "chute", True),
    ("sans troubles cognitifs", "troubles cognitifs", True),
    ("ni chutes ni troubles cognitifs", "chutes", True),
    ("ni chutes ni troubles cognitifs", "troubles cognitifs", True),
    ("absence de troubles du comportement", "troubles du comportement", True),
    ("nie toute idée suicidaire", "idée suicidaire", True),
    ("elle ne présente pas de troubles cognitifs", "troubles cognitifs", True),
    ("n'a jamais chuté", "chuté", True),
    ("il n'est plus seul depuis l'arrivée de son fils", "seul", True),
    ("pas de notion de chute", "chute", True),
    ("pas d'argument pour une démence", "démence", True),
    ("non douloureux", "douloureux", True),
    ("pas vraiment de troubles cognitifs", "troubles cognitifs", True),
    ("la fille ne veut pas d'EHPAD", "EHPAD", True),
    ("pas de place en SSIAD", "SSIAD", True),
    ("elle n'a pas de problème de mémoire", "mémoire", True),
    ("refus d'aide, pas de douleur", "douleur", True),
    ("aucun antécédent de chute", "chute", True),
    ("pas de chutes et de troubles cognitifs", "troubles cognitifs", True),
    ("pas de chutes ou de troubles cognitifs", "troubles cognitifs", True),
    ("PAS DE DÉNUTRITION", "DÉNUTRITION", True),
    ("Pas de TNC, chutes ++", "chutes", False),
    ("Pas de TNC, chutes ++", "TNC", True),
    ("pas de chutes mais refus d'aide", "refus d'aide", False),
    ("pas de chutes par contre isolement", "isolement", False),
    ("pas de chutes et refuse les aides", "refuse les aides", False),
    ("de plus en plus de chutes", "chutes", False),
    ("pas mal de chutes ces temps-ci", "chutes", False),
    ("sans doute des troubles cognitifs", "troubles cognitifs", False),
    ("chutes sans gravité", "chutes", False),
    ("dame seule. Pas de chute", "seule", False),
    ("pas de chutes, vit seule", "seule", False),
    ("pas de chutes; vit seule", "seule", False),
    ("pas de chute\nisolement", "isolement", False),
    ("pas seulement des chutes", "chutes", False),
    ("pas que des chutes", "chutes", False),
    ("kiné sans amélioration des chutes", "chutes", False),
    ("pas de chute depuis que le kiné passe mais troubles de la marche", "troubles de la marche", False),
    ("sans chute ni malaise, mais désorientée", "désorientée", False),
    ("chutes ++ et troubles cognitifs", "troubles cognitifs", False),
    ("démence évoluée, pas de chute", "démence", False),
    ("n'a pas de médecin traitant, isolement", "isolement", False),
    ("pas de troubles cognitifs cependant chutes", "chutes", False),
    ("pas de chute alors que le mari est épuisé", "épuisé", False),
    ("ne répond pas au traitement antidépresseur", "antidépresseur", False),
    ("n'ose pas porter plainte pour les violences", "violences", False),
    ("ne sait pas quoi faire de ses troubles cognitifs", "troubles cognitifs", False),
]


@pytest.mark.parametrize("text, mention, negated", NEGATION_CASES)
def test_is_negated_before(text, mention, negated):
    folded, start, _ = span(text, mention)
    assert is_negated(folded, start) is negated


POST_CASES = [
    ("chutes : non", "chutes", True),
    ("TNC: non.", "TNC", True),
    ("chutes : 0, TNC : oui", "chutes", True),
    ("idées suicidaires niées", "idées suicidaires", True),
    ("chutes : oui", "chutes", False),
    ("chutes non traitées par le kiné", "chutes", False),
    ("TNC non explorés, chutes", "TNC", False),
    ("chutes, non", "chutes", False),        # the comma closes the clause
]


@pytest.mark.parametrize("text, mention, negated", POST_CASES)
def test_is_negated_after(text, mention, negated):
    folded, start, end = span(text, mention)
    assert is_negated(folded, start, end) is negated


HISTORY_CASES = [
    # weeks, last week/month/year are history; hours and days stay current (acute)
    ("douleur thoracique il y a 3 semaines", "douleur thoracique", True),
    ("avc la semaine derniere, bien recupere", "avc", True),
    ("hospitalise le mois dernier pour un avc", "avc", True),
    ("douleur thoracique il y a 2 heures", "douleur thoracique", False),
    ("douleur thoracique depuis 3 jours", "douleur thoracique", False),
    ("a fait un AVC il y a 2 ans", "AVC", True),
    ("AVC il y a 6 mois", "AVC", True),
    ("ATCD de chute", "chute", True),
    ("ATCD : AVC, diabète. Chutes ++", "diabète", True),
    ("ATCD : AVC, diabète. Chutes ++", "Chutes", False),
    ("Antécédents : cancer, actuellement chutes", "chutes", False),
    ("Antécédents : cancer, actuellement chutes", "cancer", True),
    ("antécédent de dépression", "dépression", True),
    ("ancien alcoolique", "alcoolique", True),
    ("ex-toxicomane", "toxicomane", True),
    ("cancer du sein en 2015", "cancer du sein", True),
    ("cancer du sein en 2026", "cancer du sein", False),
    ("dépression dans le passé", "dépression", True),
    ("par le passé, dépression sévère", "dépression", False),   # the cue is in another clause
    ("dépression autrefois", "dépression", True),
    ("alcool sevré depuis 2010", "alcool", True),
    ("cancer guéri", "cancer", True),
    ("lymphome en rémission", "lymphome", True),
    ("chutes depuis 3 ans", "chutes", False),
    ("chute il y a 3 jours", "chute", False),
    ("chutes ++, ATCD de cancer", "chutes", False),
    ("alcool actuellement", "alcool", False),
    ("tentative de suicide il y a 10 ans", "tentative de suicide", True),
    ("dépression il y a longtemps", "dépression", True),
    ("chutes ++ aujourd'hui", "chutes", False),
    ("ATCD: HTA, diabète, vit seule, chutes ++", "diabète", True),
    ("ATCD: HTA, diabète, vit seule, chutes ++", "chutes", False),
    ("ATCD: HTA, diabète, cancer, BPCO, AVC, obésité, chutes", "chutes", False),   # too long a list
]


@pytest.mark.parametrize("text, mention, history", HISTORY_CASES)
def test_is_history(text, mention, history):
    folded, start, end = span(text, mention)
    assert is_history(folded, start, end, year=2026) is history


def test_plain_fold_text_is_accepted():
    # With knowledge.text.fold the dots are gone; commas still bound the scope.
    t = fold("pas de TNC, chutes ++")
    assert is_negated(t, t.index("tnc")) is True
    assert is_negated(t, t.index("chutes")) is False
