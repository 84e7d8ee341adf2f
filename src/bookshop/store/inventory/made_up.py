"""Made-up books that read like books: titles, author names and blurbs for populate_db.

Faker supplies the volume (thousands of first and last names); the words that go into
titles and blurbs are chosen here, because Faker's own nouns, cities and full names make
titles such as "A Evening in Michaelburgh" by "Erin Edwards MD".
"""

from __future__ import annotations

import random

from faker import Faker

NOUNS = (
    "Archive", "Argument", "Bell", "Bridge", "Cartographer", "Ceremony", "Chorus",
    "Clockmaker", "Coast", "Compass", "Country", "Crossing", "Daughter", "Distance", "Dowry",
    "Dream", "Drowning", "Embassy", "Evening", "Exile", "Ferryman", "Field", "Fire", "Garden",
    "Glasshouse", "Guest", "Harbour", "Harvest", "Heir", "Hour", "House", "Hunger", "Inheritance",
    "Island", "Journey", "Keeper", "Lantern", "Letter", "Library", "Lighthouse", "Map",
    "Marriage", "Meadow", "Memory", "Mirror", "Monastery", "Moon", "Mountain", "Night",
    "Observatory", "Orchard", "Orphan", "Passage", "Pilgrim", "Promise", "Quarrel", "Question",
    "Reckoning", "Return", "River", "Room", "Sailor", "Salt", "Season", "Secret",
    "Shadow", "Shore", "Silence", "Sister", "Snow", "Song", "Spring", "Stranger", "Summer",
    "Tide", "Tower", "Translator", "Valley", "Vineyard", "Voyage", "Watchmaker", "Widow",
    "Wilderness", "Winter", "Witness", "Wolf", "Year",
)  # fmt: skip
ADJECTIVES = (
    "Amber", "Bitter", "Blue", "Borrowed", "Broken", "Burning", "Careless", "Crooked", "Dark",
    "Distant", "Drowned", "Empty", "Fading", "Forgotten", "Frozen", "Gentle", "Golden", "Green",
    "Hidden", "Hollow", "Honest", "Idle", "Iron", "Last", "Little", "Lonely", "Lost", "Narrow",
    "Northern", "Painted", "Patient", "Quiet", "Restless", "Salt", "Scarlet", "Secret", "Silent",
    "Silver", "Sleeping", "Small", "Southern", "Stolen", "Strange", "Summer", "Unfinished",
    "Unquiet", "Wandering", "White", "Wild", "Winter",
)  # fmt: skip
PLACES = (
    "Alexandria", "Antwerp", "Arles", "Bergen", "Bruges", "Cádiz", "Cairo", "Capri", "Carthage",
    "Cordoba", "Corfu", "Dublin", "Aberdeen", "Galway", "Genoa", "Granada", "Havana",
    "Istanbul", "Kyoto", "Lisbon", "Lyon", "Marrakesh", "Naples", "Odessa", "Orkney", "Oxford",
    "Palermo", "Prague", "Riga", "Salzburg", "Samarkand", "Seville", "Siena", "St Petersburg",
    "Tangier", "Trieste", "Valparaíso", "Venice", "Vienna", "Vilnius", "York", "Zanzibar",
    "the Fens", "the Highlands", "the Marshes", "the North", "the Valley",
)  # fmt: skip
PEOPLE = (
    "Cartographer", "Clockmaker", "Daughter", "Ferryman", "Guest", "Heir", "Keeper", "Orphan",
    "Pilgrim", "Sailor", "Sister", "Stranger", "Translator", "Watchmaker", "Widow", "Witness",
)  # fmt: skip
# Nouns that read oddly in the plural ("Salts", "Silences").
UNCOUNTABLE = frozenset(
    {"Dowry", "Drowning", "Hunger", "Inheritance", "Reckoning", "Salt", "Silence", "Snow",
     "Wilderness"}
)  # fmt: skip
NUMBERS = ("Two", "Three", "Four", "Five", "Seven", "Nine", "Twelve", "A Hundred", "A Thousand")
TITLE_PATTERNS = (
    "The {Noun}",
    "The {Adjective} {Noun}",
    "The {Noun} of {Place}",
    "{A} {Noun} in {Place}",
    "{A} {Adjective} {Noun}",
    "{First}'s {Noun}",
    "The {Person}'s {Noun}",
    "The Last {Noun}",
    "{Noun} and {Noun2}",
    "Beyond the {Adjective} {Noun}",
    "Letters from {Place}",
    "{Number} {Nouns}",
    "The {Nouns} of {Place}",
    "Notes on {a} {Noun}",
    "The {Person} of {Place}",
    "After the {Noun}",
    "The {Adjective} {Noun}: A Novel",
)
BLURB_OPENINGS = (
    "When {name} comes back to {place} after twenty years away, the {noun} {pronoun} left "
    "behind is waiting for {object}.",
    "In the winter of {year}, {name} takes a post as {job} in {place}, and finds the house "
    "full of other people's secrets.",
    "{name} has spent a lifetime avoiding {place}; a letter from an old friend changes that.",
    "Nobody in {place} talks about the {adjective} {noun}, least of all {name}.",
    "The year is {year}, and {name}, a {job}, is about to lose everything {pronoun} owns.",
    "Two sisters, a {adjective} {noun} and one summer in {place}: {name} tells the story at last.",
)  # fmt: skip
BLURB_MIDDLES = (
    "What follows is a story of loyalty and betrayal, told with warmth and a sharp eye.",
    "Over one long season, old debts come due and a family has to decide what it owes itself.",
    "As the town changes around {object}, {pronoun} must choose between safety and the truth.",
    "A chance meeting with a stranger sets off a chain of events nobody could have predicted.",
    "Moving between past and present, the novel pieces together what really happened.",
    "Funny, tender and often surprising, it follows {object} through a year that changes "
    "everything.",
)  # fmt: skip
BLURB_ENDINGS = (
    "A novel about home, and the people we keep carrying with us.",
    "An unforgettable portrait of a place and its people.",
    "A gripping, beautifully written debut.",
    "The first in a series.",
    "A story of courage, chance and second chances.",
    "",
)
JOBS = (
    "a governess", "a schoolteacher", "a clockmaker", "a ship's doctor", "a translator",
    "a bookseller", "a lighthouse keeper", "a cartographer", "a gardener", "a journalist",
)  # fmt: skip


def _article(word: str) -> str:
    return "An" if word[:1].upper() in "AEIOU" else "A"


def _plural(noun: str) -> str:
    if noun.endswith("man"):
        return noun[:-3] + "men"
    if noun.endswith("f"):
        return noun[:-1] + "ves"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "sh", "ch", "x")):
        return noun + "es"
    return noun + "s"


class MadeUpBooks:
    """Draws titles, authors and blurbs from pools built once, fast enough for 100 000."""

    def __init__(self, *, seed: int | None, authors: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
        fake = Faker("en_US")
        fake.seed_instance(seed)
        # Faker is the slow part: draw names once, then combine them.
        firsts = [fake.first_name() for _ in range(400)]
        lasts = [fake.last_name() for _ in range(600)]
        initials = "ABCDEFGHJKLMNPRSTW"

        def author() -> str:
            first, last = self.rng.choice(firsts), self.rng.choice(lasts)
            if self.rng.random() < 0.15:
                return f"{first} {self.rng.choice(initials)}. {last}"
            return f"{first} {last}"

        self.authors = [author() for _ in range(authors)]
        self.firsts = firsts
        self.blurbs = [self._blurb() for _ in range(400)]
        self._countable = [noun for noun in NOUNS if noun not in UNCOUNTABLE]

    def _blurb(self) -> str:
        rng = self.rng
        pronoun, object_ = rng.choice((("she", "her"), ("he", "him")))
        slots = {
            "name": f"{rng.choice(self.firsts)}",
            "place": rng.choice(PLACES),
            "noun": rng.choice(NOUNS).lower(),
            "adjective": rng.choice(ADJECTIVES).lower(),
            "pronoun": pronoun,
            "object": object_,
            "year": rng.randrange(1870, 1990),
            "job": rng.choice(JOBS),
        }
        sentences = [rng.choice(part) for part in (BLURB_OPENINGS, BLURB_MIDDLES, BLURB_ENDINGS)]
        text = " ".join(s.format(**slots) for s in sentences if s)
        return text[0].upper() + text[1:]

    def title(self) -> str:
        rng = self.rng
        noun = rng.choice(NOUNS)
        adjective = rng.choice(ADJECTIVES)
        pattern = rng.choice(TITLE_PATTERNS)
        article = _article(adjective if "{A} {Adjective}" in pattern else noun)
        return pattern.format(
            Noun=noun,
            Noun2=rng.choice(NOUNS),
            Nouns=_plural(rng.choice(self._countable)),
            Person=rng.choice(PEOPLE),
            Adjective=adjective,
            Place=rng.choice(PLACES),
            First=rng.choice(self.firsts),
            Number=rng.choice(NUMBERS),
            A=article,
            a=article.lower(),
        )

    def author(self) -> str:
        return self.rng.choice(self.authors)

    def blurb(self) -> str:
        return self.rng.choice(self.blurbs)
