"""Compare models: one prompt to 2-4 targets, side by side."""

from ui.access import require_access
from ui.compare_page import render_compare_page

require_access()
render_compare_page()
