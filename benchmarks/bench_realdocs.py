"""Extraction measured on real web copies: per-field scores against gold labels, and every miss.

    python benchmarks/bench_realdocs.py --docs DIR [--gold DIR/gold.jsonl] [--scorer DIR/score.py]
                                        [--out OUT.jsonl] [--misses/--no-misses]

Runs ``cbec extract --no-match --format json`` over ``DIR/*.txt`` (what the text itself yields,
without completing a record from the store), scores the output with the set's own scorer when it
is there (``DIR/score.py``), and prints a table of the metadata fields (doc_number, title,
publish_date, issuers F1, level) with the targets of the extraction issue, then the list of misses
(field, expected, got) so that each kind of failure can be read off. The miss list compares values
the way the scorer does (width, spaces, brackets and 《》 folded; a title from 关于 on).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

TARGETS = {"doc_number": 0.97, "title": 0.95, "publish_date": 0.95, "issuers_f1": 0.95, "level": 0.97}


def _norm(value: object) -> str:
    if value is None:
        return ""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    text = text.replace("號", "号").replace("《", "").replace("》", "")
    text = re.sub(r"[\[\(（〔【]", "〔", text)
    return re.sub(r"[\]\)）〕】]", "〕", text)


def _title_core(value: object) -> str:
    text = _norm(value)
    position = text.find("关于")
    return text[position:] if position > 0 else text


def run_extract(docs: Path, out: Path) -> None:
    """Write the JSON Lines of ``cbec extract --no-match`` over ``docs/*.txt`` to ``out``."""
    files = sorted(str(path) for path in docs.glob("*.txt"))
    if not files:
        raise SystemExit(f"{docs}: no .txt files")
    command = [sys.executable, "-m", "cbec_policy", "extract", "--no-match", "--format", "json", *files]
    with out.open("w", encoding="utf-8") as handle:
        subprocess.run(command, stdout=handle, check=False)


def score_fields(gold: list[dict], output: dict[str, dict]) -> tuple[dict[str, float], list[tuple[str, str, str, str]]]:
    """Per-field score and the misses (id, field, expected, got), counted as the set's scorer counts."""
    hits: dict[str, list[float]] = {name: [] for name in TARGETS}
    misses: list[tuple[str, str, str, str]] = []
    for item in gold:
        key, found, in_text = item["id"], output.get(item["id"], {}), item["in_text"]
        for name, compare in (("doc_number", _norm), ("title", _title_core)):
            if in_text.get(name) and item[name]:
                ok = compare(found.get(name)) == compare(item[name])
                hits[name].append(float(ok))
                if not ok:
                    misses.append((key, name, item[name], str(found.get(name))))
        if in_text.get("publish_date") and item["publish_date"]:
            ok = (found.get("publish_date") or "")[:10] == item["publish_date"]
            hits["publish_date"].append(float(ok))
            if not ok:
                misses.append((key, "publish_date", item["publish_date"], str(found.get("publish_date"))))
        if in_text.get("issuers") and item["issuers"]:
            expected = {_norm(name) for name in item["issuers"]}
            got = {_norm(name) for name in found.get("issuers") or []}
            common = len(expected & got)
            f1 = 2 * common / (len(expected) + len(got)) if common else 0.0
            hits["issuers_f1"].append(f1)
            if f1 < 1:
                misses.append((key, "issuers", "、".join(item["issuers"]), "、".join(found.get("issuers") or [])))
        ok = found.get("level") == item["level"]
        hits["level"].append(float(ok))
        if not ok:
            misses.append((key, "level", item["level"], str(found.get("level"))))
    scores = {name: (sum(values) / len(values) if values else float("nan")) for name, values in hits.items()}
    return scores, misses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, required=True, help="folder of NNN.txt real copies with gold.jsonl")
    parser.add_argument("--gold", type=Path, help="gold labels (default DOCS/gold.jsonl)")
    parser.add_argument("--scorer", type=Path, help="the set's scorer (default DOCS/score.py, when present)")
    parser.add_argument("--out", type=Path, help="where the JSON Lines go (default: a temporary file)")
    parser.add_argument("--no-misses", action="store_true", help="print the table only")
    args = parser.parse_args()
    gold_path = args.gold or args.docs / "gold.jsonl"
    if args.out is None:
        args.out = Path(tempfile.mkdtemp()) / "extract.jsonl"
    run_extract(args.docs, args.out)
    gold = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    output: dict[str, dict] = {}
    for line in args.out.read_text(encoding="utf-8").splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            match = re.search(r"(\d{3})\.txt$", record.get("path") or "")
            if match:
                output[match.group(1)] = record
    scores, misses = score_fields(gold, output)
    print(f"{'field':<14}{'score':>8}{'target':>8}  met")
    for name, target in TARGETS.items():
        print(f"{name:<14}{scores[name]:>8.3f}{target:>8.2f}  {'yes' if scores[name] >= target else 'NO'}")
    scorer = args.scorer or args.docs / "score.py"
    if scorer.exists():
        print("\nthe set's own scorer:")
        subprocess.run([sys.executable, str(scorer), str(gold_path), str(args.out)], check=False)
    if not args.no_misses:
        print(f"\nmisses ({len(misses)}):")
        for key, name, expected, got in misses:
            print(f"  {key} {name:<13} expected {expected}\n  {'':<17} got      {got}")
    return 0 if all(scores[name] >= target for name, target in TARGETS.items()) else 1


if __name__ == "__main__":
    sys.exit(main())
