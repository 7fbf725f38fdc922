"""Raw TCP helpers for the robustness tests: a misbehaving peer and how to see it dropped."""
import socket


def connect(port: int, rcvbuf: int | None = None, host: str = "127.0.0.1") -> socket.socket:
    """A plain socket to host:port; a small rcvbuf makes a peer that does not read fill up fast."""
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect((host, port))
    s.settimeout(5)
    return s


def closed_by_peer(s: socket.socket, within: float = 5.0) -> bool:
    """Whether the other end closes the connection within the time (data read meanwhile is dropped)."""
    s.settimeout(within)
    try:
        while True:
            if s.recv(65536) == b"":
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
