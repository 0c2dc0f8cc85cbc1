"""The process's one tool catalog (built-in, your tools/ files, MCP servers), shared by
every session: it holds no user data and is thread-safe. Each script run asks it for the
current tools, so an edited file or a server that just became ready shows at once."""

from __future__ import annotations

import os
from typing import Any

import streamlit as st

from chatcore.mcp.config import ServerSpec, load_server_specs
from chatcore.session import ChatSession
from chatcore.tools import default_registry
from chatcore.tools.catalog import CatalogView, StaticTools, ToolCatalog, user_tool_sources

STATUS_ICONS = {"ready": ":green[:material/check_circle:]", "connecting": ":material/progress_activity:",
                "failed": ":red[:material/error:]"}


@st.cache_resource(show_spinner=False)
def _catalog(tools_dir: str, modules: str, servers: tuple[ServerSpec, ...], problems: tuple[str, ...]) -> ToolCatalog:
    env = {"CHAT_TOOLS_DIR": tools_dir, "CHAT_TOOL_MODULES": modules}
    sources = [StaticTools(default_registry()), *user_tool_sources(env)]
    if servers or problems:  # the SDK is imported only when there is a server to talk to
        from chatcore.mcp.manager import shared_manager

        sources.append(shared_manager(servers, problems))
    return ToolCatalog(sources)


def _plain(value: Any) -> Any:
    return {str(k): _plain(v) for k, v in value.items()} if hasattr(value, "items") else value


def _secret_servers() -> dict[str, Any]:
    """``[mcp_servers.NAME]`` tables from st.secrets, as plain dicts (headers may hold tokens)."""
    try:
        return _plain(st.secrets.get("mcp_servers") or {})
    except Exception:  # no secrets.toml at all
        return {}


def tool_catalog() -> ToolCatalog:
    servers, problems = load_server_specs(secrets=_secret_servers())  # a small file: read on every run
    return _catalog(os.environ.get("CHAT_TOOLS_DIR", ""), os.environ.get("CHAT_TOOL_MODULES", ""), servers, problems)


def mcp_states() -> list[Any]:
    """Each configured server's ``ServerState``."""
    return [state for source in tool_catalog().sources if hasattr(source, "states") for state in source.states()]


def render_server_states(*, detailed: bool = False) -> None:
    """Each MCP server's state: connecting, ready with N tools, or failed and why."""
    for state in mcp_states():
        line = f"{STATUS_ICONS[state.status]} **{state.name}** · {state.describe()}"
        if detailed:
            st.markdown(f"{line}  \n`{state.target}`")
        else:
            st.caption(line)


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
