"""The person benchmark's peer: Python recordlinkage deduplicating `custmig samples --format persons` the
way its documentation's deduplication example does (block on the given name; Jaro-Winkler >= 0.85 on
given name and surname, exact birth date, postal code and city, Levenshtein >= 0.85 on the street; a
pair matches when more than 3 of the 6 agree), scored against persons-ground-truth.csv.

    python3 recordlinkage_persons.py persons.csv persons-ground-truth.csv
"""
import os
import sys

import pandas as pd
import recordlinkage

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pair_quality import report, truth_pairs  # noqa: E402


def main(path, ground_truth):
    frame = pd.read_csv(path, sep=";", index_col="ACCOUNT", dtype=str, keep_default_na=False)
    truth = truth_pairs(ground_truth, set(frame.index))
    indexer = recordlinkage.Index()
    indexer.block("FIRST_NAME")
    candidates = indexer.index(frame)
    compare = recordlinkage.Compare()
    compare.string("FIRST_NAME", "FIRST_NAME", method="jarowinkler", threshold=0.85, label="first")
    compare.string("LAST_NAME", "LAST_NAME", method="jarowinkler", threshold=0.85, label="last")
    compare.exact("BIRTH_DATE", "BIRTH_DATE", label="birth")
    compare.exact("ZIP", "ZIP", label="zip")
    compare.exact("CITY", "CITY", label="city")
    compare.string("STREET", "STREET", threshold=0.85, label="street")
    features = compare.compute(candidates, frame)
    matches = features[features.sum(axis=1) > 3]
    report("recordlinkage (documentation example)", matches.index, truth, f"{len(frame)} records, ")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
