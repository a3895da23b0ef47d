"""MIDI helpers of the ground truth (bench/groundtruth.py): GM programs, drum and end tracks,
MMA grooves and the game-music excerpts. Runs in .tools/bench (mido)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import mido
import sources

MAX_SECONDS = 40.0
NAMES = ["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"]
MMA_NAMES = ["C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]


def program_tracks(mid: mido.MidiFile, programs: list[int], *, double_bass: bool) -> None:
    note_tracks = [t for t in mid.tracks if any(m.type == "note_on" for m in t)]
    for i, track in enumerate(note_tracks):
        last = i == len(note_tracks) - 1 and len(note_tracks) > 1
        prog = programs[-1] if last else programs[i % len(programs)]
        channels = {m.channel for m in track if hasattr(m, "channel")}
        for msg in track:
            if msg.type == "program_change":
                msg.program = prog
        for ch in channels:
            track.insert(0, mido.Message("program_change", channel=ch, program=prog, time=0))
    if double_bass and len(note_tracks) == 1:  # a tune alone: its octave-lower double on the bass
        src, ch = note_tracks[0], 14
        now, prev = 0, 0
        bass = mido.MidiTrack([mido.Message("program_change", channel=ch, program=programs[-1], time=0)])
        for msg in src:
            now += msg.time
            if msg.type in ("note_on", "note_off"):
                bass.append(msg.copy(channel=ch, note=max(24, msg.note - 24), time=now - prev))
                prev = now
        mid.tracks.append(bass)


def end_track(end: int, tpb: int, quarter_bpm: float) -> mido.MidiTrack:
    # All notes off (CC 123) and all sound off (CC 120) one beat after the end: a sustained
    # last note otherwise keeps fluidsynth rendering.
    tail = mido.MidiTrack()
    tail.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(quarter_bpm), time=0))
    tail.append(mido.Message("control_change", channel=0, control=123, value=0, time=end + tpb))
    for ch in range(16):
        tail.append(mido.Message("control_change", channel=ch, control=123, value=0, time=0))
        tail.append(mido.Message("control_change", channel=ch, control=120, value=0, time=0))
    return tail


def drum_track(end_ticks: int, beat_ticks: int, beats_per_bar: int, subdivisions: int) -> mido.MidiTrack:
    """Kick on the downbeat (and beat 3 of 4), snare on the other beats, hi-hat on subdivisions."""
    events = []
    step = beat_ticks // subdivisions
    for i, t in enumerate(range(0, end_ticks, step)):
        beat, onbeat = (i // subdivisions) % beats_per_bar, i % subdivisions == 0
        notes = [(42, 60)]
        if onbeat and (beat == 0 or (beats_per_bar == 4 and beat == 2)):
            notes.append((36, 100))
        elif onbeat:
            notes.append((38, 90))
        for n, v in notes:
            events += [(t, 1, n, v), (t + step // 2, 0, n, 0)]
    events.sort()
    track, now = mido.MidiTrack(), 0
    for t, on, n, v in events:
        track.append(mido.Message("note_on" if on else "note_off", channel=9, note=n, velocity=v, time=t - now))
        now = t
    return track


def mma_time(groove: str) -> int:
    """MMA beats per bar ("Time N") of the library file defining `groove`."""
    for path in sources.MMA_LIB.rglob("*.mma"):
        text = path.read_text(errors="replace")
        # MMA groove names are case-insensitive ("RagTime" defines Ragtime).
        if any([w.lower() for w in line.split()[:2]] == ["defgroove", groove.lower()] for line in text.splitlines()):
            for line in text.splitlines():
                words = line.split()
                if len(words) > 1 and words[0] == "Time" and words[1].isdigit():
                    return int(words[1])
    raise sources.GrooveNotFound(f"MMA groove {groove} not found (or its file has no `Time N` line)")


def write_groove_midi(clip: dict, path: Path, tmp: Path) -> None:
    time_n = mma_time(clip["groove"])
    compound = clip["meter"] == "6/8"
    mma_tempo = clip["tempo"] * time_n / 2 if compound else clip["tempo"]
    tonic = NAMES.index(clip["key"])
    prog = sources.PROGRESSIONS[clip["mode"]][clip["progression"]]
    bar_s = 60.0 * time_n / mma_tempo
    bars = max(8, int(MAX_SECONDS / bar_s) // 4 * 4)
    chords = [prog[i % len(prog)] for i in range(bars - 2)]
    chords += [(7, "7"), (0, "m" if clip["mode"] == "minor" else "")]
    # RndSeed: MMA humanises grooves with random timing and velocity; seeded, a re-render is equal.
    lines = ["RndSeed 1", f"Tempo {mma_tempo:g}", f"Groove {clip['groove']}"]
    lines += [f"{i + 1} {MMA_NAMES[(tonic + s) % 12]}{q}" for i, (s, q) in enumerate(chords)]
    src = tmp / "groove.mma"
    src.write_text("\n".join(lines) + "\n")
    subprocess.run(["mma", str(src), "-f", str(path)], check=True, timeout=60, capture_output=True)


def write_game_midi(file: str, path: Path) -> tuple[float, int]:
    """First MAX_SECONDS of a game-music file; returns (BPM, beats per bar) from its meta events."""
    mid = mido.MidiFile(str(sources.GAME_MIDI / file))
    tempos = [m.tempo for t in mid.tracks for m in t if m.type == "set_tempo"]
    sigs = [(m.numerator, m.denominator) for t in mid.tracks for m in t if m.type == "time_signature"]
    if len(set(tempos)) != 1 or set(sigs) != {(4, 4)}:
        raise ValueError(f"{file}: not one tempo in 4/4")
    bpm = mido.tempo2bpm(tempos[0])
    limit = int(MAX_SECONDS * bpm / 60.0 * mid.ticks_per_beat)
    for track in mid.tracks:
        now, keep = 0, []
        for msg in track:
            now += msg.time
            if now > limit and not msg.is_meta:
                break
            keep.append(msg)
        track[:] = keep
    mid.tracks.append(end_track(limit, mid.ticks_per_beat, bpm))
    mid.save(str(path))
    return round(bpm, 2), 4
