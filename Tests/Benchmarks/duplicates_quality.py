"""Pair precision, recall and F1 of custmig's latest duplicates run against the ground truth.

    python3 duplicates_quality.py WORKSPACE/ledger.sqlite ground-truth.csv

Predicted pairs: every pair inside a cluster (survivor members); truth: every pair inside a ground-truth
cluster, restricted to the customers the map run did not reject (the universe custmig matched)."""
import csv
import sqlite3
import sys


def pairs(clusters):
    result = set()
    for members in clusters:
        members = sorted(members)
        for index, first in enumerate(members):
            for second in members[index + 1:]:
                result.add((first, second))
    return result


def main(ledger, truth_path):
    db = sqlite3.connect(ledger)
    run, = db.execute("SELECT id FROM run WHERE stage = 'duplicates' AND status = 'done' ORDER BY id DESC LIMIT 1").fetchone()
    map_run, = db.execute("SELECT MAX(id) FROM run WHERE stage = 'map' AND status = 'done' AND id < ?", (run,)).fetchone()
    known = {str(int(key)) if key.isdigit() else key for key, in db.execute(
        "SELECT legacy_key FROM canonical_record WHERE run_id = ? AND status != 'rejected'", (map_run,))}
    predicted = pairs(
        [[str(int(key)) if key.isdigit() else key for key in members.split()]
         for members, in db.execute("SELECT members FROM survivor WHERE run_id = ?", (run,))])
    clusters = {}
    with open(truth_path, newline="") as handle:
        for row in csv.DictReader(handle):
            clusters.setdefault(row["original_key"], {row["original_key"]}).add(row["duplicate_key"])
    truth = pairs([[key for key in members if key in known] for members in clusters.values()])
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"custmig: {len(known)} customers, {len(predicted)} predicted, truth {len(truth)}, "
          f"precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
