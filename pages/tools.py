"""Tools: every tool the model may call, its JSON schema, and a form to try it."""

from ui.access import require_access
from ui.tools_page import render_tools_page

require_access()
render_tools_page()
