"""Render the ground-truth corpus for the analysis benchmark (runs in .tools/bench, see make/bench.mk).

Families (bench/sources.py lists every source; all come from packages):
- chorale, classical: music21 corpus pieces whose key is unambiguous (key signature, music21's
  symbolic analysis and the final bass note agree), a seeded GM ensemble, half with a drum track;
- folk: music21's ABC folk tunes in 6/8 and 3/4 (melody over a GM bass doubling, half with drums);
- groove: MMA accompaniment grooves (swing, shuffle, ragtime, four-on-the-floor dance, rock,
  latin, waltz, 6/8, ballads) over seeded chord progressions in a seeded key that cadence on
  the tonic, in major and minor;
- game: Planet Blupi's game-music MIDI files (tempo only: their key is not annotated);
- speech: espeak-ng voices; speech+music: a voice mixed over a groove (reported, no target).
Every clip has a side: the tuning side is rendered with FluidR3, the held-out side with TimGM6mb,
and pieces, grooves, files and voices alternate between the sides. Tempo ground truth is the
felt beat in BPM (the dotted quarter in 6/8), 60-190. A few clips get loudness-normalised copies.

Output: <out>/manifest.json and one FLAC per clip; an existing clip is kept (cache)."""

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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import midi  # noqa: E402
import sources  # noqa: E402

RENDER_SR = 44100
RENDER_TIMEOUT_S = 120
MAX_SECONDS = midi.MAX_SECONDS
SEED = 20261130
VERSION = 3  # bump when the rendering changes (3: MMA grooves seeded with RndSeed)
NAMES = midi.NAMES


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --- music21 pieces ---------------------------------------------------------------------------


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
    return NAMES[analysed.tonic.pitchClass], analysed.mode


def _score_entries(family: str, limit: int, names: list[str] | None = None):
    if family in ("chorale", "classical"):
        listed = names if names is not None else sources.CHORALES if family == "chorale" else sources.CLASSICAL
        yield from ((name, lambda n=name: corpus.parse(n)) for name in listed)
    else:
        found = []
        for sig in sources.FOLK_METERS:
            hits = [h for h in corpus.search(sig, "timeSignature") if str(h.sourcePath).startswith(sources.FOLK_OPUSES)]
            found.append(sorted(hits, key=lambda h: (str(h.sourcePath), h.number or 0))[: limit * 4])
        for pair in zip(*found, strict=False):  # the meters alternate
            for h in pair:
                yield f"{h.sourcePath}#{h.number}", h.parse


def music21_pieces(family: str, limit: int, rng: random.Random, *, names: list[str] | None = None) -> list[dict]:
    """Up to `limit` pieces of a family with an unambiguous key and one meter we can annotate;
    `names`: the music21 corpus paths to try, in order, instead of the family's list in sources."""
    picked: list[dict] = []
    for name, parse in _score_entries(family, limit, names):
        if len(picked) >= limit:
            break
        try:
            score = parse()
        except Exception as exc:  # a corpus entry missing in this music21 version
            log(f"skip {name}: {exc}")
            continue
        if hasattr(score, "scores"):  # an Opus: take its first score
            score = score.scores[0]
        sigs = score.recurse().getElementsByClass(meter.TimeSignature)
        ratios = {s.ratioString for s in sigs}
        if len(ratios) != 1 or next(iter(ratios)) not in ("2/4", "3/4", "4/4", "6/8"):
            log(f"skip {name}: meter {ratios}")
            continue
        truth = _key_truth(score)
        if truth is None:
            log(f"skip {name}: ambiguous key")
            continue
        ratio = next(iter(ratios))
        compound = ratio == "6/8"
        lo, hi = sources.piece_tempo_range(ratio)
        picked.append(
            {
                "family": family,
                "source": name,
                "score": score,
                "key": truth[0],
                "mode": truth[1],
                "meter": ratio,
                "beatsPerBar": 2 if compound else int(ratio.split("/")[0]),
                "tempo": rng.randint(lo, hi),
                "ensemble": rng.choice(sorted(sources.ENSEMBLES)),
            }
        )
    return picked


def _prepare(score, quarter_bpm: float, *, max_seconds: float = MAX_SECONDS):
    """Single tempo, no repeats (first endings dropped), at most `max_seconds` long."""
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
    quarters = max_seconds * quarter_bpm / 60.0
    out = score.measures(0, None)
    for part in out.parts:
        for m in list(part.getElementsByClass("Measure")):
            if m.offset + m.barDuration.quarterLength > quarters:
                part.remove(m)
    first = out.parts[0].getElementsByClass("Measure")[0]
    first.insert(0, tempo.MetronomeMark(number=quarter_bpm, referent="quarter"))
    return out


def write_piece_midi(piece: dict, path: Path, *, drums: bool) -> None:
    compound = piece["meter"] == "6/8"
    quarter_bpm = piece["tempo"] * (1.5 if compound else 1.0)
    _prepare(piece["score"], quarter_bpm).write("midi", fp=str(path))
    mid = mido.MidiFile(str(path))
    tpb = mid.ticks_per_beat
    midi.program_tracks(mid, sources.ENSEMBLES[piece["ensemble"]], double_bass=piece["family"] == "folk")
    end = max(sum(m.time for m in t) for t in mid.tracks)
    if drums:
        beat = int(tpb * 1.5) if compound else tpb
        mid.tracks.append(midi.drum_track(end, beat, piece["beatsPerBar"], 3 if compound else 2))
    mid.tracks.append(midi.end_track(end, tpb, quarter_bpm))
    mid.save(str(path))


# --- MMA grooves, game MIDI, speech -----------------------------------------------------------


def render(midi: Path, wav: Path, soundfont: Path) -> np.ndarray:
    cmd = ["fluidsynth", "-ni", "-q", "-g", "0.6", "-r", str(RENDER_SR), "-F", str(wav), str(soundfont), str(midi)]
    subprocess.run(cmd, check=True, timeout=RENDER_TIMEOUT_S, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    y, _ = sf.read(wav, dtype="float32", always_2d=True)
    loud = np.flatnonzero(np.max(np.abs(y), axis=1) > 1e-3)
    y = y[loud[0] : loud[-1] + RENDER_SR // 2] if loud.size else y
    return y[: int(MAX_SECONDS * RENDER_SR) + RENDER_SR // 2]


def speak(lang: str, wpm: int, text: str, wav: Path) -> tuple[np.ndarray, int]:
    subprocess.run(
        ["espeak-ng", "-v", lang, "-s", str(wpm), "-w", str(wav), text],
        check=True,
        timeout=RENDER_TIMEOUT_S,
        capture_output=True,
    )
    y, sr = sf.read(wav, dtype="float32", always_2d=True)
    return y, sr


def loudness(y: np.ndarray, sr: int) -> float:
    return float(pyloudnorm.Meter(sr).integrated_loudness(y))


def normalise(y: np.ndarray, sr: int, target: float) -> np.ndarray:
    return np.clip(y * 10 ** ((target - loudness(y, sr)) / 20), -1.0, 1.0)


def mix_speech(music: np.ndarray, speech: np.ndarray, speech_sr: int) -> np.ndarray:
    """Speech (resampled to the music's rate by linear interpolation) 6 LU over the music, from 2 s."""
    t = np.arange(int(len(speech) * RENDER_SR / speech_sr)) * speech_sr / RENDER_SR
    voice = np.interp(t, np.arange(len(speech)), speech[:, 0]).astype(np.float32)
    music = normalise(music, RENDER_SR, -26.0)
    voice = normalise(voice[:, None], RENDER_SR, -20.0)[:, 0]
    start = 2 * RENDER_SR
    out = music.copy()
    end = min(len(out), start + len(voice))
    out[start:end] += voice[: end - start, None]
    return np.clip(out[: max(end + RENDER_SR, RENDER_SR * 10)], -1.0, 1.0)


# --- the corpus -------------------------------------------------------------------------------


def plan(args) -> list[dict]:
    """Every clip to render, with its truth; pieces alternate between the sides."""
    rng = random.Random(SEED)
    clips = []
    for family, limit in (("chorale", args.chorales), ("classical", args.classical), ("folk", args.folk)):
        for i, piece in enumerate(music21_pieces(family, limit, rng)):
            side = sources.side_of(i)
            base = piece["source"].replace("/", "_").replace("#", "-").replace(".abc", "")
            drums = (i // 2) % 2 == 1
            clips.append(
                {
                    "id": f"{family}-{base}-{'drums' if drums else 'plain'}",
                    "kind": "music",
                    "side": side,
                    "drums": drums,
                    **piece,
                }
            )
    for style, grooves in sources.GROOVES.items():
        for i, (groove, lo, hi) in enumerate(grooves):
            mode = rng.choice(["major", "minor"])
            clips.append(
                {
                    "id": f"groove-{style}-{groove.replace('&', 'n')}",
                    "kind": "music",
                    "family": "groove",
                    "style": style,
                    "side": sources.side_of(i),
                    "groove": groove,
                    "source": f"mma {groove}",
                    "key": rng.choice(NAMES),
                    "mode": mode,
                    "tempo": rng.randint(lo, hi),
                    "drums": True,
                    "progression": rng.randrange(len(sources.PROGRESSIONS[mode])),
                    "meter": {"waltz": "3/4", "sixeight": "6/8"}.get(style, "4/4"),
                    "beatsPerBar": {"waltz": 3, "sixeight": 2}.get(style, 4),
                }
            )
    for i, file in enumerate(sources.GAME_FILES):
        clips.append(
            {
                "id": f"game-{Path(file).stem}",
                "kind": "music",
                "family": "game",
                "side": sources.side_of(i),
                "source": f"planetblupi {file}",
                "file_in": file,
                "key": None,
                "mode": None,
                "drums": True,
                "meter": "4/4",
                "beatsPerBar": 4,
            }
        )
    for j, (lang, wpm, text) in enumerate(sources.SPEECH):
        clips.append(
            {
                "id": f"speech-{j}-{lang}",
                "kind": "speech",
                "family": "speech",
                "side": sources.side_of(j),
                "source": f"espeak-ng {lang} {wpm} wpm",
                "voice": (lang, wpm, text),
            }
        )
    for side in ("tuning", "heldout"):
        beds = [c for c in clips if c["family"] == "groove" and c["side"] == side][::6]
        voices = [c for c in clips if c["kind"] == "speech" and c["side"] == side]
        for bed, voice in zip(beds, voices, strict=False):
            clips.append(
                {
                    "id": f"mixed-{bed['groove']}-{voice['voice'][0]}",
                    "kind": "mixed",
                    "family": "speech+music",
                    "side": side,
                    "source": f"{voice['source']} over {bed['source']}",
                    "bed": bed["id"],
                    "speech": voice["id"],
                }
            )
    for side in ("tuning", "heldout"):
        for k, c in enumerate([c for c in clips if c["kind"] == "music" and c["side"] == side][::7]):
            clips.append({**c, "id": f"{c['id']}-lufs", "targetLufs": [-23.0, -16.0, -11.0][k % 3], "copyOf": c["id"]})
    return clips


def make_clip(clip: dict, out: Path, tmp: Path) -> None:
    path = out / f"{clip['id']}.flac"
    if path.exists():
        return
    log(f"render {clip['id']}")
    soundfont = sources.SOUNDFONTS[clip.get("soundfontKey", clip["side"])]
    midi_path = tmp / "clip.mid"
    if "copyOf" in clip:
        y, sr = sf.read(out / f"{clip['copyOf']}.flac", dtype="float32", always_2d=True)
        y = normalise(y, sr, clip["targetLufs"])
    elif clip["kind"] == "speech":
        lang, wpm, text = clip["voice"]
        y, sr = speak(lang, wpm, text, tmp / "speech.wav")
    elif clip["kind"] == "mixed":
        music, _ = sf.read(out / f"{clip['bed']}.flac", dtype="float32", always_2d=True)
        speech, speech_sr = sf.read(out / f"{clip['speech']}.flac", dtype="float32", always_2d=True)
        y, sr = mix_speech(music, speech, speech_sr), RENDER_SR
    else:
        if clip["family"] == "groove":
            midi.write_groove_midi(clip, midi_path, tmp)
        elif clip["family"] == "game":
            midi.write_game_midi(clip["file_in"], midi_path)
        else:
            write_piece_midi(clip, midi_path, drums=clip["drums"])
        y, sr = render(midi_path, tmp / "render.wav", soundfont), RENDER_SR
    sf.write(path, y, sr, subtype="PCM_16")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--chorales", type=int, default=16)
    ap.add_argument("--classical", type=int, default=10)
    ap.add_argument("--folk", type=int, default=12)
    args = ap.parse_args(argv)
    missing = [t for t in ("fluidsynth", "espeak-ng", "mma") if shutil.which(t) is None]
    missing += [str(p) for p in [*sources.SOUNDFONTS.values(), sources.GAME_MIDI] if not p.exists()]
    if missing:
        log(f"missing: {', '.join(missing)}; install them with `make bench-deps`")
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    manifest_path = args.out / "manifest.json"
    wanted = {
        "version": VERSION,
        "seed": SEED,
        "chorales": args.chorales,
        "classical": args.classical,
        "folk": args.folk,
    }
    if manifest_path.exists():  # parsing the scores takes minutes: reuse a complete corpus
        old = json.loads(manifest_path.read_text())
        if all(old.get(k) == v for k, v in wanted.items()) and all(
            (args.out / c["file"]).exists() for c in old["clips"]
        ):
            log(f"corpus up to date: {len(old['clips'])} clips in {args.out}")
            return 0
    clips = plan(args)
    with tempfile.TemporaryDirectory() as tmp:
        for clip in clips:
            make_clip(clip, args.out, Path(tmp))
    keep = (
        "id",
        "kind",
        "family",
        "side",
        "source",
        "key",
        "mode",
        "tempo",
        "meter",
        "beatsPerBar",
        "drums",
        "ensemble",
        "style",
        "groove",
        "progression",
        "targetLufs",
        "copyOf",
        "bed",
        "speech",
    )
    rows = [
        {
            "file": f"{c['id']}.flac",
            "soundfont": sources.SOUNDFONTS[c["side"]].name,
            **{k: c[k] for k in keep if k in c},
        }
        for c in clips
    ]
    for row, clip in zip(rows, clips, strict=True):
        if clip["family"] == "game":
            row["tempo"] = midi.write_game_midi(clip["file_in"], Path(tempfile.gettempdir()) / "gt-game.mid")[0]
    manifest_path.write_text(json.dumps({**wanted, "clips": rows}, indent=1))
    log(f"{len(rows)} clips in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
