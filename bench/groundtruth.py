"""Render the ground-truth corpus for the analysis benchmark (runs in .tools/bench, see make/analysis.mk).

Music: pieces from the music21 corpus in simple meters (2/4, 3/4, 4/4) whose key is unambiguous
(the notated key signature, music21's symbolic key analysis and the final bass note agree). Each is
given a seeded random tempo, stripped of repeats, exported to MIDI, given a General MIDI ensemble,
optionally a drum track, an all-notes-off, and rendered with fluidsynth under a timeout. Some clips
get loudness-normalised copies at known LUFS (pyloudnorm). Speech: espeak-ng voices reading text.

Output: <out>/manifest.json and one FLAC per clip. Everything is cached: an existing clip is kept."""

from __future__ import annotations

import argparse
import copy
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import mido
import numpy as np
import pyloudnorm
import soundfile as sf
from music21 import bar, corpus, key, meter, spanner, tempo

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
RENDER_SR = 44100
RENDER_TIMEOUT_S = 120
MAX_SECONDS = 75.0
SEED = 20240604
VERSION = 1  # bump when the rendering changes, to re-render the cache
TUNING_PIECES = 32  # pieces 0-31 were looked at while choosing parameters; the rest were not
# GM programs per part, lowest part last (orchestration variety, seeded per piece).
ENSEMBLES = {
    "piano": [0],
    "strings": [40, 40, 41, 42],
    "organ": [19],
    "winds": [73, 71, 60, 70],
    "guitar": [24, 25, 32],
    "choir-bass": [52, 52, 52, 33],
}
CANDIDATES = [
    f"bach/bwv{n}"
    for n in (
        "2.6",
        "3.6",
        "4.8",
        "5.7",
        "6.6",
        "10.7",
        "11.6",
        "13.6",
        "14.5",
        "17.7",
        "18.5-lz",
        "19.7",
        "20.11",
        "24.6",
        "25.6",
        "26.6",
        "28.6",
        "29.8",
        "30.6",
        "32.6",
        "33.6",
        "36.4-2",
        "37.6",
        "38.6",
        "39.7",
        "40.8",
        "41.6",
        "42.7",
        "43.11",
        "44.7",
        "45.7",
        "47.5",
        "48.7",
        "55.5",
        "56.5",
        "57.8",
        "60.5",
        "64.2",
        "64.8",
        "65.2",
        "65.7",
        "66.6",
        "67.7",
        "69.6-a",
        "70.7",
        "72.6",
        "73.5",
        "74.8",
        "77.6",
        "78.7",
        "80.8",
        "81.7",
        "83.5",
        "84.5",
        "85.6",
        "86.6",
        "87.7",
        "88.7",
        "89.6",
        "90.5",
        "92.9",
        "93.7",
        "94.8",
        "96.6",
        "99.6",
        "101.7",
        "102.7",
    )
] + [
    "mozart/k155/movement1",
    "mozart/k155/movement3",
    "mozart/k156/movement1",
    "mozart/k458/movement1",
    "mozart/k458/movement3",
    "mozart/k80/movement1",
    "haydn/opus1no1/movement1",
    "haydn/opus1no1/movement3",
    "haydn/opus74no1/movement3",
    "beethoven/opus18no1/movement1",
    "beethoven/opus18no1/movement3",
    "beethoven/opus59no1/movement3",
    "joplin/maple_leaf_rag",
    "handel/rinaldo/lascia_chio_pianga",
    "corelli/opus3no1/1grave",
    "schubert/lindenbaum",
    "monteverdi/madrigal.3.1",
    "cpebach",
]
SPEECH = [
    (
        "en",
        160,
        "The old lighthouse keeper climbed the stairs every evening, counting each step aloud, "
        "and when he reached the lamp he told the sea about his day, the weather, and the letters "
        "he never sent.",
    ),
    (
        "en-us",
        175,
        "Good morning, this is your captain speaking. We expect a smooth flight today, with "
        "light winds over the mountains and clear skies at our destination. Please keep your "
        "seat belt fastened while seated.",
    ),
    (
        "en-gb",
        145,
        "In the second chapter the author argues that cities are not machines but gardens: "
        "they grow where people tend them, and they wither where nobody looks.",
    ),
    (
        "de",
        150,
        "Am Anfang war der Garten klein, doch jedes Jahr pflanzten die Kinder einen neuen Baum, "
        "und heute wandern die Nachbarn sonntags durch einen kleinen Wald.",
    ),
    (
        "fr",
        165,
        "Le train de nuit traverse la campagne endormie, et dans le wagon restaurant deux inconnus "
        "parlent de livres, de voyages et des villes qu'ils ne verront jamais.",
    ),
    (
        "es",
        170,
        "Mi abuela decía que la lluvia de abril trae historias, y cada tarde nos sentábamos junto "
        "a la ventana para escuchar lo que el agua tenía que contar.",
    ),
    (
        "it",
        155,
        "La biblioteca chiude alle otto, ma il custode lascia sempre una lampada accesa per chi "
        "ha dimenticato il tempo tra le pagine di un romanzo.",
    ),
    (
        "en+m3",
        190,
        "Breaking news: the city council has approved the new bicycle lanes, the library will "
        "open on Sundays, and the annual music festival moves to the river park this summer.",
    ),
]


def _interleaved() -> list[str]:
    """Chorales and the other pieces alternately, so a small limit still mixes styles."""
    bach = [c for c in CANDIDATES if c.startswith("bach/")]
    other = [c for c in CANDIDATES if not c.startswith("bach/")]
    out = []
    for i in range(max(len(bach), len(other))):
        out += bach[i : i + 1] + other[i : i + 1]
    return out


def select_pieces(limit: int) -> list[dict]:
    rng = random.Random(SEED)
    picked: list[dict] = []
    for name in _interleaved():
        if len(picked) >= limit:
            break
        try:
            score = corpus.parse(name)
        except Exception as exc:  # a corpus entry missing in this music21 version
            print(f"skip {name}: {exc}", file=sys.stderr)
            continue
        if hasattr(score, "scores"):  # an Opus: take its first score
            score = score.scores[0]
        truth = _key_truth(score)
        sigs = score.recurse().getElementsByClass(meter.TimeSignature)
        if truth is None or not sigs or len({(s.numerator, s.denominator) for s in sigs}) != 1:
            print(f"skip {name}: ambiguous key or meter", file=sys.stderr)
            continue
        ts = sigs[0]
        if ts.denominator != 4 or ts.numerator not in (2, 3, 4):
            print(f"skip {name}: meter {ts.ratioString}", file=sys.stderr)
            continue
        picked.append(
            {
                "source": name,
                "score": score,
                "key": truth[0],
                "mode": truth[1],
                "beatsPerBar": ts.numerator,
                "tempo": rng.randint(72, 150),
                "ensemble": rng.choice(sorted(ENSEMBLES)),
            }
        )
    return picked


def _key_truth(score) -> tuple[str, str] | None:
    """(tonic, mode) when signature, symbolic analysis and final bass note agree, else None."""
    sigs = score.recurse().getElementsByClass(key.KeySignature)
    if not sigs or len({s.sharps for s in sigs}) != 1:
        return None
    analysed = score.analyze("key")
    bass = score.parts[-1].recurse().notes
    if not bass:
        return None
    last = bass[-1]
    last_pc = (last.pitches[0] if last.isChord else last.pitch).pitchClass
    if analysed.sharps != sigs[0].sharps or last_pc != analysed.tonic.pitchClass:
        return None
    names = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
    return names[analysed.tonic.pitchClass], analysed.mode


def _prepare(score, bpm: int):
    """Single tempo, no repeats (first endings dropped), at most MAX_SECONDS long."""
    score = copy.deepcopy(score)
    for el in list(score.recurse().getElementsByClass((tempo.MetronomeMark, tempo.TempoText))):
        el.activeSite.remove(el)
    for br in list(score.recurse().getElementsByClass(spanner.RepeatBracket)):
        if br.number in ("1", 1):
            for m in br.getSpannedElements():
                if m.activeSite is not None:
                    m.activeSite.remove(m)
    for el in list(score.recurse().getElementsByClass(bar.Repeat)):
        el.activeSite.remove(el)
    quarters = MAX_SECONDS * bpm / 60.0
    out = score.measures(0, None)
    for part in out.parts:
        for m in list(part.getElementsByClass("Measure")):
            if m.offset + m.barDuration.quarterLength > quarters:
                part.remove(m)
    first = out.parts[0].getElementsByClass("Measure")[0]
    first.insert(0, tempo.MetronomeMark(number=bpm, referent="quarter"))
    return out


def _write_midi(score, path: Path, *, programs: list[int], drums: bool, beats_per_bar: int, bpm: int) -> None:
    score.write("midi", fp=str(path))
    mid = mido.MidiFile(str(path))
    tpb = mid.ticks_per_beat
    note_tracks = [t for t in mid.tracks if any(m.type == "note_on" for m in t)]
    for i, track in enumerate(note_tracks):
        prog = programs[min(len(programs) - 1, i)] if i == len(note_tracks) - 1 else programs[i % len(programs)]
        channels = {m.channel for m in track if hasattr(m, "channel")}
        for msg in track:
            if msg.type == "program_change":
                msg.program = prog
        for ch in channels:
            track.insert(0, mido.Message("program_change", channel=ch, program=prog, time=0))
    end = max(sum(m.time for m in t) for t in mid.tracks)
    if drums:
        mid.tracks.append(_drum_track(end, tpb, beats_per_bar))
    # All notes off (CC 123) and all sound off (CC 120) one beat after the end: a sustained
    # last note otherwise keeps fluidsynth rendering.
    tail = mido.MidiTrack()
    tail.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm), time=0))
    tail.append(mido.Message("control_change", channel=0, control=123, value=0, time=end + tpb))
    for ch in range(16):
        tail.append(mido.Message("control_change", channel=ch, control=123, value=0, time=0))
        tail.append(mido.Message("control_change", channel=ch, control=120, value=0, time=0))
    mid.tracks.append(tail)
    mid.save(str(path))


def _drum_track(end_ticks: int, tpb: int, beats_per_bar: int) -> mido.MidiTrack:
    """Kick on the downbeat (and beat 3 in 4/4), snare on the backbeats, closed hi-hat on eighths."""
    events = []
    half = tpb // 2
    for i, t in enumerate(range(0, end_ticks, half)):
        beat, onbeat = (i // 2) % beats_per_bar, i % 2 == 0
        notes = [(42, 60)]
        if onbeat and (beat == 0 or (beats_per_bar == 4 and beat == 2)):
            notes.append((36, 100))
        elif onbeat and beat > 0:
            notes.append((38, 90))
        for n, v in notes:
            events += [(t, 1, n, v), (t + half // 2, 0, n, 0)]
    events.sort()
    track, now = mido.MidiTrack(), 0
    for t, on, n, v in events:
        track.append(mido.Message("note_on" if on else "note_off", channel=9, note=n, velocity=v, time=t - now))
        now = t
    return track


def render(midi: Path, wav: Path) -> np.ndarray:
    cmd = ["fluidsynth", "-ni", "-q", "-g", "0.6", "-r", str(RENDER_SR), "-F", str(wav), str(SOUNDFONT), str(midi)]
    subprocess.run(cmd, check=True, timeout=RENDER_TIMEOUT_S, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    y, _ = sf.read(wav, dtype="float32", always_2d=True)
    loud = np.flatnonzero(np.max(np.abs(y), axis=1) > 1e-3)
    return y[loud[0] : loud[-1] + RENDER_SR // 2] if loud.size else y


def speak(lang: str, wpm: int, text: str, wav: Path) -> tuple[np.ndarray, int]:
    subprocess.run(
        ["espeak-ng", "-v", lang, "-s", str(wpm), "-w", str(wav), text],
        check=True,
        timeout=RENDER_TIMEOUT_S,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    y, sr = sf.read(wav, dtype="float32", always_2d=True)
    return y, sr


def normalise(y: np.ndarray, sr: int, target: float) -> np.ndarray:
    meter_ = pyloudnorm.Meter(sr)
    gain = 10 ** ((target - meter_.integrated_loudness(y)) / 20)
    return np.clip(y * gain, -1.0, 1.0)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--pieces", type=int, default=30)
    args = ap.parse_args(argv)
    for tool in ("fluidsynth", "espeak-ng"):
        if shutil.which(tool) is None:
            print(f"{tool} is missing: sudo apt-get install fluidsynth fluid-soundfont-gm espeak-ng", file=sys.stderr)
            return 2
    if not SOUNDFONT.exists():
        print(f"{SOUNDFONT} is missing: sudo apt-get install fluid-soundfont-gm", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    manifest_path = args.out / "manifest.json"
    if manifest_path.exists():  # parsing the scores takes minutes: reuse a complete corpus
        old = json.loads(manifest_path.read_text())
        if (
            old.get("pieces") == args.pieces
            and old.get("version") == VERSION
            and all((args.out / c["file"]).exists() for c in old["clips"])
        ):
            print(f"corpus up to date: {len(old['clips'])} clips in {args.out}", file=sys.stderr)
            return 0
    clips = []
    rng = random.Random(SEED + 1)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for i, piece in enumerate(select_pieces(args.pieces)):
            base = piece["source"].replace("/", "_")
            truth = {k: piece[k] for k in ("key", "mode", "tempo", "beatsPerBar", "ensemble", "source")}
            truth["piece"] = i  # the first TUNING_PIECES tuned the analysis; later ones are held out
            for drums in (False, True):
                cid = f"{base}-{'drums' if drums else 'plain'}"
                path = args.out / f"{cid}.flac"
                if not path.exists():
                    print(f"render {cid}", file=sys.stderr)
                    midi = tmp / f"{cid}.mid"
                    _write_midi(
                        _prepare(piece["score"], piece["tempo"]),
                        midi,
                        programs=ENSEMBLES[piece["ensemble"]],
                        drums=drums,
                        beats_per_bar=piece["beatsPerBar"],
                        bpm=piece["tempo"],
                    )
                    y = render(midi, tmp / "render.wav")
                    sf.write(path, y, RENDER_SR, subtype="PCM_16")
                clips.append({"id": cid, "file": path.name, "kind": "music", "drums": drums, **truth})
            if i % 3 == 0:  # loudness-normalised copy at a known level
                target = rng.choice([-23.0, -16.0, -11.0])
                cid = f"{base}-lufs{int(-target)}"
                path = args.out / f"{cid}.flac"
                if not path.exists():
                    y, sr = sf.read(args.out / f"{base}-drums.flac", dtype="float32", always_2d=True)
                    sf.write(path, normalise(y, sr, target), sr, subtype="PCM_16")
                clips.append(
                    {"id": cid, "file": path.name, "kind": "music", "drums": True, "targetLufs": target, **truth}
                )
        for j, (lang, wpm, text) in enumerate(SPEECH):
            cid = f"speech-{j}-{lang}"
            path = args.out / f"{cid}.flac"
            if not path.exists():
                print(f"speak {cid}", file=sys.stderr)
                y, sr = speak(lang, wpm, text, tmp / "speech.wav")
                sf.write(path, y, sr, subtype="PCM_16")
            clips.append({"id": cid, "file": path.name, "kind": "speech", "source": f"espeak-ng {lang} {wpm} wpm"})
    manifest_path.write_text(
        json.dumps(
            {"version": VERSION, "seed": SEED, "pieces": args.pieces, "soundfont": SOUNDFONT.name, "clips": clips},
            indent=1,
        )
    )
    print(f"{len(clips)} clips in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
