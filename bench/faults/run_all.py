"""Run the three fault scripts one after another and sum up: exit 0 only if all pass.

.venv/bin/python bench/faults/run_all.py
"""

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["kill_server.py", "restart_redis.py", "db_outage.py"]


def main() -> int:
    results = []
    for script in SCRIPTS:
        started = time.monotonic()
        done = subprocess.run([sys.executable, str(HERE / script)], timeout=600, check=False)
        results.append((script, done.returncode, time.monotonic() - started))
    print("\n=== fault scripts ===")
    for script, code, seconds in results:
        print(f"  {'PASS' if code == 0 else 'FAIL'}  {script}  ({seconds:.0f} s)")
    failed = [s for s, code, _ in results if code]
    print("PASS: all fault scripts" if not failed else f"FAIL: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
