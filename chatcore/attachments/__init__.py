"""Attachments: images for vision models, documents as context, voice recordings.

    model      Attachment (the one checked shape), AttachmentRefused (a reason for the visitor)
    prepare    prepare / prepare_all: uploaded bytes -> Attachment, type read from the bytes
    sniff      magic numbers; images, documents, audio: each kind made ready to send
    limits     AttachmentLimits ([attachments] in chat.toml, CHAT_ATTACH_* variables)
    wire       OpenAI content parts (text with document blocks, image_url data URLs)
    records    to_record / from_record (JSON export), summary (a chip's words: "PDF, 3 pages, 1.2 MB")
    transcription  transcribe(): voice -> text through the server's /v1/audio/transcriptions (or the mock)

Never imports streamlit.
"""

from .images import thumbnail
from .limits import AttachmentLimits
from .model import Attachment, AttachmentKind, AttachmentRefused
from .prepare import clean_name, megabytes, prepare, prepare_all
from .records import from_record, summary, to_record
from .transcription import transcribe
from .wire import data_url, user_content

__all__ = [
    "Attachment",
    "AttachmentKind",
    "AttachmentLimits",
    "AttachmentRefused",
    "clean_name",
    "data_url",
    "from_record",
    "megabytes",
    "prepare",
    "prepare_all",
    "summary",
    "thumbnail",
    "to_record",
    "transcribe",
    "user_content",
]
