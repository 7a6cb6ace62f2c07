"""Hand-built cases the sentence tests share: references, a run of given
final numbers, a data config."""

from types import SimpleNamespace

from recdemo.data import DataConfig
from recdemo.references import References

REFS = References(oracle={"spurious_at_k": 0.0, "within_group_recall_at_k": 0.8,
                          "cross_group_auc": 0.9},
                  random={"spurious_at_k": 0.8, "within_group_recall_at_k": 0.25,
                          "cross_group_auc": 0.5}, k=10, items_per_group=40, groups=5)


def run(strategy, spurious, auc, recall=0.5, gravity=0.0):
    config = SimpleNamespace(strategy=strategy, gravity=gravity, k=10)
    metrics = {"spurious_at_k": spurious, "cross_group_auc": auc,
               "within_group_recall_at_k": recall}
    return SimpleNamespace(config=config, final_metrics=metrics)


def data(items_per_group=40, groups=6, positives=5):
    return DataConfig(items_per_group=items_per_group, groups=groups, positives=positives)
