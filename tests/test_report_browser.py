"""The HTML report and the notebook views as people see them: rendered in headless Chromium.

The browser is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``,
standard library only). Every test here is skipped, with the reason, when no Chromium
binary is found; set ``SERVICESCORE_CHROMIUM`` to a binary's path to choose one.
Debian and Ubuntu CI: ``apt-get install -y chromium`` (Ubuntu: ``chromium-browser``).

``SERVICESCORE_SCREENSHOT=PATH`` writes the report's screenshot there (the docs'
``docs/_static/report.png`` is made so).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from servicescore import ScoreTable, default_suite, score_many
from servicescore.cli import _sample

pytest.importorskip("matplotlib", reason="the report needs matplotlib (the [report] extra)")

SAMPLE = Path(__file__).parents[1] / "src" / "servicescore" / "data" / "sample.jsonl"
#: Seconds any one browser step may take before the test fails (not a timing assertion: a hang guard).
STEP = 30.0
BINARIES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


def find_chromium() -> str | None:
    """The Chromium binary: ``$SERVICESCORE_CHROMIUM``, else the first of BINARIES on the PATH."""
    chosen = os.environ.get("SERVICESCORE_CHROMIUM")
    if chosen:
        return chosen
    return next((path for name in BINARIES if (path := shutil.which(name))), None)


CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium binary on the PATH (apt-get install -y chromium, or set SERVICESCORE_CHROMIUM)",
)


class Browser:
    """Headless Chromium with one page, driven over the DevTools protocol on fds 3 and 4."""

    def __init__(self, binary: str, profile: str) -> None:
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()
        # Move the child's ends above 9, so placing them on 3 and 4 cannot overwrite each other.
        child_in = fcntl.fcntl(commands_read, fcntl.F_DUPFD, 10)
        child_out = fcntl.fcntl(replies_write, fcntl.F_DUPFD, 10)
        os.close(commands_read)
        os.close(replies_write)

        def place() -> None:
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        self._process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",  # CI containers run as root, where the sandbox cannot start
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=place,  # the fixture starts it before any test thread
        )
        os.close(child_in)
        os.close(child_out)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._replies], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        result: dict[str, Any] = json.loads(message)
        return result

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Call *method* and return its result; events that arrive meanwhile are kept."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + STEP
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply["result"]
                return result
            if "method" in reply:
                self.events.append(reply)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Call *method* on the page."""
        return self.send(method, self._session, **params)

    def wait_for(self, method: str) -> dict[str, Any]:
        """The first event *method* not yet consumed (waiting for it)."""
        deadline = time.monotonic() + STEP
        while True:
            for index, event in enumerate(self.events):
                if event["method"] == method:
                    return self.events.pop(index)
            reply = self._read(deadline)
            if "method" in reply:
                self.events.append(reply)

    def open(self, path: Path, width: int = 1200) -> None:
        """Load *path* in a *width*-pixel-wide viewport and wait for its load event; forget old events."""
        self.call(
            "Emulation.setDeviceMetricsOverride", width=width, height=900, deviceScaleFactor=1, mobile=False
        )
        self.events.clear()
        self.call("Page.navigate", url=path.as_uri())
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The JSON value of *expression* in the page."""
        reply = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions and failed loads since :meth:`open`."""
        found = []
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params.get('exceptionDetails')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                found.append(f"log {params['entry']['level']}: {params['entry'].get('text')}")
            elif method == "Network.loadingFailed":
                found.append(f"failed load: {params.get('errorText')}")
        return found

    def requests(self) -> list[str]:
        """The URLs the page requested since :meth:`open`."""
        return [
            e["params"]["request"]["url"] for e in self.events if e["method"] == "Network.requestWillBeSent"
        ]

    def screenshot(self, target: Path, height: float = 1500) -> None:
        """A PNG of the top of the page, at most *height* pixels of it."""
        size = self.call("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(height, size["height"]), "scale": 1}
        data = self.call("Page.captureScreenshot", format="png", clip=clip, captureBeyondViewport=True)[
            "data"
        ]
        target.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        """Close the browser and wait for it."""
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self._process.wait(timeout=STEP)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._commands)
        os.close(self._replies)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="servicescore-chromium-") as profile:
        driver = Browser(CHROMIUM, profile)
        try:
            yield driver
        finally:
            driver.close()


@pytest.fixture(scope="module")
def table() -> ScoreTable:
    return score_many(_sample())


#: For each <svg>: its rendered width and height, and how many drawn shapes it holds.
SVG_BOXES = """[...document.querySelectorAll('svg')].map(s => {
  const r = s.getBoundingClientRect();
  return [r.width, r.height, s.querySelectorAll('path, use, rect').length];
})"""


class TestReport:
    """The report renders offline, without errors, with every chart drawn."""

    def test_renders_without_errors_or_requests(
        self, browser: Browser, table: ScoreTable, tmp_path: Path
    ) -> None:
        """No console error, no request beyond the file itself, every chart visible and inside the page."""
        path = table.report(tmp_path / "report.html", transcripts=SAMPLE, by="agent", resamples=200)
        browser.open(path)
        assert browser.problems() == []
        assert browser.requests() == [path.as_uri()]
        boxes = browser.evaluate(SVG_BOXES)
        assert len(boxes) >= 4
        page_width = browser.evaluate("document.documentElement.clientWidth")
        for width, height, shapes in boxes:
            assert 100 < width <= page_width and height > 50 and shapes > 10
        assert browser.evaluate("document.documentElement.scrollWidth") <= page_width
        assert browser.evaluate("document.title") == "Service quality report"
        marks = browser.evaluate("document.querySelectorAll('mark').length")
        assert marks > 0
        if target := os.environ.get("SERVICESCORE_SCREENSHOT"):
            browser.screenshot(Path(target))

    def test_narrow_screen(self, browser: Browser, table: ScoreTable, tmp_path: Path) -> None:
        """On a phone-wide viewport the charts shrink to the page; wide tables scroll inside it."""
        path = table.report(tmp_path / "report.html", resamples=100)
        browser.open(path, width=420)
        assert browser.problems() == []
        for width, _, _ in browser.evaluate(SVG_BOXES):
            assert width <= 420
        assert browser.evaluate("document.documentElement.scrollWidth") <= 420


class TestNotebookViews:
    """_repr_html_ as a notebook shows it: styled, highlighted, error-free."""

    def test_views(self, browser: Browser, table: ScoreTable, tmp_path: Path) -> None:
        """A scorecard, a table and a summary side by side render without errors; marks are coloured."""
        card = default_suite()(next(iter(_sample())))
        summary = table.group_by("channel").summary(resamples=100)
        views = "".join(item._repr_html_() for item in (card, table, summary))
        path = tmp_path / "views.html"
        path.write_text(f"<!DOCTYPE html><meta charset='utf-8'><body>{views}</body>", encoding="utf-8")
        browser.open(path, width=1000)
        assert browser.problems() == []
        assert browser.requests() == [path.as_uri()]
        backgrounds = browser.evaluate(
            "[...document.querySelectorAll('mark')].map(m => getComputedStyle(m).backgroundColor)"
        )
        assert backgrounds
        assert all(colour not in ("rgba(0, 0, 0, 0)", "rgb(255, 255, 0)") for colour in backgrounds)
        rows = browser.evaluate("[...document.querySelectorAll('table')].map(t => t.rows.length)")
        assert rows == [11, len(summary) + 1]
