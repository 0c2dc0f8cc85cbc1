"""Endpoint doctor: what an OpenAI-compatible endpoint can do, with the evidence."""

from ui.access import require_access
from ui.doctor_page import render_doctor_page

require_access()
render_doctor_page()
