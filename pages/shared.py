"""A shared chat (``?share=<token>``): read-only, for anyone holding the link (no sign-in)."""

from ui.shared_view import render_shared_page

render_shared_page()
