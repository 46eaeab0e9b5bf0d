"""BeatNet (Heydari et al., ISMIR 2021; PyPI BeatNet 1.1.3, weights CC BY 4.0) on the corpus tempo
annotations — the study behind the decision NOT to ship it (docs/MUSIC.md, "Beat model: BeatNet
measured, not shipped"). Evaluation only; nothing here runs in Sonoteca.

BeatNet's front-end is madmom's (LOG_SPECT: 1411-sample Hann frames, hop 441 at 22 050 Hz, 24-band
logarithmic filterbank 30 Hz–17 kHz, log10(1 + x), positive first difference; 272 features at
50 fps); the CRNN gives beat / downbeat activations; madmom's DBN trackers decode them. madmom
0.16.1 needs numpy < 1.24 and torch does not, hence three steps in two virtual environments:

  /tmp/venv-mm/bin/python study.py features      # numpy 1.23.5, cython<3, madmom 0.16.1 (re-cythonised)
  /tmp/venv-torch/bin/python study.py activations  # torch 2.13.0 (CPU), numpy
  /tmp/venv-mm/bin/python study.py tempo

Options: --corpus DIR (default $SONOTECA_CORPUS), --wheel-dir DIR (BeatNet-1.1.3 wheel unpacked),
--work DIR (scratch, default /tmp/beatnet-study), --ffmpeg PATH.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
from pathlib import Path

import numpy as np

FILES = [
    ("tempo/madmom__sample.wav", (87.5, 175)),
    ("music/sorohan-solo-trumpet-90bpm-F.ogg", (90,)),
    ("heritage/classical_music/bachvln__john-garner_bwv1002_mov6.mp3", (164.57,)),
    ("heritage/classical_music/bachvln__john-garner_bwv1002_mov7.mp3", (149.79,)),
    ("heritage/classical_music/bachvln__john-garner_bwv1002_mov8.mp3", (151.73,)),
    ("heritage/classical_music/bachvln__minji-kim_bwv1003_mov3.opus", (26.0,)),
    ("heritage/classical_music/bachvln__minji-kim_bwv1003_mov4.opus", (71.75,)),
]


def features(a: argparse.Namespace) -> None:
    from madmom.audio.signal import SignalProcessor, FramedSignalProcessor
    from madmom.audio.stft import ShortTimeFourierTransformProcessor
    from madmom.audio.spectrogram import (FilteredSpectrogramProcessor,
                                          LogarithmicSpectrogramProcessor,
                                          SpectrogramDifferenceProcessor)
    from madmom.processors import ParallelProcessor, SequentialProcessor

    # BeatNet/log_spect.py LOG_SPECT with BeatNet.py's settings, restated (its module imports
    # librosa through BeatNet.common, which this study does not need).
    chain = SequentialProcessor((
        FramedSignalProcessor(frame_size=1411, hop_size=441),
        ShortTimeFourierTransformProcessor(),
        FilteredSpectrogramProcessor(num_bands=24, fmin=30, fmax=17000, norm_filters=True),
        LogarithmicSpectrogramProcessor(mul=1, add=1),
        SpectrogramDifferenceProcessor(diff_ratio=0.5, positive_diffs=True, stack_diffs=np.hstack),
    ))
    pipe = SequentialProcessor((SignalProcessor(num_channels=1, win_length=1411, sample_rate=22050),
                                ParallelProcessor([chain]), np.hstack))
    for i, (rel, _) in enumerate(FILES):
        raw = subprocess.run([a.ffmpeg, "-v", "quiet", "-i", str(Path(a.corpus) / rel), "-ac", "1",
                              "-ar", "22050", "-f", "f32le", "-"], capture_output=True, check=True).stdout
        np.save(Path(a.work) / f"feat{i}.npy", pipe(np.frombuffer(raw, np.float32)).astype(np.float32))


def activations(a: argparse.Namespace) -> None:
    import torch

    spec = importlib.util.spec_from_file_location("bnmodel", Path(a.wheel_dir) / "BeatNet/model.py")
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    for w in (1, 2, 3):
        net = m.BDA(272, 150, 2, "cpu")
        net.load_state_dict(torch.load(Path(a.wheel_dir) / f"BeatNet/models/model_{w}_weights.pt",
                                       map_location="cpu"), strict=False)
        net.eval()
        for i in range(len(FILES)):
            f = torch.from_numpy(np.load(Path(a.work) / f"feat{i}.npy")).unsqueeze(0)
            net.hidden = torch.zeros(2, 1, 150)
            net.cell = torch.zeros(2, 1, 150)
            with torch.no_grad():
                p = net.final_pred(net(f)[0]).numpy()
            np.save(Path(a.work) / f"act{w}_{i}.npy", p[:2].T)  # [frames, (beat, downbeat)]


def judge(bpm: float, refs: tuple) -> str:
    if any(abs(bpm / r - 1) <= 0.04 for r in refs):
        return "within 4 %"
    if any(abs(bpm / (r * k) - 1) <= 0.04 for r in refs for k in (2, 0.5, 3, 1 / 3)):
        return "octave"
    return "wrong"


def tempo(a: argparse.Namespace) -> None:
    from madmom.features.beats import DBNBeatTrackingProcessor
    from madmom.features.downbeats import DBNDownBeatTrackingProcessor

    print("| model (held-out set) | file | reference | beat DBN (BPM, verdict) | downbeat DBN (BPM, verdict) |")
    print("| --- | --- | --- | --- | --- |")
    names = {1: "1 (GTZAN out)", 2: "2 (Ballroom out)", 3: "3 (Rock corpus out)"}
    for w in (1, 2, 3):
        tally = [0, 0, 0, 0]
        for i, (rel, refs) in enumerate(FILES):
            act = np.load(Path(a.work) / f"act{w}_{i}.npy").astype(np.float64)
            beats = DBNBeatTrackingProcessor(fps=50, min_bpm=40, max_bpm=215)(act[:, 0] + act[:, 1])
            b_bpm = 60 * (len(beats) - 1) / (beats[-1] - beats[0]) if len(beats) > 2 else 0.0
            db = DBNDownBeatTrackingProcessor(beats_per_bar=[2, 3, 4], fps=50)(act)
            d_bpm = 60 * (len(db) - 1) / (db[-1, 0] - db[0, 0]) if len(db) > 2 else 0.0
            vb, vd = judge(b_bpm, refs), judge(d_bpm, refs)
            tally[0] += vb == "within 4 %"
            tally[1] += vb != "wrong"
            tally[2] += vd == "within 4 %"
            tally[3] += vd != "wrong"
            print(f"| {names[w]} | {Path(rel).name} | {' or '.join(map(str, refs))} | {b_bpm:.1f} {vb} | {d_bpm:.1f} {vd} |")
        print(f"| {names[w]} | **Acc1 / Acc2 of 7** | | {tally[0]} / {tally[1]} | {tally[2]} / {tally[3]} |")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("step", choices=["features", "activations", "tempo"])
    ap.add_argument("--corpus", default=os.environ.get("SONOTECA_CORPUS", "/work/shared/corpus"))
    ap.add_argument("--wheel-dir", default="/tmp/beatnet-wheel")
    ap.add_argument("--work", default="/tmp/beatnet-study")
    ap.add_argument("--ffmpeg", default="ffmpeg")
    a = ap.parse_args()
    Path(a.work).mkdir(parents=True, exist_ok=True)
    {"features": features, "activations": activations, "tempo": tempo}[a.step](a)


if __name__ == "__main__":
    main()
