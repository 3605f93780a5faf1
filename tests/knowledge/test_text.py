import pytest

from knowledge.text import fold, fold_place

FOLD_CASES = [
    ("Ste-Maure-de-Touraine", "ste maure de touraine"),
    ("Châteauroux", "chateauroux"),
    ("CHÂTEAUROUX", "chateauroux"),
    ("Saint-Amand-Montrond", "saint amand montrond"),
    ("Les Aix-d'Angillon", "les aix d angillon"),
    ("L’Île-Bouchard", "l ile bouchard"),
    ("  Mehun   sur\tYèvre ", "mehun sur yevre"),
    ("Bû", "bu"),
    ("Foëcy", "foecy"),
    ("Cœur de France", "coeur de france"),
    ("St._Jean__de--Braye", "st jean de braye"),
    ("Noël – Ça", "noel ca"),
    ("", ""),
    ("   ", ""),
    ("41000 Blois", "41000 blois"),
    ("Orléans, Loiret", "orleans, loiret"),
    ("🙂 Tours", "🙂 tours"),
]


@pytest.mark.parametrize("raw, expected", FOLD_CASES)
def test_fold(raw, expected):
    assert fold(raw) == expected


FOLD_PLACE_CASES = [
    ("St-Amand-Montrond", "saint amand montrond"),
    ("Ste-Maure-de-Touraine", "sainte maure de touraine"),
    ("ST JEAN DE BRAYE", "saint jean de braye"),
    ("St. Avertin", "saint avertin"),
    ("Saint-Avertin", "saint avertin"),
    ("Stéphane", "stephane"),              # "st" only as a whole word
    ("Estrée st", "estree saint"),
    ("Sainte-Lizaigne", "sainte lizaigne"),
    ("Ste Sévère", "sainte severe"),
    ("Châteauroux", "chateauroux"),
]


@pytest.mark.parametrize("raw, expected", FOLD_PLACE_CASES)
def test_fold_place(raw, expected):
    assert fold_place(raw) == expected


@pytest.mark.parametrize("raw", [c[0] for c in FOLD_CASES + FOLD_PLACE_CASES])
def test_fold_is_idempotent(raw):
    assert fold(fold(raw)) == fold(raw)
    assert fold_place(fold_place(raw)) == fold_place(raw)
