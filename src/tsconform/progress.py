"""Progress on a terminal for long runs and dissections (rich), quiet elsewhere.

`wanted` decides: a terminal, and not CI (`CI` set to anything but "" , "0" or "false").
`RunDisplay` shows the scenarios done of the total and the verdicts so far;
`ReadDisplay` the bytes of a capture read and the PDUs found. Both draw on the console
they are given, so a test can drive them with ``Console(force_terminal=True, file=StringIO())``.

>>> import io
>>> wanted(io.StringIO(), {})
False
>>> class Tty(io.StringIO):
...     def isatty(self): return True
>>> wanted(Tty(), {}), wanted(Tty(), {"CI": "true"}), wanted(Tty(), {"CI": "0"})
(True, False, True)
"""
from __future__ import annotations

import os
import sys
from typing import IO, Mapping

from rich.console import Console
from rich.progress import (BarColumn, DownloadColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn,
                           TimeElapsedColumn)

VERDICT_ORDER = ("pass", "fail", "inconclusive", "error", "not applicable")
STYLE = dict(zip(VERDICT_ORDER, ("green", "bold red", "yellow", "magenta", "dim")))


def wanted(stream: IO | None = None, env: Mapping[str, str] | None = None) -> bool:
    """Whether to show progress on `stream` (default stdout): a terminal, and not in CI."""
    stream = sys.stdout if stream is None else stream
    env = os.environ if env is None else env
    in_ci = env.get("CI", "").strip().lower() not in ("", "0", "false", "no")
    try:
        return bool(stream.isatty()) and not in_ci
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def terminal_console(stream: IO | None = None) -> Console:
    """A console on a duplicate of the stream's descriptor: it keeps drawing on the terminal
    while pytest captures the descriptor itself during a test."""
    stream = sys.stdout if stream is None else stream
    try:
        file = os.fdopen(os.dup(stream.fileno()), "w", buffering=1)
    except (AttributeError, OSError, ValueError):
        file = stream
    return Console(file=file, highlight=False)


def verdict_text(counts: Mapping[str, int]) -> str:
    """The verdicts so far, as rich markup.

    >>> verdict_text({"pass": 3, "fail": 1, "inconclusive": 0})
    '[green]3 pass[/] [bold red]1 fail[/]'
    """
    return " ".join(f"[{STYLE[k]}]{counts[k]} {k}[/]" for k in VERDICT_ORDER if counts.get(k))


class RunDisplay:
    """Scenarios done of the total, and the verdicts so far."""

    def __init__(self, console: Console, refresh_per_second: float = 4):
        self.console = console
        self.progress = Progress(SpinnerColumn(), TextColumn("[bold]scenarios"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("{task.fields[verdicts]}"), console=console,
                                 transient=True, refresh_per_second=refresh_per_second, redirect_stdout=False,
                                 redirect_stderr=False)
        self.task = None
        self.started = False

    def start(self, total: int | None) -> None:
        if self.task is None:
            self.task = self.progress.add_task("run", total=total, verdicts="")
        else:
            self.progress.update(self.task, total=total)
        if not self.started:
            self.progress.start()
            self.started = True

    def update(self, done: int, counts: Mapping[str, int]) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=done, verdicts=verdict_text(counts))

    def stop(self) -> None:
        if self.started:
            self.progress.refresh()
            self.progress.stop()
            self.started = False


class ReadDisplay:
    """Bytes of a capture read of its size, frames and PDUs so far."""

    def __init__(self, console: Console, total_bytes: int | None, name: str = "capture"):
        self.progress = Progress(SpinnerColumn(), TextColumn(f"[bold]{name}"), BarColumn(), DownloadColumn(),
                                 TextColumn("{task.fields[counts]}"), TimeElapsedColumn(), console=console,
                                 transient=True, redirect_stdout=False, redirect_stderr=False)
        self.task = self.progress.add_task("read", total=total_bytes, counts="")

    def __enter__(self) -> ReadDisplay:
        self.progress.start()
        return self

    def update(self, read_bytes: int, frames: int, pdus: int) -> None:
        self.progress.update(self.task, completed=read_bytes, counts=f"{frames} frames, {pdus} PDUs")

    def __exit__(self, *exc) -> None:
        self.progress.refresh()
        self.progress.stop()
