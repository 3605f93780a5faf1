from datetime import date

import pytest


from knowledge.situation import MAX_CHARS, Situation, analyse, parse_age, publics_for_age


TODAY = date(2026, 11, 23)


def C(msg, commune=None, dep=None, age=None, publics=(), besoins=(), nies=(), types=(), urgence=None,
      hors=None, antecedents=()):
    return pytest.param(msg, dict(commune=commune, dep=dep, age=age, publics=set(publics), besoins=set(besoins),
                                  nies=set(nies), types=list(types), urgence=urgence, hors=hors,
                                  antecedents=set(antecedents)), id=msg[:50])


PA = "personne_agee"
CASES = [
    C("dame 87 ans seule à St-Amand, chutes ++, refuse les aides", "18197", "18", 87, [PA],
      ["isolement", "chutes", "refus_aide"]),
    C("pt 82a seul ds le 36, chutes ++, refus aides", None, "36", 82, [PA], ["isolement", "chutes", "refus_aide"]),
    C("pte SEP, aidant épuisé", publics=["maladie_chronique", "aidant"],
      besoins=["maladie_chronique", "epuisement_aidant"]),
    C("had joue les tours", "37122", "37", types=["HAD"]),     # naming the service is not a need
    C("mr 45 ans sdf alcool, pas de sécu, à Orléans", "45234", "45", 45, ["adulte", "precarite", "addiction"],
      ["logement", "addiction", "acces_droits"]),
    C("bébé 3 semaines, mère isolée, Vierzon", "18279", "18", 0, ["enfant", "perinatalite"], ["isolement"]),
    C("pas de troubles cognitifs", nies=["troubles_cognitifs"]),
    C("Mme 92 ans, Bourges, TNC, fille épuisée, pas de chute, demande de répit", "18033", "18", 92, [PA, "aidant"],
      ["troubles_cognitifs", "epuisement_aidant", "repit"], ["chutes"]),
    C("Monsieur 78 ans à Issoudun, sortie d'hospitalisation vendredi, vit seul, besoin de passages IDE et "
      "d'aide à domicile", "36088", "36", 78, [PA],
      ["retour_domicile", "isolement", "soins_infirmiers", "aide_domicile"]),
    C("Patiente de 34 ans, enceinte, sans domicile, Tours", "37261", "37", 34,
      ["adulte", "perinatalite", "precarite"], ["suivi_grossesse", "logement"]),
    C("ado 15 ans, idées noires, déscolarisé, Blois, je cherche la maison des ados", "41018", "41", 15,
      ["adolescent", "sante_mentale"], ["idees_suicidaires", "souffrance_psychique"], types=["MDA"]),
    C("enfant de 4 ans, suspicion de TSA, retard de langage, Châteauroux", "36044", "36", 4, ["enfant", "handicap"],
      ["autisme", "developpement_enfant"]),
    C("Mme 70 ans, fin de vie à domicile, cancer du pancréas, Chartres, EMSP ?", "28085", "28", 70,
      [PA, "soins_palliatifs", "maladie_chronique"], ["soins_palliatifs", "maladie_chronique"], types=["EMSP"]),
    C("Homme 52 ans, schizophrène, rupture de traitement, SDF à Dreux", "28134", "28", 52,
      ["adulte", "sante_mentale", "precarite"], ["troubles_psychiatriques", "logement"]),
    C("Mr 60 ans OH chronique, veut arrêter, Montargis, CSAPA ?", "45208", "45", 60, [PA, "addiction"],
      ["addiction"], types=["CSAPA"]),
    C("Jeune 22 ans usager injecteur, besoin de matériel, Orléans, CAARUD", "45234", "45", 22, ["adulte", "addiction"],
      ["reduction_risques"], types=["CAARUD"]),
    C("femme 38 ans victime de violences conjugales, 2 enfants, Vendôme", "41269", "41", 38, ["adulte", "enfant"],
      ["violences"]),
    C("pas de médecin traitant depuis 2 ans, diabète déséquilibré, Romorantin", "41194", "41", None,
      ["maladie_chronique"], ["medecin_traitant", "maladie_chronique"]),
    C("Mme X 85 ans Gien, démence, agressivité, mari épuisé, cherche EHPAD en urgence", "45155", "45", 85,
      [PA, "aidant"], ["troubles_cognitifs", "troubles_comportement", "epuisement_aidant", "entree_etablissement"],
      urgence="immediat"),
    C("bébé de 8 mois, retard psychomoteur, CAMSP de Bourges ?", "18033", "18", 0, ["enfant", "perinatalite"],
      ["developpement_enfant"], types=["CAMSP"]),
    C("nourrisson de 3 semaines, maman seule et épuisée, Loches, PMI", "37132", "37", 0, ["enfant", "perinatalite"],
      ["isolement"], types=["PMI"]),
    C("Mr 67 ans, Parkinson, chutes à répétition, épouse épuisée, Blois", "41018", "41", 67,
      [PA, "maladie_chronique", "aidant"], ["maladie_chronique", "chutes", "epuisement_aidant"]),
    C("Patiente de 29 ans, sclérose en plaques, dossier MDPH à faire, Tours", "37261", "37", 29,
      ["adulte", "maladie_chronique", "handicap"], ["maladie_chronique", "droits_handicap"], types=["MDPH"]),
    C("Mme 88 ans, Diogène, refuse tout, Le Blanc", "36018", "36", 88, [PA], ["incurie", "refus_aide"]),
    C("Mr 81 ans sous curatelle, dénutrition, vit seul à Pithiviers", "45252", "45", 81, [PA],
      ["mesure_protection", "denutrition", "isolement"]),
    C("enfant en danger, suspicion de maltraitance, 6 ans, Chinon", "37072", "37", 6, ["enfant"],
      ["protection_enfance", "maltraitance"]),
    C("Dame âgée maltraitée par son fils, abus de faiblesse, Amboise", "37003", "37", None, [PA], ["maltraitance"]),
    C("pas de chutes, pas de troubles cognitifs, mais isolement important, 76 ans, Olivet", "45232", "45", 76, [PA],
      ["isolement"], ["chutes", "troubles_cognitifs"]),
    C("Mme 90 ans, pas de chute ni de dénutrition, aidant présent, Lucé", "28218", "28", 90, [PA, "aidant"], [],
      ["chutes", "denutrition"]),
    C("Sortie de SSR prévue lundi pour Mr 84 ans, Salbris, PRADO possible ?", "41232", "41", 84, [PA],
      ["retour_domicile"], types=["PRADO"]),
    C("Patient 58 ans sans couverture sociale, plaie du pied, Châteauroux, PASS ?", "36044", "36", 58,
      ["adulte", "precarite"], ["acces_droits"], types=["PASS"]),
    C("migrant 30 ans, pas de droits, douleurs dentaires, Orléans", "45234", "45", 30, ["adulte", "precarite"],
      ["acces_droits", "douleur"]),
    C("Mme 45 ans, dépression sévère, idées suicidaires, Tours, urgent", "37261", "37", 45, ["adulte", "sante_mentale"],
      ["souffrance_psychique", "idees_suicidaires"], urgence="immediat"),
    C("ATCD de tentative de suicide il y a 5 ans, actuellement anxiété, 35 ans, Bourges", "18033", "18", 35,
      ["adulte", "sante_mentale"], ["souffrance_psychique"], antecedents=["idees_suicidaires"]),
    C("Mr 74 ans, ancien alcoolique, chutes, Vierzon", "18279", "18", 74, [PA], ["chutes"]),
    C("Mme 83 ans, ATCD : AVC, cancer du sein. Actuellement chutes ++ et perte d'autonomie, Mehun-sur-Yèvre",
      "18141", "18", 83, [PA], ["chutes", "perte_autonomie"], antecedents=["maladie_chronique"]),
    C("Bonjour, je cherche le numéro de l'HAD pour Blois", "41018", "41", types=["HAD"]),
    C("patiente 75 ans relevant d'une hospitalisation à domicile, Blois", "41018", "41", 75, [PA],
      ["hospitalisation_domicile"], types=["HAD"]),
    C("Coordonnées du CLIC de Sancerre svp", "18241", "18", types=["CLIC"]),
    C("Quel CMP pour un adulte à Chartres ?", "28085", "28", publics=["adulte"], types=["CMP"]),
    C("CMPP ou CMP enfant à Dreux ? garçon 9 ans, troubles du comportement", "28134", "28", 9, ["enfant"],
      ["troubles_comportement"], types=["CMPP"]),
    C("assistante sociale de secteur pour Mme 66 ans, impayés de loyer, La Châtre", "36046", "36", 66,
      [PA, "precarite"], ["precarite_financiere"], types=["MDS"]),
    C("CCAS de Fleury-les-Aubrais, dame 71 ans seule sans ressources", "45147", "45", 71, [PA, "precarite"],
      ["isolement", "precarite_financiere"], types=["CCAS"]),
    C("équipe mobile gériatrique pour évaluation à domicile, Mr 89 ans, Saint-Jean-de-Braye", "45284", "45", 89,
      [PA], ["evaluation_gerontologique"], types=["EMG"]),
    C("équipe mobile de soins palliatifs, patient 64 ans, Saint-Avertin, douleur non contrôlée", "37208", "37", 64,
      [PA, "soins_palliatifs"], ["soins_palliatifs", "douleur"], types=["EMSP"]),
    C("aidante épuisée, mari Alzheimer, cherche accueil de jour à Châteaudun", "28088", "28", None, ["aidant"],
      ["epuisement_aidant", "troubles_cognitifs", "repit"], types=["PFR"]),
    C("Mme 79 ans, Alzheimer, ESA ?, Argenton-sur-Creuse", "36006", "36", 79, [PA], ["troubles_cognitifs"],
      types=["ESA"]),
    C("consultation mémoire pour Mr 72 ans, troubles mnésiques, Romorantin-Lanthenay", "41194", "41", 72, [PA],
      ["troubles_cognitifs"], types=["CMRR"]),
    C("pas de MT, Mme 69 ans arrivée à Épernon, CPTS ?", "28140", "28", 69, [PA], ["medecin_traitant"],
      types=["CPTS"]),
    C("Patient 40 ans, pas de médecin traitant, CPAM Loiret ?", None, "45", 40, ["adulte"], ["medecin_traitant"],
      types=["CPAM"]),
    C("jeune 17 ans, cannabis ++, fugue, Maison des adolescents de Tours", "37261", "37", 17,
      ["adolescent", "addiction"], ["addiction", "troubles_comportement"], types=["MDA"]),
    C("Mme 95 ans hospitalisée à Paris, retour à domicile prévu à Bourges", "18033", "18", 95, [PA],
      ["retour_domicile"]),
    C("Mr 80 ans, Nantes, chutes", None, None, 80, [PA], ["chutes"], hors="Nantes"),
    C("nonagénaire vivant seule, Vatan, chutes à répétition", "36230", "36", 95, [PA], ["isolement", "chutes"]),
    C("né en 1938, vit seul à Luynes, perte d'autonomie, refuse l'EHPAD", "37139", "37", 88, [PA],
      ["isolement", "perte_autonomie", "refus_aide"]),
    C("octogénaire, Saint-Pierre-des-Corps, chutes, pas de troubles du comportement", "37233", "37", 85, [PA],
      ["chutes"], ["troubles_comportement"]),
    C("Mr 63 ans, insuffisance cardiaque, mauvaise observance, ETP à Tours ?", "37261", "37", 63,
      [PA, "maladie_chronique"], ["maladie_chronique", "education_therapeutique"]),
    C("Bonjour, je vous contacte pour Mme D., 84 ans, qui vit seule dans une maison isolée à "
      "Sainte-Maure-de-Touraine. Depuis 3 mois elle fait des chutes à répétition (3 chutes dont une avec station "
      "au sol prolongée). Elle refuse les aides proposées. Sa fille habite à Poitiers, aidante épuisée. Pas de "
      "troubles cognitifs francs au MMS. Pas urgent mais j'aimerais une solution cette semaine.",
      "37226", "37", 84, [PA, "aidant"], ["isolement", "chutes", "refus_aide", "epuisement_aidant"],
      ["troubles_cognitifs"], urgence="semaine"),
    C("Mr B, 47 ans, SDF depuis 2 ans à Orléans, alcoolisations massives, diabète non suivi, pas de couverture "
      "sociale. Il accepte de voir quelqu'un. Que proposer ?", "45234", "45", 47,
      ["adulte", "precarite", "addiction", "maladie_chronique"],
      ["logement", "addiction", "maladie_chronique", "acces_soins", "acces_droits"]),
    C("Je suis le médecin de la famille L. à Gien : la mère, 32 ans, est enceinte de 5 mois, vit dans un logement "
      "insalubre, et son fils de 3 ans présente un retard de langage. Le père est violent. Merci.",
      "45155", "45", 32, ["adulte", "perinatalite", "enfant"],
      ["suivi_grossesse", "logement", "developpement_enfant", "violences"]),
    C("Mr 55 ans, tétraplégique, cherche SAMSAH ou SAVS près de Blois", "41018", "41", 55, ["adulte", "handicap"],
      types=["SAMSAH", "SAVS"]),
    C("Enfant autiste 12 ans sans solution, PCPE ? CRA ? Indre", None, "36", 12, ["enfant", "adolescent", "handicap"],
      # "sans solution" for a disabled child: a place or a service is the need (orient6), not coordination
      ["autisme", "entree_etablissement"], types=["PCPE", "CRA"]),
    C("Urgent : dame 93 ans, aidant hospitalisé ce jour, seule à domicile à Valençay, démente", "36228", "36", 93,
      [PA, "aidant"], ["isolement", "troubles_cognitifs"], urgence="immediat"),
    C("Pas de troubles du comportement, pas de dénutrition, juste besoin d'une info sur l'APA pour Mr 77 ans à "
      "Lamotte-Beuvron", "41106", "41", 77, [PA], ["perte_autonomie"], ["troubles_comportement", "denutrition"]),
    C("Monsieur 102 ans, centenaire, Bourges", "18033", "18", 102, [PA]),
    C("Mr 70 ans, ne veut pas d'aide, maintien à domicile difficile, Vendôme, cette semaine", "41269", "41", 70, [PA],
      ["refus_aide", "maintien_domicile"], urgence="semaine"),
    C("bébé secoué ? enfant 5 mois, Blois, urgence", "41018", "41", 0, ["enfant", "perinatalite"],
      ["protection_enfance"], urgence="immediat"),
    C("Patiente 16 ans enceinte, déni de grossesse, Dreux", "28134", "28", 16, ["adolescent", "perinatalite"],
      ["suivi_grossesse"]),
    C("Mme 76 ans, pas de chutes mais troubles de la marche, passée aux urgences hier, Chinon", "37072", "37", 76,
      [PA], ["chutes"]),
    C("vit seule, la seule solution serait un EHPAD, Mme 91 ans à Tours, à voir aujourd'hui", "37261", "37", 91, [PA],
      ["isolement", "entree_etablissement"], urgence="aujourd_hui"),
    C("le fils appelle, son père de 83 ans à Bourges ne se lève plus", "18033", "18", 83, [PA]),
    C("ado de 14 ans me confie que son beau-père la frappe, Blois", "41018", "41", 14, ["adolescent", "enfant"],
      ["violences", "protection_enfance"]),
    C("Mme 83 ans trouvée allongée par terre depuis hier soir par l'auxiliaire de vie", age=83, publics=[PA],
      besoins=["chutes", "aide_domicile"]),
    C("Mr 70 ans ne répond pas au traitement antidépresseur, voudrait un avis psychiatrique", age=70,
      publics=[PA, "sante_mentale"], besoins=["souffrance_psychique", "troubles_psychiatriques"]),
    C("résidente d'EHPAD avec bleus inexpliqués, la famille évoque une maltraitance", besoins=["maltraitance"]),
    C("Mme 40 ans mise à la porte ce soir par son logeur, aucun hébergement", age=40, publics=["adulte"],
      besoins=["logement"], urgence="aujourd_hui"),
    C("ado 16 ans déscolarisé, éducateur, AS et psy interviennent sans se coordonner", age=16,
      publics=["adolescent", "sante_mentale"], besoins=["souffrance_psychique", "coordination"]),
    C("Mme 67 ans cancer pancréas métastatique, veut mourir chez elle, Blois", "41018", "41", 67,
      [PA, "maladie_chronique", "soins_palliatifs"], ["maladie_chronique", "soins_palliatifs"]),
    C("Bjr, pte 78a, vit seule ds une ferme isolée près de Vatan, BPCO sous O2, refuse HAD, fils dépassé",
      "36230", "36", 78, [PA, "maladie_chronique", "aidant"],
      ["isolement", "maladie_chronique", "refus_aide", "epuisement_aidant"], types=[]),   # a refused service is context
    C("Monsieur 55 ans, alcool ++, chutes répétées, vit seul à Gien, n'a plus de MT, urgent", "45155", "45", 55,
      ["adulte", "addiction"], ["addiction", "chutes", "isolement", "medecin_traitant"], urgence="immediat"),
    C("ce n'est pas urgent : Mr 68 ans, Gien, pas de médecin traitant", "45155", "45", 68, [PA], ["medecin_traitant"],
      urgence="semaine"),
]


@pytest.mark.parametrize("msg, exp", CASES)
def test_analyse(msg, exp, gaz, voc):
    s = analyse(msg, gazetteer=gaz, vocabulary=voc, today=TODAY)
    assert (s.commune.code_insee if s.commune else None) == exp["commune"]
    assert (s.departement.code if s.departement else None) == exp["dep"]
    assert s.hors_region == exp["hors"]
    assert s.age == exp["age"]
    assert s.publics == exp["publics"]
    assert s.besoins == exp["besoins"]
    assert s.besoins_nies == exp["nies"]
    assert s.types == exp["types"]
    assert s.urgence_temps == exp["urgence"]
    assert s.antecedents == exp["antecedents"]
    assert not (s.besoins & s.besoins_nies)


AGE_CASES = [
    ("82 ans", 82), ("pt 82a", 82), ("pt 82a seul ds le 36", 82), ("Mme 87 ans", 87), ("87ans", 87),
    ("âgée de 91", 91), ("âge : 64", 64), ("octogénaire", 85), ("nonagénaire", 95), ("septuagénaire", 75),
    ("centenaire", 100), ("quinquagénaire", 55), ("nourrisson de 3 semaines", 0), ("bébé de 8 mois", 0),
    ("bébé 3 semaines", 0), ("enfant de 18 mois", 1), ("enfant de 4 ans", 4), ("ado de 15 ans", 15),
    ("né en 1940", 86), ("née le 12/03/1950", 76), ("nouveau-né de 10 jours", 0), ("nourrisson", 0),
    ("chutes depuis 3 ans", None), ("2 chutes cette semaine", None), ("il y a 2 ans", None),
    ("a fait un AVC il y a 2 ans, 82 ans", 82), ("au 12 rue Nationale", None), ("dans le 36", None),
    ("appeler le 15", None), ("tel 02 47 12 34 56", None), ("18200 Saint-Amand", None),
    ("enceinte de 5 mois", None), ("grossesse de 20 semaines", None), ("suivi depuis plus de 3 mois", None),
    ("son fils de 55 ans, dame 80 ans", 80), ("son père de 83 ans est inconscient", 83), ("sa fille de 60 ans s'occupe de Mme 85 ans", 85),
    ("mère 17 ans, bébé 3 semaines", 0), ("veuve de 78 ans depuis 5 ans", 78), ("marié depuis 50 ans", None),
    ("pendant 10 ans", None), ("Mr X, 45a, sdf", 45), ("150 ans", None), ("", None),
    ("3 ans plus tard", None), ("10 ans de suivi", None),
    # Ages in words: the whole number ("dix-neuf" was read as 9, a child).
    ("elle a dix-neuf ans et ne veut plus rentrer chez elle", 19), ("il a trois ans et demi", 3),
    ("Mme quatre-vingt-sept ans, chutes", 87), ("un monsieur de soixante et onze ans", 71),
    ("une dame de quatre-vingts ans", 80), ("il a soixante-dix-huit ans", 78), ("vingt et un ans", 21),
    ("depuis quatre-vingt-dix ans", None),
]


@pytest.mark.parametrize("text, age", AGE_CASES)
def test_parse_age(text, age):
    assert parse_age(text, today=TODAY) == age


@pytest.mark.parametrize("age, publics", [
    (None, set()), (0, {"enfant", "perinatalite"}), (4, {"enfant"}), (10, {"enfant"}), (11, {"adolescent"}),
    (17, {"adolescent"}), (18, {"adulte"}), (59, {"adulte"}), (60, {"personne_agee"}), (101, {"personne_agee"}),
])
def test_publics_for_age(age, publics):
    assert publics_for_age(age) == publics


@pytest.mark.parametrize("text", [
    None, "", "   ", "?!?!", "\x00\x01\x02", "12345678901234567890", "🙂🙂🙂", "a" * 100_000,
    "chutes " * 5000, "é" * 3000 + " Bourges", "\u0065\u0301" * 50 + " pas de chute",
])
def test_robust_to_garbage(text, gaz, voc):
    s = analyse(text, gazetteer=gaz, vocabulary=voc, today=TODAY)
    assert isinstance(s, Situation)
    assert len(s.text) <= MAX_CHARS
    assert s.age is None or 0 <= s.age <= 120


def test_long_message_is_capped(gaz, voc):
    s = analyse("x " * MAX_CHARS + "Bourges, chutes", gazetteer=gaz, vocabulary=voc)
    assert s.commune is None and not s.besoins


@pytest.mark.parametrize("msg, n_min, dep", [
    ("Mme 80 ans seule à Montigny, chutes", 2, None),          # Montigny 18 / 45
    ("pt à Saint-Georges, refuse les aides", 2, None),
    ("dame à Villeneuve, TNC", 2, None),
    ("bébé 2 mois, 41100, mère isolée", 2, "41"),              # one postal code, many communes
])
def test_ambiguous_place_keeps_candidates(msg, n_min, dep, gaz, voc):
    s = analyse(msg, gazetteer=gaz, vocabulary=voc, today=TODAY)
    assert s.commune is None
    assert len(s.ambiguite) >= n_min
    assert (s.departement.code if s.departement else None) == dep
    assert s.besoins  # the rest of the message is still read


def test_in_region_commune_wins_over_out_of_region(gaz, voc):
    s = analyse("fille à Paris, mère 84 ans à Vierzon, chutes", gazetteer=gaz, vocabulary=voc, today=TODAY)
    assert s.commune.code_insee == "18279" and s.hors_region is None


@pytest.mark.parametrize("msg, types", [
    # the first line named as what was already done, or giving an opinion: context, not a request
    ("Enfant 8 ans, suspicion de TSA, bilan de première intention réalisé au CMPP de Châteauroux", []),
    ("le pédopsychiatre pense à un autisme, notre fils a 11 ans, Tours", []),
    ("Je suis assistante sociale à l'hôpital de Blois, Mme 62 ans sort pour la troisième fois", []),
    ("Une travailleuse sociale d'un foyer de Dreux nous sollicite pour un homme de 46 ans", []),
    # a visit wished for is a request; a visit that happens is a service in place
    ("je voudrais qu'une puéricultrice passe voir le bébé, Chartres", ["PMI"]),
    ("la puéricultrice passe chaque semaine, le bébé va bien, Chartres", []),
])
def test_context_and_wished_services(msg, types, gaz, voc):
    assert analyse(msg, gazetteer=gaz, vocabulary=voc, signs=False).types == types


def test_an_expert_centre_for_autism_is_the_cra(gaz, voc):
    s = analyse("ado 14 ans suspicion tsa, besoin d'un bilan approfondi, montargis", gazetteer=gaz, vocabulary=voc,
                signs=False)
    assert s.types[:2] == ["CRA", "RESEAU"]


@pytest.mark.parametrize("text, age", [
    ("mon fils il a trois ans et demi il ne parle toujours pas", 3),     # dictated
    ("ma fille de dix-sept ans ne va plus au lycée", 17),
    ("il y a deux ans il a eu un accident, Mme 80 ans", 80),             # a duration, not an age
    ("depuis trois ans elle ne sort plus", None),
])
def test_ages_in_words(text, age):
    assert parse_age(text) == age
