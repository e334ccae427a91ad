"""Pair precision, recall and F1 of custmig's latest duplicates run on a Febrl data set, whose record ids
name the person they describe (`rec-12-org`, `rec-12-dup-0`, `rec-12-dup-1` are one person).

    python3 febrl_quality.py WORKSPACE/ledger.sqlite

Predicted pairs: every pair inside a merged cluster (automatic merges only; with --review, the pairs a
steward would review count as matches too). Truth: every pair of records with the same person number,
among the records the map run did not reject."""
import re
import sqlite3
import sys
from itertools import combinations


def person(key):
    match = re.match(r"rec-(\d+)-", key)
    return match.group(1) if match else key


def main(ledger, with_review):
    db = sqlite3.connect(ledger)
    run, = db.execute("SELECT id FROM run WHERE stage = 'duplicates' AND status = 'done' ORDER BY id DESC LIMIT 1").fetchone()
    map_run, = db.execute("SELECT MAX(id) FROM run WHERE stage = 'map' AND status = 'done' AND id < ?", (run,)).fetchone()
    known = [key for key, in db.execute(
        "SELECT legacy_key FROM canonical_record WHERE run_id = ? AND status != 'rejected'", (map_run,))]
    predicted = set()
    for members, in db.execute("SELECT members FROM survivor WHERE run_id = ?", (run,)):
        predicted |= set(combinations(sorted(members.split()), 2))
    if with_review:
        for first, second in db.execute(
                "SELECT first, second FROM duplicate_pair WHERE run_id = ? AND outcome = 'review'", (run,)):
            predicted.add(tuple(sorted((first, second))))
    groups = {}
    for key in known:
        groups.setdefault(person(key), []).append(key)
    truth = set()
    for members in groups.values():
        truth |= set(combinations(sorted(members), 2))
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    label = "merges and review pairs" if with_review else "automatic merges"
    print(f"custmig ({label}): {len(known)} records, {len(predicted)} predicted pairs, truth {len(truth)}, "
          f"precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], "--review" in sys.argv[2:])
