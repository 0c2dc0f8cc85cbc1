"""The process's one tool catalog (built-in, your tools/ files, MCP servers), shared by
every session: it holds no user data and is thread-safe. Each script run asks it for the
current tools, so an edited file or a server that just became ready shows at once."""

from __future__ import annotations

import os

import streamlit as st

from chatcore.session import ChatSession
from chatcore.tools import default_registry
from chatcore.tools.catalog import CatalogView, StaticTools, ToolCatalog, user_tool_sources


@st.cache_resource(show_spinner=False)
def _catalog(tools_dir: str, modules: str) -> ToolCatalog:
    env = {"CHAT_TOOLS_DIR": tools_dir, "CHAT_TOOL_MODULES": modules}
    return ToolCatalog([StaticTools(default_registry()), *user_tool_sources(env)])


def tool_catalog() -> ToolCatalog:
    return _catalog(os.environ.get("CHAT_TOOLS_DIR", ""), os.environ.get("CHAT_TOOL_MODULES", ""))


def refresh_tools(session: ChatSession) -> CatalogView:
    """The current tools, also handed to this visitor's session for the next answer."""
    view = tool_catalog().view()
    session.registry = view.registry
    return view


def render_tool_problems(view: CatalogView, *, limit: int | None = None) -> None:
    """One warning per problem (file and line first), e.g. on the Tools page and in the sidebar."""
    problems = view.problems
    shown = problems if limit is None else problems[:limit]
    for problem in shown:
        st.warning(f"`{problem.where}`: {problem.message}", icon=":material/build_circle:")
    if limit is not None and len(problems) > limit:
        st.caption(f"{len(problems) - limit} more on the Tools page.")
