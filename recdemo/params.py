"""One declarative table of every user parameter, and one grammar for its values.

Like TensorFlow Playground's ``state.ts``: each row (a ``Param``) names a
parameter once (its snake_case name is the URL key, its kebab-case name the
CLI option), says its type, its allowed range and its default. Every value
that reaches the project, from a link, a control, a command line or a
library call, is parsed and checked by its row, so a range is written in
exactly one place:

- ``PARAMS``: the data, the softmax model and matrix factorization: the
  configs (DataConfig, TrainConfig, MFConfig), the ``train``, ``compare`` and
  ``mf`` commands, and the app's links and controls (ui/settings_table.py adds
  the rows of what the app shows, which the library never reads);
- ``COST_PARAMS``: the ``cost`` command's and CostConfig's rows; where a
  setting is the model's own (dim, batch_size, negatives), its row is
  PARAMS's with the measurement's default.

The ranges also bound the work one browser tab can ask of a shared server
(with train.MAX_STEPS): the largest allowed run trains in seconds, not minutes.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import re
from dataclasses import dataclass, replace
from typing import Any

STRATEGIES = ("full", "positives-only", "uniform", "hard", "in-group", "popularity", "in-batch",
              "mixed")
# The samplers that take logq_correction (samplers.make_sampler): only their runs change with it.
LOGQ_STRATEGIES = ("popularity", "in-batch", "mixed")
# The settings only some strategies read (samplers.make_sampler); every other
# training setting changes every strategy's run.
USED_BY = {"negatives": ("uniform", "hard", "in-group", "popularity", "mixed"),
           "temperature": ("hard",), "logq_correction": LOGQ_STRATEGIES}
COLD_START_METHODS = ("fold-in", "average")  # how matrix factorization embeds a new query
COST_STRATEGIES = ("full", "uniform", "hard", "popularity", "in-batch")  # what `cost` times

# The grammar of the URL and CLI text of a value, ASCII only: Python's own int()
# and float() also take "1_0", "٣", "９", "nan" and "inf".
INT_TEXT = re.compile(r"-?[0-9]+")
FLOAT_TEXT = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
BOOL_TEXTS = {"true": True, "1": True, "false": False, "0": False}  # in any letter case
SPACES = " \t\r\n"  # ignored around a value
SHOWN_CHARS = 60  # how much of a bad value an error message echoes


class ParamError(ValueError):
    """A value a parameter does not allow.

    ``reason`` names the parameter and what it allows, and never contains the
    value: a value from a link is a stranger's text, which a page shows only as
    plain text (``got``, the text given, or for a list the names not allowed).
    str() adds the value, shortened, for a terminal.
    """

    def __init__(self, name: str, reason: str, got: Any):
        self.name, self.reason, self.got = name, reason, got
        super().__init__(f"{reason}; got " +
                         (f"'{shortened(got)}'" if isinstance(got, str) else repr(got)))


def shortened(text: str) -> str:
    """``text`` as it is safe to echo: non-printing characters escaped (a line
    break reads ``\\n``), cut after SHOWN_CHARS characters with an ellipsis."""
    cut = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:SHOWN_CHARS])
    return cut + "…" if len(text) > SHOWN_CHARS else cut


@dataclass(frozen=True)
class Param:
    name: str
    kind: type  # int, float, str, bool, or tuple (a comma-separated list of choices)
    default: Any
    help: str
    # "data", "train" (the softmax model), "mf" (matrix factorization), "cost"
    # (the cost command), or "view" (what the app shows: ui/settings_table.py)
    section: str
    low: float | None = None
    high: float | None = None
    choices: tuple | None = None
    # The largest value measured to train every strategy, where larger values
    # are allowed (to show what goes wrong) but known to fail.
    works_up_to: float | None = None

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
        if self.kind is int:
            return f"an integer from {self.low} to {self.high}"
        return f"a number from {self.low:g} to {self.high:g}"

    def caution(self, value: Any) -> str | None:
        """A warning for an allowed value that is known to fail, else None."""
        if self.works_up_to is None or value <= self.works_up_to:
            return None
        return (f"{self.name} {value:g} is above {self.works_up_to:g}, the largest value "
                "measured to train every strategy: larger values usually end at chance level "
                "or diverge.")

    def error(self, got: Any) -> ParamError:
        return ParamError(self.name, f"{self.name} must be {self.allowed()}", got)

    def check(self, value: Any) -> Any:
        """Return ``value`` if it is allowed, else raise ParamError naming the parameter."""
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
            raise self.error(value)
        return value

    def parse(self, text: str) -> Any:
        """Parse a URL or CLI string; raise ParamError naming the parameter.

        The grammar, spaces around the value ignored: an int is ASCII digits
        with an optional leading minus; a float the same with an optional
        decimal point and exponent (``0.03``, ``.5``, ``1e-4``; no ``nan``,
        ``inf``, underscores, or a value too large for a float such as
        ``1e309``); a bool ``true``/``false``/``1``/``0`` in any letter case; a
        choice its exact name; a list comma-separated names (spaces, empty
        names and a name given again ignored: ``uniform,full,uniform`` is
        ``uniform,full``). Then the value must be in the parameter's range.
        """
        stripped = text.strip(SPACES)
        if self.kind is tuple:
            names = tuple(name.strip(SPACES) for name in stripped.split(","))
            names = tuple(dict.fromkeys(name for name in names if name))  # first of each
            unknown = tuple(name for name in names if name not in self.choices)
            if unknown:
                raise self.error(",".join(unknown))
            return names
        if self.kind is bool:
            value: Any = BOOL_TEXTS.get(stripped.lower())
        elif self.kind is int:
            # Past 100 digits it is out of every range, and int() refuses 4,300.
            ok = INT_TEXT.fullmatch(stripped) and len(stripped) <= 100
            value = int(stripped) if ok else None
        elif self.kind is float:
            value = float(stripped) if FLOAT_TEXT.fullmatch(stripped) else None
            value = value if value is not None and math.isfinite(value) else None
        else:
            value = stripped
        if value is None:
            raise self.error(text)
        try:
            return self.check(value)
        except ParamError:
            raise self.error(text) from None  # the text given, not the number read from it

    def format(self, value: Any) -> str:
        """The URL and CLI text of a value; parse(format(v)) == v exactly."""
        if self.kind is bool:
            return "true" if value else "false"
        if self.kind is tuple:
            return ",".join(value)
        return repr(float(value)) if self.kind is float else str(value)

    def said(self, value: Any) -> str:
        """The value as a sentence or a label writes it: format's, but 10 for 10.0."""
        return self.format(value).removesuffix(".0")


PARAMS: dict[str, Param] = {
    p.name: p
    for p in [
        # The synthetic data.
        Param("groups", int, 6, "number of colored groups, think of languages", "data", 2, 8),
        Param("items_per_group", int, 40, "items in each group", "data", 10, 60),
        Param("queries_per_group", int, 200, "training queries in each group", "data", 10, 300),
        Param("test_queries_per_group", int, 30, "held-out test queries in each group", "data", 5, 50),
        Param("positives", int, 5, "positive items per query", "data", 1, 10),
        Param("leak", float, 0.05, "chance that a positive comes from another group", "data", 0.0, 0.5),
        Param("popularity_skew", float, 0.0, "Zipf exponent of item popularity inside a group, 0 for flat", "data", 0.0, 2.0),
        Param("seed", int, 0, "random seed for the data and the training", "data", 0, 2**31 - 1),
        # The model and its training.
        Param("strategy", str, "uniform", "which items the loss sees", "train", choices=STRATEGIES),
        Param("negatives", int, 10, "sampled negatives per query", "train", 1, 50),
        Param("gravity", float, 0.0, "weight of the gravity term, which pulls every score toward 0; the Train page measures what it does against the same run without it", "train", 0.0, 10.0),
        Param("temperature", float, 1.0, "temperature T of hard negatives, p ~ exp(score / T) within a pool of candidates", "train", 0.05, 10.0),
        Param("logq_correction", bool, True, "subtract log(K Q) from popularity-sampled, in-batch and mixed logits, K Q being each item's expected number of draws", "train"),
        Param("dim", int, 16, "embedding dimension d", "train", 2, 32),
        Param("hidden", int, 32, "hidden units of the query tower", "train", 4, 64),
        Param("epochs", int, 15, "passes over the training queries", "train", 1, 40),
        Param("batch_size", int, 128, "queries per gradient step", "train", 32, 512),
        # Measured by scripts/learning_rates.py, checked by tests/test_train.py:
        # every strategy trains up to works_up_to; well above it the model ends
        # at chance level, and higher still it diverges.
        Param("learning_rate", float, 0.06, "Adam step size", "train", 1e-4, 10.0,
              works_up_to=0.1),
        Param("l2", float, 1e-4, "L2 weight decay on all weights", "train", 0.0, 1.0),
        Param("k", int, 10, "cut-off of the top-k metrics", "train", 1, 50),
        # A switch mid-run: the first switch_at epochs are the unswitched run's, bit for bit.
        Param("switch_at", int, 0, "epoch after which the run trains on with switch_to and switch_gravity, from its parameters and optimizer state; 0 for no switch, else less than epochs", "train", 0, 39),
        Param("switch_to", str, "uniform", "the strategy the run trains with after switch_at", "train", choices=STRATEGIES),
        Param("switch_gravity", float, 0.0, "the gravity weight after switch_at", "train", 0.0, 10.0),
        # Matrix factorization (WALS). Its own dimension: observed-only MF folds at 4 and
        # not at the softmax model's 16 (scripts/mf_folding.py), and settings are shared
        # across pages through the URL, so one `dim` could not show both models well.
        Param("unobserved_weight", float, 0.05, "WALS weight w0 of every unobserved (query, item) pair; 0 = observed-only MF", "mf", 0.0, 1.0),
        Param("mf_dim", int, 4, "embedding dimension d of matrix factorization", "mf", 2, 32),
        Param("cold_start", str, "fold-in", "how MF embeds a new query: fold in its interactions, or average similar training queries", "mf", choices=COLD_START_METHODS),
    ]
}

# The cost command's rows (step_cost.CostConfig). Its corpus sizes go past the
# app's (a million items: V and its optimizer state at dim 32 are then 384 MB);
# ``--items`` takes a comma-separated list of n_items values.
COST_PARAMS: dict[str, Param] = {p.name: p for p in [
    # The range each corpus size is checked against. Its default is no default of
    # anything: the cost command's is a list, step_cost.DEFAULT_CORPUS_SIZES.
    Param("n_items", int, 1_000, "corpus size n", "cost", 100, 1_000_000),
    Param("strategies", tuple, COST_STRATEGIES, "strategies to time", "cost",
          choices=COST_STRATEGIES),
    replace(PARAMS["dim"], default=32, section="cost"),
    replace(PARAMS["batch_size"], default=256, section="cost"),
    replace(PARAMS["negatives"], default=20, section="cost"),
    Param("repeats", int, 5, "timed steps per cell, after one warm-up step", "cost", 1, 50),
]}


def defaults(section: str | None = None) -> dict[str, Any]:
    return {n: p.default for n, p in PARAMS.items() if section in (None, p.section)}


def run_settings(data_config, config) -> dict[str, Any]:
    """Every setting of a run: the data's (a DataConfig), then the training's
    (a TrainConfig, or MF's config), in the names of this table."""
    return {**dataclasses.asdict(data_config), "strategy": config.strategy,
            **dataclasses.asdict(config)}
