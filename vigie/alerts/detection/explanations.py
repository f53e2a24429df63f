"""The French and English sentences that say what was seen, what was expected and since when."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from vigie.alerts.detection.series import SeriesConfig

_LABELS: dict[str, tuple[str, str, bool]] = {
    # last part of the key: (French, English, French noun is feminine)
    "negative": ("mentions négatives", "negative mentions", True),
    "volume": ("mentions", "mentions", True),
    "mentions": ("mentions", "mentions", True),
    "one_star": ("avis 1★", "1★ reviews", False),
    "1star": ("avis 1★", "1★ reviews", False),
    "rating": ("note moyenne", "average rating", True),
    "share_one_star": ("part d'avis 1★", "share of 1★ reviews", True),
    "reach": ("audience", "reach", True),
}


_SINGULAR = {
    "mentions négatives": "mention négative",
    "negative mentions": "negative mention",
    "mentions": "mention",
    "1★ reviews": "1★ review",
}


def _labels(config: SeriesConfig) -> tuple[str, str, bool]:
    if config.label:
        return config.label, config.label_en or config.label, True
    suffix = config.key.rsplit(":", 1)[-1]
    return _LABELS.get(suffix, ("mentions", "mentions", True))


def number_fr(value: float, decimals: int = 1) -> str:
    """French notation: "3,5", "8 554" (narrow no-break space between thousands)."""
    if abs(value) >= 10 or decimals == 0:
        return f"{round(value):,d}".replace(",", " ")
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def number_en(value: float, decimals: int = 1) -> str:
    """English notation: "3.5", "8,554"."""
    if abs(value) >= 10 or decimals == 0:
        return f"{round(value):,d}"
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")


_number_fr, _number_en = number_fr, number_en


def _duration(seconds: int, language: str) -> str:
    minutes = seconds // 60
    if minutes < 60 or minutes % 60:
        return f"{minutes} min"
    return f"{minutes // 60} h"


def elapsed(minutes: int) -> str:
    """A running time as people say it, in both languages: "45 min", "2 h", "2 h 55 min"."""
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d} min" if rest else f"{hours} h"


def _since_text(since: datetime, now: datetime, zone: ZoneInfo, language: str) -> str:
    local, local_now = since.astimezone(zone), now.astimezone(zone)
    if local.date() == local_now.date():
        return f"depuis {local:%H:%M}" if language == "fr" else f"since {local:%H:%M}"
    if language == "fr":
        return f"depuis le {local:%d/%m} à {local:%H:%M}"
    return f"since {local:%d %b} {local:%H:%M}"


# Ratios above this are shown as "x20+": the precise multiple of a tiny baseline is noise.
MAX_SHOWN_RATIO = 20


def _explain(
    config: SeriesConfig,
    fired: bool,
    observed: float,
    expected: float,
    window_seconds: int,
    since: datetime | None,
    now: datetime,
    count: float = math.nan,
) -> tuple[str, str]:
    label_fr, label_en, feminine = _labels(config)
    zone = ZoneInfo(config.timezone)
    win_fr, win_en = _duration(window_seconds, "fr"), _duration(window_seconds, "en")
    if config.kind in ("mean", "share"):
        if config.kind == "mean":
            obs_fr, exp_fr = _number_fr(observed, 2), _number_fr(expected, 2)
            obs_en, exp_en = _number_en(observed, 2), _number_en(expected, 2)
        else:
            obs_fr, exp_fr = f"{round(observed * 100)} %", f"{round(expected * 100)} %"
            obs_en, exp_en = f"{round(observed * 100)}%", f"{round(expected * 100)}%"
        if math.isfinite(count) and count > 0:
            # How many reviews the figure rests on: 100 % of 2 is not 100 % of 40.
            number = round(count)
            obs_fr += f" ({number} avis)"
            obs_en += f" ({number} review{'s' if number != 1 else ''})"
        fr = f"{label_fr} : {obs_fr} sur {win_fr}, {exp_fr} d'habitude"
        en = f"{label_en}: {obs_en} over {win_en}, usually {exp_en}"
    else:
        participle = "attendues" if feminine else "attendus"
        ratio = observed / expected if expected > 0 else float("inf")
        # Below one expected item a ratio such as "x898" says nothing a reader can use.
        if not fired or not math.isfinite(ratio) or expected < 1:
            ratio_fr = ratio_en = ""
        elif ratio >= MAX_SHOWN_RATIO:
            # The multiplication sign, as the incident's headline writes it ("plus de ×20").
            ratio_fr = ratio_en = f" (×{MAX_SHOWN_RATIO}+)"
        else:
            ratio_fr, ratio_en = f" (×{_number_fr(ratio)})", f" (×{_number_en(ratio)})"
        if 0 < expected < 0.1:
            expected_fr, expected_en = "moins de 0,1", "under 0.1"
        else:
            expected_fr, expected_en = _number_fr(expected), _number_en(expected)
        # French puts 0 and 1 in the singular, English only 1.
        unit_fr = _SINGULAR.get(label_fr, label_fr) if round(observed) <= 1 else label_fr
        unit_en = _SINGULAR.get(label_en, label_en) if round(observed) == 1 else label_en
        fr = f"{_number_fr(observed, 0)} {unit_fr} en {win_fr}, {expected_fr} {participle}{ratio_fr}"
        en = f"{_number_en(observed, 0)} {unit_en} in {win_en}, {expected_en} expected{ratio_en}"
    if fired and since is not None:
        fr += " " + _since_text(since, now, zone, "fr")
        en += " " + _since_text(since, now, zone, "en")
    elif not fired:
        fr += " : dans la normale"
        en += ": within the normal range"
    return fr, en
