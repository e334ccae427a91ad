"""Pair precision, recall and F1, shared by the benchmark's quality scripts: `truth_pairs` makes every
pair inside a ground-truth cluster, `report` prints one line in the same shape for every tool."""
from itertools import combinations


def cluster_pairs(clusters):
    pairs = set()
    for members in clusters:
        pairs |= set(combinations(sorted(members), 2))
    return pairs


def truth_pairs(ground_truth_csv, known=None):
    """Pairs from `duplicate_key,original_key,...` lines (`custmig samples`), restricted to `known` keys."""
    groups = {}
    with open(ground_truth_csv, encoding="utf-8") as lines:
        next(lines)
        for line in lines:
            duplicate, original = line.rstrip("\n").split(",")[:2]
            groups.setdefault(original, {original}).add(duplicate)
    if known is not None:
        groups = {key: {member for member in members if member in known} for key, members in groups.items()}
    return cluster_pairs(groups.values())


def report(label, predicted, truth, extra=""):
    predicted = {tuple(sorted(pair)) for pair in predicted}
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"{label}: {extra}{len(predicted)} predicted pairs, truth {len(truth)}, "
          f"precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}")
