"""A built-in OpenAI-compatible model: no key, no network, believable streams.

One source of truth (``scenarios.plan_reply``) played by two transports: in-process
through httpx2 (``mock_http_client``) and over real HTTP (``MockServer`` /
``python -m chatcore.mock_server``). See ``scenarios`` for what it can say and
``faults`` for the failures it can stage.
"""

from .faults import FAULTS, FaultSpec, parse_fault
from .options import MockOptions
from .recording import RecordedRequest
from .reply import Delay, Drop, Reply, Send, Stall
from .scenarios import SCENARIOS, Scenario, plan_reply
from .server import MockServer
from .transport import ABORT_EXTENSION, MockChatTransport, mock_http_client

__all__ = [
    "ABORT_EXTENSION",
    "FAULTS",
    "FaultSpec",
    "Delay",
    "Drop",
    "MockChatTransport",
    "MockOptions",
    "MockServer",
    "RecordedRequest",
    "Reply",
    "SCENARIOS",
    "Scenario",
    "Send",
    "Stall",
    "mock_http_client",
    "parse_fault",
    "plan_reply",
]
