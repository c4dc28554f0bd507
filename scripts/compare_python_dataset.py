"""Plain-Python versions of `judge-review status` and `export --wide`, for timing side by side.

Written for scripts/compare-python-dataset: the json module and hashlib only, the way a researcher would write
them. status: read the study's items, hash each with SHA-256, replay every rater log (latest event per item wins,
a retraction removes it, a label whose item hash does not match is stale), print labelled/total per rater.
wide: the item x rater table of current answers as CSV.
"""
import csv
import hashlib
import json
import os
import sys


def items(study):
    result = {}
    with open(os.path.join(study, "items.jsonl"), encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                item = json.loads(line)
                # The same fields judge-review hashes, joined the same way, line endings normalised.
                def text(value):
                    return value.replace("\r\n", "\n").replace("\r", "\n")
                fields = [item["id"], item["experiment"], item["condition"],
                          "\x1e".join(f"{turn['role']}\x1f{text(turn['content'])}" for turn in item.get("context", [])),
                          text(item["stimulus"]), item["subject"]["name"],
                          text(item["response"]) if item.get("response") is not None else "\x00missing",
                          text(item["criterion"]["question"]), "\x1f".join(item["criterion"]["options"]),
                          item["criterion"]["appropriate"]]
                result[item["id"]] = hashlib.sha256("\x1d".join(fields).encode()).hexdigest()
    return result


def current_labels(study, hashes):
    folder = os.path.join(study, "Annotations")
    labels = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".jsonl") or name.startswith("."):
            continue
        latest = {}
        with open(os.path.join(folder, name), encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    event = json.loads(line)
                    latest[event["item"]] = event
        labels[name[:-6]] = {item: event for item, event in latest.items()
                             if event["kind"] == "label" and hashes.get(item) == event["item_sha256"]}
    return labels


def main():
    command, study = sys.argv[1], sys.argv[2]
    hashes = items(study)
    labels = current_labels(study, hashes)
    if command == "status":
        for rater, current in labels.items():
            print(f"{rater} {len(current)}/{len(hashes)}")
    elif command == "wide":
        raters = sorted(labels)
        with open(sys.argv[3], "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["item"] + raters)
            for item in hashes:
                row = [labels[rater].get(item, {}).get("answer", "") for rater in raters]
                if any(row):
                    writer.writerow([item] + row)


if __name__ == "__main__":
    main()
