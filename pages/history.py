"""History: your saved conversations; open, rename, export or delete them."""

from ui.access import require_access
from ui.history_page import render_history_page

require_access()
render_history_page()
