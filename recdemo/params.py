"""One declarative table of every user parameter.

Like TensorFlow Playground's ``state.ts``: each row names a parameter once
(its snake_case name is the URL key, its kebab-case name the CLI option), says
its type, its allowed range and its default. The data generator, the trainer,
the CLI and the app all validate and parse through this table, so a range is
written in exactly one place.

The ranges also bound the work one browser tab can ask of a shared server
(with train.MAX_STEPS): the largest allowed run trains in seconds, not minutes.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

STRATEGIES = ("full", "positives-only", "uniform", "hard", "in-group", "popularity")
COLD_START_METHODS = ("fold-in", "average")  # how matrix factorization embeds a new query


@dataclass(frozen=True)
class Param:
    name: str
    kind: type  # int, float, str, bool, or tuple (a comma-separated list of choices)
    default: Any
    help: str
    section: str  # "data", "train" (the softmax model), "mf" (matrix factorization) or "view"
    low: float | None = None
    high: float | None = None
    choices: tuple | None = None

    @property
    def cli_option(self) -> str:
        return "--" + self.name.replace("_", "-")

    def allowed(self) -> str:
        """The allowed values, in words, for error messages."""
        if self.kind is tuple:
            return "a comma-separated list of " + ", ".join(self.choices)
        if self.choices is not None:
            return "one of " + ", ".join(map(str, self.choices))
        if self.kind is bool:
            return "true or false"
        kind = "an integer" if self.kind is int else "a number"
        return f"{kind} from {_fmt(self.low)} to {_fmt(self.high)}"

    def check(self, value: Any) -> Any:
        """Return ``value`` if it is allowed, else raise ValueError naming the parameter."""
        ok = True
        if self.kind is tuple:
            ok = isinstance(value, tuple) and set(value) <= set(self.choices)
        elif self.choices is not None:
            ok = value in self.choices
        elif self.kind is bool:
            ok = isinstance(value, bool)
        elif self.kind is int:
            ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)  # np.int64 too
            ok = ok and self.low <= value <= self.high
        else:
            ok = isinstance(value, numbers.Real) and not isinstance(value, bool)  # np.float32 too
            ok = ok and self.low <= value <= self.high  # also rejects NaN
        if not ok:
            raise ValueError(f"{self.name} must be {self.allowed()}; got {value!r}")
        return value

    def parse(self, text: str) -> Any:
        """Parse a URL or CLI string; raise ValueError naming the parameter."""
        text = text.strip()
        try:
            if self.kind is bool:
                lowered = text.lower()
                if lowered not in ("true", "false", "1", "0"):
                    raise ValueError
                value: Any = lowered in ("true", "1")
            elif self.kind is int:
                value = int(text)
            elif self.kind is float:
                value = float(text)
            elif self.kind is tuple:
                value = tuple(name.strip() for name in text.split(",") if name.strip())
            else:
                value = text
        except ValueError:
            raise ValueError(
                f"{self.name} must be {self.allowed()}; got {text!r}"
            ) from None
        return self.check(value)

    def format(self, value: Any) -> str:
        """The URL and CLI text of a value; parse(format(v)) == v exactly."""
        if self.kind is bool:
            return "true" if value else "false"
        if self.kind is tuple:
            return ",".join(value)
        return repr(float(value)) if self.kind is float else str(value)


def _fmt(x: float | None) -> str:
    return f"{x:g}"


PARAMS: dict[str, Param] = {
    p.name: p
    for p in [
        # The synthetic data.
        Param("groups", int, 6, "number of colored groups (think: languages)", "data", 2, 8),
        Param("items_per_group", int, 40, "items in each group", "data", 10, 60),
        Param("queries_per_group", int, 200, "training queries in each group", "data", 10, 300),
        Param("test_queries_per_group", int, 30, "held-out test queries in each group", "data", 5, 50),
        Param("positives", int, 5, "positive items per query", "data", 1, 10),
        Param("leak", float, 0.05, "chance that a positive comes from another group", "data", 0.0, 0.5),
        Param("popularity_skew", float, 0.0, "Zipf exponent of item popularity inside a group (0 = flat)", "data", 0.0, 2.0),
        Param("seed", int, 0, "random seed for the data and the training", "data", 0, 2**31 - 1),
        # The model and its training.
        Param("strategy", str, "uniform", "which items the loss sees", "train", choices=STRATEGIES),
        Param("negatives", int, 10, "sampled negatives per query", "train", 1, 50),
        Param("gravity", float, 0.0, "weight of the gravity term (pushes all scores toward 0)", "train", 0.0, 10.0),
        Param("temperature", float, 1.0, "temperature T of hard negatives, p ~ exp(score / T)", "train", 0.05, 10.0),
        Param("logq_correction", bool, True, "subtract log(K Q) from popularity-sampled logits", "train"),
        Param("dim", int, 16, "embedding dimension d", "train", 2, 32),
        Param("hidden", int, 32, "hidden units of the query tower", "train", 4, 64),
        Param("epochs", int, 10, "passes over the training queries", "train", 1, 40),
        Param("batch_size", int, 128, "queries per gradient step", "train", 32, 512),
        Param("learning_rate", float, 0.03, "Adam step size", "train", 1e-4, 10.0),
        Param("l2", float, 1e-4, "L2 weight decay on all weights", "train", 0.0, 1.0),
        Param("k", int, 10, "cut-off of the top-k metrics", "train", 1, 50),
        # Matrix factorization (WALS). Its own dimension: observed-only MF folds at 4 and
        # not at the softmax model's 16 (scripts/mf_folding.py), and settings are shared
        # across pages through the URL, so one `dim` could not show both models well.
        Param("unobserved_weight", float, 0.05, "WALS weight w0 of every unobserved (query, item) pair; 0 = observed-only MF", "mf", 0.0, 1.0),
        Param("mf_dim", int, 4, "embedding dimension d of matrix factorization", "mf", 2, 32),
        Param("cold_start", str, "fold-in", "how MF embeds a new query: fold in its interactions, or average similar training queries", "mf", choices=COLD_START_METHODS),
        # What the app shows; not used by the library's training.
        Param("components", int, 2, "PCA components of the embedding picture", "view", choices=(2, 3)),
        Param("query", int, 0, "test query shown in the query inspector", "view", 0, 399),
        Param("present", bool, False, "presenter view: no sidebar, larger type", "view"),
        Param("hide", tuple, (), "controls to hide, comma-separated names", "view"),
    ]
}


PARAMS["hide"] = Param("hide", tuple, (), PARAMS["hide"].help, "view",
                       choices=tuple(name for name in PARAMS if name not in ("hide", "present")))


def defaults(section: str | None = None) -> dict[str, Any]:
    return {n: p.default for n, p in PARAMS.items() if section in (None, p.section)}


def parse_query(query: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Parse URL query parameters into a complete settings dict.

    Unknown keys are ignored; a bad value falls back to its default and adds a
    warning that names the parameter and its allowed values.
    """
    settings = defaults()
    warnings = []
    for name, param in PARAMS.items():
        if name not in query:
            continue
        try:
            settings[name] = param.parse(str(query[name]))
        except ValueError as err:
            default = param.format(param.default) or "none"
            warnings.append(f"{err}. Using the default ({default}).")
    return settings, warnings


def to_query(settings: dict[str, Any]) -> dict[str, str]:
    """Serialize the settings that differ from their defaults (short links)."""
    return {
        name: PARAMS[name].format(value)
        for name, value in settings.items()
        if name in PARAMS and value != PARAMS[name].default
    }
