"""``POST /v1/audio/transcriptions`` for the mock: an honest transcript of a recording.

The mock cannot recognise speech, so it does not invent words: its "transcript" says what
it can measure in the recording (format, duration, sample rate, channels for WAV; format
and size otherwise) and that it is the mock. The request is multipart/form-data as the
openai SDK sends it (``file``, ``model``, optional ``response_format``); a missing file or
one that is not audio gets OpenAI's kind of 400. Both transports route here (``endpoints``).
"""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, Mapping

from ..attachments.audio import describe_wav
from ..attachments.sniff import sniff
from .faults import error_body
from .options import header_value
from .reply import Reply

_FORMATS = {"audio/wav": "WAV", "audio/webm": "WebM", "audio/ogg": "Ogg", "audio/mpeg": "MP3"}


def form_fields(raw_body: bytes, content_type: str) -> dict[str, tuple[str | None, bytes]]:
    """name -> (file name or None, bytes) of a multipart/form-data body ({} if it is not one)."""
    if not content_type.lower().startswith("multipart/form-data"):
        return {}
    parsed = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n" + raw_body)
    fields: dict[str, tuple[str | None, bytes]] = {}
    if not parsed.is_multipart():
        return fields
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        fields[name] = (part.get_filename(), payload if isinstance(payload, bytes) else b"")
    return fields


def describe_recording(data: bytes) -> str | None:
    """The mock's transcript of ``data``; None when it is not a recording."""
    mime = sniff(data).mime
    if mime not in _FORMATS:
        return None
    fmt = _FORMATS[mime]
    facts = describe_wav(data) if mime == "audio/wav" else None
    if facts is not None:
        channels = {1: "mono", 2: "stereo"}.get(facts["channels"], f"{facts['channels']} channels")
        heard = f"a {facts['duration']:g}-second {fmt} recording at {facts['sample_rate']:,} Hz, {channels}"
    else:
        heard = f"a {fmt} recording of {max(1, round(len(data) / 1000)):,} KB"
    return (f"[Mock transcript] I received {heard}. The built-in mock cannot recognise speech, "
            "so this describes the recording instead of what was said.")


def transcription_reply(raw_body: bytes, headers: Mapping[str, str]) -> Reply:
    fields = form_fields(raw_body, header_value(headers, "Content-Type") or "")
    upload = fields.get("file")
    if upload is None or not upload[1]:
        return Reply(400, body=error_body("Missing required parameter: 'file'.", "invalid_request_error", param="file"))
    transcript = describe_recording(upload[1])
    if transcript is None:
        message = "Invalid file format. Supported formats: ['mp3', 'ogg', 'wav', 'webm']"
        return Reply(400, body=error_body(message, "invalid_request_error", "invalid_value", "file"))
    response_format = fields.get("response_format", (None, b"json"))[1].decode("utf-8", "replace")
    if response_format == "text":
        return Reply(200, text=transcript)
    body: dict[str, Any] = {"text": transcript}
    if response_format == "verbose_json":
        wav = describe_wav(upload[1])
        body.update(task="transcribe", language="unknown", duration=wav["duration"] if wav else None)
    return Reply(200, body=body)


__all__ = ["describe_recording", "form_fields", "transcription_reply"]
