"""Record what a student sees of a set of fixed runs, or check the code
checked out against a recording (harness/exact.py says what is recorded).

    .venv/bin/python scripts/golden_runs.py --write tests/golden_runs.json
    .venv/bin/python scripts/golden_runs.py --check tests/golden_runs.json

--write records them from the code checked out (tests/golden_runs.json was
written by the code before issue 21's cuts, a325bb5, and again, for the
figures' later layouts, by the truth branch without those cuts, 8eb4eda;
full's negatives figure once more by 93cbc10, whose heading lost a "the";
the embedding figures by stop30, whose caption says "10 nearest items";
the embedding and curves figures by stop31, whose titles keep a number on
its name's line and whose curves have a dash each, on an Intel Xeon where
all 27 runs agree to the bit with the AMD EPYC's recording, now this
file's machine: the runs kept as recorded; the negatives figures by stop34,
whose shares' colors stop at a medium blue under black text);
--check prints what differs (exit status 1 if anything does).
A recording is comparable only on the machine and numpy that made it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from harness.exact import differences, machine_now, record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", type=Path, help="record the runs in this file")
    action.add_argument("--check", type=Path, help="compare the runs with this recording")
    args = parser.parse_args()
    if args.check:
        recorded = json.loads(args.check.read_text())
        if recorded["machine"] != machine_now():
            print(f"recorded on another machine ({recorded['machine']}): not comparable here")
    now = record()
    if args.write:
        args.write.write_text(json.dumps(now, indent=1) + "\n")
        print(f"recorded {len(now['runs'])} runs and {len(now['figures'])} runs' figures "
              f"in {args.write}")
        return
    found = differences({k: recorded[k] for k in ("runs", "figures")},
                        {k: now[k] for k in ("runs", "figures")})
    print("\n".join(found) if found else
          f"all {len(now['runs'])} runs and {len(now['figures'])} runs' figures as recorded")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
