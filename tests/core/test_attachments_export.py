"""Exports carry the files: JSON with everything (bytes as data URLs), Markdown lists them,
the exported next request holds the exact content parts the app sends."""

from __future__ import annotations

import json

from markdown_it import MarkdownIt

from chatcore.attachments import from_record, prepare, summary
from chatcore.conversation import Conversation
from chatcore.events import Chunk, End
from chatcore.export import next_turn_request, to_curl, to_json, to_markdown
from chatcore.literal_markdown import literal_markdown
from chatcore.messages import user_message
from chatcore.settings import GenerationSettings, ProviderConfig
from chatcore.store import turn_to_record
from chatcore.turn import Turn
from tests.attachment_files import png, text_pdf


def chat() -> Conversation:
    conversation = Conversation()
    photo = prepare("<img src=x onerror=alert(1)>.png", png((64, 32), (0, 0, 255)))
    report = prepare("q3 [link](javascript:alert(1)).pdf", text_pdf(["Revenue up", "Costs flat"]))
    conversation.add_user("Compare these", attachments=(photo, report))
    turn = Turn(model="m")
    for event in (Chunk("Done."), End("stop")):
        turn.apply(event)
    conversation.add_turn(turn)
    return conversation


def test_json_export_holds_each_file_whole():
    conversation = chat()
    data = json.loads(to_json(conversation, turn_to_record))
    records = data["entries"][0]["attachments"]
    photo, report = conversation.entries[0].attachments
    assert [r["name"] for r in records] == [photo.name, report.name]
    assert records[1] == {
        "name": report.name, "kind": "document", "mime": "application/pdf", "size": report.size, "sha256": report.sha256,
        "meta": dict(report.meta), "text": "Revenue up\n\nCosts flat", "data": records[1]["data"],
    }
    assert records[0]["data"].startswith("data:image/jpeg;base64,")
    assert [from_record(r) for r in records] == [photo, report]  # nothing lost
    assert "attachments" not in data["entries"][1]


def test_markdown_lists_the_files_as_plain_text():
    md = to_markdown(chat())
    photo, report = chat().entries[0].attachments
    assert f"- Attached: {literal_markdown('<img src=x onerror=alert(1)>.png')} ({summary(photo)})" in md
    assert f"- Attached: {literal_markdown('q3 [link](javascript:alert(1)).pdf')} ({summary(report)})" in md
    assert summary(report).startswith("PDF, 2 pages, ")
    html = MarkdownIt("commonmark").render(md)
    assert "<img" not in html and "<a " not in html  # rendered, the names are text, never markup or links


def test_the_exported_next_request_has_the_exact_content_parts():
    conversation = chat()
    config = ProviderConfig(kind="openai", base_url="http://x.invalid/v1", model="gpt-4o", api_key="sk-never")
    body = next_turn_request(conversation, config, GenerationSettings(system_prompt=""))
    entry = conversation.entries[0]
    assert body["messages"][0] == user_message(entry.content, entry.attachments)
    assert body["messages"][0]["content"][1]["image_url"]["url"].startswith("data:image/jpeg;base64,")
    assert "sk-never" not in to_curl(body, config.base_url)
