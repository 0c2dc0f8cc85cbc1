"""The endpoint doctor: probe an OpenAI-compatible endpoint and keep what it can do as a
frozen ``Capabilities`` profile that the provider applies."""

from .cache import ProfileCache
from .capabilities import Capabilities
from .doctor import DoctorReport, run_doctor
from .exchange import ProbeTarget
from .probes import Cell
from .target import target_for

__all__ = ["Capabilities", "Cell", "DoctorReport", "ProbeTarget", "ProfileCache", "run_doctor", "target_for"]
