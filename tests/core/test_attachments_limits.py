"""Attachment limits come from chat.toml's [attachments] and CHAT_ATTACH_* (which win); a bad
value is named, with its line, and the default applies."""

from __future__ import annotations

from chatcore.app_config import parse_app_config
from chatcore.attachments import AttachmentLimits

TOML = """
title = "x"
[attachments]
file_mb = 5
message_mb = 12.5
document_chars = 2000
image_side = "big"
transcription_model = "whisper-large-v3"
colour = "red"
"""


def test_the_table_sets_the_limits_and_names_each_bad_key(monkeypatch):
    for var in ("CHAT_ATTACH_FILE_MB", "CHAT_ATTACH_IMAGE_SIDE", "CHAT_TRANSCRIPTION_MODEL"):
        monkeypatch.delenv(var, raising=False)
    config = parse_app_config(TOML)
    assert config.attachments == AttachmentLimits(file_mb=5, message_mb=12.5, document_chars=2000,
                                                  transcription_model="whisper-large-v3")
    assert config.attachments.image_side == 2048  # the bad value left the default
    assert config.problems == (
        "chat.toml line 7: [attachments] image_side must be a number, got 'big'",
        "chat.toml line 9: [attachments] colour is not a known key (known: file_mb, message_mb, files_per_message, "
        "document_chars, image_side, image_megapixels, transcription_model)",
    )


def test_the_environment_wins_and_a_bad_variable_is_named():
    limits, problems = AttachmentLimits.from_sources(
        {"file_mb": 5}, {"CHAT_ATTACH_FILE_MB": "8", "CHAT_ATTACH_IMAGE_SIDE": "-3", "CHAT_TRANSCRIPTION_MODEL": " whisper-x "})
    assert (limits.file_mb, limits.image_side, limits.transcription_model) == (8.0, 2048, "whisper-x")
    assert problems == ("CHAT_ATTACH_IMAGE_SIDE must be more than 0, got -3.0",)


def test_a_whole_number_limit_refuses_a_fraction():
    limits, problems = AttachmentLimits.from_sources({"files_per_message": 2.5}, {})
    assert limits.files_per_message == 10 and problems == ("[attachments] files_per_message must be a whole number, got 2.5",)
