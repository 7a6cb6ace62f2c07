"""Color arithmetic for the tests, written out here rather than taken from the
code under test: WCAG 2 contrast, color-blind vision simulated (Machado,
Oliveira & Fernandes 2009, severity 1), and CIEDE2000 color differences."""

from __future__ import annotations

import re

import numpy as np

NAMED = {"white": "#FFFFFF", "black": "#000000"}
MACHADO = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                   [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                     [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                   [0.004733, 0.691367, 0.303900]],
}


def rgb(color: str) -> np.ndarray:
    """A CSS color as plotly takes it ("#RRGGBB", "#RGB", "rgb(r, g, b)",
    white, black) as sRGB in 0..1."""
    color = NAMED.get(color.strip().lower(), color.strip())
    if re.fullmatch(r"#[0-9a-fA-F]{3}", color):
        color = "#" + "".join(c * 2 for c in color[1:])
    if re.fullmatch(r"#[0-9a-fA-F]{6}", color):
        return np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    found = re.fullmatch(r"rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(,\s*[\d.]+\s*)?\)",
                         color)
    assert found, f"a color the tests cannot read: {color!r}"
    return np.array([float(v) for v in found.groups()[:3]]) / 255


def blend(color: str, background: str, opacity: float) -> str:
    """``color`` drawn at ``opacity`` over ``background``, as "#RRGGBB"."""
    mixed = opacity * rgb(color) + (1 - opacity) * rgb(background)
    return "#" + "".join(f"{round(v * 255):02X}" for v in mixed)


def _linear(srgb: np.ndarray) -> np.ndarray:
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def luminance(color: str) -> float:
    """WCAG 2's relative luminance."""
    return float(_linear(rgb(color)) @ [0.2126, 0.7152, 0.0722])


def contrast(color: str, background: str) -> float:
    """WCAG 2's contrast ratio, from 1 to 21."""
    lighter, darker = sorted((luminance(color), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def seen(color: str, vision: str) -> np.ndarray:
    """CIELAB (D65) of ``color`` as ``vision`` ("normal" or a key of MACHADO) sees it."""
    linear = _linear(rgb(color))
    if vision != "normal":
        linear = np.clip(np.array(MACHADO[vision]) @ linear, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ linear / [0.95047, 1.0, 1.08883]
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """The CIEDE2000 difference of two CIELAB colors (Sharma, Wu & Dalal 2005)."""
    (L1, a1, b1), (L2, a2, b2) = lab1, lab2
    C_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    G = 0.5 * (1 - np.sqrt(C_mean ** 7 / (C_mean ** 7 + 25 ** 7)))
    a1, a2 = (1 + G) * a1, (1 + G) * a2
    C1, C2 = np.hypot(a1, b1), np.hypot(a2, b2)
    h1, h2 = np.degrees(np.arctan2(b1, a1)) % 360, np.degrees(np.arctan2(b2, a2)) % 360
    dh = 0.0 if C1 * C2 == 0 else (h2 - h1 + 180) % 360 - 180
    dL, dC, dH = L2 - L1, C2 - C1, 2 * np.sqrt(C1 * C2) * np.sin(np.radians(dh / 2))
    L_mean, C_mean = (L1 + L2) / 2, (C1 + C2) / 2
    if C1 * C2 == 0:
        h_mean = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_mean = (h1 + h2) / 2
    else:
        h_mean = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    T = (1 - 0.17 * np.cos(np.radians(h_mean - 30)) + 0.24 * np.cos(np.radians(2 * h_mean))
         + 0.32 * np.cos(np.radians(3 * h_mean + 6)) - 0.20 * np.cos(np.radians(4 * h_mean - 63)))
    S_L = 1 + 0.015 * (L_mean - 50) ** 2 / np.sqrt(20 + (L_mean - 50) ** 2)
    S_C, S_H = 1 + 0.045 * C_mean, 1 + 0.015 * C_mean * T
    R_T = (-2 * np.sqrt(C_mean ** 7 / (C_mean ** 7 + 25 ** 7))
           * np.sin(np.radians(60 * np.exp(-(((h_mean - 275) / 25) ** 2)))))
    return float(np.sqrt((dL / S_L) ** 2 + (dC / S_C) ** 2 + (dH / S_H) ** 2
                         + R_T * (dC / S_C) * (dH / S_H)))
