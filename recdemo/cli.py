"""Command line: ``python -m recdemo compare``, ``... train``, ``... mf`` and ``... cost``.

Every option comes from the parameter tables in ``params.py``, so the CLI,
the app and its URLs share names, ranges and defaults.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from recdemo import step_cost
from recdemo.claims import losses_left_out, meaningful_metrics, metric_caveats, no_room
from recdemo.data import DataConfig, make_dataset
from recdemo.metrics import METRICS
from recdemo.mf import MFConfig, cold_start_split, rescored, train_mf
from recdemo.params import COST_PARAMS, PARAMS, SPACES, STRATEGIES, ParamError, shortened
from recdemo.references import references
from recdemo.train import TrainConfig, TrainingDiverged, train
from recdemo.verdicts import verdict
from recdemo.wording import significant

COLUMNS = ("strategy", "verdict", "spurious_at_k", "within_group_recall_at_k",
           "cross_group_auc", "silhouette", "final_loss", "train_seconds")


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        # No abbreviations: `--grou 3` is a typo to report, not `--groups 3`.
        super().__init__(*args, allow_abbrev=False, **kwargs)

    def error(self, message):  # one clear line, exit status 2, as argparse does
        self.exit(2, f"{self.prog}: error: {message}\n")


class _Once(argparse.Action):
    """Store an option's value, and refuse the option given twice, as a link
    refuses a parameter given twice: which one did the command line mean?"""

    given = False

    def __call__(self, parser, namespace, values, option_string=None):
        if self.given:
            parser.error(f"argument {'/'.join(self.option_strings)}: {self.dest} must be "
                         "given once")
        self.given = True
        setattr(namespace, self.dest, values)


def _param_type(param):
    def parse(text):
        try:
            value = param.parse(text)
            if param.kind is tuple and not value:  # a list option names at least one
                raise param.error(text)
            return value
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None
    parse.__name__ = param.name  # argparse names the type in some messages
    return parse


def _strategy_list(text):
    """The names of ``--strategies``, each once (the first of each, in order),
    as params.Param.parse reads a list: a strategy named twice is one row."""
    names = list(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    allowed = (*STRATEGIES, MFConfig.strategy)
    bad = [name for name in names if name not in allowed]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"strategies must be a comma-separated list of {', '.join(allowed)}; got {text!r}"
        )
    return names


def _add_option(sub, param, *aliases):
    sub.add_argument(param.cli_option, *aliases, dest=param.name, type=_param_type(param),
                     default=param.default, action=_Once,
                     metavar="NAME,..." if param.kind is tuple else param.kind.__name__.upper(),
                     help=f"{param.help} ({param.allowed()}; "
                          f"default {param.said(param.default)})")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m recdemo", description=__doc__.splitlines()[0].replace(
        "``", ""))  # the docstring's code marks, not the terminal's
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    compare = commands.add_parser(
        "compare", help="train several strategies on the same data and seed"
    )
    compare.add_argument("--strategies", type=_strategy_list, default=list(STRATEGIES),
                         action=_Once,
                         help="comma-separated strategies (default: every softmax strategy); "
                              "with wals among them, every row is scored on the test "
                              "positives MF's fold-in does not see")
    one = commands.add_parser("train", help="train one strategy")
    for sub in (compare, one):
        for name, param in PARAMS.items():
            if param.section == "mf" or (name == "strategy" and sub is compare):
                continue
            _add_option(sub, param)
        sub.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_cost_command(commands)
    _add_mf_command(commands, compare)
    return parser


def _add_mf_command(commands, compare) -> None:
    """The mf command, and the MF options of compare (for its wals row)."""
    mf = commands.add_parser("mf", help="train matrix factorization (WALS)")
    # fields(), not __dataclass_fields__: that lists the ClassVar MFConfig.strategy too,
    # which would make a --strategy option that mf accepts and ignores.
    for name in dict.fromkeys(f.name for kind in (DataConfig, MFConfig)
                              for f in dataclasses.fields(kind)):
        _add_option(mf, PARAMS[name])
    mf.add_argument("--json", action="store_true", help="print JSON instead of a table")
    for param in PARAMS.values():
        if param.section == "mf":
            _add_option(compare, param)


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "cost":
        return run_cost(args)
    settings = vars(args)
    strategies = {"compare": settings.get("strategies"), "train": [settings.get("strategy")],
                  "mf": [MFConfig.strategy]}[args.command]
    try:
        data_config = DataConfig(**{f.name: settings[f.name]
                                    for f in dataclasses.fields(DataConfig)})
        dataset = make_dataset(data_config)
        results = _trained_runs(dataset, strategies, settings)
        held_out = MFConfig.strategy in strategies
        refs = references(dataset, settings["k"], cold_start_split(dataset).scored if held_out
                          else None)
        room = no_room(refs)  # where no run can fold or separate, no verdict (null, "-")
        rows = [{**result.summary(), "verdict": None if room else verdict(result.final_metrics,
                                                                          refs)}
                for result in results]
        rows += _reference_rows(refs)
    except ValueError as err:
        print(f"python -m recdemo: error: {err}", file=sys.stderr)
        return 2
    except TrainingDiverged as err:
        print(f"python -m recdemo: error: {err}", file=sys.stderr)
        return 1

    for name, value in settings.items():  # the run finished, but these values are known to fail
        caution = name in PARAMS and PARAMS[name].caution(value)
        if caution:
            print(f"python -m recdemo: warning: {caution}", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:  # as a page shows them: a metric that tells no ranking apart left out, and why
        losses = args.command != "compare"
        notes = [*metric_caveats(settings["k"], data_config), *([room] if room else []),
                 *([] if losses else [losses_left_out(strategies).removesuffix(".")
                                       + " (--json gives each)."])]
        for note in notes:
            print(f"python -m recdemo: note: {note}", file=sys.stderr)
        print(format_table(rows, meaningful_metrics(settings["k"], data_config), losses))
    return 0


def _reference_rows(refs) -> list[dict]:
    """The two references a verdict is read between (references.py): the
    oracle (items ranked by their chance to be among the query's held-out
    positives) and a random ranking, scored like the runs (on the positives
    MF's fold-in does not see when wals is among them). No verdict, as on the
    pages: the rule measures the runs against them. No embeddings, loss or
    training time."""
    return [{"strategy": name, "verdict": None,
             **{metric: round(value, 4) for metric, value in values.items()},
             "silhouette": None, "final_loss": None, "train_seconds": None, "cpu_seconds": None,
             "k": refs.k}
            for name, values in (("oracle", refs.oracle), ("random ranking", refs.random))]


def _trained_runs(dataset, strategies, settings) -> list:
    """Train each strategy (``wals``: matrix factorization). With wals among
    them, every result is scored on the test positives MF's fold-in does not
    see, so that all are measured alike."""
    def config(kind, **fields):
        names = (f.name for f in dataclasses.fields(kind))
        return kind(**{n: settings[n] for n in names if n != "strategy"}, **fields)

    results = [train_mf(dataset, config(MFConfig)) if strategy == MFConfig.strategy
               else train(dataset, config(TrainConfig, strategy=strategy))
               for strategy in strategies]
    if MFConfig.strategy not in strategies:
        return results
    scored = cold_start_split(dataset).scored
    return [rescored(result, scored, dataset.item_groups) for result in results]


def format_table(rows: list[dict], shown: tuple[str, ...] = METRICS,
                 losses: bool = True) -> str:
    """The rows, a metric not ``shown`` (claims.meaningful_metrics) and no
    verdict as "-"; the final loss only with ``losses``."""
    k = rows[0]["k"]
    headers = dict(zip(COLUMNS, ["strategy", "verdict", f"spurious@{k}", f"within-recall@{k}",
                                 "cross-AUC", "silhouette", "final loss", "seconds"], strict=True))
    columns = [c for c in COLUMNS if losses or c != "final_loss"]
    headers = [headers[c] for c in columns]
    cells = [["-" if row[c] is None or (c in METRICS and c not in shown) else
              str(row[c]) if c in ("strategy", "verdict") else f"{row[c]:.3f}"
              for c in columns] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


def _list_of(param, name: str):
    """The option ``name``: a comma-separated list, each value parsed by
    ``param`` (at least one)."""
    def parse(text):
        values = [piece for piece in text.split(",") if piece.strip(SPACES)]
        try:
            if not values:
                raise param.error(text)
            return tuple(param.parse(piece) for piece in values)
        except ParamError as err:
            raise argparse.ArgumentTypeError(
                f"{name} must be a comma-separated list, each {param.allowed()}; "
                f"got '{shortened(err.got)}'") from None
    parse.__name__ = name
    return parse


def add_cost_command(commands) -> None:
    """``python -m recdemo cost``: the time and memory of one training step as the
    corpus grows. Its sizes go past the app's ranges (a million items): its
    rows are ``params.COST_PARAMS``, parsed like every other option."""
    cost = commands.add_parser(
        "cost",
        help="time one training step of each strategy as the corpus grows",
        description="Median time and memory of one training step, per strategy and "
                    "corpus size. A sampled step reads and writes only its candidates' rows "
                    "of the item table (recdemo/large_corpus.py); the app's pages train with "
                    "train.py's dense Adam on a small corpus instead. Memory: kept MiB is "
                    "what a strategy holds between steps (the item table with Adam's two "
                    "running means, 3nd float32 numbers whatever the strategy, the query "
                    "tower and the sampler's tables); step MiB is the most the step itself "
                    "held beyond that.")
    default = step_cost.CostConfig()
    n_items = COST_PARAMS["n_items"]
    cost.add_argument("--items", dest="corpus_sizes", type=_list_of(n_items, "items"),
                      default=default.corpus_sizes, metavar="N,N,...", action=_Once,
                      help=f"comma-separated corpus sizes, each {n_items.allowed()} "
                           f"(default {','.join(map(str, default.corpus_sizes))})")
    for name in ("strategies", "dim", "batch_size", "negatives", "repeats"):
        # --batch: the option's name before it was named as train's --batch-size
        _add_option(cost, COST_PARAMS[name], *(("--batch",) if name == "batch_size" else ()))
    cost.add_argument("--json", action="store_true",
                      help="print a JSON array, one object per (strategy, items), instead "
                           "of a table")


def run_cost(args) -> int:
    config = step_cost.CostConfig(corpus_sizes=args.corpus_sizes, strategies=args.strategies,
                                  dim=args.dim, batch_size=args.batch_size,
                                  negatives=args.negatives, repeats=args.repeats)
    costs = step_cost.measure(config)
    if args.json:
        print(json.dumps([cost.as_dict() for cost in costs], indent=2))
    else:
        print(format_cost_table(costs))
    return 0


def format_cost_table(costs: list[step_cost.StepCost]) -> str:
    """One line per (items, strategy), times in milliseconds per step: the
    medians of the timed steps, and the CPU times' spread (the fastest to the
    slowest step), as the Why sample? page gives them; "x uniform" is the CPU
    time over uniform's at the same size; memory as the page gives it
    (step_cost.MEMORY_TEXT): kept between steps, and the step's own."""
    uniform = {c.n_items: c.cpu_seconds for c in costs if c.strategy == "uniform"}
    headers = ["items", "strategy", "median wall ms", "median CPU ms", "CPU ms spread",
               "x uniform", "kept MiB", "step MiB", "GFLOP"]
    cells = [[f"{c.n_items:,}", c.strategy, f"{1000 * c.step_seconds:.2f}",
              f"{1000 * c.cpu_seconds:.2f}",
              f"{significant(1000 * c.cpu_low)}-{significant(1000 * c.cpu_high)}",
              f"{c.cpu_seconds / uniform[c.n_items]:.1f}" if c.n_items in uniform else "",
              # Three significant digits: a small corpus's few KiB are not "0.0".
              significant(c.state_bytes / 2**20), significant(c.step_bytes / 2**20),
              significant(c.flops / 1e9)] for c in costs]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)
