"""`make bench`: run every benchmark in turn; each prints its figures beside a baseline.

`python -m bench` runs them all; `python -m bench pipeline` runs one (names are the
module suffixes: bench_<name>.py). Record the results in docs/benchmarks.md.
"""

from __future__ import annotations

import importlib
import pkgutil
import platform
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(
        m.name[6:] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_")
    )
    chosen = argv or names
    print(
        f"# partnews benchmarks on {platform.node()} ({platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()})"
    )
    for name in chosen:
        if name not in names:
            print(f"Unknown benchmark {name!r}; choose from {', '.join(names)}", file=sys.stderr)
            return 2
        print(f"\n## {name}\n", flush=True)
        module = importlib.import_module(f"bench.bench_{name}")
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
