"""Persistence: conversations, messages and tool calls in SQLite or PostgreSQL.

    store       ChatStore: the one object callers use
    records     Turn <-> plain JSON-able record (what rendering is rebuilt from)
    schema      the tables as they are now; migrations: how they got there
    engine      URL from the environment, an engine set up for many threads
    summary     the conversation list, answers' figures, a creator's usage; redact: secrets out of stored settings
    opener      one store per process, opened lazily, retried when the database is down
    errors      StoreError, worded for the user

Never imports streamlit.
"""

from .engine import DEFAULT_URL, url_from_env
from .errors import ConversationNotFound, StoreError
from .migrations import MIGRATIONS
from .opener import StoreOpener
from .records import turn_from_record, turn_to_record
from .redact import strip_secrets
from .store import ChatStore
from .summary import AnswerFigures, ConversationSummary, StoredUsage

__all__ = [
    "AnswerFigures",
    "DEFAULT_URL",
    "MIGRATIONS",
    "ChatStore",
    "ConversationNotFound",
    "ConversationSummary",
    "StoreError",
    "StoreOpener",
    "StoredUsage",
    "strip_secrets",
    "turn_from_record",
    "turn_to_record",
    "url_from_env",
]
