"""Everything one visitor's chat needs, in one object the UI keeps in its session state.

Per user by construction: the UI creates one ``ChatSession`` per browser session and
never shares it (no module globals, no ``st.cache_resource``). Pages call its methods and
render what they return; all decisions live here, where plain pytest can check them.
"""

from __future__ import annotations

import threading
from typing import Iterator

from .conversation import Conversation, UserEntry
from .engine import ActiveTurn, start_turn
from .events import Event
from .messages import CONTINUE_INSTRUCTION
from .mock.options import MockOptions
from .providers import OpenAICompatProvider, make_provider
from .settings import GenerationSettings, ProviderConfig
from .tools import ToolRegistry, default_registry
from .turn import Turn
from .user_text import clean_user_text

STOP_REASONS = {
    "stop": "Stopped.",
    "new_prompt": "Stopped: a new prompt was sent.",
    "interrupted": "Stopped: the page was used while the answer streamed.",
    "new_chat": "Stopped: a new chat was started.",
}


CONTINUABLE = ("stopped", "incomplete", "error", "interrupted")


class ChatSession:
    def __init__(self, registry: ToolRegistry | None = None) -> None:
        self.conversation = Conversation()
        self.registry = registry if registry is not None else default_registry()
        self.active: ActiveTurn | None = None
        self.finished_turns: list[Turn] = []  # this session's answers, for the Metrics page
        self._provider: OpenAICompatProvider | None = None
        self._provider_key: tuple | None = None
        self._lock = threading.Lock()  # the streaming thread and the next script run both retire turns

    # ------------------------------------------------------------ provider
    def provider(self, config: ProviderConfig, mock: MockOptions | None = None) -> OpenAICompatProvider:
        """The provider for these settings; rebuilt only when they change (keeps the connection pool)."""
        key = (config, mock if config.is_mock else None)
        if self._provider is None or key != self._provider_key:
            if self._provider is not None:
                self._provider.close()
            self._provider = make_provider(config, mock)
            self._provider_key = key
        return self._provider

    # ------------------------------------------------------------ turns
    @property
    def is_streaming(self) -> bool:
        return self.active is not None and not self.active.is_finished

    def stop(self, reason: str = "stop") -> Turn | None:
        """End the answer in progress, if any. Safe to call on every script run."""
        active = self.active
        if active is None:
            return None
        if not active.is_finished:
            active.stop(reason)
            active.turn.end_message = STOP_REASONS.get(reason, STOP_REASONS["stop"])
        self._retire(active)
        return active.turn

    def _retire(self, active: ActiveTurn) -> None:
        with self._lock:
            if not any(t is active.turn for t in self.finished_turns):
                self.finished_turns.append(active.turn)
            if self.active is active:
                self.active = None

    def send(
        self,
        prompt: str | None,
        config: ProviderConfig,
        settings: GenerationSettings,
        mock: MockOptions | None = None,
        *,
        hidden: bool = False,
    ) -> ActiveTurn:
        """Start answering ``prompt`` (None: answer the history again, e.g. after Retry)."""
        self.stop("new_prompt")
        if prompt is not None:
            prompt = clean_user_text(prompt)
        active = start_turn(
            self.provider(config, mock),
            self.conversation,
            prompt,
            settings=settings,
            tools=self.registry,
            timeouts=config.timeouts,
            model=config.model,
            hidden=hidden,
        )
        self.active = active
        return active

    def events(self, active: ActiveTurn) -> Iterator[Event]:
        """Stream ``active``'s events; when they run out the turn is retired."""
        try:
            yield from active.events()
        finally:
            if active.is_finished:
                self._retire(active)

    def drop_last_answer(self) -> bool:
        """For Retry: forget the last answer so the last prompt can be answered again."""
        self.stop("new_prompt")
        entries = self.conversation.entries
        if not entries or not isinstance(entries[-1], Turn):
            return False
        entries.pop()
        return True

    def can_continue(self) -> bool:
        last = self.conversation.last_turn
        entries = self.conversation.entries
        return bool(entries) and entries[-1] is last and last is not None and last.status in CONTINUABLE and bool(last.text)

    def continue_answer(self, config: ProviderConfig, settings: GenerationSettings, mock: MockOptions | None = None) -> ActiveTurn | None:
        """Ask the model to carry on a stopped or cut-short answer; the new part follows it."""
        if not self.can_continue():
            return None
        return self.send(CONTINUE_INSTRUCTION, config, settings, mock, hidden=True)

    def edit_prompt(self, index: int) -> str | None:
        """For editing a previous prompt: drop it and everything after it; return its text."""
        self.stop("new_prompt")
        entries = self.conversation.entries
        if not 0 <= index < len(entries) or not isinstance(entries[index], UserEntry):
            return None
        text = entries[index].content
        del entries[index:]
        return text

    def new_chat(self) -> None:
        self.stop("new_chat")
        self.conversation = Conversation()


__all__ = ["ChatSession", "STOP_REASONS"]
