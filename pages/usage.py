"""Usage: tokens per day per model, answers, errors and limits hit (admins only)."""

from ui.access import require_access
from ui.usage_page import render_usage_page

require_access()
render_usage_page()
