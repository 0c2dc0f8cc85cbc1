"""What the chat input hands over (text, files, a voice recording), made into one prompt.

Files go through ``chatcore.attachments.prepare_all`` (the bytes decide the type); each
refused file is named with its reason, as plain text, and the rest are sent. A voice
recording is transcribed first: the transcript becomes the prompt's text (the recording is
kept with the message). When it cannot be transcribed nothing is sent at all (half a
message would mislead the model): the recording stays on the page, with the reason, until
the visitor sends something else or discards it.

``st.chat_input`` gets no ``file_type``: Streamlit enforces it by file *name* on the server
(an exception, not a reason) and the picker's filter adds nothing the core does not check
from the bytes, with a better reason.
"""

from __future__ import annotations

import math
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import streamlit as st

from chatcore.app_config import load_app_config
from chatcore.attachments import Attachment, AttachmentLimits, AttachmentRefused, prepare, prepare_all, transcribe
from chatcore.conversation import UserEntry
from chatcore.literal_markdown import literal_markdown
from chatcore.session import ChatSession

from .attachments_view import keep_key
from .sidebar import Settings

INPUT_NOTES = "attachment_notes"  # session state: the last submission's InputNotes
RECORDING_NAME = "voice message.wav"

Transcriber = Callable[[Attachment], Attachment]  # the recording with its transcript, or with meta transcript_error


def input_options(limits: AttachmentLimits) -> dict[str, Any]:
    """``st.chat_input`` keywords: several files, a recording, the per-file limit (in whole MB)."""
    return {"accept_file": "multiple", "accept_audio": True, "max_upload_size": max(1, math.ceil(limits.file_mb))}


@dataclass(frozen=True)
class Submission:
    """One press of Send, checked: what to send, what was refused, a recording left unsent."""

    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    refusals: tuple[AttachmentRefused, ...] = ()
    unsent_recording: Attachment | None = None  # not transcribed: kept on the page, not sent
    problems: tuple[str, ...] = field(default=())  # why nothing is sent although something was given

    @property
    def sendable(self) -> bool:
        return self.unsent_recording is None and not self.problems and bool(self.text.strip() or self.attachments)


def _files_of(value: Any, limits: AttachmentLimits) -> list[tuple[str, bytes]]:
    """(name, bytes) per file. Files past ``files_per_message`` are refused by count before their
    bytes are looked at, so they are not copied out of the upload (``getvalue`` copies)."""
    files = getattr(value, "files", None) or []
    return [(f.name, f.getvalue() if n < limits.files_per_message else b"") for n, f in enumerate(files)]


def _transcribed(accepted: list[Attachment], refusals: list[AttachmentRefused], transcribe: Transcriber
                 ) -> tuple[list[Attachment], list[AttachmentRefused]]:
    """Audio *files* are read out too (the model gets their transcript); one that cannot be is
    refused with why, rather than sent as a file the model never hears."""
    kept: list[Attachment] = []
    refused = list(refusals)
    for attachment in accepted:
        if attachment.kind != "audio":
            kept.append(attachment)
            continue
        heard = transcribe(attachment)
        if heard.text.strip():
            kept.append(heard)
        else:
            why = str(heard.meta.get("transcript_error") or "no words were heard in it")
            refused.append(AttachmentRefused(attachment.name, f"it could not be transcribed. {why}"))
    return kept, refused


def read_submission(value: Any, limits: AttachmentLimits, transcribe: Transcriber) -> Submission | None:
    """``value`` (a ``ChatInputValue``, a plain string, or None) as a ``Submission``; None if nothing was sent."""
    if value is None:
        return None
    if isinstance(value, str):
        return Submission(text=value)
    text = value.text or ""
    accepted, refusals = _transcribed(*prepare_all(_files_of(value, limits), limits), transcribe)
    recording = getattr(value, "audio", None)
    if recording is None:
        return Submission(text=text, attachments=tuple(accepted), refusals=tuple(refusals))
    try:
        audio = prepare(RECORDING_NAME, recording.getvalue(), limits)
    except AttachmentRefused as refused:
        return Submission(text=text, attachments=tuple(accepted), refusals=(*refusals, refused),
                          problems=("The recording could not be used, so nothing was sent.",))
    heard = transcribe(audio)
    problem = heard.meta.get("transcript_error")
    if problem or not heard.text.strip():
        reason = str(problem or "no words were heard in it")
        return Submission(text=text, attachments=tuple(accepted), refusals=tuple(refusals),
                          unsent_recording=heard if problem else replace(heard, meta={**heard.meta, "transcript_error": reason}))
    spoken = heard.text.strip()
    # The transcript is the prompt's text (shown, editable, the title); the recording stays with
    # the message without its text, so the model reads the words once.
    kept = replace(heard, text="", meta={**heard.meta, "transcribed": True})
    return Submission(text=f"{text}\n\n{spoken}" if text.strip() else spoken, attachments=(*accepted, kept),
                      refusals=tuple(refusals))


def refusal_lines(submission: Submission) -> list[str]:
    lines = [f"Not attached: {refused.name}: {refused.reason}" for refused in submission.refusals]
    return lines + list(submission.problems)


def keep_notes(submission: Submission, conversation_id: str) -> None:
    """What this submission refused, and a recording it could not send, shown until the next one
    (an answer ends with a redraw, so they live in session state, tied to this conversation)."""
    st.session_state[INPUT_NOTES] = InputNotes(conversation_id, tuple(refusal_lines(submission)), submission.unsent_recording)


@dataclass(frozen=True)
class InputNotes:
    conversation_id: str
    refusals: tuple[str, ...] = ()
    unsent_recording: Attachment | None = None


def render_input_notes(conversation_id: str) -> None:
    """The last submission's refused files (names and reasons as plain text) and its unsent
    recording (playable, with why, and a way to drop it)."""
    notes: InputNotes | None = st.session_state.get(INPUT_NOTES)
    if notes is None or notes.conversation_id != conversation_id:
        return
    for line in notes.refusals:
        st.warning(literal_markdown(line), icon=":material/block:")
    recording = notes.unsent_recording
    if recording is None:
        return
    with st.chat_message("user"):
        st.audio(recording.data, format=recording.mime)
        why = str(recording.meta.get("transcript_error") or "it could not be transcribed")
        st.warning(literal_markdown(f"Your voice message was not sent. {why}"), icon=":material/mic_off:")
        st.caption("The recording stays here until you send something else.")
        st.button("Discard the recording", key="discard_recording", icon=":material/delete:", type="tertiary",
                  on_click=st.session_state.__setitem__, args=(INPUT_NOTES, replace(notes, unsent_recording=None)))


def edited_attachments(session: ChatSession, index: int) -> tuple[Attachment, ...]:
    """The files of the prompt being edited that stay ticked in its form: sent again with the edited text."""
    entries = session.conversation.entries
    entry = entries[index] if 0 <= index < len(entries) else None
    if not isinstance(entry, UserEntry):
        return ()
    cid = session.conversation.id
    return tuple(a for n, a in enumerate(entry.attachments) if st.session_state.get(keep_key(cid, index, n), True))


def transcribe_recording(audio: Attachment, settings: Settings, limits: AttachmentLimits) -> Attachment:
    """Through the chat's server (``/v1/audio/transcriptions``), or the mock when that is the provider."""
    config = settings.provider
    if config is None:
        return replace(audio, meta={**audio.meta, "transcript_error": "the provider settings were refused"})
    return transcribe(config, audio, model=limits.transcription_model, mock=settings.mock)


def take_submission(submitted: Any, session: ChatSession, settings: Settings) -> tuple[str | None, tuple[Attachment, ...]]:
    """The input's text and checked files (None: nothing to send). Refused files are named with
    why; a recording that could not be transcribed is kept on the page (``render_input_notes``)."""
    if submitted is None:
        return None, ()
    limits = load_app_config().attachments
    has_files = bool(getattr(submitted, "files", None) or getattr(submitted, "audio", None))
    busy = st.spinner("Reading the attachments…", show_time=True) if has_files else nullcontext()
    with busy:
        submission = read_submission(submitted, limits, lambda audio: transcribe_recording(audio, settings, limits))
    if submission is None:
        return None, ()
    keep_notes(submission, session.conversation.id)
    if not submission.sendable:
        return None, ()
    return submission.text, submission.attachments


__all__ = ["InputNotes", "Submission", "edited_attachments", "input_options", "keep_notes", "read_submission",
           "render_input_notes", "take_submission", "transcribe_recording"]
