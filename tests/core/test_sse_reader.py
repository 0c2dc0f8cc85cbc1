"""The provider reads SSE bytes itself: every framing quirk, however the bytes are cut."""

from __future__ import annotations

import json

import httpx2
import pytest

from chatcore.events import Chunk, End, Error
from chatcore.providers.sse_reader import sse_data

from .fakes import ByteStream, Recorder, chunk, provider_for

HI = [{"role": "user", "content": "hi"}]


def cuts(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def answer_text(parts: list[bytes]) -> tuple[str, list]:
    response = httpx2.Response(200, headers={"content-type": "text/event-stream"}, stream=ByteStream(parts))
    events = list(provider_for(Recorder(response)).stream(HI))
    return "".join(e.content for e in events if isinstance(e, Chunk)), events


QUIRKY = (
    b"\xef\xbb\xbf"  # a byte-order mark first
    b": keep-alive\r\n\r\n"
    b"retry: 1000\nid: 7\nevent: message\n"
    + b"data:" + json.dumps(chunk("Gr\u00fc\u00df ")).encode() + b"\r\n\r\n"  # no space after "data:"
    + b"data: " + json.dumps(chunk("\u4e16\u754c")).encode() + b"\r\r"  # CR alone ends lines too
    + b"data: {\"id\": \"x\", \"choices\":\ndata: [{\"index\": 0, \"delta\": {\"content\": \"!\"}}]}\n\n"  # multi-line data
    + b"data:\n\n"  # an event with empty data is no event
    + b"data: " + json.dumps(chunk(finish="stop")).encode() + b"\n\n"
    b"data: [DONE]\n\n"
    + b"data: " + json.dumps(chunk("after done")).encode() + b"\n\n"
)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, len(QUIRKY)])
def test_every_framing_quirk_reads_the_same_however_the_reads_cut_the_bytes(size):
    text, events = answer_text(cuts(QUIRKY, size))
    assert text == "Grüß 世界!"  # UTF-8 split across reads is never decoded half-way
    assert events[-1] == End("stop")


def test_a_crlf_split_across_two_reads_does_not_end_a_multi_line_event_early():
    frames = [b'data: {"choices": [{"index": 0,\r', b'\ndata: "delta": {"content": "one"}, "finish_reason": "stop"}]}\r\n\r\n']
    assert [json.loads(d) for d in sse_data(frames)][0]["choices"][0]["delta"] == {"content": "one"}


def test_the_last_event_counts_without_its_blank_line_but_a_cut_line_does_not():
    finished = b"data: " + json.dumps(chunk("a", finish="stop")).encode() + b"\n"
    text, events = answer_text([finished])
    assert text == "a" and events[-1] == End("stop")
    cut = b"data: " + json.dumps(chunk("a")).encode() + b"\n\ndata: {\"choi"
    text, events = answer_text([cut])
    assert text == "a" and events[-1].finish_reason == "incomplete"  # shown as cut short, not as an error


@pytest.mark.parametrize("data", [b"[1, 2]", b'"text"', b"42", b"\xff\xfe{}"])
def test_data_that_is_not_a_chunk_object_is_a_malformed_chunk(data):
    body = b"data: " + json.dumps(chunk("kept ")).encode() + b"\n\ndata: " + data + b"\n\n"
    text, events = answer_text([body])
    [err] = [e for e in events if isinstance(e, Error)]
    assert text == "kept " and err.kind == "malformed" and events[-1] == End("error")


def test_odd_shapes_inside_a_chunk_are_skipped_not_fatal():
    odd = [
        chunk(choices=["not an object"]),
        chunk(choices={"0": {}}),
        {"id": "x", "choices": [{"index": 0, "delta": None}]},
        {"id": "x", "choices": [{"index": 0, "delta": {"content": ["a", "list"]}}]},
        {"id": "x", "choices": [{"index": 0, "delta": {"content": "ok"}}], "usage": "n/a"},
        chunk(finish="stop", usage={"prompt_tokens": 2.0, "completion_tokens": "1", "total_tokens": 3}),
    ]
    body = b"".join(b"data: " + json.dumps(c).encode() + b"\n\n" for c in odd)
    text, events = answer_text([body])
    assert text == "ok" and events[-1] == End("stop")
    [usage] = [e for e in events if e.type == "usage"]
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (2, None, 3)


def test_a_gzip_encoded_stream_is_decoded_before_it_is_read():
    import zlib

    body = b"data: " + json.dumps(chunk("packed", finish="stop")).encode() + b"\n\ndata: [DONE]\n\n"
    packer = zlib.compressobj(wbits=31)  # gzip framing
    packed = packer.compress(body) + packer.flush()
    response = httpx2.Response(200, headers={"content-type": "text/event-stream", "content-encoding": "gzip"},
                               stream=ByteStream(cuts(packed, 5)))
    events = list(provider_for(Recorder(response)).stream(HI))
    assert "".join(e.content for e in events if isinstance(e, Chunk)) == "packed" and events[-1] == End("stop")
