"""Copies the basic-pitch ICASSP 2022 model (Spotify, Apache-2.0) out of the pinned basic-pitch
wheel into models/basic-pitch-icassp-2022.onnx and writes its parity fixture
(test/fixtures/models/basic-pitch-icassp-2022.parity.json).

Source: basic-pitch 0.4.0 (PyPI) ships the same trained network as a TensorFlow SavedModel, a
TFLite file, a CoreML package and an ONNX file (basic_pitch/saved_models/icassp_2022/). Sonoteca
ships the ONNX file unchanged (the CQT front-end is inside the graph: input is raw audio at
22 050 Hz, windows of 43 844 samples; outputs per 11.6 ms frame: note [172, 88] and onset [172, 88]
posteriors for MIDI 21..108, pitch contour [172, 264] at 3 bins per semitone). The parity check
runs the TFLite export of the source framework (TensorFlow Lite interpreter) and ONNX Runtime on
the same deterministic signal and requires them to agree; the fixture holds the TFLite outputs,
which the TypeScript test compares with onnxruntime-node.

Usage: python export.py [--cache /tmp/basic-pitch-cache] [--repo ../../..]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import onnxruntime as ort
import soxr
from ai_edge_litert.interpreter import Interpreter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from senko_wheel import parity_signal, rounded, sha256_file  # noqa: E402

MODEL_ID = "basic-pitch-icassp-2022"
VERSION = "0.4.0"
WHEEL = f"basic_pitch-{VERSION}-py2.py3-none-any.whl"
SRC = "basic_pitch/saved_models/icassp_2022"
SRC_ONNX_SHA256 = "2c3c1d144bfa61ad236e92e169c13535c880469a12a047d4e73451f2c059a0ec"
SR = 22050
N_SAMPLES = 43844
TOLERANCE = 2e-3  # max |Δ posterior| ONNX vs TFLite, and ORT-node vs fixture
FRAME_STEP = 8  # every 8th frame goes into the fixture (size)


def unpack(cache: Path) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    wheel = cache / WHEEL
    if not wheel.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", f"basic-pitch=={VERSION}", "--no-deps",
             "-d", str(cache)],
            check=True,
        )
    out = cache / "unpacked"
    if not (out / SRC).exists():
        with zipfile.ZipFile(wheel) as z:
            z.extractall(out)
    return out


def run_tflite(path: Path, x: np.ndarray) -> dict[str, np.ndarray]:
    """The TFLite export run through its serving signature, as basic-pitch's own inference does
    (outputs named note, onset, contour)."""
    it = Interpreter(model_path=str(path))
    runner = it.get_signature_runner("serving_default")
    out = runner(input_2=x)
    return {k: np.asarray(out[k]) for k in ("note", "onset", "contour")}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default="/tmp/basic-pitch-cache")
    ap.add_argument("--repo", default=str(Path(__file__).resolve().parents[3]))
    args = ap.parse_args()
    repo = Path(args.repo)
    root = unpack(Path(args.cache)) / SRC
    src_onnx = root / "nmp.onnx"
    assert sha256_file(src_onnx) == SRC_ONNX_SHA256, "unexpected nmp.onnx in the wheel"
    dst = repo / "models" / f"{MODEL_ID}.onnx"
    shutil.copyfile(src_onnx, dst)

    x = parity_signal(N_SAMPLES, SR)
    batch = np.stack([x, x[::-1] * 0.5]).astype(np.float32)[:, :, None]  # [2, 43844, 1]
    sess = ort.InferenceSession(str(dst), providers=["CPUExecutionProvider"])
    on = dict(zip(["note", "onset", "contour"], sess.run(
        ["StatefulPartitionedCall:1", "StatefulPartitionedCall:2", "StatefulPartitionedCall:0"],
        {"serving_default_input_2:0": batch},
    )))
    tf = run_tflite(root / "nmp.tflite", batch)
    errs = {k: float(np.max(np.abs(on[k] - tf[k]))) for k in on}
    print("max |ONNX - TFLite|:", errs)
    assert all(e <= TOLERANCE for e in errs.values()), errs
    assert float(np.max(tf["note"])) > 0.3, "parity signal must activate notes"

    fixture = {
        "model": MODEL_ID,
        "source": f"pypi:basic-pitch {VERSION} {SRC}/nmp.onnx (TFLite reference: nmp.tflite)",
        "onnx_sha256": sha256_file(dst),
        "tolerance": TOLERANCE,
        "signal": f"parity_signal({N_SAMPLES}, {SR}) and its reverse × 0.5, batch [2, {N_SAMPLES}, 1]",
        "frames": int(tf["note"].shape[1]),
        "frame_step": FRAME_STEP,
        "measured_max_abs_diff_onnx_vs_tflite": errs,
        "note": rounded(tf["note"][:, ::FRAME_STEP, :]),
        "onset": rounded(tf["onset"][:, ::FRAME_STEP, :]),
        "contour": rounded(tf["contour"][:, ::FRAME_STEP, :]),
    }
    out = repo / "test" / "fixtures" / "models" / f"{MODEL_ID}.parity.json"
    out.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print("wrote", dst, out)

    # The model's input path in basic-pitch: librosa.load(sr=22050), i.e. soxr "HQ" resampling.
    # Sonoteca resamples its 16 kHz analysis stream with src/dsp/resample.ts; this fixture holds
    # soxr's output for the parity signal at 16 kHz so the TypeScript test can compare the two.
    x16 = parity_signal(16000, 16000)
    y = soxr.resample(x16.astype(np.float64), 16000, SR, quality="HQ").astype(np.float32)
    rs = {
        "source": f"soxr {soxr.__version__} resample(parity_signal(16000, 16000), 16000, {SR}, quality='HQ')"
                  " (librosa.load's default res_type soxr_hq, as basic-pitch's own input path)",
        "from_hz": 16000,
        "to_hz": SR,
        "output": rounded(y, 6),
    }
    out_rs = repo / "test" / "fixtures" / "dsp" / "resample-16k-22k.json"
    out_rs.write_text(json.dumps(rs, separators=(",", ":")) + "\n")
    print("wrote", out_rs)


if __name__ == "__main__":
    main()
