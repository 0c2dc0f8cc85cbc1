"""chatcore: the UI-free streaming chat engine.

Typed stream events, an OpenAI-compatible provider (with a built-in mock that runs the
same code path), a bounded tool loop, cancellation that closes the upstream at once, and
the records the UI renders. Never imports streamlit.
"""

from .cancel import CancelToken
from .conversation import Conversation, UserEntry
from .engine import ActiveTurn, start_turn
from .events import Chunk, End, Error, Event, Reasoning, ToolCall, ToolResult, Usage, event_from_dict
from .loop import run_turn
from .providers import ModelListError, OpenAICompatProvider, make_provider
from .session import ChatSession
from .settings import GenerationSettings, ProviderConfig, Timeouts
from .turn import Turn

__all__ = [
    "ActiveTurn",
    "CancelToken",
    "ChatSession",
    "Chunk",
    "Conversation",
    "End",
    "Error",
    "Event",
    "GenerationSettings",
    "ModelListError",
    "OpenAICompatProvider",
    "ProviderConfig",
    "Reasoning",
    "Timeouts",
    "ToolCall",
    "ToolResult",
    "Turn",
    "Usage",
    "UserEntry",
    "event_from_dict",
    "make_provider",
    "run_turn",
    "start_turn",
]
