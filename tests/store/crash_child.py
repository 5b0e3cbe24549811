"""Child process of the crash tests: ingest ``storekit.crash_dataset`` and die on cue.

``python crash_child.py STORE STEP N`` kills itself with SIGKILL the N-th time the writer
reaches checkpoint STEP (see ``vesselwatch.store.faults``). ``STEP`` ``slow`` instead
sleeps a little at every checkpoint, so that the parent can kill it at a random moment.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from storekit import crash_dataset, ingest

from vesselwatch.store import Store, faults


def main() -> None:
    root, target, nth = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seen = 0

    def checkpoint(step: str) -> None:
        nonlocal seen
        if target == "slow":
            time.sleep(0.01)
            return
        if step == target:
            seen += 1
            if seen == nth:
                os.kill(os.getpid(), signal.SIGKILL)

    faults.checkpoint = checkpoint
    store = Store.open(root, n_buckets=4)
    sys.stdout.write("started\n")
    sys.stdout.flush()
    ingest(store, crash_dataset(), flush_rows=60)
    sys.stdout.write("done\n")


if __name__ == "__main__":
    main()
