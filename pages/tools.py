"""Tools: every tool the model may call, its JSON schema, and a form to try it."""

from ui.tools_page import render_tools_page

render_tools_page()
