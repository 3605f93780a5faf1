"""Regenerate knowledge/data/prenoms.txt: Faker's French first names (MIT) + a supplement.

Run once with Faker installed (`pip install faker`): it is not a runtime dependency.
"""
import importlib
from pathlib import Path

# Common first names of the generations GPs write about that Faker's lists lack
# (written from general knowledge of French civil registers, not from any test set).
SUPPLEMENT = """
Raymonde Germaine Gisèle Lucienne Yvette Huguette Ginette Josette Marcelle Georgette Yvonne
Solange Colette Denise Monique Jacqueline Micheline Arlette Odile Renée Suzanne Madeleine
Lucette Henriette Fernande Marguerite Léone Paulette Mauricette Raymond Lucien Fernand Gaston
Maurice Gilbert Gérard Jacques Michel André Georges Albert Émile Léon Louis Joseph Francis Guy
Claude Serge Yves Jean-Claude Jean-Marie Jean-Pierre Jean-Louis Jean-Paul Jean-Michel
Jean-François Jean-Luc Jean-Jacques Jean-Marc Jean-Yves Jean-Baptiste Marie-Thérèse
Marie-Claude Marie-France Marie-Louise Marie-Hélène Marie-Christine Marie-Josée Marie-Paule
Marie-Noëlle Marie-Pierre Anne-Marie Anne-Sophie Marie-Claire Kévin Kevin Dylan Enzo Nathan
Emma Léa Chloé Manon Inès Jade Lina Mohamed Mohammed Ahmed Fatima Karim Yasmine Nadia Samia
Rachid Mamadou Aïcha Moussa Fatou Kenza Yanis Rayan Adam Noah Louise Ambre Lola Zoé Mila
Maëlys Léna Nina Lou Eva Rose Anna Alice Romane Clara Camille Thibault Théo Hugo Tom Léo
Gabriel Raphaël Arthur Jules Maël Paul Sacha Timéo Ethan Mathis Evan Noé Lucie Mathilde
Pauline Justine Mélanie Laetitia Stéphanie Sandrine Nathalie Isabelle Sylvie Christine
Véronique Martine Françoise Nicole Chantal Danielle Danièle Brigitte Évelyne Evelyne Annie
Jocelyne Maryse Liliane Éliane Eliane Claudine Josiane Viviane Mireille Bernadette Thérèse
Simonne Léontine Augustine Joséphine Clémence Berthe Marthe Lucie Irène Hélène Gilberte
Roberte Andrée Jeannine Janine Nadine Régine Ghislaine Marie-Jeanne Marie-Rose Rolande
Gisele Geneviève Edith Édith Agnès Roland Robert Marcel Henri René Roger Bernard Daniel Alain
Patrick Philippe Christian Thierry Pascal Didier Dominique Éric Eric Frédéric Olivier Laurent
Stéphane Sébastien Nicolas Julien Christophe Franck David Vincent Jérôme Fabrice Sylvain
Ludovic Cédric Grégory Mickaël Michaël Anthony Jonathan Jordan Maxime Alexandre Antoine
Quentin Romain Florian Benjamin Valentin Clément Lucas Baptiste Léon Fernand Armand Marius
Eugène Achille Hippolyte Firmin Norbert Hubert Lucienne Reine Ernestine Alphonse Octave
Jeannette Odette Pierrette Nicolle Colette Aline Lise Élise Elise Yolande Ida Lydie Maïté
"""


def main() -> None:
    names: set[str] = set()
    for loc in ("fr_FR", "fr_CH", "fr_CA", "fr_BE", "fr_QC"):
        try:
            provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
        except ImportError:
            continue
        for attr in ("first_names_male", "first_names_female", "first_names"):
            names |= set(getattr(provider, attr, None) or ())
    names |= set(SUPPLEMENT.split())
    out = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "prenoms.txt"
    header = ("# French first names, one a line: Faker's fr_* person providers (MIT licence,\n"
              "# https://github.com/joke2k/faker) plus a supplement (scripts/build_prenoms.py).\n")
    out.write_text(header + "\n".join(sorted(n for n in names if n.isalpha() or "-" in n)) + "\n",
                   encoding="utf-8")


if __name__ == "__main__":
    main()
