"""Complete observation: every message a scenario's clients receive is accounted for.

A check consumes the message it judges. What a scenario does not judge is declared here, by
message type and DN, as background traffic; it is never handled by skipping a check. At the
end of a scenario, after one settle period, anything else left in a session's inbox fails it.

>>> from tsconform.tlib.model import Message, MessageType as M, Attr
>>> call = Background.call_state("7001", "the call from 7001")
>>> call.covers(Message(M.EventRinging, {Attr.ThisDN: "7001"}))
True
>>> call.covers(Message(M.EventPrivateInfo, {Attr.ThisDN: "7001", Attr.PrivateMsgID: 3013}))
False
"""
from __future__ import annotations

from dataclasses import dataclass

from .tlib.model import Attr, Message, MessageType as M

# The call-state events of a call the scenario makes to set up its precondition: the
# scenario judges the private services on the call, not the call model.
CALL_STATE = frozenset({M.EventDialing, M.EventRinging, M.EventEstablished, M.EventReleased})


@dataclass(frozen=True)
class Background:
    """Traffic a scenario does not judge: these message types, with ThisDN this DN."""

    types: frozenset[M]
    dn: str
    why: str

    @classmethod
    def call_state(cls, dn: str, why: str) -> Background:
        return cls(CALL_STATE, dn, why)

    def covers(self, msg: Message) -> bool:
        return msg.type in self.types and msg.get(Attr.ThisDN) == self.dn


@dataclass(frozen=True)
class Leftover:
    """A message a client received that no check consumed."""

    client: str
    registered: frozenset[str]
    message: Message

    def text(self) -> str:
        dn = self.message.get(Attr.ThisDN)
        why = ""
        if self.message.type == M.EventPrivateInfo and dn not in self.registered:
            why = f"; it must not receive events of {dn}, a DN it did not register"
        elif Attr.ReferenceID in self.message:
            why = f"; it echoes ReferenceID {self.message[Attr.ReferenceID]}, whose request was already answered"
        return f"{self.client} received {self.message.summary()}, which no check of the scenario expected{why}"


def unexpected(inboxes: dict[str, tuple[frozenset[str], list[Message]]],
               background: list[Background]) -> list[Leftover]:
    """The messages of each client's inbox (its registered DNs, its messages) not declared as background."""
    return [Leftover(client, dns, m) for client, (dns, msgs) in inboxes.items() for m in msgs
            if not any(b.covers(m) for b in background)]


def verdict_text(leftovers: list[Leftover]) -> str:
    """The failure message for unaccounted messages, naming each one."""
    return (f"{len(leftovers)} message(s) unaccounted for at the end of the scenario: "
            + "; ".join(lo.text() for lo in leftovers))
