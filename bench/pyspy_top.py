"""Summarise py-spy's collapsed stacks (`--format raw`): where a server spent its samples.

    .venv/bin/python bench/pyspy_top.py bench/results/profile-2p-300-s-8201.txt [--top 40]
        [--match survey/]

Prints the share of samples spent inside each function (inclusive) and on top of the stack
(self); --match keeps only frames whose file path contains the text (e.g. the app's own).
"""

import argparse
import sys
from collections import Counter
from pathlib import Path


def frame_key(frame: str) -> str:
    """'func (path/file.py:123)' -> 'func (path/file.py)': lines vary within a function."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit(':', 1)[0]})" if where else name


def summarise(path: Path) -> tuple[int, Counter, Counter]:
    inclusive: Counter = Counter()
    own: Counter = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [frame_key(f) for f in stack.split(";")]
        own[frames[-1]] += n
        for key in set(frames):
            inclusive[key] += n
    return total, inclusive, own


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profile", type=Path)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--match", default="")
    args = parser.parse_args()
    total, inclusive, own = summarise(args.profile)
    if not total:
        print("no samples")
        return 1
    for title, counter in (("inclusive", inclusive), ("self", own)):
        print(f"--- {title} ({total} samples)")
        shown = 0
        for key, n in counter.most_common():
            if args.match and args.match not in key:
                continue
            print(f"{100 * n / total:5.1f}%  {key}")
            shown += 1
            if shown >= args.top:
                break
    return 0


if __name__ == "__main__":
    sys.exit(main())
