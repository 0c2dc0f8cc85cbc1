"""Limits for a public demo and the usage figures behind them (the front door: import from here).

    config    Limits: the frozen value read from secrets/env (``CHAT_LIMIT_*``)
    who       Requester: whom a prompt counts against; client_address behind trusted proxies
    counters  LimitCounters: the shared counters in the store (atomic on SQLite and PostgreSQL)
    guard     Guard: admit a prompt (or raise LimitExceeded), settle an answer
    roles     is_admin: who may see the Usage page

Never imports streamlit.
"""

from .config import Limits, LimitsConfigError
from .counters import DailyFigure, LimitCounters
from .guard import Admission, Guard, LimitExceeded
from .roles import admin_emails, is_admin
from .who import Requester, client_address, requester_for

__all__ = [
    "Admission",
    "DailyFigure",
    "Guard",
    "LimitCounters",
    "LimitExceeded",
    "Limits",
    "LimitsConfigError",
    "Requester",
    "admin_emails",
    "client_address",
    "is_admin",
    "requester_for",
]
