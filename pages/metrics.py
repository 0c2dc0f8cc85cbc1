"""Metrics: time to first token, speed and size of this session's and the saved answers."""

from ui.access import require_access
from ui.metrics import render_metrics_page

require_access()
render_metrics_page()
