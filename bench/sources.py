"""What the ground truth is made of: every source is a package (music21's corpus, Debian's MMA
grooves and Planet Blupi MIDI, espeak-ng voices), every clip a seeded choice among them.

Each family is split by piece (or groove, file, voice) into a tuning side and a held-out side,
and the sides are rendered with different soundfonts, so the held-out figures are on pieces,
grooves and timbres the analysis parameters were never chosen on (see bench/groundtruth.py)."""

from __future__ import annotations

from pathlib import Path

SOUNDFONTS = {
    "tuning": Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"),  # fluid-soundfont-gm
    "heldout": Path("/usr/share/sounds/sf2/TimGM6mb.sf2"),  # timgm6mb-soundfont
    # The tuning pool's second timbre (bench/tuning_pool.py), never on the held-out side.
    "tuning2": Path("/usr/share/sounds/sf3/MuseScore_General_Lite.sf3"),  # musescore-general-soundfont-small
}
MMA_LIB = Path("/usr/share/mma/lib")  # mma


def piece_tempo_range(meter: str) -> tuple[int, int]:
    """BPM range of a music21 piece's felt beat (the dotted quarter in 6/8)."""
    return (60, 110) if meter == "6/8" else (60, 170)


class GrooveNotFound(LookupError):
    """No MMA library file defines the groove with a `Time N` line bench/midi.py can read."""


GAME_MIDI = Path("/usr/share/planetblupi/music")  # planetblupi-music-midi

# music21 corpus: chorales and classical pieces in simple meters, then folk tunes in 3/4 and 6/8
# (ABC opuses: (path, number)). Picked pieces alternate between the sides in this order.
CHORALES = [
    f"bach/bwv{n}"
    for n in (
        "2.6 3.6 4.8 5.7 6.6 10.7 11.6 13.6 14.5 17.7 18.5-lz 19.7 20.11 24.6 25.6 26.6 28.6 29.8 "
        "30.6 32.6 33.6 36.4-2 37.6 38.6 39.7 40.8 41.6 42.7 43.11 44.7 45.7 47.5 48.7"
    ).split()
]
CLASSICAL = [
    "mozart/k155/movement1",
    "haydn/opus1no1/movement3",
    "mozart/k155/movement3",
    "beethoven/opus18no1/movement3",
    "mozart/k156/movement1",
    "haydn/opus74no1/movement3",
    "mozart/k458/movement3",
    "beethoven/opus59no1/movement3",
    "mozart/k80/movement1",
    "haydn/opus1no1/movement1",
    "joplin/maple_leaf_rag",
    "schubert/lindenbaum",
    "corelli/opus3no1/1grave",
    "handel/rinaldo/lascia_chio_pianga",
    "beethoven/opus18no1/movement1",
    "cpebach",
]
FOLK_METERS = ("6/8", "3/4")  # music21 metadata search, first tunes of these opuses
FOLK_OPUSES = ("miscFolk/northumbrianminstrelsyopus.abc", "miscFolk/americanfifeopus.abc", "airdsAirs")

# General MIDI programs per part, lowest part last.
ENSEMBLES = {
    "piano": [0],
    "strings": [40, 40, 41, 42],
    "organ": [19],
    "winds": [73, 71, 60, 70],
    "guitar": [24, 25, 32],
    "choir-bass": [52, 52, 52, 33],
    "brass": [56, 56, 57, 58],
    "synth": [80, 81, 88, 38],
    "epiano": [4, 4, 33],
}

# MMA grooves by style family: (groove name, low BPM, high BPM) of the felt beat (the dotted
# quarter in 6/8). Grooves alternate between the sides within each style.
GROOVES = {
    "swing": [("Swing", 110, 180), ("JazzCombo", 100, 170), ("BigBand", 110, 190), ("WesternSwing", 100, 160)],
    "shuffle": [("ShuffleBoggie", 90, 140), ("Blues", 80, 120), ("BoggieWoggie", 100, 150), ("R&B", 80, 120)],
    "ragtime": [("Ragtime", 100, 150), ("Charleston", 110, 160), ("Dixie", 100, 160), ("SoftShoe", 90, 130)],
    "dance": [("Dance1", 118, 132), ("TeamTechno", 120, 140), ("Dance2", 118, 132), ("8BeatDance", 110, 130)],
    "rock": [("50sRock", 120, 170), ("SoftRock", 90, 130), ("BasicRock", 100, 150), ("FolkRock", 100, 140)],
    "latin": [("BossaNova", 110, 140), ("Beguine", 100, 130), ("ChaCha", 110, 130), ("Tango", 110, 130)],
    "waltz": [("Waltz", 90, 150), ("JazzWaltz", 110, 170), ("CountryWaltz", 90, 150), ("VieneseWaltz", 150, 190)],
    "sixeight": [("68Swing", 60, 100), ("Ballad68", 60, 80), ("Blues68", 60, 90), ("68March", 80, 120)],
    "ballad": [("PianoBallad", 60, 80), ("Hymn", 60, 90), ("PopBallad", 64, 84), ("StringBallad", 60, 80)],
}
# Chord progressions by scale degree: (semitones above the tonic, quality). Each ends with a
# cadence on the tonic; the minor ones use the harmonic-minor dominant.
PROGRESSIONS = {
    "major": [
        [(0, ""), (5, ""), (7, "7"), (0, "")],
        [(0, ""), (9, "m"), (5, ""), (7, "7")],
        [(0, ""), (7, ""), (9, "m"), (5, "")],
        [(2, "m7"), (7, "7"), (0, "maj7"), (0, "")],
    ],
    "minor": [
        [(0, "m"), (5, "m"), (7, "7"), (0, "m")],
        [(0, "m"), (8, ""), (3, ""), (10, "")],
        [(0, "m"), (5, "m"), (0, "m"), (7, "7")],
        [(0, "m"), (10, ""), (8, ""), (7, "7")],
    ],
}
GAME_FILES = [f"music{n:03d}.mid" for n in range(10)]  # all 4/4, one set_tempo each

SPEECH = [
    (
        "en",
        160,
        "The old lighthouse keeper climbed the stairs every evening, counting each step aloud, and "
        "when he reached the lamp he told the sea about his day, the weather, and the letters he never sent.",
    ),
    (
        "de",
        150,
        "Am Anfang war der Garten klein, doch jedes Jahr pflanzten die Kinder einen neuen Baum, "
        "und heute wandern die Nachbarn sonntags durch einen kleinen Wald.",
    ),
    (
        "en-us",
        175,
        "Good morning, this is your captain speaking. We expect a smooth flight today, with light "
        "winds over the mountains and clear skies at our destination. Please keep your seat belt fastened.",
    ),
    (
        "fr",
        165,
        "Le train de nuit traverse la campagne endormie, et dans le wagon restaurant deux inconnus "
        "parlent de livres, de voyages et des villes qu'ils ne verront jamais.",
    ),
    (
        "en-gb",
        145,
        "In the second chapter the author argues that cities are not machines but gardens: they "
        "grow where people tend them, and they wither where nobody looks.",
    ),
    (
        "es",
        170,
        "Mi abuela decía que la lluvia de abril trae historias, y cada tarde nos sentábamos junto a "
        "la ventana para escuchar lo que el agua tenía que contar.",
    ),
    (
        "en+m3",
        190,
        "Breaking news: the city council has approved the new bicycle lanes, the library will open "
        "on Sundays, and the annual music festival moves to the river park this summer.",
    ),
    (
        "it",
        155,
        "La biblioteca chiude alle otto, ma il custode lascia sempre una lampada accesa per chi ha "
        "dimenticato il tempo tra le pagine di un romanzo.",
    ),
    (
        "nl",
        160,
        "Op zaterdag gaat de markt vroeg open, en wie op tijd komt vindt de beste appels, verse kaas "
        "en een praatje met de bakker over het weer van volgende week.",
    ),
    (
        "en-us+f3",
        150,
        "Remember to water the tomatoes twice a week, cut back the roses in autumn, and leave "
        "a corner of the garden wild for the bees and the hedgehogs.",
    ),
]


def side_of(index: int) -> str:
    """Pieces alternate: even positions tune, odd positions are held out."""
    return "tuning" if index % 2 == 0 else "heldout"
