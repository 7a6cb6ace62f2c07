"""Command line: ``python -m recdemo compare`` and ``python -m recdemo train``.

Every option comes from the parameter table in ``params.py``, so the CLI,
the app and its URLs share names, ranges and defaults.
"""

from __future__ import annotations

import argparse
import json
import sys

from recdemo.data import DataConfig, make_dataset
from recdemo.params import PARAMS, STRATEGIES
from recdemo.train import TrainConfig, TrainingDiverged, train

COLUMNS = ("strategy", "spurious_at_k", "within_group_recall_at_k", "cross_group_auc",
           "silhouette", "final_loss", "train_seconds")


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        # No abbreviations: `--grou 3` is a typo to report, not `--groups 3`.
        super().__init__(*args, allow_abbrev=False, **kwargs)

    def error(self, message):  # one clear line, exit status 2, as argparse does
        self.exit(2, f"{self.prog}: error: {message}\n")


def _param_type(param):
    def parse(text):
        try:
            return param.parse(text)
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None
    parse.__name__ = param.name  # argparse names the type in some messages
    return parse


def _strategy_list(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    bad = [name for name in names if name not in STRATEGIES]
    if bad or not names:
        raise argparse.ArgumentTypeError(
            f"strategies must be a comma-separated list of {', '.join(STRATEGIES)}; got {text!r}"
        )
    return names


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m recdemo", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    compare = commands.add_parser(
        "compare", help="train several strategies on the same data and seed"
    )
    compare.add_argument("--strategies", type=_strategy_list, default=list(STRATEGIES),
                         help="comma-separated strategies (default: all six)")
    one = commands.add_parser("train", help="train one strategy")
    for sub in (compare, one):
        for name, param in PARAMS.items():
            if param.section == "view" or (name == "strategy" and sub is compare):
                continue
            sub.add_argument(param.cli_option, dest=name, type=_param_type(param),
                             default=param.default, metavar=param.kind.__name__.upper(),
                             help=f"{param.help} ({param.allowed()}; "
                                  f"default {param.format(param.default)})")
        sub.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    settings = vars(args)
    strategies = settings["strategies"] if args.command == "compare" else [settings["strategy"]]
    try:
        data_config = DataConfig(**{n: settings[n] for n in DataConfig.__dataclass_fields__})
        dataset = make_dataset(data_config)
        rows = []
        for strategy in strategies:
            fields = {n: settings[n] for n in TrainConfig.__dataclass_fields__ if n != "strategy"}
            rows.append(train(dataset, TrainConfig(strategy=strategy, **fields)).summary())
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
        print(json.dumps(rows if args.command == "compare" else rows[0], indent=2))
    else:
        print(format_table(rows))
    return 0


def format_table(rows: list[dict]) -> str:
    k = rows[0]["k"]
    headers = ["strategy", f"spurious@{k}", f"within-recall@{k}", "cross-AUC", "silhouette",
               "final loss", "seconds"]
    cells = [[str(row[c]) if c == "strategy" else f"{row[c]:.3f}" for c in COLUMNS] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)
