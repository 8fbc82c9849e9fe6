# ruff: noqa: RUF001  (the hand-out's own typography: en dashes and curly quotes)
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


# --- the publication (the whole hand-out) ---------------------------------------------------
#
# The programme's own texts, as the hand-out has them, offered as editable starting text. A
# small markup, the same in every text: paragraphs are separated by a blank line, a line
# "## Kop" is a heading, "### Kop" a sub-heading and lines "- punt" are a bulleted list.
# Counts come from the data: {aantal_steden}, {steden}, {min_deelnemers}, {max_deelnemers},
# {deelnemers}, {respondenten} and {aantal_themas} are filled in when the publication is made.

INTRODUCTION = (
    "## Waarom een ecosysteemblik?\n\nEen impactondernemer die betaalbare zorg in de wijk "
    "aanbiedt, circulaire producten maakt of jongeren begeleidt naar werk, doet dat "
    "zelden alleen. Of ze nu groot zijn of klein, starters of ervaren spelers – ze "
    "hebben allemaal te maken met een veelheid aan factoren: ruimte om te ondernemen, "
    "betrokken medewerkers, toegang tot kennis, financiering, regelgeving, klanten, "
    "partners, netwerken en waardering.\n\nSamen vormen al deze elementen een ecosysteem: "
    "een lokaal of regionaal geheel van actoren, instituties, condities en relaties die "
    "het mogelijk maken dat impactondernemers ontstaan, floreren en groeien (de Bruin et "
    "al., 2023). Net als in de natuur is het ecosysteem pas gezond als er balans en "
    "verbinding is tussen de verschillende onderdelen. Als je bijvoorbeeld wel een "
    "ondernemende cultuur hebt, maar geen betaalbare werkruimte – of wel startsubsidies "
    "maar geen ondersteuning om door te groeien – dan stagneert het geheel.\n\nDe "
    "ecosysteembenadering is in opkomst in het sociaal en economisch beleid. Binnen "
    "Scentiss hanteren we een brede interpretatie, geïnspireerd door het Community "
    "Capital Framework (Flora & Flora, 2018) en het werk van het SCENTISS-consortium "
    "zelf (van Dorsselaer et al., 2024). Hier hebben we zeven vormen van ‘kapitaal’ "
    "geïdentificeerd die samen het fundament vormen van een inclusief ecosysteem voor "
    "impactondernemerschap: menselijk, sociaal, cultureel, politiek, financieel, "
    "natuurlijk en gebouwd kapitaal.\n\nIn deze hand-out hebben we deze kapitaalvormen "
    "samengebracht in zes dimensies die in iedere stad zijn besproken (zie hoofdstuk "
    "3).\n\n## Over Scentiss\n\nSCENTISS staat voor ‘Boosting social and community-driven "
    "entrepreneurship for the transition to an inclusive and sustainable society’. Het "
    "is een vierjarig onderzoeksproject (2023–2027), gefinancierd door NWO, waarin "
    "onderzoekers samenwerken met beleidsmakers, ondernemers en netwerkorganisaties. Het "
    "doel: leren hoe we de ondersteuning van impactondernemerschap kunnen verbeteren – "
    "met bijzondere aandacht voor ondernemingen die maatschappelijke waarde creëren in "
    "de energietransitie, zorg, welzijn en leefomgeving.\n\nEen belangrijk uitgangspunt is "
    "dat we niet alleen kijken naar ‘wat werkt’ in beleid of ondersteuning, maar juist "
    "ook naar hoe ondernemers en andere actoren het ecosysteem ervaren. Percepties zijn "
    "waardevol, omdat ze laten zien waar er energie zit – én waar blinde vlekken of "
    "obstakels bestaan."
)

METHOD = (
    "## De aanpak\n\nIn {aantal_steden} steden – {steden} – organiseerden we "
    "ecosysteemdialogen samen met lokale ecosysteem leiders. In elke stad kwamen tussen "
    "de {min_deelnemers} en {max_deelnemers} deelnemers samen voor een sessie van 2,5 "
    "uur, waarin ze aan de hand van zes ecosysteemelementen reflecteerden op hun lokale "
    "context.\n\nDe focus van dit onderzoek ligt niet op economische data of harde "
    "indicatoren, maar op perceptie: hoe beleven ondernemers, beleidsmakers, "
    "netwerkorganisaties, investeerders en andere betrokkenen hun ecosysteem? Wat helpt "
    "hen verder, en wat houdt hen tegen?\n\nElke sessie bestond uit een interactieve "
    "combinatie van kwantitatieve en kwalitatieve onderdelen:\n\n### 1. Gestructureerde "
    "survey\n\nVoorafgaand aan het groepsgesprek vulden deelnemers een korte survey in, "
    "gebaseerd op het Community Capital Framework (Flora & Flora, 2008). Deze "
    "vragenlijst bestond uit zes clusters – één per ecosysteemelement – waarin "
    "deelnemers stellingen beoordeelden over de aanwezigheid en kwaliteit van dat aspect "
    "in hun regio. De scores zijn gegeven op een vijfpunt-Likertschaal van 1 (slecht "
    "ontwikkeld) tot 5 (goed ontwikkeld). Een score van 3 vertegenwoordigt een neutrale "
    'of gemengde beoordeling.\n\nDeelnemers konden ook kiezen voor de optie "weet ik niet '
    '/ geen mening". Antwoorden met deze optie zijn uitgesloten van de kwantitatieve '
    "weergave in de spiderdiagrammen.\n\nDe volledige survey is opgenomen in de "
    "appendix.\n\n### 2. Rondetafelgesprekken\n\nNa de survey gingen deelnemers per tafel in "
    "gesprek over hun beleving van het ecosysteem. Elke groep behandelde de zes "
    "ecosysteemelementen systematisch, aan de hand van open vragen zoals: Wat gaat er "
    "goed? Wat werkt remmend? Waar is behoefte aan?\n\nElke tafel werd begeleid door een "
    "tafelvoorzitter, die het gesprek structureerde en per deelnemer per element "
    "notities maakte van positieve én negatieve observaties. Ook werd genoteerd waar "
    "groepen het over eens waren, en waar juist verschillen ontstonden.\n\nElke groep "
    "bestond uit maximaal 7 deelnemers, zodat er voldoende ruimte was voor ieders "
    "inbreng. Sommige gesprekken richtten zich nadrukkelijk op bepaalde sectoren of "
    "stadsdelen; andere waren breder van aard.\n\n### 3. Visuele Spiderdiagrammen\n\nDe "
    "individuele survey-scores per element zijn geaggregeerd en weergegeven in "
    "spiderdiagrammen. Deze diagrammen geven per ecosysteemelement een visuele indruk "
    "van hoe deelnemers de situatie in hun stad gemiddeld beoordelen. Hoewel ze geen "
    "statistische claims toelaten, bieden ze wél waardevolle aanknopingspunten voor het "
    "gesprek en een manier om lokale ecosysteempercepties onderling te vergelijken. De "
    "uitwerking hiervan vind u in hoofdstuk 4.\n\n### 4. Observaties & notities\n\nNaast de "
    "survey en groepsgesprekken zijn tijdens de sessies ook observaties genoteerd door "
    "de onderzoeker en tafelvoorzitters. Deze zijn meegenomen in de kwalitatieve "
    "analyse. Denk hierbij aan thema’s die vaker terugkwamen, voorbeelden die gedeeld "
    "werden, of opvallende uitspraken. In de stadsprofielen worden deze gecombineerd met "
    "de spiderdiagrammen om tot een rijk en genuanceerd beeld te komen van elk "
    "ecosysteem."
)

PARTICIPANTS = (
    "De sessies betrokken een brede mix van deelnemers:\n\n- Impactondernemers (startend "
    "en gevestigd)\n- Beleidsmakers van gemeenten en provincies\n- Vertegenwoordigers van "
    "netwerkorganisaties\n- Financiers en investeerders\n- Onderzoekers en docenten van "
    "kennisinstellingen\n- Maatschappelijke organisaties en adviseurs\n\nDeze diversiteit "
    "was bewust: ecosystemen zijn dynamische omgevingen waarin samenwerking en "
    "uitwisseling tussen verschillende actoren essentieel is. Het betrekken van "
    "uiteenlopende perspectieven maakt het mogelijk om blinde vlekken te signaleren, "
    "verbindingen te leggen, en richting te geven aan gezamenlijke actie."
)

ELEMENTS_INTRO = (
    "Een ecosysteem is geen optelsom van losse organisaties. Het gaat om de interacties, "
    "verbanden en condities die samen een ondernemingsklimaat vormen. In dit onderzoek "
    "hebben we het ecosysteem van impactondernemerschap uitgewerkt in zes samenhangende "
    "elementen, gebaseerd op het Community Capital Framework en praktijkgerichte "
    "benaderingen van ecosysteemontwikkeling (van Dorsselaer et al., 2024)."
)

THEMES_INTRO = (
    "In de {aantal_steden} steden zijn uiteenlopende gesprekken gevoerd, maar daaronder "
    "liggen duidelijke gedeelde patronen. Deze patronen overstijgen de lokale context en "
    "wijzen op systemische uitdagingen én kansen binnen het bredere veld van "
    "impactondernemerschap in Nederland. In dit hoofdstuk beschrijven we {aantal_themas} "
    "centrale thema’s die in vrijwel alle steden naar voren kwamen."
)

RECOMMENDATIONS_INTRO = (
    "Op basis van de gedeelde inzichten uit {aantal_steden} steden formuleren we "
    "hieronder aanbevelingen voor beleidsmakers, ondersteuningsorganisaties, "
    "kennisinstellingen, financiers en netwerkorganisaties. Niet als blauwdruk, maar als "
    "uitnodiging tot reflectie en actie."
)

CITIES_INTRO = (
    "In de afgelopen maanden organiseerden we {aantal_steden} regionale werksessies in "
    "{steden}. Tijdens deze sessies spraken we met ondernemers, beleidsmakers, "
    "intermediairs, onderzoekers en andere betrokkenen over de staat van hun lokale "
    "impactecosysteem.\n\nNiet vanuit een blauwdruk of top-down visie, maar door samen te "
    "verkennen hoe het ecosysteem aanvoelt vanuit de praktijk. Waar loopt men tegenaan? "
    "Waar ontstaan kansen? En wat is er nodig om als ecosysteem sterker te worden?\n\nIn "
    "dit hoofdstuk presenteren we per stad een compacte analyse. Elk profiel bestaat "
    "uit:\n\n- een korte schets van de lokale context;\n- een visualisatie van de "
    "gemiddelde scores per ecosysteemelement (0 scoort slecht; 3 neutraal en 5 goed);\n- "
    "kwalitatieve hoogte- en dieptepunten uit de gesprekken;\n- een representatieve quote "
    "van een deelnemer;\n- en een eerste duiding van sterke en zwakke schakels in het "
    "lokale ecosysteem.\n\nDe stadsprofielen staan op zichzelf, maar vormen samen de basis "
    "voor de cross-case analyse in het volgende hoofdstuk."
)

# Chapter 3: each element's definition (its name and form of capital are the instrument's).
ELEMENT_DEFINITIONS: dict[str, str] = {
    "kennis": (
        "Onder kennis en vaardigheden verstaan we de toegang tot relevante kennis, "
        "opleidingen, advies, leeromgevingen en begeleiding. Denk aan stageplekken, "
        "hogescholen, ervaringskennis, workshops, maar ook aan het vermogen om een "
        "subsidieaanvraag te doen of een businessmodel te ontwerpen. Een gezond ecosysteem "
        "biedt toegankelijke, praktische en diverse leermogelijkheden – voor starters én "
        "doorgroeiers."
    ),
    "netwerk": (
        "Sociaal kapitaal gaat over de relaties en netwerken binnen het ecosysteem. Zijn er "
        "sterke verbindingen tussen ondernemers, ondersteuners, beleidsmakers en financiers? "
        "Is er onderling vertrouwen, gedeelde taal en bereidheid om kennis en middelen te "
        "delen? Dit element kijkt naar formele netwerken (zoals platformen en collectieven) "
        "én naar informele, persoonlijke verbindingen."
    ),
    "cultuur": (
        "Impactondernemerschap ontstaat niet in een vacuüm. Cultuur gaat over gedeelde "
        "waarden, normen en denkbeelden. Wordt sociaal ondernemen serieus genomen? Wordt "
        "falen geaccepteerd? Is er waardering voor diversiteit, lokale verankering en "
        "meervoudige waarde creatie? En voelen ondernemers zich gezien en erkend in hun "
        "omgeving? Een stimulerende cultuur werkt als brandstof voor impact gedreven "
        "initiatief."
    ),
    "financiering": (
        "Geen onderneming zonder middelen. Financiering gaat over toegang tot kapitaal, "
        "subsidies, leningen, investeringen en verdienmodellen. We kijken hier naar de "
        "beschikbaarheid, toegankelijkheid, duur en relevantie van financiële ondersteuning "
        "– voor starters én doorgroeiers, voor sociale én circulaire initiatieven. Maar ook "
        "naar de mate waarin financieringslogica aansluit op impactlogica."
    ),
    "publiek": (
        "Hier draait het om de rol van gemeenten, provincies en andere publieke "
        "instellingen. Hebben zij aandacht voor impactondernemerschap? Is er ruimte voor "
        "co-creatie, passend beleid en transparante besluitvorming? Is er een loket, een "
        "contactpersoon, een visie? Sterk politiek kapitaal betekent dat ondernemers zich "
        "erkend en ondersteund voelen in de publieke arena."
    ),
    "ruimte": (
        "Tot slot kijken we naar de fysieke omgeving: werkplekken, broedplaatsen, "
        "infrastructuur, beschikbaarheid van ruimte, maar ook toegang tot energie en "
        "mobiliteit. Kunnen ondernemers zich vestigen, uitbreiden, elkaar ontmoeten? Worden "
        "plekken gedeeld, en is er ruimte voor productie, opslag, ontmoeting en ambacht? Een "
        "ecosysteem heeft ook letterlijk ruimte nodig om te groeien."
    ),
}

# Chapter 4: each theme's narrative (paragraphs) and its "Kernpunten", by the theme's name in
# SUGGESTED_THEMES.
THEME_TEXTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "De rol van intermediairs en netwerkvorming": (
        "In alle steden blijkt het ecosysteem te leunen op enkele dragende intermediairs, vaak "
        "in de vorm van netwerkorganisaties of betrokken ambtenaren. Denk aan Impact Noord in "
        "Groningen, Voor Goed in Rotterdam, of Impact030 in Utrecht. Hun werk maakt verschil "
        "\u2014 mits ze voldoende mandaat, capaciteit en lokale inbedding hebben.\n\n"
        "Tegelijkertijd zijn netwerken vaak gefragmenteerd, opereren in een bubbel, of "
        "ontoegankelijk voor kleinere spelers. Er is een duidelijke behoefte aan inclusieve "
        "platforms waar ondernemers, overheid, onderwijs en financiers elkaar informeel én "
        "inhoudelijk kunnen ontmoeten. Zelforganisatie werkt, maar vraagt ondersteuning.",
        (
            "Intermediairs zijn cruciaal, maar kwetsbaar.",
            "Netwerken zijn vaak niet inclusief of zichtbaar.",
            "Verbinding met reguliere ondernemers ontbreekt regelmatig.",
        ),
    ),
    "De kloof tussen kennis, beleid en praktijk": (
        "In alle steden werd een kloof ervaren tussen de beleidsambities van overheden en "
        "kennisinstellingen en de dagelijkse realiteit van impactondernemers. Gemeenten "
        "formuleren wel degelijk visies op sociale en duurzame economie, maar de uitvoering is "
        "vaak versnipperd, bureaucratisch of afhankelijk van individuele ambtenaren. Ook bij "
        "kennisinstellingen is de bereidheid tot samenwerking groot, maar praktijkgerichte "
        "samenwerking blijft beperkt: onderzoek is traag, te abstract of slecht vindbaar. "
        "Ondernemers missen een duidelijke ingang \u2013 zowel bij het stadhuis als bij de "
        "hogeschool. Er is behoefte aan tussenruimtes waarin ondernemers, onderzoekers en "
        "beleidsmakers elkaar op basis van gelijkwaardigheid ontmoeten, van elkaar leren, en "
        "samen oplossingen ontwikkelen. Zonder die verbinding dreigen beleid en kennis langs de "
        "praktijk heen te organiseren.",
        (
            "Beleidsvisies zijn vaak ambitieus, maar uitvoering blijft achter.",
            "Er is gebrek aan overzicht, continuïteit en aanspreekpunten.",
            "Ambtenaren en ondernemers spreken nog te vaak een andere taal.",
        ),
    ),
    "Behoefte aan lange termijn ondersteuning en financiering": (
        "In vrijwel elke stad kwam het patroon naar voren: ondersteuning is vaak tijdelijk, "
        "versnipperd en projectmatig. Veel ondernemers gaven aan dat de eerste stappen nog wel "
        "lukken (via crowdfunding, fondsen, of kleine subsidies), maar dat doorgroeien "
        "structureel moeilijk is.\n\n"
        "Ook impactinvesteerders richten zich vaak op structureel doorgroeien, terwijl veel "
        "impactondernemers juist inzetten op duurzame ontwikkeling met gematigde opschaling. "
        "Deze mismatch vraagt om nieuwe vormen van ondersteuning: hybride modellen, leer- en "
        "experimenteertrajecten, en langdurige partnerschappen.",
        (
            "Tekort aan lange termijn financiering en begeleiding.",
            "Huidige instrumenten sluiten slecht aan op hybride verdienmodellen.",
            "Kleine impactondernemers vallen vaak buiten de boot.",
        ),
    ),
    "Zichtbaarheid, legitimiteit en taalgebruik": (
        "De legitimiteit van impactondernemerschap is geen gegeven. Veel ondernemers merken "
        "dat hun maatschappelijke meerwaarde niet altijd erkend of begrepen wordt bij klanten, "
        "financiers, of overheden. De term 'sociaal ondernemer' roept bovendien uiteenlopende "
        "reacties op: van bewondering tot sceptische blikken.\n\n"
        "De gesprekken wijzen op de noodzaak om impactondernemerschap herkenbaarder te maken "
        "in taal, beeld en beleid. Tegelijk is er geen behoefte aan nieuwe definities, maar aan "
        "verhalen, erkenning en ruimte om 'anders ondernemen' zichtbaar te maken.",
        (
            "Impactondernemerschap is vaak een bubbel.",
            "Behoefte aan betere publieke erkenning en zichtbaarheid.",
            "Taalgebruik is belangrijk: gebruik termen die aansluiten bij de praktijk.",
        ),
    ),
    "Ruimte, bereikbaarheid en infrastructuur": (
        "Ruimte blijft een knelpunt. In Amsterdam en Utrecht is betaalbaarheid een probleem, "
        "in Groningen en Zwolle gaat het eerder om toegang en bereikbaarheid. Makersplekken, "
        "productieruimten en gedeelde hubs zijn essentieel voor veel impactondernemers, maar "
        "ontbreken of zijn tijdelijk.\n\n"
        "De fysieke component van ecosystemen wordt vaak onderschat. Ruimtelijke "
        "infrastructuur (zoals hubs, broedplaatsen en coworking ruimtes) is een dragende laag "
        "onder samenwerking, zichtbaarheid en innovatie.",
        (
            "Tekort aan toegankelijke, betaalbare werkruimten.",
            "Tijdelijke oplossingen helpen, maar bieden weinig zekerheid.",
            "Fysieke nabijheid versterkt ecosysteem werken.",
        ),
    ),
}

# The publication's fixed words: the hand-out's headings and labels, in its language.
CHAPTER_FOREWORD = "1. Voorwoord"
CHAPTER_INTRODUCTION = "2. Inleiding & Methodiek"
HEADING_PARTICIPANTS = "Over de deelnemers"
CHAPTER_ELEMENTS = "3. De elementen van het impact ecosysteem"
CHAPTER_THEMES = "4. Terugkerende thema\u2019s en patronen"
THEME_HEADING = "Thema {number}: {name}"
KEY_POINTS = "Kernpunten:"
CHAPTER_RECOMMENDATIONS = "5. Aanbevelingen"
AUDIENCE_HEADINGS: dict[str, str] = {
    "municipalities": "Voor gemeenten en provincies",
    "support": "Voor ondersteuningsorganisaties",
    "knowledge": "Voor kennisinstellingen",
    "financiers": "Voor financiers en fondsen",
    "networks": "Voor netwerkorganisaties",
}
HEADING_REFLECTIVE = "Reflectieve vragen"
REFLECTIVE_LEAD_IN = "Tot slot, enkele vragen om het gesprek lokaal voort te zetten:"
CHAPTER_CITIES = "6. Lokale ecosystemen in beeld"
CITIES_FIGURE = "Het Impact Ondernemerschapsecosysteem in 6 Dimensies"
CITY_HEADING = "Impactecosysteem {city}"
LOCAL_CONTEXT = "Lokale context"
STRENGTHS = "Sterke punten:"
BOTTLENECKS = "Knelpunten:"
SUMMARY = "Samenvattend"
OPPORTUNITIES = "Kansen {city}:"
CHAPTER_APPENDIX = "7. Appendix"
APPENDIX_ELEMENT = "Element {number} \u2013 {name}"
CORE_QUESTION = "Kernvraag:"
SURVEY_QUESTIONS = "Surveyvragen:"
LABEL = "Label"
DISCUSSION_QUESTIONS = "Discussievragen:"
# Beyond the hand-out: the contents, a caption under each city's chart, and the sources of the
# profiles' points (the notes and observations each one cites).
TABLE_OF_CONTENTS = "Inhoud"
CITY_FIGURE = "Elementscores {city} (1\u20135)"
CHAPTER_SOURCES = "Bronnen"
SOURCES_INTRO = (
    "De notities van de tafelvoorzitters en de observaties waarop de punten van de "
    "stadsprofielen steunen, per stad en per punt."
)
OPPORTUNITIES_SECTION = "Kansen"
