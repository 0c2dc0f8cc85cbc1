"""Attachments: images for vision models, documents as context, voice recordings."""

from .model import Attachment, AttachmentKind, AttachmentRefused

__all__ = ["Attachment", "AttachmentKind", "AttachmentRefused"]
