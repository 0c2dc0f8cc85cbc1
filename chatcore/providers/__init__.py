"""Model providers. There is one real implementation; the mock is the same class over an
in-process transport, so the demo path is the production path."""

# Re-exports only (make_provider lives in factory.py), so nothing but __all__ is public here;
# tests/test_public_surface.py holds this list.
from .factory import make_provider
from .openai_compat import ModelListError, OpenAICompatProvider, abort_response

__all__ = ["ModelListError", "OpenAICompatProvider", "abort_response", "make_provider"]
