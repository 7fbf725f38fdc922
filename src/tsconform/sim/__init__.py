"""Reference simulators: the T-Server (T-Lib side) and the switch behind it."""
from .stack import SimControl, SimStack  # noqa: F401
