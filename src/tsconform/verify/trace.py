"""Rebuild the T-Lib sessions and the CSTA link of a recorded trace, and judge each private
service transaction and private event with the checks the scenarios use (`checks`, `wire`).

State is kept per open transaction, per client connection and its registrations, and per DN;
a transaction is judged once the trace has passed its answer time by `hold` seconds (twice the
PIXIT answer timeout plus the settle period), so late answers, second answers and late copies
are still seen, and is then forgotten. What the trace cannot show (a registration before the
capture began, the CSTA link not captured, the capture ending before an answer could come) is
inconclusive, with the reason.
"""
from __future__ import annotations

import heapq
import itertools
from collections import OrderedDict

from .. import checks, ledger, spec, wire
from ..csta.account_codes import from_hex
from ..csta.devices import dn as device_dn
from ..csta.xml import CstaXmlError
from ..dissect import Pdu
from ..tlib.model import ANSWERS, Attr, KVList, MessageType as M
from ..verdict import Inconclusive
from .results import Outcome, Results

CALL_EVENTS = (M.EventDialing, M.EventRinging, M.EventEstablished)
PRIVATE_ANSWERS = ANSWERS[M.RequestPrivateService]
CONNECTORS = frozenset({s.csta for s in spec.SERVICES.values()} | set(wire.ESCAPE_NAMES))
# CSTA messages that show which callID a call has at a device (the ConnID's counterpart)
CALL_SETUP = frozenset({"MakeCallResponse", "ServiceInitiatedEvent", "OriginatedEvent", "DeliveredEvent",
                        "EstablishedEvent"})
ACTIONS = {1: "associate", 2: "dissociate"}  # Escape / guestAssociatedExtension action per service
MEMORY = 100_000  # ConnIDs and CSTA call bindings remembered (least recently seen dropped first)


class _Bounded(OrderedDict):
    """A dict that forgets its oldest entries beyond MEMORY."""

    def __setitem__(self, key, value):
        super().__setitem__(key, value)
        self.move_to_end(key)
        if len(self) > MEMORY:
            self.popitem(last=False)


class Conn:
    """One T-Lib client connection: its registrations, and its private requests awaiting judgement."""

    __slots__ = ("client", "server", "complete", "dns", "pending", "unanswered")

    def __init__(self, client: str, server: str):
        self.client, self.server = client, server
        self.complete = False  # its RequestRegisterClient is in the trace: its registrations are all known
        self.dns: dict[str, str] = {}  # DN -> where it was registered ("frame 12")
        self.pending: dict[int, Tx] = {}  # ReferenceID -> transaction
        self.unanswered: list[Tx] = []


class Tx:
    """A RequestPrivateService and what answered it."""

    __slots__ = ("conn", "req", "number", "service", "ack", "answer", "extra", "candidate", "deadline",
                 "other_dn", "group")

    def __init__(self, conn: Conn, req: Pdu, deadline: float):
        self.conn, self.req, self.deadline = conn, req, deadline
        self.number = req.tlib.get(Attr.PrivateMsgID)
        self.service = spec.SERVICES.get(self.number)
        self.ack = self.answer = self.candidate = self.group = None
        self.extra: list[Pdu] = []
        self.other_dn = checks.UNKNOWN

    def take(self, p: Pdu) -> None:
        if p.tlib.type == M.EventACK and self.ack is None and self.answer is None:
            self.ack = p
        elif self.answer is None:
            self.answer = p
        else:
            self.extra.append(p)


class Group:
    """The copies of one private event for one ThisDN: who was registered, who received it."""

    __slots__ = ("number", "dn", "t0", "deadline", "registered", "copies", "tx", "context")

    def __init__(self, number: int, dn: str, t0: float, deadline: float, registered: dict, context: dict):
        self.number, self.dn, self.t0, self.deadline = number, dn, t0, deadline
        self.registered = registered  # client -> since when
        self.copies: list[tuple[Conn, Pdu]] = []
        self.tx: Tx | None = None
        self.context = context  # expected ConnID, OtherDN, account code when no request is behind it


class ConnectorRequest:
    __slots__ = ("pdu", "response", "claimed", "device")

    def __init__(self, pdu: Pdu):
        self.pdu, self.response, self.claimed = pdu, None, False
        device = pdu.find_text("deviceID") or pdu.find_text("guest")
        self.device = device_dn(device) if device else None


class Verifier:
    """Feed it a trace's PDUs in frame order (`feed`), then `finish`; outcomes go to `results`."""

    def __init__(self, profile, results: Results, file: str = ""):
        self.timeout = profile.timeout("answer")
        self.quiet = profile.timeout("quiet")  # the copies of one event arrive within it
        self.hold = 2 * self.timeout + self.quiet
        self.options = profile.options()
        self.results, self.file = results, file
        self.conns: dict[tuple[str, str], Conn] = {}
        self.by_dn: dict[str, dict[str, Conn]] = {}  # DN -> client -> connection registered on it
        self.partial: dict[str, Conn] = {}  # connections that began before the capture
        self.calls_at: dict[str, list] = {}  # DN -> its active ConnIDs, latest last
        self.known_calls = _Bounded()  # ConnIDs whose set-up the trace shows
        self.assoc: dict[str, str] = {}  # guest -> host, from successful hot-desking answers
        self.groups: dict[tuple[int, str], Group] = {}
        self.timers: list = []  # (deadline, seq, Tx | Group)
        self.seq = itertools.count()
        self.now = 0.0
        self.csta_seen = False
        self.connectors: dict[str, list[ConnectorRequest]] = {}  # device -> T-Server's connector requests
        self.csta_pending = _Bounded()  # (T-Server, switch, invoke ID) -> connector request awaiting its response
        self.call_at: dict[str, str] = {}  # device -> latest CSTA callID seen at it
        self.call_of = _Bounded()  # ConnID -> CSTA callID
        self.account_at: dict[str, str] = {}  # device -> latest account code the switch reported
        self.hd_host: dict[str, str] = {}  # guest -> host in the switch's latest guestAssociatedEvent
        self.requested_at: dict[str, list[float]] = {}  # DN -> times of its recent private requests

    # ------------------------------------------------------------------ feeding
    def feed(self, p: Pdu) -> None:
        self.results.pdus += 1
        if p.time > self.now:
            self.now = p.time
            while self.timers and self.timers[0][0] < self.now:
                self._judge(heapq.heappop(self.timers)[2], cut=False)
        if p.link == "tlib" and p.tlib is not None:
            self._tlib(p)
        elif p.link == "csta":
            self._csta(p)

    def finish(self, end: float | None = None) -> None:
        """End of the trace (end: the time of its last packet): judge what is still open (what
        needed more trace is inconclusive)."""
        self.now = max(self.now, end or 0.0)
        while self.timers:
            self._judge(heapq.heappop(self.timers)[2], cut=True)

    def closed(self, end) -> None:
        """A connection closed (a StreamEnd): a T-Lib client's registrations end with it."""
        for key in ((end.src, end.dst), (end.dst, end.src)):
            c = self.conns.pop(key, None)
            if c is not None:
                for dn in c.dns:
                    self.by_dn.get(dn, {}).pop(c.client, None)
                c.dns.clear()
                self.partial.pop(c.client, None)

    def _later(self, item) -> None:
        heapq.heappush(self.timers, (item.deadline, next(self.seq), item))

    def conn(self, client: str, server: str) -> Conn:
        c = self.conns.get((client, server))
        if c is None:
            c = self.conns[(client, server)] = Conn(client, server)
            self.partial[client] = c
        return c

    # ------------------------------------------------------------------ T-Lib
    def _tlib(self, p: Pdu) -> None:
        m = p.tlib
        if m.name.startswith("Request"):
            c = self.conn(p.src, p.dst)
            if m.type == M.RequestRegisterClient:
                for dn in c.dns:
                    self.by_dn.get(dn, {}).pop(c.client, None)
                c.dns.clear()
                c.complete = True
                self.partial.pop(c.client, None)
            elif m.type == M.RequestPrivateService:
                tx = Tx(c, p, p.time + self.hold)
                times = self.requested_at.setdefault(m.get(Attr.ThisDN), [])
                while times and times[0] < p.time - 2 * self.hold:
                    times.pop(0)
                times.append(p.time)
                if m.reference_id is not None:
                    c.pending[m.reference_id] = tx
                c.unanswered.append(tx)
                self._later(tx)
            return
        c = self.conn(p.dst, p.src)
        t, dn = m.type, m.get(Attr.ThisDN)
        if t == M.EventRegistered and dn:
            c.dns[dn] = f"frame {p.frame}"
            self.by_dn.setdefault(dn, {})[c.client] = c
        elif t == M.EventUnregistered and dn:
            c.dns.pop(dn, None)
            self.by_dn.get(dn, {}).pop(c.client, None)
        elif t in CALL_EVENTS and dn and Attr.ConnID in m:
            k = m[Attr.ConnID]
            self.known_calls[k] = True
            calls = self.calls_at.setdefault(dn, [])
            if k not in calls:
                calls.append(k)
            if k not in self.call_of and dn in self.call_at:
                self.call_of[k] = self.call_at[dn]
        elif t == M.EventReleased and dn and Attr.ConnID in m:
            calls = self.calls_at.get(dn, [])
            if m[Attr.ConnID] in calls:
                calls.remove(m[Attr.ConnID])
        if t not in PRIVATE_ANSWERS:
            return
        ref = m.get(Attr.ReferenceID)
        tx = c.pending.get(ref) if ref is not None else None
        if tx is not None:
            tx.take(p)
            if tx.answer is p and tx in c.unanswered:
                c.unanswered.remove(tx)
                if t == M.EventPrivateInfo:
                    self._answered(tx)
        else:
            waiting = next((x for x in c.unanswered if x.candidate is None), None)
            if waiting is not None and waiting.req.time <= p.time <= waiting.req.time + self.timeout:
                waiting.candidate = p
        if t == M.EventPrivateInfo:
            self._copy(c, p, tx)

    def _answered(self, tx: Tx) -> None:
        """A successful private service changes what the trace expects of later events."""
        dn = tx.req.tlib.get(Attr.ThisDN)
        if tx.number == 1:
            ext = tx.req.tlib.get(Attr.Extensions)
            tx.other_dn = ext.get("HOST_DN") if isinstance(ext, KVList) else None
            self.assoc[dn] = tx.other_dn
        elif tx.number == 2:
            tx.other_dn = self.assoc.pop(dn, checks.UNKNOWN)

    def _copy(self, c: Conn, p: Pdu, tx: Tx | None) -> None:
        m = p.tlib
        number, dn = m.get(Attr.PrivateMsgID), m.get(Attr.ThisDN)
        if number not in spec.EVENTS or not dn:
            return  # not a catalogue event (an answer's own checks judge a wrong PrivateMsgID)
        g = self.groups.get((number, dn))
        if g is None or p.time > g.t0 + self.quiet or (tx is not None and g.tx is not None):
            registered = {k: x.dns[dn] for k, x in self.by_dn.get(dn, {}).items()}
            g = Group(number, dn, p.time, p.time + self.hold, registered, self._context(number, dn))
            self.groups[(number, dn)] = g
            self._later(g)
        if tx is not None:
            g.tx, tx.group = tx, g
        g.copies.append((c, p))

    def _context(self, number: int, dn: str) -> dict:
        """What an event for dn should carry when no request of the trace is behind it."""
        calls = self.calls_at.get(dn)
        return {"conn_id": calls[-1] if calls else None,
                "other_dn": self.hd_host.get(dn, checks.UNKNOWN),
                "account_code": self.account_at.get(dn)}

    # ------------------------------------------------------------------ CSTA
    def _csta(self, p: Pdu) -> None:
        self.csta_seen = True
        name = p.message
        if name in CONNECTORS:
            r = ConnectorRequest(p)
            self.connectors.setdefault(r.device, []).append(r)
            self.csta_pending[(p.src, p.dst, p.invoke_id)] = r
            return
        r = self.csta_pending.pop((p.dst, p.src, p.invoke_id), None)
        if r is not None and (name.endswith("Response") or name == "CSTAErrorCode"):
            r.response = p
        if name in CALL_SETUP:
            call, device = p.find_text("callID"), p.find_text("deviceID")
            if call and device:
                self.call_at[device_dn(device)] = call
        if name == "CallInformationEvent" and p.find_text("accountInfo"):
            device = p.find_text("deviceID") or p.find_text("deviceIdentifier") or ""
            try:
                self.account_at[device_dn(device)] = from_hex(p.find_text("accountInfo"), "accountInfo")
            except CstaXmlError:
                pass
        if name == "PrivateEvent" and p.find_text("guest"):
            guest, host = device_dn(p.find_text("guest")), p.find_text("host")
            host = device_dn(host) if host else host
            if p.find_text("action") == "associated":
                self.hd_host[guest] = host
            else:
                self.hd_host.pop(guest, None)

    def _connector_candidates(self, device, start: float, end: float) -> list[ConnectorRequest]:
        """The connector requests for a device sent between start and end that no transaction claimed."""
        sent = self.connectors.get(device)
        if not sent:
            return []
        horizon = self.now - 2 * self.hold
        while sent and sent[0].pdu.time < horizon:
            sent.pop(0)
        return [r for r in sent if not r.claimed and start <= r.pdu.time <= end]

    # ------------------------------------------------------------------ judging
    def _judge(self, item, cut: bool) -> None:
        if isinstance(item, Tx):
            self._judge_tx(item, cut)
        else:
            self._judge_group(item, cut)

    def _run(self, title: str, frames, checks_to_run) -> None:
        """Run (label, req_ids, function) checks; record one outcome per requirement ID."""
        per_req: dict[str, list] = {}
        ledger.take()
        for label, req_ids, fn in checks_to_run:
            try:
                with ledger.judging(req_ids):
                    fn()
                outcome, text = "pass", ""
            except AssertionError as exc:
                outcome, text = "fail", str(exc)
            except Inconclusive as exc:
                outcome, text = "inconclusive", exc.reason
            rows = ledger.take()
            if outcome == "inconclusive":
                rows.update(dict.fromkeys(req_ids, "inconclusive"))
            self.results.note_rows(rows)
            for row, o in rows.items():
                per_req.setdefault(row.split("/")[0], []).append((label, o, text if o == outcome else ""))
        frames = tuple(sorted(set(frames)))
        for req, done in per_req.items():
            worst = max((o for _, o, _ in done), key=ledger.OUTCOMES.index)
            text = "; ".join(dict.fromkeys(t for _, o, t in done if o == worst and t))
            self.results.add(Outcome(req, worst, title, frames, text, self.file, tuple(done)))

    def _judge_tx(self, tx: Tx, cut: bool) -> None:
        c, req = tx.conn, tx.req
        m = req.tlib
        c.pending.pop(m.reference_id, None)
        if tx in c.unanswered:
            c.unanswered.remove(tx)
        svc_req = [tx.service.req_id] if tx.service else ["TS-ERR-SERVICE"]
        title = f"{m.summary()} from {c.client} (frame {req.frame})"
        answer = tx.answer or tx.candidate
        frames = [req.frame] + [p.frame for p in (tx.ack, answer, *tx.extra) if p is not None]
        if answer is None:
            if cut and self.now < req.time + self.timeout:
                self._run(title, frames, [("answer", svc_req, _inconclusive(
                    f"the capture ends {self.now - req.time:.3f} s after the request, before the answer "
                    f"timeout ({self.timeout} s)"))])
            else:
                self._run(title, frames, [("answer", svc_req, _fail(
                    f"{m.summary()} (frame {req.frame}): no answer within {self.timeout} s"))])
            return
        todo = []
        # the connector function on the CSTA link, and the switch's verdict on it
        connector, switch_error = None, None
        if tx.service and self.csta_seen:
            dn = m.get(Attr.ThisDN)
            names = wire._names(tx.service.csta)
            mine = [r for r in self._connector_candidates(dn, req.time, answer.time) if r.pdu.message in names]
            connector = mine[0] if mine else None
            if connector is not None:
                connector.claimed = True
                frames.append(connector.pdu.frame)
                if connector.response is not None:
                    frames.append(connector.response.frame)
                    if connector.response.message == "CSTAErrorCode":
                        switch_error = _csta_error(connector.response)
        expected_error = self._expected_error(tx, answer, switch_error)
        doing = f"{c.client} sending {m.summary()} (frame {req.frame})"

        def answer_checks():
            with checks.answer_to(m):
                if tx.service is None or expected_error is not None:
                    row = expected_error or "TS-ERR-SERVICE"
                    if row in spec.ERRORS:
                        checks.error_row(answer.tlib, row, doing)
                    else:
                        checks.message_type(answer.tlib, M.EventError, doing)
                        checks.attribute(answer.tlib, Attr.ErrorCode, row)
                    checks.echoes_request(answer.tlib, m, (Attr.ThisDN, Attr.ConnID))
                elif answer.tlib.type == M.EventError:
                    raise checks.CheckFailed(
                        f"{doing}: EventError {answer.tlib.get(Attr.ErrorCode)} "
                        f"{answer.tlib.get(Attr.ErrorMessage)!r} (frame {answer.frame}) is no row of the error "
                        f"table for private service {tx.number}")
                else:
                    checks.private_info(answer.tlib, tx.service.event, doing)
                    checks.seed_row(answer.tlib, tx.service.event, m.get(Attr.ThisDN),
                                    conn_id=m.get(Attr.ConnID), other_dn=tx.other_dn, options=self.options,
                                    account_code=_ext(m, tx.service, self.options))
        todo.append(("answer", svc_req, answer_checks))
        if tx.service and tx.service.event and tx.other_dn is checks.UNKNOWN and answer.tlib.type == M.EventPrivateInfo \
                and any(a.name == "OtherDN" for a in spec.EVENTS[tx.service.event].attributes):
            todo.append(("OtherDN", [spec.EVENTS[tx.service.event].req_id], _inconclusive(
                f"the association of {m.get(Attr.ThisDN)} was made before the capture began: its host is "
                f"not known")))
        todo.append(("ReferenceID", svc_req, lambda: [checks.echoes_reference(a.tlib, m)
                                                      for a in (tx.ack, answer) if a is not None]))
        late = answer.time - req.time
        todo.append(("timing", svc_req, _fail(
            f"{m.summary()} (frame {req.frame}): no answer within {self.timeout} s; the answer came after "
            f"{late:.3f} s (frame {answer.frame})") if late > self.timeout else _pass))
        if tx.extra:
            todo.append(("once", svc_req, _fail(
                f"{m.summary()} (frame {req.frame}) already answered by frame {answer.frame}; observed "
                + "; ".join(f"{p.tlib.summary()} (frame {p.frame})" for p in tx.extra))))
        if tx.service:
            todo.append(("connector", svc_req, self._connector_check(tx, answer, connector, switch_error,
                                                                     expected_error)))
        self._run(title, frames, todo)

    def _expected_error(self, tx: Tx, answer: Pdu, switch_error) -> str | int | None:
        """The error-table row (or, for a CSTAErrorCode outside the table, the ErrorCode) the
        answer must carry; None when a success is due."""
        if tx.service is None or (tx.service.option and not self.options.get(tx.service.option)):
            return "TS-ERR-SERVICE"  # no such service, or its option is off in the profile
        if switch_error is not None:
            code, text = spec.error_for_csta(tx.number, *switch_error)
            row = next((e.req_id for e in spec.ERRORS.values()
                        if (e.error_code, e.error_message) == (code, text)), None)
            return row or code
        if answer.tlib.type != M.EventError:
            return None
        code, text = answer.tlib.get(Attr.ErrorCode), str(answer.tlib.get(Attr.ErrorMessage, ""))
        rows = [e for e in spec.ERRORS.values()
                if (not e.services or tx.number in e.services) and e.feature in (None, tx.service.feature)]
        by_text = [e for e in rows if text == e.error_message or text.startswith(e.error_message + ": ")]
        by_code = [e for e in rows if e.error_code == code]
        hit = by_text or (by_code if len(by_code) == 1 else [])
        return hit[0].req_id if hit else None

    def _connector_check(self, tx: Tx, answer: Pdu, connector, switch_error, expected_error):
        m, service = tx.req.tlib, tx.service
        dn = m.get(Attr.ThisDN)
        if not self.csta_seen:
            return _inconclusive("the CSTA link is not in this capture (so far): the connector function "
                                 "cannot be seen")
        refused = answer.tlib.type == M.EventError and switch_error is None

        def check():
            if refused and connector is not None and connector.response is not None:
                raise checks.CheckFailed(
                    f"{m.summary()} (frame {tx.req.frame}): the switch accepted {connector.pdu.message} "
                    f"(frame {connector.response.frame}), but T-Server answered {answer.tlib.summary()} "
                    f"(frame {answer.frame})")
            if refused:
                end = max(answer.time + self.timeout, self.now)
                later = [t for t in self.requested_at.get(dn, ()) if t > tx.req.time]
                sent = [r for r in self._connector_candidates(dn, tx.req.time, end)
                        if not any(t <= r.pdu.time for t in later)]  # not another request's
                if sent:
                    rows = [expected_error] if isinstance(expected_error, str) else []
                    with ledger.judging(rows):
                        raise checks.CheckFailed(
                            f"the refused {m.summary()} (frame {tx.req.frame}): expected no connector request "
                            f"on the CSTA link; observed " + "; ".join(
                                f"frame {r.pdu.frame} {r.pdu.message}" for r in sent))
                return
            fields = self._fields(tx, answer)
            sent = [connector.pdu] if connector else [
                r.pdu for r in self._connector_candidates(dn, tx.req.time, answer.time)]
            wire.connector(sent, service.csta, fields, from_switch=False,
                           what=f"connector function of service {service.number} (frame {tx.req.frame})")
            if connector is not None and connector.response is None:
                raise Inconclusive(f"the switch's response to {connector.pdu.message} (frame "
                                   f"{connector.pdu.frame}) is not in the capture")
        return check

    def _fields(self, tx: Tx, answer: Pdu) -> dict[str, str]:
        m = tx.req.tlib
        dn = m.get(Attr.ThisDN)
        if tx.number in ACTIONS:
            fields = {"guest": dn, "action": ACTIONS[tx.number]}
            ext = m.get(Attr.Extensions)
            if tx.number == 1 and isinstance(ext, KVList) and ext.get("HOST_DN"):
                fields["host"] = str(ext.get("HOST_DN"))
            return fields
        fields = {"deviceID": dn}
        call = self.call_of.get(m.get(Attr.ConnID))
        if call:
            fields["callID"] = call
        if tx.number == 501:
            code = _ext(m, tx.service, self.options)
            if code is not None:
                fields["accountCode"] = str(code).encode().hex()
        return fields

    def _judge_group(self, g: Group, cut: bool) -> None:
        if self.groups.get((g.number, g.dn)) is g:
            del self.groups[(g.number, g.dn)]
        event = spec.EVENTS[g.number]
        title = f"EventPrivateInfo {g.number} for {g.dn} (frame {g.copies[0][1].frame})"
        frames = [p.frame for _, p in g.copies]
        todo = []
        ctx = g.context
        if g.tx is not None:
            req = g.tx.req.tlib
            ctx = {"conn_id": req.get(Attr.ConnID), "other_dn": g.tx.other_dn,
                   "account_code": _ext(req, g.tx.service, self.options)}
        for c, p in g.copies:
            if g.tx is not None and p is (g.tx.answer or g.tx.candidate):
                continue  # the requester's copy is judged as the answer
            conn_id = ctx["conn_id"]
            if conn_id is None and Attr.ConnID in p.tlib and p.tlib[Attr.ConnID] not in self.known_calls:
                conn_id = checks.UNKNOWN
                todo.append((f"ConnID of frame {p.frame}", [event.req_id], _inconclusive(
                    f"frame {p.frame}: the call {p.tlib[Attr.ConnID]} began before the capture")))
            if ctx["other_dn"] is checks.UNKNOWN and any(a.name == "OtherDN" for a in event.attributes):
                todo.append((f"OtherDN of frame {p.frame}", [event.req_id], _inconclusive(
                    f"frame {p.frame}: the host associated with {g.dn} is not in the capture")))

            def copy_checks(c=c, p=p, conn_id=conn_id):
                checks.seed_row(p.tlib, g.number, g.dn, conn_id=conn_id, other_dn=ctx["other_dn"],
                                options=self.options, account_code=ctx["account_code"])
                if c.complete or c.client in g.registered:
                    checks.absent(p.tlib, Attr.ReferenceID, "a copy to a client that sent no request for it")
            todo.append((f"copy in frame {p.frame}", [event.req_id], copy_checks))
        todo.append(("delivery", [event.req_id], self._delivery_check(g, cut)))
        self._run(title, frames, todo)

    def _delivery_check(self, g: Group, cut: bool):
        copies: dict[str, int] = {}
        unknown = []
        for c, _ in g.copies:
            if c.client not in g.registered and not c.complete:
                unknown.append(c.client)  # registered before the capture began, perhaps
                continue
            copies[c.client] = copies.get(c.client, 0) + 1
        others = {c.client: ", ".join(c.dns) for c, _ in g.copies}
        silent = [k for k, c in self.partial.items() if k not in g.registered and k not in unknown
                  and c.client not in copies]

        def check():
            checks.delivered(g.number, g.dn, copies, g.registered, others)
            if unknown or silent:
                raise Inconclusive(
                    f"delivery of EventPrivateInfo {g.number} for {g.dn}: "
                    f"{len(set(unknown + silent))} client connection(s) began before the capture, so whether "
                    f"they registered {g.dn} is not known")
            if cut and self.now < g.t0 + self.quiet:
                raise Inconclusive(f"delivery of EventPrivateInfo {g.number} for {g.dn}: the capture ends "
                                   f"before every copy could arrive")
        return check


def _ext(req, service, options):
    """The Extensions value a request gave under its service's key (the account code)."""
    if service is None or not service.required_key:
        return None
    ext = req.get(Attr.Extensions)
    key = spec.resolve_key(service.required_key, options)
    return ext.get(key) if isinstance(ext, KVList) else None


def _csta_error(p: Pdu) -> tuple[str, str] | None:
    root = p.element()
    for child in root if root is not None else ():
        if isinstance(child.tag, str):
            return child.tag.rpartition("}")[2], (child.text or "").strip()
    return None


def _fail(text: str):
    def check():
        raise checks.CheckFailed(text)
    return check


def _inconclusive(text: str):
    def check():
        raise Inconclusive(text)
    return check


def _pass():
    return None
