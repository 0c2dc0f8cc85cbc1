"""Export a conversation: Markdown to read, JSON to keep, and the exact request that
reproduces the next turn (with a ready-to-run curl line).

Never includes the API key: the curl line reads it from ``$OPENAI_API_KEY`` at run time.
That key goes wherever the line points, so ``curl_target`` aims it at the *viewer's*
current server by default (a link holder may not trust the server a conversation was
answered by) and, when the viewer picks the conversation's own server instead, says
plainly which host the command will contact.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit

from .attachments.records import summary, to_record
from .conversation import Conversation, Entry, UserEntry
from .conversation_tree import Versions
from .literal_markdown import literal_markdown
from .messages import with_system_prompt
from .settings import GenerationSettings, ProviderConfig
from .store.redact import strip_secrets
from .tools import ToolRegistry
from .turn import Turn

STATUS_NOTES = {
    "stopped": "_(stopped by the user)_",
    "error": "_(ended with an error)_",
    "incomplete": "_(cut short: the stream ended without a finish reason)_",
    "interrupted": "_(interrupted: the server restarted mid-answer)_",
}


def _fence(text: str, language: str = "") -> str:
    ticks = "```"
    while ticks in text:
        ticks += "`"
    return f"{ticks}{language}\n{text}\n{ticks}"


def _literal(name: str) -> str:
    """A visitor's file name as plain Markdown text (no links, emphasis or HTML), on one line."""
    return literal_markdown(" ".join(name.split()))


def path_note(conversation: Conversation) -> str | None:
    """Which versions the shown path is made of, in words; None when nothing has versions."""
    if not conversation.tree.has_versions(conversation.entries):
        return None
    picked = [f"message {i + 1} is version {v.index + 1} of {v.count}"
              for i, v in enumerate(conversation.versions()) if v.count > 1]
    shown = "; ".join(picked) if picked else "every message shown has one version"
    return f"This is the path shown in the app ({shown}). Other versions are left out; the JSON export keeps them all."


def _version_tag(versions: list[Versions], index: int) -> str:
    v = versions[index]
    return f" · version {v.index + 1} of {v.count}" if v.count > 1 else ""


def to_markdown(conversation: Conversation) -> str:
    lines = [f"# {conversation.title or 'Conversation'}", ""]
    note = path_note(conversation)
    if note is not None:
        lines += [f"_{note}_", ""]
    versions = conversation.versions()
    for i, entry in enumerate(conversation.entries):
        if isinstance(entry, UserEntry):
            lines += ["_(you asked the model to continue)_", ""] if entry.hidden else [f"## You{_version_tag(versions, i)}", "",
                                                                                      entry.content, ""]
            lines += [f"- Attached: {_literal(a.name)} ({summary(a)})" for a in entry.attachments]
            lines += [""] if entry.attachments else []
            continue
        lines += [f"## Assistant{f' ({entry.model})' if entry.model else ''}{_version_tag(versions, i)}", ""]
        for segment in entry.segments:
            if segment.kind == "text":
                lines += [segment.text, ""]
            elif segment.kind == "reasoning":
                lines += ["<details><summary>Reasoning</summary>", "", segment.text, "", "</details>", ""]
            else:
                call = entry.tool_calls.get(segment.tool_id)
                if call is None:
                    continue
                lines += [f"**Tool `{call.name}`** ({call.state})", "", _fence(call.arguments or "{}", "json"), ""]
                if call.error is not None:
                    lines += [f"Error: {call.error}", ""]
                elif call.state == "complete":
                    lines += [_fence(json.dumps(call.result, indent=2, ensure_ascii=False, default=str), "json"), ""]
        if entry.error is not None:
            lines += [f"> Error: {entry.error.message}", ""]
        note = STATUS_NOTES.get(entry.status)
        if note:
            lines += [note, ""]
    return "\n".join(lines).rstrip() + "\n"


def to_json(
    conversation: Conversation,
    turn_record: Callable[[Turn], dict[str, Any]],
    settings: dict[str, Any] | None = None,
) -> str:
    """Every message, tool call, usage and timing. ``turn_record`` is the store's serialiser;
    ``settings`` (already without secrets) what the conversation was answered with.

    ``entries``: the path shown. ``messages``: every version (the whole tree), each with its
    ``id``, its ``parent_id`` (null: a first prompt) and whether it is ``shown``;
    ``shown_path`` lists the ids of the path shown, in order."""
    def record(entry: Entry) -> dict[str, Any]:
        if isinstance(entry, UserEntry):
            user: dict[str, Any] = {"role": "user", "content": entry.content, "created_at": entry.created_at, "hidden": entry.hidden}
            if entry.attachments:
                user["attachments"] = [to_record(a) for a in entry.attachments]
            return user
        return {"role": "assistant", **turn_record(entry)}

    tree = conversation.tree.messages(conversation.entries)
    data: dict[str, Any] = {"id": conversation.id, "title": conversation.title}
    if settings is not None:
        data["settings"] = strip_secrets(settings)
    data["entries"] = [record(entry) for entry in conversation.entries]
    data["shown_path"] = [m.number for m in tree if m.shown]
    data["messages"] = [{"id": m.number, "parent_id": m.parent, "shown": m.shown, **record(m.entry)} for m in tree]
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def next_turn_request(
    conversation: Conversation,
    config: ProviderConfig,
    settings: GenerationSettings,
    registry: ToolRegistry | None = None,
) -> dict[str, Any]:
    """The exact chat-completions body the app would send for the next turn."""
    body: dict[str, Any] = {
        "model": config.model,
        "messages": with_system_prompt(settings.system_prompt, conversation.history_messages()),
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if registry is not None and settings.max_steps > 0:
        offered = registry.subset(settings.tools) if settings.tools is not None else registry
        if len(offered):
            body["tools"] = offered.openai_tools()
    if settings.temperature is not None:
        body["temperature"] = settings.temperature
    if settings.max_tokens:
        body["max_tokens"] = settings.max_tokens
    return body


@dataclass(frozen=True, slots=True)
class CurlTarget:
    """Where an exported curl line sends the request (and the runner's ``$OPENAI_API_KEY``)."""

    base_url: str
    host: str
    note: str  # one sentence for the viewer: which host the command contacts
    elsewhere: bool  # True: not the viewer's current server (show the note as a warning)


def host_of(base_url: str) -> str:
    """``host`` or ``host:port`` of a base URL, as a person would recognise it."""
    try:
        parts = urlsplit(base_url)
        return parts.netloc.rsplit("@", 1)[-1] or base_url
    except ValueError:
        return base_url


def _same_server(a: str, b: str) -> bool:
    return a.rstrip("/").lower() == b.rstrip("/").lower()


def curl_target(viewer_base_url: str, conversation_base_url: str = "", *, use_conversation_server: bool = False) -> CurlTarget:
    """The viewer's current base URL, or (when asked, and different) the conversation's."""
    viewer = viewer_base_url.rstrip("/")
    stored = conversation_base_url.rstrip("/")
    if use_conversation_server and stored and not _same_server(stored, viewer):
        host = host_of(stored)
        return CurlTarget(
            stored,
            host,
            f"This command contacts {host}, the server this conversation was answered by, not your current server "
            f"({host_of(viewer)}). It sends your `$OPENAI_API_KEY` to {host}: run it only if you trust that server.",
            elsewhere=True,
        )
    host = host_of(viewer)
    return CurlTarget(
        viewer,
        host,
        f"This command contacts {host} (your current base URL) with the key in `$OPENAI_API_KEY`; the key is never exported.",
        elsewhere=False,
    )


def to_curl(body: dict[str, Any], base_url: str) -> str:
    """A curl line that replays ``body``; the key comes from the environment, never the export."""
    url = base_url.rstrip("/") + "/chat/completions"
    payload = json.dumps(body, ensure_ascii=False)
    return (
        f"curl -N {shlex.quote(url)} \\\n"
        '  -H "Content-Type: application/json" \\\n'
        '  -H "Authorization: Bearer $OPENAI_API_KEY" \\\n'
        f"  -d {shlex.quote(payload)}"
    )


__all__ = ["CurlTarget", "curl_target", "host_of", "next_turn_request", "path_note", "to_curl", "to_json", "to_markdown"]
