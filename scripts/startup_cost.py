#!/usr/bin/env python3
"""Where a small input's time and memory go: peak RSS and wall time after each step.

    python scripts/startup_cost.py FILE [--level 8]

Imports numpy, numba, mixzip and its CLI, builds the level's model sized
for FILE (as the writer does when the size is known), then compresses FILE
(which builds its own model and loads the level's cached driver; run it once
before, so that nothing is compiled).  Prints ``ru_maxrss`` (peak resident
memory so far) and the seconds since start after each step.
"""
import argparse
import resource
import time

T0 = time.perf_counter()


def report(what: str) -> None:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{what:34s} {peak:7.1f} MB  {time.perf_counter() - T0:6.3f} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    ap.add_argument("--level", type=int, default=8)
    args = ap.parse_args()
    report("start")
    import numpy  # noqa: F401
    report("import numpy")
    import numba  # noqa: F401
    report("import numba")
    import mixzip
    from mixzip import cli  # noqa: F401
    report("import mixzip, mixzip.cli")
    from mixzip.codec import models
    from mixzip.predictors import recipes
    data = open(args.file, "rb").read()
    spec = models.fit_spec(recipes.spec_for_level(args.level), len(data))
    recipes.build_model(spec)
    report(f"level-{args.level} model for {len(data):,} bytes")
    mixzip.compress(data, level=args.level)
    report("compress (driver loaded, coded)")


if __name__ == "__main__":
    main()
