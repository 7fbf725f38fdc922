"""T-Lib message model, open framing codec and client session."""
from .codec import FrameBuffer, FrameError, decode, decode_frame, encode, read_frame  # noqa: F401
from .model import (Attr, AttrType, ConnID, KVList, KVType, Message, MessageType,  # noqa: F401
                    Unicode)
