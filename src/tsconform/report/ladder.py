"""A message ladder (clients, T-Server, switch) drawn as SVG from a dissected capture.

>>> from tsconform.dissect import Pdu
>>> svg = render([Pdu(3, 0.0, "127.0.0.1:40000", "127.0.0.1:7000", "tlib", "RequestPrivateService")],
...              tlib_ports={7000}, csta_ports=set())
>>> "RequestPrivateService" in svg and svg.startswith("<svg")
True
"""
from __future__ import annotations

from html import escape

LANES = ("Clients", "T-Server", "Switch")
X = {"Clients": 90, "T-Server": 340, "Switch": 590}
ROW, TOP, WIDTH = 22, 50, 680


def _ends(pdu, tlib_ports: set[int], csta_ports: set[int]) -> tuple[str, str]:
    if pdu.link == "csta":
        from_switch = pdu.src_port in csta_ports if csta_ports else pdu.invoke_id == "9999"
        return ("Switch", "T-Server") if from_switch else ("T-Server", "Switch")
    from_server = pdu.src_port in tlib_ports if tlib_ports else pdu.message.startswith("Event")
    return ("T-Server", "Clients") if from_server else ("Clients", "T-Server")


def _label(pdu) -> str:
    if pdu.link == "csta":
        return f"{pdu.message} [{pdu.invoke_id}]"
    msg = pdu.tlib
    if msg is None:
        return pdu.message
    extra = []
    for name in ("PrivateMsgID", "ThisDN", "ErrorCode"):
        value = msg.to_json().get(name)
        if value is not None:
            extra.append(f"{name}={value}")
    return f"{pdu.message} " + " ".join(extra) if extra else pdu.message


def render(pdus, tlib_ports: set[int], csta_ports: set[int], title: str = "") -> str:
    """SVG text: one arrow per PDU, in frame order, labelled with its frame number."""
    height = TOP + ROW * (len(pdus) + 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'font-family="sans-serif" font-size="11" class="tsconform-ladder">',
           f'<title>{escape(title or "message ladder")}</title>',
           '<defs><marker id="a" markerWidth="8" markerHeight="8" refX="8" refY="4" orient="auto">'
           '<path d="M0,0 L8,4 L0,8 z" fill="#333"/></marker></defs>']
    for lane in LANES:
        out.append(f'<text x="{X[lane]}" y="20" text-anchor="middle" font-weight="bold">{lane}</text>')
        out.append(f'<line x1="{X[lane]}" y1="30" x2="{X[lane]}" y2="{height - 5}" stroke="#999" '
                   f'stroke-dasharray="4,3"/>')
    for i, pdu in enumerate(pdus):
        y = TOP + ROW * i
        a, b = _ends(pdu, tlib_ports, csta_ports)
        colour = "#1f5fa8" if pdu.link == "tlib" else "#a8431f"
        out.append(f'<line x1="{X[a]}" y1="{y}" x2="{X[b]}" y2="{y}" stroke="{colour}" marker-end="url(#a)"/>')
        mid = (X[a] + X[b]) // 2
        out.append(f'<text x="{mid}" y="{y - 4}" text-anchor="middle" fill="{colour}">'
                   f'{escape(_label(pdu))}</text>')
        out.append(f'<text x="4" y="{y + 4}" fill="#666">#{pdu.frame}</text>')
    out.append("</svg>")
    return "\n".join(out)
