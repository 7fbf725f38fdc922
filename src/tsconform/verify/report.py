"""What `tsconform verify` prints and writes: the verdict table per requirement ID, the failures
with their frames, the coverage of the seed rows, JUnit XML and Allure results.

>>> from .results import Outcome
>>> r = Results()
>>> r.add(Outcome("HD-SVC-1", "fail", "RequestPrivateService (frame 4)", (4, 6), "ReferenceID: expected 7", "a.pcap"))
>>> r.note_rows({"HD-SVC-1": "fail", "HD-SVC-1/ThisDN": "pass"})
>>> [(row.req_id, row.verdict) for row in coverage(r)][:3]
[('HD-SVC-1', 'fail'), ('HD-SVC-1/ThisDN', 'pass'), ('HD-SVC-1/Extensions[HOST_DN]', '')]
"""
from __future__ import annotations

import json
import os
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree as ET

from rich.console import Console
from rich.table import Table

from .. import spec
from ..report.traceability import Row, seed_rows
from .results import CAPTURE, Results

STYLE = {"pass": "green", "fail": "bold red", "inconclusive": "yellow"}
ALLURE_STATUS = {"pass": "passed", "fail": "failed", "inconclusive": "skipped"}


def _order(results: Results) -> list[str]:
    ids = spec.requirement_ids()
    return sorted(results.counts, key=lambda r: (ids.index(r) if r in ids else len(ids), r))


def _title(req_id: str) -> str:
    if req_id == CAPTURE:
        return "the capture file itself"
    row = spec.requirement(req_id)
    return getattr(row, "title", None) or getattr(row, "precondition", "")


def coverage(results: Results) -> list[Row]:
    """Every seed row of the catalogue, with the worst outcome of the checks that judged it in
    the trace ("" where the trace never touched it)."""
    rows = seed_rows()
    for row in rows:
        row.verdict = results.rows.get(row.req_id, "")
    return rows


def print_results(results: Results, show: int = 20, console: Console | None = None) -> None:
    console = console or Console(highlight=False, soft_wrap=False)
    for err in results.errors:
        console.print(f"[magenta]error:[/] {err}")
    if not results.counts and results.errors:
        return
    if not results.counts:
        console.print(f"nothing to judge: {results.pdus} T-Lib/CSTA PDUs in {len(results.files)} file(s), "
                      "no private service transaction or private event among them")
        return
    table = Table(title=f"tsconform verify: {len(results.files)} file(s), {results.pdus} PDUs")
    for col in ("Requirement", "Title", "Transactions", "Pass", "Fail", "Inconclusive", "Verdict"):
        table.add_column(col, justify="right" if col in ("Transactions", "Pass", "Fail", "Inconclusive") else "left")
    for req in _order(results):
        c, v = results.counts[req], results.verdict(req)
        table.add_row(req, _title(req), str(sum(c.values())), str(c["pass"]), str(c["fail"]),
                      str(c["inconclusive"]), f"[{STYLE[v]}]{v}[/]")
    console.print(table)
    for req in _order(results):
        for outcome in ("fail", "inconclusive"):
            listed = [o for o in results.kept.get(req, []) if o.outcome == outcome]
            if not listed:
                continue
            console.print(f"[{STYLE[outcome]}]{req} {outcome}[/] ({results.counts[req][outcome]}):")
            seen: set[str] = set()
            for o in listed[:show] if outcome == "fail" else listed:
                if outcome == "inconclusive" and (o.text in seen or len(seen) >= show):
                    continue
                seen.add(o.text)
                console.print(f"  {os.path.basename(o.file)} frames {', '.join(map(str, o.frames))}: {o.text}")
    rows = coverage(results)
    touched = [r for r in rows if r.verdict]
    never = [r.req_id for r in rows if not r.verdict]
    console.print(f"coverage: {len(touched)} of {len(rows)} seed rows exercised by the trace"
                  + (f"; never touched: {', '.join(never)}" if never else ""))


def write_junit(results: Results, path: str | os.PathLike) -> None:
    """One testcase per requirement ID: failure (the failures listed), skipped (inconclusive) or passed."""
    counts = {v: sum(1 for r in results.counts if results.verdict(r) == v) for v in STYLE}
    suite = ET.Element("testsuite", name="tsconform verify", tests=str(len(results.counts)),
                       failures=str(counts["fail"]), skipped=str(counts["inconclusive"]), errors=str(len(results.errors)))
    for err in results.errors:
        case = ET.SubElement(suite, "testcase", classname="tsconform.verify", name="capture")
        ET.SubElement(case, "error", message=err)
    for req in _order(results):
        c, v = results.counts[req], results.verdict(req)
        case = ET.SubElement(suite, "testcase", classname="tsconform.verify", name=req)
        listed = [o for o in results.kept.get(req, []) if o.outcome == v]
        text = "\n".join(f"{os.path.basename(o.file)} frames {', '.join(map(str, o.frames))}: {o.text}"
                         for o in listed)
        summary = f"{sum(c.values())} transactions: {c['pass']} pass, {c['fail']} fail, {c['inconclusive']} inconclusive"
        if v == "fail":
            ET.SubElement(case, "failure", message=summary).text = text
        elif v == "inconclusive":
            ET.SubElement(case, "skipped", message=f"inconclusive: {summary}").text = text
        ET.SubElement(case, "system-out").text = summary
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def write_allure(results: Results, directory: str | os.PathLike) -> None:
    """Allure results: one test per requirement ID, each kept transaction a step with its frames attached."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    now = int(time.time() * 1000)
    for req in _order(results):
        c, v = results.counts[req], results.verdict(req)
        steps = []
        for o in results.kept.get(req, []):
            name = f"{uuid.uuid4()}-attachment.txt"
            lines = [f"file: {os.path.basename(o.file)}", f"frames: {', '.join(map(str, o.frames))}"]
            lines += [f"{label}: {outcome}{' - ' + text if text else ''}" for label, outcome, text in o.checks]
            (out / name).write_text("\n".join(lines) + "\n")
            steps.append({"name": o.title, "status": ALLURE_STATUS[o.outcome], "stage": "finished",
                          "statusDetails": {"message": o.text} if o.text else {},
                          "attachments": [{"name": "frames", "source": name, "type": "text/plain"}],
                          "start": now, "stop": now})
        labels = [{"name": "epic", "value": spec.EPIC}, {"name": "suite", "value": "tsconform verify"},
                  {"name": "story", "value": f"{req}: {_title(req)}"}, {"name": "requirement", "value": req}]
        feature = getattr(spec.requirement(req), "feature", None) if req != CAPTURE else None
        if feature:
            labels.append({"name": "feature", "value": spec.FEATURES[feature]})
        summary = f"{sum(c.values())} transactions: {c['pass']} pass, {c['fail']} fail, {c['inconclusive']} inconclusive"
        first = next((o.text for o in results.kept.get(req, []) if o.outcome == v and o.text), "")
        result = {"uuid": str(uuid.uuid4()), "historyId": f"verify-{req}", "name": f"{req} in the recorded trace",
                  "fullName": f"tsconform.verify.{req}", "status": ALLURE_STATUS[v], "stage": "finished",
                  "statusDetails": {"message": f"{summary}. {first}".strip()}, "description": summary,
                  "labels": labels, "steps": steps, "start": now, "stop": now}
        (out / f"{result['uuid']}-result.json").write_text(json.dumps(result))


class _Quiet:
    def frames(self, path: str, frame: int) -> None:
        pass

    def done(self, path: str) -> None:
        pass


@contextmanager
def progress(paths: list[str]):
    """A rich progress bar on a terminal (files done, and the frame reached in the file being
    read); nothing in CI or when stderr is not a terminal. Yields an object with
    frames(path, frame) and done(path)."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        yield _Quiet()
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("verify"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("", total=len(paths))

        class Bar:
            def frames(self, path: str, frame: int) -> None:
                bar.update(task, description=f"{os.path.basename(path)}: frame {frame}")

            def done(self, path: str) -> None:
                bar.update(task, advance=1, description=os.path.basename(path))

        yield Bar()
