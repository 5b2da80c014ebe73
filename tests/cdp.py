"""A small headless-Chromium driver for the browser tests: the DevTools protocol over a pipe.

Chromium is started with `--remote-debugging-pipe` (it reads commands on fd 3 and writes on fd 4,
one JSON message per NUL-terminated chunk), so no port is opened and nothing but the browser's own
processes is involved. One browser serves every page of a test; each page is a fresh tab whose
console messages, uncaught exceptions and network requests are recorded.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def find_chromium() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


class CdpError(RuntimeError):
    pass


@dataclass
class PageLog:
    """What a page did while it was open."""

    console: list[tuple[str, str]] = field(default_factory=list)  # (level, text)
    exceptions: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every URL the page asked for
    failed: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [t for level, t in self.console if level in ("error", "assert")] + self.exceptions + self.failed


class Browser:
    """`with Browser(chromium, profile) as b: tab = b.open(url)`."""

    def __init__(self, chromium: str, profile: Path, *, width: int = 1280, height: int = 900) -> None:
        to_browser_r, self._write_fd = os.pipe()
        self._read_fd, from_browser_w = os.pipe()
        # The child's ends, moved above 9 so that placing them on fds 3 and 4 cannot clobber one another.
        child_in = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_browser_r)
        os.close(from_browser_w)

        def wire() -> None:  # in the child: its fds 3 and 4 are the pipe ends (dup2 makes them inheritable)
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        self.proc = subprocess.Popen(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--mute-audio",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=wire,
            start_new_session=True,  # its own process group: stopped together, by its id
        )
        os.close(child_in)
        os.close(child_out)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        self.width, self.height = width, height

    # --------------------------------------------------------------------------------- protocol

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write_fd, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _read(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CdpError("no answer from Chromium within the time limit")
            ready, _, _ = select.select([self._read_fd], [], [], left)
            if ready:
                chunk = os.read(self._read_fd, 1 << 20)
                if not chunk:
                    raise CdpError("Chromium closed the DevTools pipe")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60) -> dict:
        wanted = self._send(method, params, session)
        while True:
            message = self._read(timeout)
            if message.get("id") == wanted:
                if "error" in message:
                    raise CdpError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._events.append(message)

    def wait_event(self, method: str, session: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self._events):
                if e.get("method") == method and e.get("sessionId") == session:
                    return self._events.pop(i)
            self._events.append(self._read(max(0.01, deadline - time.monotonic())))

    def drain(self, session: str, log: PageLog) -> None:
        """Move the events of `session` into its log."""
        keep = []
        for e in self._events:
            if e.get("sessionId") != session:
                keep.append(e)
                continue
            p = e.get("params", {})
            if e["method"] == "Runtime.consoleAPICalled":
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                log.console.append((p.get("type", ""), text))
            elif e["method"] == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                log.exceptions.append(d.get("exception", {}).get("description") or d.get("text", ""))
            elif e["method"] == "Log.entryAdded":
                entry = p.get("entry", {})
                log.console.append((entry.get("level", ""), f"{entry.get('text', '')} {entry.get('url', '')}"))
            elif e["method"] == "Network.requestWillBeSent":
                log.requests.append(p["request"]["url"])
            elif e["method"] == "Network.loadingFailed":
                log.failed.append(f"{p.get('errorText')} ({p.get('requestId')})")
        self._events = keep

    # ------------------------------------------------------------------------------------- pages

    def open(self, url: str, timeout: float = 60) -> Tab:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        tab = Tab(self, target, session)
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(f"{domain}.enable", session=session)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        tab.goto(url, timeout)
        return tab

    def close(self) -> None:
        try:
            self._send("Browser.close")
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - a hung browser is stopped below
            pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        os.close(self._write_fd)
        os.close(self._read_fd)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class Tab:
    browser: Browser
    target: str
    session: str
    log: PageLog = field(default_factory=PageLog)

    def call(self, method: str, params: dict | None = None, timeout: float = 60) -> dict:
        result = self.browser.call(method, params, self.session, timeout)
        self.browser.drain(self.session, self.log)
        return result

    def start(self, url: str) -> None:
        """Begin loading `url` (a fresh log); `finish` waits for it, so several tabs can load at once."""
        self.log = PageLog()
        result = self.call("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise CdpError(f"{url}: {result['errorText']}")

    def finish(self, timeout: float = 60) -> int:
        """Wait until the page has loaded and plotly has drawn its charts; return how many charts."""
        self.browser.wait_event("Page.loadEventFired", self.session, timeout)
        return self.wait_for_charts(timeout)

    def goto(self, url: str, timeout: float = 60) -> int:
        self.start(url)
        return self.finish(timeout)

    def eval(self, expression: str, timeout: float = 60) -> Any:
        result = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, timeout
        )
        if "exceptionDetails" in result:
            raise CdpError(f"{expression[:80]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for_charts(self, timeout: float = 30) -> int:
        """Wait until plotly has drawn every chart of the page; return how many there are."""
        return self.eval(
            "new Promise(done => { const t0 = Date.now(); (function poll() {"
            " const divs = [...document.querySelectorAll('.plotly-graph-div')];"
            " if (divs.every(d => d.querySelector('.main-svg')) || Date.now() - t0 > "
            f"{int(timeout * 1000)}) done(divs.length); else setTimeout(poll, 25); }})(); }})",
            timeout + 5,
        )

    def screenshot(self, scale: float = 0.25) -> bytes:
        width, height = self.browser.width, self.browser.height
        data = self.call(
            "Page.captureScreenshot",
            {"format": "png", "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": scale}},
        )["data"]
        return base64.b64decode(data)

    def pdf(self) -> bytes:
        data = self.call(
            "Page.printToPDF",
            {"preferCSSPageSize": True, "printBackground": True, "displayHeaderFooter": False},
            timeout=120,
        )["data"]
        return base64.b64decode(data)

    def close(self) -> None:
        self.browser.call("Target.closeTarget", {"targetId": self.target})


# ------------------------------------------------------------------------------------ file checks


def pdf_pages(pdf: bytes) -> int:
    """Pages of a PDF as Chromium writes it (uncompressed page dictionaries)."""
    import re

    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def png_ink(png: bytes) -> float:
    """Share of pixels that are not (near) white in an 8-bit RGB/RGBA PNG: 0.0 is a blank page."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos : pos + 8])
        body = png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    prev = bytearray(stride)
    inked = 0
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = prev[i], prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + pred) & 0xFF
        inked += sum(1 for x in range(0, stride, channels) if min(line[x : x + 3]) < 235)
        prev = line
    return inked / max(1, width * height)
