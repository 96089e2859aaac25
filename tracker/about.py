"""What this installation of tracker is: its version, as `tracker --version`, `status --json`
and GET /api/v1/status report it."""

from __future__ import annotations

import functools


@functools.cache
def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version("tracker")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"
