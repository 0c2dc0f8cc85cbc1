"""What one press of Send becomes (ui/attach_input.py ``read_submission``), with Streamlit's own
``ChatInputValue`` and ``UploadedFile``: files checked by the core, a recording transcribed
into the prompt, or kept and nothing sent when it cannot be.
"""

from __future__ import annotations

from dataclasses import replace

from streamlit.elements.widgets.chat import ChatInputValue
from streamlit.runtime.uploaded_file_manager import UploadedFile, UploadedFileRec

from chatcore.attachments import Attachment, AttachmentLimits
from tests.e2e.sample_files import png, text_pdf, wav
from ui.attach_input import input_options, read_submission

LIMITS = AttachmentLimits()


def upload(name: str, data: bytes, mime: str = "application/octet-stream") -> UploadedFile:
    return UploadedFile(UploadedFileRec(file_id=name, name=name, type=mime, data=data), None)  # type: ignore[arg-type]


def value(text: str = "", files=(), audio: UploadedFile | None = None) -> ChatInputValue:
    return ChatInputValue(text=text, files=list(files), audio=audio, _include_files=True, _include_audio=True)


def heard(words: str):
    def transcribe(audio: Attachment) -> Attachment:
        return replace(audio, text=words)
    return transcribe


def deaf(reason: str):
    def transcribe(audio: Attachment) -> Attachment:
        return replace(audio, meta={**audio.meta, "transcript_error": reason})
    return transcribe


def never(audio: Attachment) -> Attachment:
    raise AssertionError("nothing to transcribe here")


def test_the_input_takes_several_files_and_a_recording_up_to_the_per_file_limit():
    options = input_options(AttachmentLimits(file_mb=12.5))
    assert options == {"accept_file": "multiple", "accept_audio": True, "max_upload_size": 13}


def test_plain_text_and_nothing():
    assert read_submission(None, LIMITS, never) is None
    assert read_submission("hello", LIMITS, never).text == "hello"


def test_files_are_checked_and_refusals_named():
    got = read_submission(value("look", [upload("a.png", png(20, 10)), upload("b.pdf", b"%PDF-1.4 garbage"),
                                         upload("r.pdf", text_pdf([["hi"]]))]), LIMITS, never)
    assert got.text == "look" and [a.name for a in got.attachments] == ["a.png", "r.pdf"]
    assert [r.name for r in got.refusals] == ["b.pdf"] and got.sendable


def test_only_refused_files_are_not_sendable():
    got = read_submission(value("", [upload("x.png", b"text")]), LIMITS, never)
    assert not got.sendable and len(got.refusals) == 1


def test_a_transcribed_recording_becomes_the_prompt_and_is_kept_with_it():
    got = read_submission(value("", audio=upload("audio.wav", wav(0.5), "audio/wav")), LIMITS, heard("what is two plus two"))
    assert got.text == "what is two plus two" and got.sendable
    [recording] = got.attachments
    assert recording.kind == "audio" and recording.text == "" and recording.meta["transcribed"]  # the words go once, as the prompt


def test_typed_words_come_first_then_the_transcript():
    got = read_submission(value("Context:", audio=upload("audio.wav", wav(0.5), "audio/wav")), LIMITS, heard("and then this"))
    assert got.text == "Context:\n\nand then this"


def test_a_recording_the_server_cannot_transcribe_sends_nothing_and_is_kept():
    got = read_submission(value("", audio=upload("audio.wav", wav(0.5), "audio/wav")), LIMITS,
                          deaf("this server has no /v1/audio/transcriptions"))
    assert not got.sendable and got.attachments == ()
    assert got.unsent_recording is not None and got.unsent_recording.data == wav(0.5)
    assert got.unsent_recording.meta["transcript_error"] == "this server has no /v1/audio/transcriptions"


def test_silence_is_not_sent_as_an_empty_prompt():
    got = read_submission(value("", audio=upload("audio.wav", wav(0.5), "audio/wav")), LIMITS, heard("   "))
    assert not got.sendable and got.unsent_recording is not None


def test_a_damaged_recording_is_refused_and_nothing_is_sent():
    got = read_submission(value("hi", audio=upload("audio.wav", b"RIFF\x00\x00\x00\x00WAVEjunk", "audio/wav")), LIMITS, never)
    assert got.refusals and not got.sendable


def _notes_app() -> None:
    """Runs inside AppTest: the notes one submission left (a refused file, an unsent recording)."""
    from dataclasses import replace

    import streamlit as st

    from chatcore.attachments import prepare
    from tests.e2e.sample_files import wav
    from ui.attach_input import INPUT_NOTES, InputNotes, render_input_notes

    if INPUT_NOTES not in st.session_state:
        recording = prepare("voice message.wav", wav(0.5))
        recording = replace(recording, meta={**recording.meta, "transcript_error": "this server has no speech-to-text"})
        st.session_state[INPUT_NOTES] = InputNotes("chat-1", ("Not attached: **x**.png: the bytes are text",), recording)
    render_input_notes(st.session_state.get("shown_chat", "chat-1"))


def test_an_unsent_recording_stays_playable_with_why_until_discarded():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_notes_app, default_timeout=20).run()
    assert not at.exception
    assert at.warning[0].value.replace("\\", "") == "Not attached: **x**.png: the bytes are text"  # literal, not bold
    assert len(at.get("audio")) == 1
    assert at.warning[1].value.replace("\\", "") == "Your voice message was not sent. this server has no speech-to-text"
    at.button(key="discard_recording").click().run()
    assert len(at.get("audio")) == 0 and len(at.warning) == 1
    at.session_state["shown_chat"] = "chat-2"  # another conversation: the notes are not its
    at.run()
    assert len(at.warning) == 0


def test_files_past_the_count_limit_are_refused_by_count():
    files = [upload(f"n{i}.txt", b"note %d" % i) for i in range(4)]
    got = read_submission(value("", files), AttachmentLimits(files_per_message=3), never)
    assert [a.name for a in got.attachments] == ["n0.txt", "n1.txt", "n2.txt"]
    assert [(r.name, r.reason) for r in got.refusals] == [("n3.txt", "a message takes at most 3 files")]


def test_an_audio_file_is_transcribed_for_the_model_or_refused_with_why():
    got = read_submission(value("minutes?", [upload("memo.wav", wav(0.5))]), LIMITS, heard("buy milk"))
    [memo] = got.attachments
    assert memo.kind == "audio" and memo.text == "buy milk" and got.text == "minutes?"
    got = read_submission(value("minutes?", [upload("memo.wav", wav(0.5))]), LIMITS, deaf("no speech-to-text here"))
    assert got.attachments == () and got.sendable  # the text still goes; the file is named with why
    assert [(r.name, r.reason) for r in got.refusals] == [("memo.wav", "it could not be transcribed. no speech-to-text here")]
