"""Everything one visitor's chat needs, in one object the UI keeps in its session state.

Per user by construction: the UI creates one ``ChatSession`` per browser session and
never shares it (no module globals, no ``st.cache_resource``). Pages call its methods and
render what they return; all decisions live here, where plain pytest can check them.

With an ``archive`` the chat is saved as it happens (see ``archive``); without one (the
store is down) it works the same, in memory, and ``storage_problem`` says why.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterator, Sequence, TypeVar, cast

from .answer_log import log_answer
from .archive import ChatArchive
from .attachments import Attachment
from .checkpoint import TurnSaver
from .conversation import Conversation, UserEntry
from .engine import ActiveTurn, continue_turn, start_turn
from .events import Event
from .limits import Admission, Guard
from .live_turn import LiveTurn, TurnHub
from .mock.options import MockOptions
from .providers import OpenAICompatProvider, make_provider
from .settings import GenerationSettings, ProviderConfig, settings_record
from .store import StoreError
from .store.redact import strip_secrets
from .ticker import TICK
from .tools import ToolRegistry, default_registry
from .turn import Turn
from .user_text import clean_user_text

T = TypeVar("T")

STOP_REASONS = {
    "stop": "Stopped.",
    "new_prompt": "Stopped: a new prompt was sent.",
    "interrupted": "Stopped: the page was used while the answer streamed.",
    "new_chat": "Stopped: a new chat was started.",
    "idle": "Stopped: nobody was watching this answer.",
}


CONTINUABLE = ("stopped", "incomplete", "error", "interrupted")


class ChatSession:
    def __init__(self, registry: ToolRegistry | None = None, archive: ChatArchive | None = None,
                 hub: TurnHub | None = None, guard: Guard | None = None,
                 shared_providers: Callable[[ProviderConfig, MockOptions | None], OpenAICompatProvider] | None = None) -> None:
        """``archive``: where the chat is saved (None: kept in memory only, e.g. the store is down).

        ``hub``: where answers run, detached from the page (the UI passes the process's
        hub, so a reloaded page or a second tab finds a running answer; see ``live_turn``)."""
        self.conversation = Conversation()
        self.registry = registry if registry is not None else default_registry()
        self.archive = archive
        self.hub = hub if hub is not None else TurnHub()
        self._shared_providers = shared_providers  # the API's: one provider per operator setting, process-wide
        self.finished_turns: list[Turn] = []  # this session's answers, for the Metrics page
        self._provider: OpenAICompatProvider | None = None
        self._provider_key: tuple[Any, ...] | None = None
        self._lock = threading.Lock()  # the streaming thread and the next script run both retire turns
        self._store_problem: str | None = None
        self._last_saver: TurnSaver | None = None
        # Limits for a public demo (chatcore/limits), checked before each request; None: no limits.
        self.guard = guard
        self._admissions: dict[int, Admission] = {}  # id(turn) -> the admission it runs under
        self.log_messages = False  # CHAT_LOG_MESSAGES: the answer's log line also carries the text
        self._edited_attachments: tuple[Attachment, ...] = ()  # the prompt being edited had these: its new version keeps them

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

    def no_room(self, prompt: str, attachments: Sequence[Attachment] = ()) -> str | None:
        """Why ``prompt`` may not be saved (this visitor is over a per-visitor limit), or None.

        Ask before ``send``: refused, nothing is stored or sent. Without a store, or when it
        fails here, the chat is not blocked (saving reports its own problems)."""
        if self.archive is None:
            return None
        try:
            return self.archive.check_room(len(prompt) + sum(a.size for a in attachments), self.conversation.id)
        except StoreError:
            return None

    def open_conversation(self, conversation_id: str) -> bool:
        """Show a stored conversation (theirs, or held by link). False if not found or not theirs."""
        if self.conversation.id == conversation_id:
            return True
        found = self._saving(lambda archive: archive.open(conversation_id))
        if found is None:
            return False
        self.conversation = found
        self._attach_running_answer(found)
        return True

    @property
    def written_elsewhere(self) -> bool:
        """The last answer is still streaming in another process (another replica, or one that
        died and is not yet known dead): the page follows it through the store (``reload``)."""
        last = self.conversation.entries[-1] if self.conversation.entries else None
        return isinstance(last, Turn) and last.status == "streaming" and self.live is None

    def reload(self) -> bool:
        """Read the conversation on screen again from the store. False if it cannot be read."""
        cid = self.conversation.id
        found = self._saving(lambda archive: archive.open(cid))
        if found is None:
            return False
        self.conversation = found
        self._attach_running_answer(found)
        return True

    def _attach_running_answer(self, conversation: Conversation) -> None:
        """An answer to this conversation still streams (started in another tab, or before a
        reload): show the live record instead of its last checkpoint."""
        live = self.hub.get(conversation.id)
        last = conversation.entries[-1] if conversation.entries else None
        if live is None or not isinstance(last, Turn):
            return
        if last.message_id is not None and last.message_id == live.turn.message_id:
            conversation.entries[-1] = live.turn

    # ------------------------------------------------------------ provider
    def provider(self, config: ProviderConfig, mock: MockOptions | None = None) -> OpenAICompatProvider:
        """The provider for these settings; rebuilt only when they change (keeps the connection pool)."""
        if self._shared_providers is not None:
            return self._shared_providers(config, mock)
        key = (config, mock if config.is_mock else None)
        if self._provider is None or key != self._provider_key:
            if self._provider is not None:
                self._provider.close()
            self._provider = make_provider(config, mock)
            self._provider_key = key
        return self._provider

    # ------------------------------------------------------------ turns
    @property
    def live(self) -> LiveTurn | None:
        """The answer running in the conversation on screen, if any (also one started by another tab)."""
        return self.hub.get(self.conversation.id)

    @property
    def active(self) -> ActiveTurn | None:
        live = self.live
        return live.active if live is not None else None

    @property
    def is_streaming(self) -> bool:
        live = self.live
        return live is not None and not live.is_finished

    def stop(self, reason: str = "stop") -> Turn | None:
        """End the answer running in this chat, if any. Safe to call on every script run."""
        live = self.live
        if live is None:
            return None
        if not live.is_finished:
            live.stop(reason, STOP_REASONS.get(reason, STOP_REASONS["stop"]))
        return live.turn

    def _finished(self, live: LiveTurn) -> None:
        with self._lock:
            if not any(t is live.turn for t in self.finished_turns):
                self.finished_turns.append(live.turn)
        self._settle(live.turn)
        visitor = "unknown" if self.archive is None else ("user" if self.archive.visitor.signed_in else "anonymous")
        log_answer(live.turn, conversation_id=live.conversation_id, visitor=visitor,
                   prompt=self._prompt_before(live.turn) if self.log_messages else None, include_text=self.log_messages)

    def _prompt_before(self, turn: Turn) -> str | None:
        entries = self.conversation.entries
        for i, entry in enumerate(entries):
            if entry is turn:
                return next((e.content for e in reversed(entries[:i]) if isinstance(e, UserEntry) and not e.hidden), None)
        return None

    # ------------------------------------------------------------ limits (chatcore/limits)
    def _admit(self, config: ProviderConfig, settings: GenerationSettings, new_entries: int) -> tuple[GenerationSettings, Admission | None]:
        """Before anything is saved or sent: may this request go out? Raises ``LimitExceeded``
        (the upstream is never called); else the settings to send (``max_tokens`` capped)."""
        if self.guard is None:
            return settings, None
        previous = self.conversation.last_turn
        if previous is not None and previous.is_finished:
            self._settle(previous)  # stopped just now: its slot is free before this prompt is counted
        admission = self.guard.admit(model=config.model, messages=len(self.conversation.entries) + new_entries,
                                     max_tokens=settings.max_tokens)
        if admission.max_tokens != settings.max_tokens:
            settings = settings.with_changes(max_tokens=admission.max_tokens)
        return settings, admission

    def _run_admitted(self, admission: Admission | None, turn: Turn | None, start: Callable[[], LiveTurn]) -> LiveTurn:
        if admission is not None and turn is not None:
            with self._lock:
                self._admissions[id(turn)] = admission
        try:
            return start()
        except BaseException:
            if admission is not None and self.guard is not None:
                self.guard.settle(admission, None)
            raise

    def _settle(self, turn: Turn) -> None:
        with self._lock:
            admission = self._admissions.pop(id(turn), None)
        if admission is not None and self.guard is not None:
            self.guard.settle(admission, turn)

    def send(
        self,
        prompt: str | None,
        config: ProviderConfig,
        settings: GenerationSettings,
        mock: MockOptions | None = None,
        attachments: Sequence[Attachment] | None = None,
        *,
        keep_for_replay: bool = False,
    ) -> LiveTurn:
        """Start answering ``prompt`` (None: answer the history again, e.g. after Retry) with its
        ``attachments`` (already checked by ``chatcore.attachments.prepare``; saved with the prompt,
        sent with it now and replayed with it on every later request). None: none, or after
        ``edit_prompt`` the edited prompt's; ``()`` says "no files" even then (all left out).

        The answer runs detached (``live_turn``): follow it with ``events()`` or
        ``LiveTurn.follow()``; leaving it does not stop it. ``keep_for_replay``: it stays
        findable by its ``turn_id`` for a while after it ends (``TurnHub``; the HTTP API's)."""
        self.stop("new_prompt")
        if prompt is not None:
            prompt = clean_user_text(prompt)
        settings, admission = self._admit(config, settings, 2 if prompt is not None else 1)
        try:
            files = None if attachments is None else tuple(attachments)
            return self._start_answer(prompt, config, settings, mock, admission, files if prompt is not None else (),
                                      keep_for_replay=keep_for_replay)
        except BaseException:
            if admission is not None and self.guard is not None:
                self.guard.settle(admission, None)  # nothing was sent: free the slot (settle counts once)
            raise

    def _start_answer(self, prompt: str | None, config: ProviderConfig, settings: GenerationSettings,
                      mock: MockOptions | None, admission: Admission | None, attachments: tuple[Attachment, ...] | None = None,
                      *, keep_for_replay: bool = False) -> LiveTurn:
        conversation = self.conversation
        edited, self._edited_attachments = self._edited_attachments, ()
        attachments = edited if attachments is None else attachments  # an edited prompt's new version keeps its files
        active = start_turn(
            self.provider(config, mock),
            self.conversation,
            prompt,
            settings=settings,
            tools=self.registry,
            timeouts=config.timeouts,
            model=config.model,
            attachments=attachments if prompt is not None else (),
        )
        record = settings_record(config, settings)
        active.turn.settings = strip_secrets(record)  # the answer keeps what it was made with (ratings copy it)
        if self.archive is not None:  # before the first event is read, so before the request goes out
            entry = cast(UserEntry, conversation.entries[-2]) if prompt is not None else None  # the prompt just added
            self._save_start(conversation, entry, active, record, config.model)
        return self._run_admitted(admission, active.turn, lambda: self.hub.start(
            conversation.id, active, on_finish=self._finished, keep_for_replay=keep_for_replay))

    def _save_start(self, conversation: Conversation, entry: UserEntry | None, active: ActiveTurn,
                    settings: dict[str, Any], model: str) -> None:
        if entry is not None:
            self._saving(lambda archive: archive.save_prompt(conversation, entry, settings, model=model))
        saver = self._saving(lambda archive: archive.start_answer(conversation, active.turn))
        self._keep_saved(active, saver)

    def _keep_saved(self, active: ActiveTurn, saver: TurnSaver | None) -> None:
        if saver is not None:
            active.saver = saver
            self._last_saver = saver
            if active.is_finished:  # stopped before the saver existed
                saver.wake()

    def events(self, live: LiveTurn) -> Iterator[Event]:
        """``live``'s events from its start (what was said so far at once, then live)."""
        for event in live.follow():
            if event is not TICK:
                yield event  # type: ignore[misc]

    def drop_last_answer(self) -> bool:
        """For Retry and Regenerate: set the last answer aside (it stays, as a version) so the
        last prompt can be answered again; the new answer becomes its sibling."""
        self.stop("new_prompt")
        entries = self.conversation.entries
        if not entries or not isinstance(entries[-1], Turn):
            return False
        self.conversation.branch_at(len(entries) - 1)
        return True

    def can_continue(self) -> bool:
        last = self.conversation.last_turn
        entries = self.conversation.entries
        return bool(entries) and entries[-1] is last and last is not None and last.status in CONTINUABLE and bool(last.text)

    def continue_answer(self, config: ProviderConfig, settings: GenerationSettings, mock: MockOptions | None = None) -> LiveTurn | None:
        """Ask the model to carry on a stopped or cut-short answer: the new text joins the same
        answer (one record, one bubble, one stored message) and its stop note goes away."""
        if not self.can_continue():
            return None
        conversation = self.conversation
        turn = conversation.last_turn
        if turn is None:  # can_continue() said there is one
            return None
        settings, admission = self._admit(config, settings, 0)
        try:
            active = continue_turn(self.provider(config, mock), conversation, turn, settings=settings,
                                   tools=self.registry, timeouts=config.timeouts)
        except BaseException:
            if admission is not None and self.guard is not None:
                self.guard.settle(admission, None)
            raise
        if self.archive is not None:
            saver = self._saving(lambda archive: archive.resume_answer(conversation, turn))
            self._keep_saved(active, saver)
        return self._run_admitted(admission, turn, lambda: self.hub.start(conversation.id, active, on_finish=self._finished))

    def edit_prompt(self, index: int) -> str | None:
        """For editing a previous prompt: set it and what followed aside (they stay, as a
        version) and return its text; the prompt sent next becomes its sibling, with the
        same attachments."""
        entry = self.edit_prompt_entry(index)
        return None if entry is None else entry.content

    def edit_prompt_entry(self, index: int) -> UserEntry | None:
        """``edit_prompt``, returning the whole prompt: its text and its attachments."""
        self.stop("new_prompt")
        entries = self.conversation.entries
        entry = entries[index] if 0 <= index < len(entries) else None
        if not isinstance(entry, UserEntry):
            return None
        self.conversation.branch_at(index)
        self._edited_attachments = entry.attachments
        return entry

    def switch_version(self, entry_index: int, to: int) -> bool:
        """Show version ``to`` (0-based) of the entry at ``entry_index`` and its newest answers;
        the next prompt continues from there. Remembered in the store, so a reload shows it.
        False while an answer streams, or if there is no such version."""
        if self.is_streaming or not self.conversation.switch_version(entry_index, to):
            return False
        self._edited_attachments = ()
        conversation = self.conversation
        self._saving(lambda archive: archive.choose_path(conversation))
        return True

    def new_chat(self) -> None:
        """An empty chat. An answer still streaming in the old one goes on (and is saved);
        without a store nobody could come back to it, so it is stopped."""
        if self.archive is None:
            self.stop("new_chat")
        self.conversation = Conversation()


__all__ = ["ChatSession", "STOP_REASONS"]
