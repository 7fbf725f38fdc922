"""What verification found: one outcome per requirement ID and transaction, counted per ID.

Memory stays bounded: every transaction is counted, but only the first `KEEP` transactions of
each requirement ID (failures first: a failure replaces a kept pass) keep their details for
the reports.

>>> r = Results()
>>> r.add(Outcome("HD-SVC-1", "pass", "request frame 4", (4, 6)))
>>> r.add(Outcome("HD-SVC-1", "fail", "request frame 9", (9, 11), "ReferenceID: expected 7"))
>>> r.counts["HD-SVC-1"], r.verdict("HD-SVC-1"), r.exit_code()
({'pass': 1, 'fail': 1, 'inconclusive': 0}, 'fail', 1)
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import ledger
from ..exit_codes import EXIT_ERROR, EXIT_FAIL, EXIT_INCONCLUSIVE, EXIT_NOTHING_RAN, EXIT_PASS

KEEP = 200  # transactions per requirement ID whose details the reports keep
CAPTURE = "capture"  # the pseudo requirement of what the file itself lacks (cut, gaps)


@dataclass(frozen=True)
class Outcome:
    """One transaction judged under one requirement ID."""

    req_id: str
    outcome: str  # pass | fail | inconclusive
    title: str  # the transaction, e.g. "RequestPrivateService 3013 from 10.0.0.7:4100 (frame 12)"
    frames: tuple[int, ...]
    text: str = ""  # for a fail: expected and observed; for inconclusive: why
    file: str = ""
    checks: tuple[tuple[str, str, str], ...] = ()  # (check, outcome, text) in the order they ran


@dataclass
class Results:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    kept: dict[str, list[Outcome]] = field(default_factory=dict)
    rows: dict[str, str] = field(default_factory=dict)  # catalogue rows the checks judged -> worst outcome
    errors: list[str] = field(default_factory=list)  # files that could not be read
    files: list[str] = field(default_factory=list)
    pdus: int = 0

    def add(self, o: Outcome) -> None:
        c = self.counts.setdefault(o.req_id, {"pass": 0, "fail": 0, "inconclusive": 0})
        c[o.outcome] += 1
        kept = self.kept.setdefault(o.req_id, [])
        if len(kept) < KEEP:
            kept.append(o)
        elif o.outcome != "pass":
            for i, k in enumerate(kept):
                if k.outcome == "pass":
                    kept[i] = o
                    break

    def note_rows(self, rows: dict[str, str]) -> None:
        for row, outcome in rows.items():
            old = self.rows.get(row, "pass")
            self.rows[row] = max(old, outcome, key=ledger.OUTCOMES.index)

    def merge(self, other: "Results") -> None:
        for req_id, c in other.counts.items():
            mine = self.counts.setdefault(req_id, {"pass": 0, "fail": 0, "inconclusive": 0})
            for k, n in c.items():
                mine[k] += n
        for req_id, kept in other.kept.items():
            room = KEEP - len(self.kept.setdefault(req_id, []))
            self.kept[req_id] += kept[:max(room, 0)]
        self.note_rows(other.rows)
        self.errors += other.errors
        self.files += other.files
        self.pdus += other.pdus

    def verdict(self, req_id: str) -> str:
        c = self.counts[req_id]
        return "fail" if c["fail"] else "inconclusive" if c["inconclusive"] else "pass"

    def exit_code(self) -> int:
        """As `tsconform run`: error, fail, inconclusive, nothing judged, pass."""
        if self.errors:
            return EXIT_ERROR
        verdicts = {self.verdict(r) for r in self.counts}
        if "fail" in verdicts:
            return EXIT_FAIL
        if "inconclusive" in verdicts:
            return EXIT_INCONCLUSIVE
        if not verdicts:
            return EXIT_NOTHING_RAN
        return EXIT_PASS
