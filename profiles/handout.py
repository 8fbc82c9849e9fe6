"""What the hand-out ("Impact ondernemerschap in 5 steden", chapters 4 and 5) found across the
cities: the five recurring themes, the recommendations per audience and the reflective
questions, offered as editable starting text when a programme is created.

Data, like the instrument's texts, so in the sessions' language (Dutch) and not translated.
"""

SUGGESTED_THEMES: tuple[tuple[str, str], ...] = (
    (
        "De rol van intermediairs en netwerkvorming",
        "Intermediairs zijn cruciaal, maar kwetsbaar. Netwerken zijn vaak niet inclusief of "
        "zichtbaar. Verbinding met reguliere ondernemers ontbreekt regelmatig.",
    ),
    (
        "De kloof tussen kennis, beleid en praktijk",
        "Beleidsvisies zijn vaak ambitieus, maar uitvoering blijft achter. Er is gebrek aan "
        "overzicht, continuïteit en aanspreekpunten. Ambtenaren en ondernemers spreken nog te "
        "vaak een andere taal.",
    ),
    (
        "Behoefte aan lange termijn ondersteuning en financiering",
        "Tekort aan lange termijn financiering en begeleiding. Huidige instrumenten sluiten "
        "slecht aan op hybride verdienmodellen. Kleine impactondernemers vallen vaak buiten de "
        "boot.",
    ),
    (
        "Zichtbaarheid, legitimiteit en taalgebruik",
        "Impactondernemerschap is vaak een bubbel. Behoefte aan betere publieke erkenning en "
        "zichtbaarheid. Taalgebruik is belangrijk: gebruik termen die aansluiten bij de praktijk.",
    ),
    (
        "Ruimte, bereikbaarheid en infrastructuur",
        "Tekort aan toegankelijke, betaalbare werkruimten. Tijdelijke oplossingen helpen, maar "
        "bieden weinig zekerheid. Fysieke nabijheid versterkt ecosysteem werken.",
    ),
)

# Chapter 5, "Aanbevelingen": per audience, offered as editable starting text of a programme.
# The hand-out names "ondersteuningsorganisaties" among its audiences without a list of their
# own; they have a place (Audience.SUPPORT) and start empty.
SUGGESTED_RECOMMENDATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "municipalities",
        (
            "Investeer in stabiele intermediairs die de brug kunnen slaan tussen ondernemers en "
            "overheid.",
            "Ontwikkel toegankelijke, praktische loketten, ook voor kleine ondernemers.",
            "Zorg voor één aanspreekpunt per regio of stadsdeel rond impact ondernemen.",
            "Stimuleer co-creatie door ondernemers te betrekken bij ontwerp én uitvoering van "
            "beleid.",
            "Verduurzaam financiering: minder pilots, meer meerjarige partnerschappen.",
            "Maak ruimte voor experimenten, ook buiten bestaande beleidskaders.",
        ),
    ),
    (
        "knowledge",
        (
            "Werk coöperatief samen met ondernemers op wijk- en buurtniveau.",
            "Stimuleer actieonderzoek en real-time leerprocessen, ook buiten de traditionele "
            "formats.",
            "Integreer impact ondernemen breder in curricula van MBO tot universiteit.",
            "Stel studenten beschikbaar voor échte opgaven van impactondernemers.",
        ),
    ),
    (
        "financiers",
        (
            "Stimuleer structurele ondersteuning, niet alleen startfinanciering.",
            "Ontwikkel hybride financieringsinstrumenten, passend bij \u2018impact "
            "first\u2019-modellen.",
            "Verlaag de drempel voor kleine subsidies, met eenvoudige aanvragen.",
            "Beloon inzet op maatschappelijke waarde, ook zonder opschaling.",
        ),
    ),
    (
        "networks",
        (
            "Bouw inclusieve netwerken, toegankelijk voor kleine én grote spelers.",
            "Faciliteer ontmoetingen tussen werelden: commercieel, sociaal, publiek.",
            "Help bij het zichtbaar maken van impact, met verhalen, platforms en showcases.",
            "Ondersteun zelforganisatie, maar zorg voor randvoorwaarden en ondersteuning.",
        ),
    ),
)

# Chapter 5, "Reflectieve vragen": one question per line.
REFLECTIVE_QUESTIONS = "\n".join(
    (
        "Wat betekent dit voor jouw rol in het ecosysteem?",
        "Welke samenwerkingen zou jij willen versterken of aangaan?",
        "Wat zou er moeten veranderen om jouw werk gemakkelijker te maken?",
        "Wie moet er absoluut aan tafel voor het vervolg?",
    )
)
