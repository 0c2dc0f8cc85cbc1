"""Metrics: time to first token, speed and size of this session's answers."""

from ui.metrics import render_metrics_page

render_metrics_page()
