"""Everything one visitor's chat needs, in one object the UI keeps in its session state.

Per user by construction: the UI creates one ``ChatSession`` per browser session and
never shares it (no module globals, no ``st.cache_resource``). Pages call its methods and
render what they return; all decisions live here, where plain pytest can check them.

With an ``archive`` the chat is saved as it happens (see ``archive``); without one (the
store is down) it works the same, in memory, and ``storage_problem`` says why.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterator, TypeVar, cast

from .archive import ChatArchive
from .checkpoint import TurnSaver
from .conversation import Conversation, UserEntry
from .engine import ActiveTurn, start_turn
from .events import Event
from .messages import CONTINUE_INSTRUCTION
from .mock.options import MockOptions
from .providers import OpenAICompatProvider, make_provider
from .settings import GenerationSettings, ProviderConfig, settings_record
from .store import StoreError
from .tools import ToolRegistry, default_registry
from .turn import Turn
from .user_text import clean_user_text

T = TypeVar("T")

STOP_REASONS = {
    "stop": "Stopped.",
    "new_prompt": "Stopped: a new prompt was sent.",
    "interrupted": "Stopped: the page was used while the answer streamed.",
    "new_chat": "Stopped: a new chat was started.",
}


CONTINUABLE = ("stopped", "incomplete", "error", "interrupted")


class ChatSession:
    def __init__(self, registry: ToolRegistry | None = None, archive: ChatArchive | None = None) -> None:
        """``archive``: where the chat is saved (None: kept in memory only, e.g. the store is down)."""
        self.conversation = Conversation()
        self.registry = registry if registry is not None else default_registry()
        self.archive = archive
        self.active: ActiveTurn | None = None
        self.finished_turns: list[Turn] = []  # this session's answers, for the Metrics page
        self._provider: OpenAICompatProvider | None = None
        self._provider_key: tuple[Any, ...] | None = None
        self._lock = threading.Lock()  # the streaming thread and the next script run both retire turns
        self._store_problem: str | None = None
        self._last_saver: TurnSaver | None = None

    # ------------------------------------------------------------ saving
    @property
    def storage_problem(self) -> str | None:
        """Why the chat is not (fully) saved right now, in words for the user; None when it is."""
        saver = self._last_saver
        return self._store_problem or (saver.problem if saver is not None else None)

    def _saving(self, action: Callable[[ChatArchive], T]) -> T | None:
        """Run a save; a store failure becomes ``storage_problem``, never an exception."""
        if self.archive is None:
            return None
        try:
            result = action(self.archive)
        except StoreError as exc:
            self._store_problem = str(exc)
            return None
        self._store_problem = None
        return result

    @property
    def last_saver(self) -> TurnSaver | None:
        """What saves (or saved) the latest answer; None when nothing is being saved."""
        return self._last_saver

    def wait_saved(self, timeout: float = 5.0) -> bool:
        """Wait until the last answer's final state is saved (tests, and before a redraw)."""
        saver = self._last_saver
        return saver is None or saver.wait(timeout)

    def open_conversation(self, conversation_id: str) -> bool:
        """Show a stored conversation (theirs, or held by link). False if not found or not theirs."""
        if self.conversation.id == conversation_id:
            return True
        found = self._saving(lambda archive: archive.open(conversation_id))
        if found is None:
            return False
        self.stop("new_chat")
        self.conversation = found
        return True

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
            active.stop(reason, STOP_REASONS.get(reason, STOP_REASONS["stop"]))
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
        conversation = self.conversation
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
        if self.archive is not None:  # before the first event is read, so before the request goes out
            entry = cast(UserEntry, conversation.entries[-2]) if prompt is not None else None  # the prompt just added
            self._save_start(conversation, entry, active, settings_record(config, settings), config.model)
        self.active = active
        return active

    def _save_start(self, conversation: Conversation, entry: UserEntry | None, active: ActiveTurn,
                    settings: dict[str, Any], model: str) -> None:
        if entry is not None:
            self._saving(lambda archive: archive.save_prompt(conversation, entry, settings, model=model))
        saver = self._saving(lambda archive: archive.start_answer(conversation, active.turn))
        if saver is not None:
            active.saver = saver
            self._last_saver = saver
            if active.is_finished:  # stopped before the saver existed
                saver.wake()

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
        conversation = self.conversation
        entries = conversation.entries
        if not entries or not isinstance(entries[-1], Turn):
            return False
        turn = entries.pop()
        self._saving(lambda archive: archive.forget_from(conversation, turn))
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
        entry = entries[index] if 0 <= index < len(entries) else None
        if not isinstance(entry, UserEntry):
            return None
        del entries[index:]
        conversation = self.conversation
        self._saving(lambda archive: archive.forget_from(conversation, entry))
        return entry.content

    def new_chat(self) -> None:
        self.stop("new_chat")
        self.conversation = Conversation()


__all__ = ["ChatSession", "STOP_REASONS"]
