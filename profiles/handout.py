"""What the hand-out ("Impact ondernemerschap in 5 steden", chapter 4) found across the cities:
the five recurring themes, offered as suggestions when a programme is created.

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
