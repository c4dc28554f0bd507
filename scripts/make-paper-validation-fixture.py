#!/usr/bin/env python3
"""Extract the label columns (no text) of the paper's human-validation file into a tab-separated test fixture (keys contain commas).

Usage: scripts/make-paper-validation-fixture.py ../shared/paper-data/gpt-4o_classification_validation.csv \
           Tests/ReviewStatisticsTests/Fixtures/paper-validation/gpt-4o_validation_labels.tsv
Answers are lower-cased ("Yes" -> "yes"); an empty cell stays empty (not labelled).
"""
import csv
import sys

source, target = sys.argv[1], sys.argv[2]
with open(source, newline="", encoding="utf-8") as handle:
    rows = list(csv.DictReader(handle))
with open(target, "w", newline="", encoding="utf-8") as handle:
    writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
    writer.writerow(["key", "judge", "annotator_1", "annotator_2"])
    for row in rows:
        writer.writerow([
            row["key"],
            row["gpt-4o-2024-08-06_classification"].strip().lower(),
            row["annotator_1_classification"].strip().lower(),
            row["annotator_2_classification"].strip().lower(),
        ])
