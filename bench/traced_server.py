"""uvicorn with tracemalloc on, for bench/conference.py --tracemalloc: where a server's memory
per phone goes, by the lines of Python that allocated it.

    python bench/traced_server.py scentiss.asgi:application --port 8201 ...   (uvicorn's options)

BENCH_TRACEMALLOC_OUT names the snapshots: each SIGUSR1 writes `<out>.<n>` (tracemalloc's dump
format, read with tracemalloc.Snapshot.load) and then `<out>.<n>.done`. BENCH_TRACEMALLOC_FRAMES
frames are kept per allocation (default 12). tracemalloc itself costs memory and CPU (several
times the allocation's own): only the traced sizes mean anything here, not the RSS or timings.
"""

import os
import signal
import sys
import tracemalloc
from pathlib import Path


def main() -> None:
    tracemalloc.start(int(os.environ.get("BENCH_TRACEMALLOC_FRAMES", "12")))
    out = os.environ["BENCH_TRACEMALLOC_OUT"]
    taken = 0

    def dump(signum: int, frame: object) -> None:
        nonlocal taken
        taken += 1
        path = f"{out}.{taken}"
        tracemalloc.take_snapshot().dump(path)
        Path(f"{path}.done").touch()

    signal.signal(signal.SIGUSR1, dump)
    from uvicorn.main import main as uvicorn_main

    sys.argv = ["uvicorn", *sys.argv[1:]]
    uvicorn_main()


if __name__ == "__main__":
    main()
