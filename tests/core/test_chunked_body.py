"""Chunked transfer decoding: whatever the network splits, the body comes out whole, and
one read that brought many chunks hands them over at once."""

from __future__ import annotations

import random

import pytest

from chatcore.providers.chunked_body import ChunkedDecoder

BODY = b"".join(b'data: {"choices":[{"delta":{"content":"tok%d"}}]}\n\n' % i for i in range(40))


def encode(body: bytes, sizes: list[int], *, extension: bytes = b"", trailers: bytes = b"") -> bytes:
    out, pos = [], 0
    for size in sizes:
        piece = body[pos:pos + size]
        pos += size
        if piece:
            out.append(b"%x%s\r\n%s\r\n" % (len(piece), extension, piece))
    assert pos >= len(body)
    return b"".join(out) + b"0\r\n" + trailers + b"\r\n"


def decode_in(wire: bytes, cuts: list[int]) -> tuple[bytes, ChunkedDecoder, list[bytes]]:
    decoder, pieces, last = ChunkedDecoder(), [], 0
    for cut in [*cuts, len(wire)]:
        got = decoder.feed(wire[last:cut])
        last = cut
        if got:
            pieces.append(got)
    return b"".join(pieces), decoder, pieces


@pytest.mark.parametrize("seed", range(30))
def test_any_split_of_the_wire_gives_the_body_back_and_ends(seed):
    rng = random.Random(seed)
    sizes = [rng.randint(1, 90) for _ in range(80)]
    wire = encode(BODY, sizes, extension=b";ext=1" if seed % 3 == 0 else b"",
                  trailers=b"X-Trailer: yes\r\n" if seed % 2 else b"")
    cuts = sorted(rng.sample(range(1, len(wire)), rng.randint(1, 60)))
    body, decoder, _ = decode_in(wire, cuts)
    assert body == BODY and decoder.done


def test_byte_by_byte_and_in_one_piece():
    wire = encode(BODY, [50] * 100)
    assert decode_in(wire, list(range(1, len(wire))))[0] == BODY
    body, decoder, pieces = decode_in(wire, [])
    assert body == BODY and decoder.done and len(pieces) == 1  # one read: one hand-over, not one per chunk


def test_not_done_until_the_last_chunk_and_its_blank_line():
    wire = encode(b"hello", [5])
    decoder = ChunkedDecoder()
    assert decoder.feed(wire[:-2]) == b"hello" and not decoder.done
    assert decoder.feed(wire[-2:]) == b"" and decoder.done


@pytest.mark.parametrize("wire", [b"zz\r\nhello\r\n", b"5\r\nhelloXX0\r\n\r\n", b"-5\r\nhello\r\n", b"\r\nhello"])
def test_broken_framing_is_an_error_not_a_silent_truncation(wire):
    with pytest.raises(ValueError):
        ChunkedDecoder().feed(wire)


def test_an_endless_size_line_is_refused():
    with pytest.raises(ValueError):
        ChunkedDecoder().feed(b"1" * 5000)
