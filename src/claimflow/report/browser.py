"""Headless Chromium for reports: PDF for sending, PNG screenshots to look at.

Why Chromium rather than WeasyPrint: the HTML reports are checked in
Chromium (tables fit 1280 px, charts not empty), so printing them with
the same engine gives the PDF the reader's browser would print, with the
stylesheet's ``@media print`` and ``@page`` rules; WeasyPrint would add a
Python dependency with its own system libraries (Pango) and a second CSS
engine whose layout is not the one tested. Debian's ``chromium`` is the
only requirement, and it is asked for only when a PDF or PNG is written.

The browser runs without a sandbox, GPU, network services or first-run
work, with a throw-away profile, and is stopped after `TIMEOUT` seconds.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from claimflow.errors import ClaimflowError

#: Seconds a page may take to print or shoot.
TIMEOUT = 120
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)


def chromium() -> str:
    """The Chromium executable's path.

    Raises:
        ClaimflowError: none is installed.

    Example: ``chromium().endswith("chromium")``
    """
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise ClaimflowError(
        "a PDF or screenshot needs Chromium: install it (apt-get install chromium)"
    )


def _run(page: Path, *args: str) -> str:
    """Run Chromium on a page; return what it printed (the DOM, if asked)."""
    with tempfile.TemporaryDirectory(prefix="claimflow-chromium-") as profile:
        command = [chromium(), *_FLAGS, f"--user-data-dir={profile}", *args]
        try:
            return subprocess.run(
                [*command, page.resolve().as_uri()],
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=True,
            ).stdout
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
            raise ClaimflowError(
                f"{page}: Chromium could not render it ({error})"
            ) from None


def dump_dom(page: Path, width: int = 1280, height: int = 900) -> str:
    """The page's DOM after its scripts ran, in a `width` x `height` window
    (what a test or a probe script reads back).

    Example: ``'data-overflow="0"' in dump_dom(Path("probe.html"))``
    """
    return _run(page, f"--window-size={width},{height}", "--dump-dom")


def print_pdf(page: Path, out: Path) -> Path:
    """Print an HTML file to PDF (A4, the page's print styles, no header lines).

    Example: ``print_pdf(Path("monthly.html"), Path("monthly.pdf"))``
    """
    _run(page, "--no-pdf-header-footer", f"--print-to-pdf={out.resolve()}")
    if not out.is_file() or out.read_bytes()[:5] != b"%PDF-":
        raise ClaimflowError(f"{out}: Chromium wrote no PDF")
    return out


def screenshot(page: Path, out: Path, width: int = 1280, height: int = 2400) -> Path:
    """Shoot an HTML file to PNG at `width` x `height` pixels.

    Example: ``screenshot(Path("daily.html"), Path("daily.png"))``
    """
    _run(page, f"--window-size={width},{height}", f"--screenshot={out.resolve()}")
    if not out.is_file():
        raise ClaimflowError(f"{out}: Chromium wrote no screenshot")
    return out
