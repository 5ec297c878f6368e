"""Headless Chromium (Debian's package): print a page to PDF. No browser download, no network."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from analysis.errors import BuildError

# Flags that keep Chromium off the network and quiet in a container.
HEADLESS_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def print_to_pdf(page: Path, target: Path, timeout: float = 300) -> None:
    """Print a local HTML page to PDF after its scripts have run."""
    binary = chromium()
    if binary is None:
        raise BuildError("the PDF needs Debian's chromium: run `apt-get install -y chromium`")
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        done = subprocess.run(
            [binary, *HEADLESS_FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=10000",
             "--no-pdf-header-footer", f"--print-to-pdf={target}", page.resolve().as_uri()],
            capture_output=True, text=True, timeout=timeout,
        )
    if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        raise BuildError(f"chromium could not print {page.name} to PDF: {done.stderr.strip()[-500:]}")
