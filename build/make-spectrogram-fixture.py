#!/usr/bin/env python3
"""Writes tests/DiMml.MLNet.Tests/Fixtures/paper-spectrogram.json: the authors' spectrogram of a short test signal.

The authors' audio pipeline (DI-MML, CREMA-D and AVE preprocessing) calls scipy.signal.spectrogram(x, fs,
nperseg=512, noverlap=353) with scipy's other defaults (periodic Tukey(0.25) window, per-segment mean removal,
one-sided power spectral density), then takes log(S + 1e-7) and standardises the clip. This script computes exactly
that for a 0.25 s, 16 kHz signal, so the test can hold our ONNX graph to it without scipy on the test machine.
Run once (needs Debian's python3-scipy) and commit the output:  /usr/bin/python3 build/make-spectrogram-fixture.py
"""
import base64
import json
import pathlib

import numpy as np
from scipy import signal

RATE, SAMPLES, WINDOW, HOP = 16000, 4000, 512, 159


def encode(values):
    return base64.b64encode(np.ascontiguousarray(values, dtype="<f4").tobytes()).decode("ascii")


n = np.arange(SAMPLES, dtype=np.float64)
t = n / RATE
x = (0.05  # DC offset: per-segment mean removal takes it out
     + 0.5 * np.sin(2 * np.pi * 440 * t)
     + 0.3 * np.sin(2 * np.pi * 1234.5 * t + 0.3)
     + 0.2 * np.sin(2 * np.pi * (100 + 6000 * t) * t)  # chirp
     + 0.1 * np.sign(np.sin(2 * np.pi * 97 * t))).astype(np.float32)
_, _, power = signal.spectrogram(x.astype(np.float64), RATE, nperseg=WINDOW, noverlap=WINDOW - HOP)
log_power = np.log(power + 1e-7)
standardised = (log_power - log_power.mean()) / (log_power.std() + 1e-9)

fixture = {
    "source": "build/make-spectrogram-fixture.py, scipy " + __import__("scipy").__version__,
    "sampleRate": RATE, "windowSize": WINDOW, "hopLength": HOP,
    "bins": int(power.shape[0]), "frames": int(power.shape[1]),
    "signal": encode(x),
    "logPower": encode(log_power),          # frequency-major: bin b, frame f at b * frames + f
    "standardised": encode(standardised),
}
out = pathlib.Path(__file__).resolve().parent.parent / "tests" / "DiMml.MLNet.Tests" / "Fixtures" / "paper-spectrogram.json"
out.write_text(json.dumps(fixture, indent=1) + "\n")
print(f"wrote {out} ({power.shape[0]} x {power.shape[1]})")
