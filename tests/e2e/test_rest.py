"""End to end through Rasa's REST channel: real model, action server, SQLite directory.

Each request is written as a GP writes; expectations are what a coordinator would answer.
The clock is fixed on Monday 23 November 2026 at 10:00 (Paris), see conftest.FIXED_NOW.
"""
from __future__ import annotations

import re
import uuid

import pytest

pytestmark = pytest.mark.e2e

FICTION_PHONE = re.compile(r"^02 61 91 \d\d \d\d$")
ANY = None

# (message, commune INSEE or "dep:NN", emergency number, level, acceptable first types)
CASES = [
    # Cher (18)
    ("patiente 87 ans seule à domicile à Saint-Amand-Montrond, chutes à répétition, refuse les aides", "18197", None, 3, {"DAC"}),
    ("dame 87 ans seule à St-Amand, chutes ++, refuse les aides", "18197", None, 3, {"DAC"}),
    ("mr 52 ans, alcool, veut arrêter de boire, Vierzon", "18279", None, ANY, {"CSAPA"}),
    ("douleur thoracique depuis 20 min chez un patient de 60 ans à Bourges", "18033", "15", ANY, ANY),
    ("enfant de 4 ans, retard de langage et de développement, Sancerre", "18241", None, ANY, {"CAMSP", "CMPP"}),
    ("dossier MDPH à faire pour un adulte handicapé à Aubigny-sur-Nère", "18015", None, ANY, {"MDPH"}),
    # Eure-et-Loir (28)
    ("patient en fin de vie à domicile à Chartres, besoin d'aide pour les soins palliatifs", "28085", None, ANY, {"EMSP", "HAD"}),
    ("femme 35 ans victime de violences conjugales par son conjoint, Dreux", "28134", "3919", ANY, ANY),
    ("homme sans domicile, va dormir dehors ce soir, Châteaudun", "28088", "115", ANY, ANY),
    ("patient sans couverture sociale qui a besoin de soins, Nogent-le-Rotrou", "28280", None, ANY, {"PASS"}),
    ("ado de 15 ans, mal-être, déscolarisée, Lucé", "28218", None, ANY, {"MDA", "CMPP"}),
    # Indre (36)
    ("pt 82a seul ds le 36, chutes ++, refus aides", "dep:36", None, 3, {"DAC"}),
    ("Mme 78 ans troubles de mémoire récents, Châteauroux, besoin d'un bilan mémoire", "36044", None, ANY, {"CMRR", "ESA", "CLIC", "DAC", "EMG"}),
    ("idées suicidaires sans scénario chez un homme de 40 ans à Issoudun", "36088", "3114", ANY, ANY),
    ("bébé de 3 semaines, mère isolée et épuisée, Le Blanc", "36018", None, ANY, {"PMI"}),
    ("patient 45 ans schizophrène en rupture de suivi psychiatrique, La Châtre", "36046", None, ANY, {"CMP"}),
    ("HAD pour pansements complexes à domicile à Argenton-sur-Creuse", "36006", None, ANY, {"HAD"}),
    # Indre-et-Loire (37)
    ("enfant en danger, suspicion de maltraitance par les parents, Tours", "37261", "119", ANY, ANY),
    ("mr 90 ans maltraité par son fils qui lui prend son argent, Chinon", "37072", "3977", ANY, ANY),
    ("patiente SEP, aidant épuisé, Amboise", "37003", None, ANY, {"DAC", "RESEAU", "PFR"}),
    ("besoin d'un SSIAD pour la toilette d'une dame de 84 ans à Loches", "37132", None, ANY, {"SSIAD"}),
    ("suspicion d'autisme chez un garçon de 3 ans à Joué-lès-Tours", "37122", None, ANY, {"CRA", "CAMSP"}),
    ("paralysie faciale et troubles de la parole depuis 1h, patient 70 ans, Tours", "37261", "15", ANY, ANY),
    # Loir-et-Cher (41)
    ("usager de drogues qui a besoin de matériel de réduction des risques, Blois", "41018", None, ANY, {"CAARUD", "CSAPA"}),
    ("dame 80 ans qui sort d'hospitalisation, aide au retour à domicile, Romorantin-Lanthenay", "41194", None, ANY,
     {"PRADO", "SSIAD", "SAAD", "CLIC", "DAC"}),
    ("pas de douleur thoracique, patient de 50 ans à Vendôme qui cherche un médecin traitant", "41269", None, ANY, {"CPTS", "CPAM"}),
    ("homme 75 ans à Mer, perte d'autonomie, aidant épuisé, troubles cognitifs, refus de soins", "41136", None, 3, {"DAC"}),
    # Loiret (45)
    ("patient de 60 ans inconscient, ne répond plus, Orléans", "45234", "15", ANY, ANY),
    ("famille avec deux enfants à la rue ce soir à Montargis", "45208", "115", ANY, ANY),
    ("dame 88 ans à Gien, démence, troubles du comportement, fille à bout, plusieurs intervenants sans coordination",
     "45155", None, 3, {"DAC"}),
    ("jeune de 20 ans, cannabis tous les jours, veut de l'aide, Pithiviers", "45252", None, ANY, {"CSAPA"}),
    ("femme enceinte isolée sans suivi de grossesse, Saint-Jean-de-Braye", "45284", None, ANY, {"PMI"}),
]


@pytest.mark.parametrize("message,place,numero,niveau,first_types", CASES, ids=[c[0][:40] for c in CASES])
def test_orientation_request(bot, message, place, numero, niveau, first_types):
    text, payload = bot.orientation(f"e2e-{uuid.uuid4().hex[:8]}", message)
    assert payload is not None, f"no orientation payload; bot said: {text}"
    if numero:
        assert payload["urgence"] is not None and payload["urgence"]["numero"] == numero, text
        assert numero in text
        assert "questions cliniques" not in text and "Je n'ai pas bien compris" not in text
    else:
        assert payload["urgence"] is None or payload["urgence"]["numero"] not in ("15", "112"), text
    if place.startswith("dep:"):
        dep = place[4:]
        assert payload["commune"] is None
        assert all(dep in r["departements"] for r in payload["recommandations"])
    else:
        assert payload["commune"]["code_insee"] == place, text
        dep = payload["commune"]["departement"]
    if niveau is not None:
        assert payload["niveau"] == niveau, (text, payload["motifs"])
    recos = payload["recommandations"]
    if first_types is not None:
        assert recos, text
        assert recos[0]["type"] in first_types, (recos[0]["type"], text)
    for r in recos:
        assert dep in r["departements"]
        assert r["telephone"] is None or FICTION_PHONE.match(r["telephone"]) or len(r["telephone"]) <= 6
        assert isinstance(r["ouvert_maintenant"], bool)
        assert r["ouvert_maintenant"] or r["prochaine_ouverture"]
        assert r["horaires_du_jour"]
        assert r["pourquoi"]
        assert r["nom"] in text  # the text answer names what the payload recommends
    assert payload["ticket"] is None


def test_first_answer_of_the_issue_example(bot):
    text, payload = bot.orientation(
        "e2e-issue", "patiente 87 ans seule à domicile à Saint-Amand-Montrond, chutes à répétition, refuse les aides"
    )
    first = payload["recommandations"][0]
    assert first["type"] == "DAC" and "18" in first["departements"]
    assert first["messagerie_securisee"].endswith("mssante.fr")
    assert first["ouvert_maintenant"] is True  # Monday 10:00
    assert 2 <= len(payload["recommandations"]) <= 3  # one or two sensible alternatives
    assert "Pourquoi" in text
    assert first["telephone"] in text


def test_asks_for_the_commune_then_accepts_a_correction(bot):
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    text, payload = bot.orientation(sender, "dame 87 ans, chutes à répétition, refuse les aides, vit seule")
    assert "commune" in text.lower()
    assert payload is None or not payload["recommandations"]
    text, payload = bot.orientation(sender, "Vierzon")
    assert payload["commune"]["code_insee"] == "18279", text
    assert payload["recommandations"]
    text, payload = bot.orientation(sender, "non, à Bourges")
    assert payload["commune"]["code_insee"] == "18033", text


def test_out_of_region_is_declined_clearly(bot):
    text, payload = bot.orientation(f"e2e-{uuid.uuid4().hex[:8]}", "patient de 70 ans isolé à Paris, chutes")
    assert "Centre-Val de Loire" in text
    assert payload is None or not payload["recommandations"]


@pytest.mark.parametrize(
    "message,expected",
    [
        ("bonjour", "Bonjour"),
        ("que sais-tu faire ?", "Centre-Val de Loire"),
        ("quelle posologie de tramadol pour une dame de 85 ans ?", "questions cliniques"),
        ("merci beaucoup", "plaisir"),
    ],
)
def test_small_talk_and_clinical_questions(bot, message, expected):
    texts, customs = bot.send(f"e2e-{uuid.uuid4().hex[:8]}", message)
    assert any(expected in t for t in texts), texts
    assert not any(c.get("orientation", {}).get("recommandations") for c in customs)


def test_hours_question_names_the_day(bot):
    text, payload = bot.orientation(f"e2e-{uuid.uuid4().hex[:8]}", "le CMP de Vierzon est-il ouvert samedi ?")
    assert "samedi" in text
    assert payload["recommandations"][0]["type"] == "CMP"


@pytest.mark.parametrize("message", ["", "   ", "x" * 20000, "\x00\x01\x02 ��� <script>alert(1)</script>", "💥💥💥"])
def test_bad_input_gets_an_answer(bot, message):
    texts, _ = bot.send(f"e2e-{uuid.uuid4().hex[:8]}", message)
    assert texts, "the bot must always answer"


def test_support_request_from_the_chat_committed_once_and_followed(bot, directory_url):
    """Level 3 answer → "ouvrir une demande" → form → read-back → confirmation → number."""
    from knowledge.tickets import TicketStore

    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    _, payload = bot.orientation(sender, "dame 87 ans seule à St-Amand, chutes ++, refuse les aides, M. Dupont son voisin 06 12 34 56 78")
    assert payload["niveau"] == 3
    steps = [
        ("/ouvrir_demande", "délai"),
        ("cette semaine", "d'accord"),
        ("oui", "nom"),
        ("Dr Claire Martin", "profession"),
        ("médecin généraliste", "RPPS"),
        ("non", "messagerie"),
        ("dr.martin@cabinet.exemple.mssante.fr", "créneau"),
        ("demain entre 12h et 14h", "récapitule"),
    ]
    for message, expected in steps:
        texts, _ = bot.send(sender, message)
        assert any(expected.lower() in t.lower() for t in texts), (message, texts)
    readback = "\n".join(texts)
    assert "Saint-Amand-Montrond" in readback and "06 12" not in readback and "Dupont" not in readback
    texts, customs = bot.send(sender, "oui")
    ticket = [c["orientation"]["ticket"] for c in customs if c.get("orientation", {}).get("ticket")]
    assert ticket, texts
    numero = ticket[0]["numero"]
    assert re.fullmatch(r"AIG-2026-\d{6}", numero) and any(numero in t for t in texts)
    bot.send(sender, "oui")  # double click / network retry
    store = TicketStore(directory_url, create_schema=False)
    mine = store.by_requester(sender)
    assert [t.numero for t in mine] == [numero]
    assert mine[0].dac_id == "dac-18" and mine[0].niveau == 3
    assert "Dupont" not in mine[0].resume and "06 12 34" not in mine[0].resume
    texts, _ = bot.send(sender, f"où en est ma demande {numero} ?")
    assert any("reçue" in t for t in texts), texts
    texts, _ = bot.send(f"e2e-{uuid.uuid4().hex[:8]}", f"où en est la demande {numero} ?")
    assert not any("reçue" in t for t in texts), texts
