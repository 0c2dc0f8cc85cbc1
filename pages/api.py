"""API: how to reach this app over HTTP, and the bearer tokens that let scripts in."""

from ui.access import require_access
from ui.api_page import render_api_page

require_access()
render_api_page()
