"""The data of the national demo data set (`seed_demo --scale national`, labelml/demo/national/):
one ARML per region, 436 Missions Locales named after real towns of their region, people's names,
and the texts the self-assessments, audits and decisions are written with.

Fifteen ARMLs: the 13 metropolitan regions (Corse keeps its own ARML, so that every Mission
Locale's region is its real one) and two overseas regions, La Réunion and Guadeloupe. The
Missions Locales of Martinique, Guyane and Mayotte are not modelled: their handful is spread over
the other regions so that the network counts 436 Missions Locales, distributed roughly as the
real one (Île-de-France ~70, Auvergne-Rhône-Alpes ~45, Hauts-de-France ~40…).

The six Missions Locales of the small demo (labelml/demo/network.py) are part of the 436: they
sit in
Île-de-France and Auvergne-Rhône-Alpes, under the demo ARMLs `arml-idf` and `arml-aura`, so
the documented demo accounts work on the national data set.
"""

from __future__ import annotations

from dataclasses import dataclass

from labelml.structures.models import Region


@dataclass(frozen=True)
class RegionNetwork:
    region: str  # INSEE code (labelml.structures.models.Region)
    arml_code: str
    capitale: str
    missions_locales: int  # including the small demo's ones
    villes: tuple[str, ...]  # more than needed: the first ones are used


NATIONAL_ML_COUNT = 436

# fmt: off
REGIONS: tuple[RegionNetwork, ...] = (
    RegionNetwork(
        Region.ILE_DE_FRANCE,
        "arml-idf",
        "Paris",
        70,
        (
            "Saint-Denis", "Montreuil", "Argenteuil", "Boulogne-Billancourt", "Nanterre",
            "Vitry-sur-Seine", "Aubervilliers", "Aulnay-sous-Bois", "Colombes", "Versailles",
            "Courbevoie", "Rueil-Malmaison", "Champigny-sur-Marne", "Saint-Maur-des-Fossés",
            "Drancy", "Issy-les-Moulineaux", "Noisy-le-Grand", "Levallois-Perret", "Antony",
            "Clichy", "Sarcelles", "Ivry-sur-Seine", "Villejuif", "Cergy", "Épinay-sur-Seine",
            "Pantin", "Bondy", "Évry-Courcouronnes", "Fontenay-sous-Bois", "Maisons-Alfort",
            "Clamart", "Chelles", "Meaux", "Sartrouville", "Bobigny", "Le Blanc-Mesnil",
            "Sevran", "Montrouge", "Corbeil-Essonnes", "Saint-Ouen-sur-Seine", "Suresnes",
            "Meudon", "Rosny-sous-Bois", "Gennevilliers", "Alfortville", "Mantes-la-Jolie",
            "Melun", "Poissy", "Savigny-sur-Orge", "Pontault-Combault", "Noisy-le-Sec", "Gagny",
            "Conflans-Sainte-Honorine", "Saint-Germain-en-Laye", "Villepinte", "Bagneux",
            "Garges-lès-Gonesse", "Les Mureaux", "Trappes", "Torcy", "Étampes", "Franconville",
            "Goussainville", "Viry-Châtillon", "Les Ulis", "Rambouillet", "Fontainebleau",
            "Provins", "Coulommiers", "Montereau-Fault-Yonne", "Nemours",
        ),
    ),
    RegionNetwork(
        Region.AUVERGNE_RHONE_ALPES,
        "arml-aura",
        "Lyon",
        46,
        (
            "Saint-Étienne", "Villeurbanne", "Annecy", "Valence", "Chambéry", "Vénissieux",
            "Vaulx-en-Velin", "Bourg-en-Bresse", "Roanne", "Montluçon", "Aurillac",
            "Le Puy-en-Velay", "Vichy", "Moulins", "Annemasse", "Thonon-les-Bains",
            "Bourgoin-Jallieu", "Vienne", "Romans-sur-Isère", "Montélimar",
            "Villefranche-sur-Saône", "Oyonnax", "Privas", "Aubenas", "Annonay", "Albertville",
            "Aix-les-Bains", "Voiron", "Échirolles", "Saint-Priest", "Rillieux-la-Pape",
            "Givors", "Oullins", "Bron", "Décines-Charpieu", "Firminy", "Saint-Chamond",
            "Montbrison", "Cluses", "Sallanches", "Issoire", "Riom", "Thiers", "Yssingeaux",
            "Saint-Flour", "Tarare", "Meyzieu", "Pierrelatte",
        ),
    ),
    RegionNetwork(
        Region.HAUTS_DE_FRANCE,
        "arml-hdf",
        "Lille",
        40,
        (
            "Lille", "Amiens", "Roubaix", "Tourcoing", "Dunkerque", "Calais",
            "Villeneuve-d'Ascq", "Saint-Quentin", "Beauvais", "Valenciennes",
            "Boulogne-sur-Mer", "Arras", "Douai", "Lens", "Cambrai", "Maubeuge", "Compiègne",
            "Creil", "Soissons", "Laon", "Béthune", "Liévin", "Armentières", "Abbeville",
            "Saint-Omer", "Hazebrouck", "Denain", "Noyon", "Chauny", "Hirson", "Château-Thierry",
            "Bruay-la-Buissière", "Wattrelos", "Marcq-en-Barœul", "Seclin", "Avesnes-sur-Helpe",
            "Péronne", "Méru", "Berck", "Fourmies", "Caudry", "Halluin",
        ),
    ),
    RegionNetwork(
        Region.NOUVELLE_AQUITAINE,
        "arml-nouvelle-aquitaine",
        "Bordeaux",
        44,
        (
            "Bordeaux", "Limoges", "Poitiers", "Pau", "La Rochelle", "Mérignac", "Pessac",
            "Niort", "Bayonne", "Angoulême", "Périgueux", "Agen", "Mont-de-Marsan",
            "Brive-la-Gaillarde", "Tulle", "Guéret", "Châtellerault", "Rochefort", "Saintes",
            "Cognac", "Bergerac", "Villeneuve-sur-Lot", "Marmande", "Dax", "Libourne",
            "Arcachon", "Biarritz", "Anglet", "Oloron-Sainte-Marie", "Orthez", "Ussel",
            "Bressuire", "Parthenay", "Royan", "Sarlat-la-Canéda", "Saint-Junien", "Thouars",
            "Lormont", "Cenon", "Talence", "Blaye", "Langon", "Lesparre-Médoc", "Montmorillon",
            "Jonzac", "Nontron",
        ),
    ),
    RegionNetwork(
        Region.OCCITANIE,
        "arml-occitanie",
        "Toulouse",
        44,
        (
            "Toulouse", "Montpellier", "Nîmes", "Perpignan", "Béziers", "Narbonne",
            "Carcassonne", "Albi", "Montauban", "Tarbes", "Castres", "Rodez", "Sète", "Alès",
            "Auch", "Cahors", "Foix", "Mende", "Millau", "Lunel", "Agde", "Colomiers",
            "Tournefeuille", "Muret", "Blagnac", "Pamiers", "Lourdes", "Figeac",
            "Villefranche-de-Rouergue", "Castelnaudary", "Limoux", "Bagnols-sur-Cèze",
            "Beaucaire", "Lodève", "Saint-Gaudens", "Lannemezan", "Moissac", "Castelsarrasin",
            "Gaillac", "Lavaur", "Decazeville", "Prades", "Céret", "Frontignan", "Vauvert",
            "Condom",
        ),
    ),
    RegionNetwork(
        Region.GRAND_EST,
        "arml-grand-est",
        "Strasbourg",
        39,
        (
            "Strasbourg", "Reims", "Metz", "Mulhouse", "Nancy", "Colmar", "Troyes",
            "Charleville-Mézières", "Châlons-en-Champagne", "Épinal", "Thionville", "Haguenau",
            "Saint-Dizier", "Chaumont", "Forbach", "Sarreguemines", "Verdun", "Bar-le-Duc",
            "Saint-Dié-des-Vosges", "Lunéville", "Sedan", "Épernay", "Vitry-le-François",
            "Schiltigheim", "Sélestat", "Saverne", "Longwy", "Toul", "Sarrebourg", "Saint-Avold",
            "Hayange", "Guebwiller", "Saint-Louis", "Romilly-sur-Seine", "Langres",
            "Remiremont", "Pont-à-Mousson", "Vandœuvre-lès-Nancy", "Illkirch-Graffenstaden",
            "Creutzwald",
        ),
    ),
    RegionNetwork(
        Region.PROVENCE_ALPES_COTE_D_AZUR,
        "arml-paca",
        "Marseille",
        31,
        (
            "Marseille", "Nice", "Toulon", "Aix-en-Provence", "Avignon", "Antibes", "Cannes",
            "La Seyne-sur-Mer", "Hyères", "Fréjus", "Arles", "Grasse", "Martigues", "Aubagne",
            "Salon-de-Provence", "Istres", "Gap", "Digne-les-Bains", "Manosque", "Carpentras",
            "Orange", "Cavaillon", "Draguignan", "Brignoles", "Menton", "Briançon", "Vitrolles",
            "Marignane", "Saint-Raphaël", "La Ciotat", "Pertuis", "Sisteron",
        ),
    ),
    RegionNetwork(
        Region.NORMANDIE,
        "arml-normandie",
        "Rouen",
        27,
        (
            "Rouen", "Le Havre", "Caen", "Cherbourg-en-Cotentin", "Évreux", "Dieppe",
            "Alençon", "Lisieux", "Saint-Lô", "Vernon", "Elbeuf", "Fécamp", "Bayeux",
            "Argentan", "Flers", "Louviers", "Granville", "Coutances", "Avranches", "Vire",
            "Honfleur", "Bernay", "Pont-Audemer", "L'Aigle", "Yvetot", "Lillebonne", "Gisors",
            "Les Andelys", "Falaise",
        ),
    ),
    RegionNetwork(
        Region.BOURGOGNE_FRANCHE_COMTE,
        "arml-bfc",
        "Dijon",
        25,
        (
            "Dijon", "Besançon", "Belfort", "Chalon-sur-Saône", "Auxerre", "Nevers", "Mâcon",
            "Montbéliard", "Sens", "Le Creusot", "Dole", "Vesoul", "Lons-le-Saunier",
            "Pontarlier", "Autun", "Beaune", "Montceau-les-Mines", "Héricourt", "Lure",
            "Luxeuil-les-Bains", "Avallon", "Cosne-Cours-sur-Loire", "Joigny", "Saint-Claude",
            "Paray-le-Monial", "Audincourt", "Gray",
        ),
    ),
    RegionNetwork(
        Region.CENTRE_VAL_DE_LOIRE,
        "arml-centre-val-de-loire",
        "Orléans",
        21,
        (
            "Tours", "Orléans", "Bourges", "Blois", "Chartres", "Châteauroux", "Dreux",
            "Vierzon", "Joué-lès-Tours", "Montargis", "Vendôme", "Romorantin-Lanthenay",
            "Issoudun", "Amboise", "Chinon", "Gien", "Pithiviers", "Loches",
            "Saint-Amand-Montrond", "Châteaudun", "Nogent-le-Rotrou", "Le Blanc",
        ),
    ),
    RegionNetwork(
        Region.PAYS_DE_LA_LOIRE,
        "arml-pays-de-la-loire",
        "Nantes",
        21,
        (
            "Nantes", "Angers", "Le Mans", "Saint-Nazaire", "Cholet", "La Roche-sur-Yon",
            "Laval", "Saumur", "Les Sables-d'Olonne", "Rezé", "Saint-Herblain",
            "Château-Gontier-sur-Mayenne", "Mayenne", "Sablé-sur-Sarthe", "La Flèche",
            "Fontenay-le-Comte", "Challans", "Ancenis-Saint-Géréon", "Châteaubriant",
            "Les Herbiers", "Pornic", "Segré-en-Anjou Bleu",
        ),
    ),
    RegionNetwork(
        Region.BRETAGNE,
        "arml-bretagne",
        "Rennes",
        18,
        (
            "Rennes", "Brest", "Quimper", "Lorient", "Vannes", "Saint-Brieuc", "Saint-Malo",
            "Lannion", "Morlaix", "Fougères", "Vitré", "Pontivy", "Redon", "Concarneau",
            "Dinan", "Guingamp", "Quimperlé", "Ploërmel", "Auray",
        ),
    ),
    RegionNetwork(Region.CORSE, "arml-corse", "Ajaccio", 3, ("Ajaccio", "Bastia", "Porto-Vecchio")),
    RegionNetwork(
        Region.LA_REUNION,
        "arml-reunion",
        "Saint-Denis",
        4,
        ("Saint-Pierre", "Saint-Paul", "Saint-Benoît", "Le Port"),
    ),
    RegionNetwork(
        Region.GUADELOUPE,
        "arml-guadeloupe",
        "Basse-Terre",
        3,
        ("Pointe-à-Pitre", "Basse-Terre", "Les Abymes"),
    ),
)
# fmt: on

# "de Haguenau" (aspirated h); every other town starting with a vowel or a mute h takes "d'".
_ASPIRATED = {"Haguenau"}
_VOWELS = "AEIOUYHÉÈÊÂÎÔ"


def de_ville(ville: str) -> str:
    """'de Brest', "d'Amiens", 'du Havre', 'des Mureaux', 'de La Rochelle'."""
    if ville.startswith("Le "):
        return "du " + ville[3:]
    if ville.startswith("Les "):
        return "des " + ville[4:]
    if ville[0] in _VOWELS and ville not in _ASPIRATED:
        return "d'" + ville
    return "de " + ville


def arml_nom(region: str) -> str:
    return f"ARML {Region(region).label}"


# Names for the people of the data set (deterministic draws).
# fmt: off
PRENOMS = (
    "Camille", "Nadia", "Julien", "Sophie", "Karim", "Isabelle", "Thomas", "Claire", "Mehdi",
    "Anne", "Nicolas", "Fatima", "Olivier", "Élodie", "Sébastien", "Aurélie", "Yannick",
    "Laure", "Mathieu", "Sandrine", "Vincent", "Amina", "Pierre", "Céline", "Stéphane",
    "Hélène", "Romain", "Nathalie", "Jérôme", "Valérie", "Samir", "Émilie", "François",
    "Virginie", "David", "Delphine", "Alexandre", "Karine", "Guillaume", "Sylvie",
)
NOMS = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David",
    "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier",
    "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure",
    "Rousseau", "Blanc", "Guerin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin",
    "Morin", "Mathieu", "Clement", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier",
    "Robin", "Masson", "Benali", "Haddad", "Nguyen", "Diallo", "Traoré", "Le Gall",
)
# fmt: on


# The words of the data set: answers, findings, decisions (drawn at random, deterministically).
JUSTIFICATIONS = {
    "1": (
        "Pas encore engagé : le sujet n'a pas été traité faute de temps et de moyens dédiés.",
        "Aucune démarche formalisée à ce jour ; le point sera inscrit au plan d'amélioration.",
        "Pratique inexistante sur nos antennes rurales ; à construire avec l'appui de l'ARML.",
    ),
    "2": (
        "Démarche engagée cette année : un groupe de travail se réunit chaque mois.",
        "Pratique réelle mais pas encore formalisée ; un document de référence est en cours.",
        "Premières actions conduites au siège, à étendre aux antennes.",
        "Point identifié lors du dernier dialogue de gestion comme à consolider.",
    ),
    "3": (
        "Procédure formalisée et connue des équipes, appliquée sur l'ensemble des sites.",
        "Actions conduites avec les partenaires du territoire (CAF, France Travail, département) "
        "dans le cadre de conventions signées.",
        "La pratique est effective et partagée ; les comptes rendus en attestent.",
        "Organisation en place depuis plusieurs années, présentée aux nouveaux salariés.",
    ),
    "4": (
        "Procédure formalisée, appliquée et évaluée chaque année ; bilan présenté en conseil "
        "d'administration.",
        "Indicateurs suivis chaque trimestre dans le tableau de bord de la direction et partagés "
        "avec les financeurs.",
        "Démarche évaluée avec les jeunes (questionnaire de satisfaction) et ajustée en "
        "conséquence.",
    ),
    "sans_objet": (
        "Sans objet : la structure n'a ni antenne ni permanence décentralisée.",
        "Sans objet sur notre territoire : le dispositif n'y est pas déployé.",
    ),
}
SYNTHESES = {
    "haut": (
        (
            "Le critère est atteint : les pratiques sont formalisées, partagées par les équipes "
            "et évaluées.",
            "Engagement des équipes, partenariats actifs, indicateurs suivis.",
            "Maintenir la dynamique et capitaliser les bonnes pratiques.",
        ),
        (
            "Critère maîtrisé, reconnu par nos partenaires et nos financeurs.",
            "Pratiques évaluées et ajustées chaque année.",
            "Partager nos outils avec les Missions Locales de la région.",
        ),
    ),
    "moyen": (
        (
            "Des pratiques solides, mais une formalisation encore inégale selon les sites.",
            "Pratiques de terrain reconnues par les partenaires.",
            "Formaliser les procédures et mesurer leurs effets.",
        ),
        (
            "Le critère est en bonne voie ; l'évaluation des actions reste à construire.",
            "Une équipe mobilisée, des outils communs.",
            "Définir des indicateurs et les suivre en comité de direction.",
        ),
    ),
    "bas": (
        (
            "Critère à renforcer : priorité du prochain plan d'amélioration.",
            "Une volonté partagée de progresser ; quelques initiatives locales.",
            "Construire la démarche avec l'appui de l'ARML et former les équipes.",
        ),
        (
            "Le critère n'est pas encore atteint : les moyens ont manqué ces dernières années.",
            "Des partenaires prêts à s'engager avec nous.",
            "Nommer un pilote, écrire la procédure, la présenter au conseil d'administration.",
        ),
    ),
}
MANUAL_ACTIONS = (
    "Formaliser et partager les pratiques du critère {code}",
    "Mettre en place un indicateur de suivi pour le critère {code}",
    "Présenter au conseil d'administration un bilan du critère {code}",
    "Réunir un groupe de travail sur le critère {code}",
)
OBSERVATIONS = {
    "point_fort": (
        "Pratique exemplaire : formalisée, évaluée et reconnue par les partenaires rencontrés.",
        "Les entretiens avec les jeunes et les partenaires confirment une pratique maîtrisée et "
        "innovante.",
    ),
    "conforme": (
        "Les entretiens avec la direction et quatre conseillers confirment l'auto-évaluation ; "
        "les comptes rendus des derniers comités ont été consultés.",
        "La pratique est effective et partagée ; les preuves présentées sont récentes et datées.",
    ),
    "piste_de_progres": (
        "La pratique existe mais gagnerait à être formalisée et suivie par un indicateur.",
        "Une formalisation plus homogène entre les antennes est recommandée.",
    ),
    "ecart_mineur": (
        "La procédure existe mais n'est pas appliquée de la même façon sur tous les sites ; "
        "aucun indicateur n'en mesure l'effet.",
        "Les preuves présentées sont anciennes ou incomplètes : la pratique n'est pas démontrée "
        "sur la période.",
    ),
    "ecart_majeur": (
        "Aucune pratique ni aucun document ne permettent d'attester le respect de l'exigence.",
        "L'exigence n'est pas satisfaite : les documents obligatoires sont absents ou ne sont "
        "pas à jour.",
    ),
}
PREUVES_EXAMINEES = (
    "Comptes rendus de comité, tableau de bord, procédure d'accueil.",
    "Conventions de partenariat, bilans d'activité des deux dernières années.",
    "Rapport d'activité, procès-verbaux du conseil d'administration, plan de formation.",
    "Dossiers de jeunes (échantillon de dix), grille d'entretien, charte d'accueil.",
)
AUDIT_POINTS_FORTS = (
    "Une équipe engagée, une direction attentive à la qualité, des partenariats solides avec "
    "les acteurs de l'emploi du territoire.",
    "Un accueil de grande qualité, salué par les jeunes rencontrés, et une gouvernance impliquée.",
    "Une connaissance fine du territoire et des réponses adaptées aux publics éloignés.",
)
AUDIT_PROGRES = (
    "Le plan d'amélioration issu de l'auto-évaluation est suivi et déjà engagé.",
    "Plusieurs actions du plan d'amélioration sont réalisées depuis l'auto-évaluation.",
)
AVIS = {
    "favorable": "La structure remplit les exigences du référentiel.",
    "reserve": "La structure remplit l'essentiel des exigences ; les écarts relevés appellent "
    "des actions correctives.",
    "defavorable": "Des exigences essentielles du référentiel ne sont pas remplies à ce jour.",
}
RETURN_REMARKS = (
    "Merci de motiver davantage les écarts relevés et de compléter les preuves examinées.",
    "Le niveau retenu pour plusieurs critères ne semble pas cohérent avec l'observation : à "
    "revoir.",
)
ACTIONS_CORRECTIVES = (
    "Harmonisation de la procédure entre les sites, formation des conseillers et indicateur de "
    "suivi présenté au comité de direction.",
    "Rédaction de la procédure manquante, validée en conseil d'administration et diffusée à "
    "l'ensemble des équipes.",
    "Mise en place d'un tableau de suivi trimestriel partagé avec les partenaires financeurs.",
)
PREUVES_ECART = (
    "Procédure révisée, feuille d'émargement de la formation.",
    "Procès-verbal du conseil d'administration, note de service.",
    "Tableau de suivi, compte rendu du comité de pilotage.",
)
REOPEN_REASONS = (
    "À la demande de la direction : corriger les niveaux de la partie 4 avant l'évaluation "
    "externe.",
    "Justifications à compléter sur plusieurs éléments avant l'évaluation externe.",
    "Erreur de saisie signalée par le référent qualité.",
)
MOTIVATIONS = {
    "labellise": (
        "La commission relève la qualité de l'auto-évaluation et la pertinence des réponses "
        "apportées aux constats de l'évaluation externe.",
        "La structure remplit les exigences du référentiel ; la commission salue une démarche "
        "qualité engagée et partagée par les équipes.",
    ),
    "labellise_sous_reserve": (
        "La commission accorde le label sous réserve de la mise en œuvre des actions correctives "
        "annoncées, dont elle demandera le bilan dans six mois.",
        "Les exigences sont globalement remplies ; les écarts relevés appellent des actions dont "
        "la réalisation conditionne le maintien du label.",
    ),
    "ajourne": (
        "La commission ajourne sa décision : les réponses aux écarts doivent être complétées et "
        "le plan d'amélioration actualisé avant un nouvel examen.",
        "Les éléments transmis ne permettent pas à la commission de se prononcer ; le dossier "
        "sera réexaminé après mise à jour du plan d'amélioration.",
    ),
    "refuse": (
        "Les écarts majeurs relevés lors de l'évaluation externe ne sont pas levés ; la "
        "commission encourage la structure à poursuivre sa démarche et à présenter un nouveau "
        "dossier.",
        "Les exigences essentielles du référentiel ne sont pas remplies à ce jour ; la commission "
        "invite la structure à s'appuyer sur son ARML pour préparer une nouvelle demande.",
    ),
}
