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
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Sequence

import streamlit as st

from chatcore.attachments import Attachment, AttachmentLimits, AttachmentRefused, prepare, prepare_all
from chatcore.literal_markdown import literal_markdown

from .attachments_view import render_attachments

UNSENT_RECORDING = "unsent_recording"  # session state: (recording Attachment, why it was not sent)
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
    problems: tuple[str, ...] = field(default=())

    @property
    def sendable(self) -> bool:
        return self.unsent_recording is None and bool(self.text.strip() or self.attachments)


def _files_of(value: Any) -> list[tuple[str, bytes]]:
    return [(f.name, f.getvalue()) for f in (getattr(value, "files", None) or [])]


def read_submission(value: Any, limits: AttachmentLimits, transcribe: Transcriber) -> Submission | None:
    """``value`` (a ``ChatInputValue``, a plain string, or None) as a ``Submission``; None if nothing was sent."""
    if value is None:
        return None
    if isinstance(value, str):
        return Submission(text=value)
    text = value.text or ""
    accepted, refusals = prepare_all(_files_of(value), limits)
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


def show_refusals(refusals: Sequence[AttachmentRefused]) -> None:
    """One line per refused file: its name and the reason, both as plain text."""
    for refused in refusals:
        st.warning(literal_markdown(f"Not attached: {refused.name}: {refused.reason}"), icon=":material/block:")


def keep_unsent_recording(submission: Submission) -> None:
    if submission.unsent_recording is not None:
        st.session_state[UNSENT_RECORDING] = submission.unsent_recording
    elif submission.sendable:
        st.session_state.pop(UNSENT_RECORDING, None)  # something else was sent: the old recording goes


def render_unsent_recording() -> None:
    """The last recording that could not be transcribed: playable, with why, and a way to drop it."""
    recording: Attachment | None = st.session_state.get(UNSENT_RECORDING)
    if recording is None:
        return
    with st.chat_message("user"):
        render_attachments((recording,), key="unsent")
        st.warning("Your voice message was not sent: this server could not transcribe it. Type your message instead, "
                   "or pick a server that can transcribe speech. The recording stays here until you send something else.",
                   icon=":material/mic_off:")
        st.button("Discard the recording", key="discard_recording", icon=":material/delete:", type="tertiary",
                  on_click=st.session_state.pop, args=(UNSENT_RECORDING, None))


__all__ = ["Submission", "input_options", "keep_unsent_recording", "read_submission", "render_unsent_recording",
           "show_refusals"]
