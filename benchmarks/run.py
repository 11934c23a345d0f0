"""Run benchmarks: `python -m benchmarks.run` (all) or `python -m benchmarks.run places`."""

import importlib
import os
import pkgutil
import sys
from pathlib import Path

from .harness import Report


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    here = Path(__file__).resolve().parent
    names = sorted(
        m.name[len("bench_") :]
        for m in pkgutil.iter_modules([str(here)])
        if m.name.startswith("bench_")
    )
    chosen = [n for n in names if not argv or n in argv]
    report = Report()
    for name in chosen:
        print(f"== {name}", flush=True)
        report.current = name
        importlib.import_module(f"benchmarks.bench_{name}").run(report)
    report.write("latest" if not argv else "latest-" + "-".join(chosen))
    print(report.markdown())


if __name__ == "__main__":
    main(sys.argv[1:])
