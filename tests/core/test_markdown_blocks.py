"""Long answers are cut into display blocks only where Markdown stays intact."""

from __future__ import annotations

import random

from chatcore.markdown_blocks import BlockSplitter


def blocks_of(text: str, piece_sizes, target: int = 200) -> list[str]:
    splitter = BlockSplitter(target)
    blocks = [""]
    pos = 0
    rng = random.Random(0)
    while pos < len(text):
        size = rng.choice(piece_sizes)
        for i, part in enumerate(splitter.split(text[pos : pos + size])):
            if i:
                blocks.append("")
            blocks[-1] += part
        pos += size
    return blocks


PARA = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 3
CODE = "```python\n" + "\n\n".join(f"x{i} = {i}" for i in range(30)) + "\n```\n"
TABLE = "| a | b |\n|---|---|\n" + "".join(f"| {i} | {i * i} |\n" for i in range(20))
MATH = "$$\n" + "\n\n".join(["a^2 + b^2 = c^2"] * 10) + "\n$$\n"
DOC = "\n\n".join([PARA, CODE, PARA, TABLE, PARA, MATH, PARA, PARA, PARA]) + "\n"


def test_blocks_rejoin_to_the_exact_text_whatever_the_piece_sizes():
    for sizes in ([1], [3, 7], [50, 200], [5000]):
        assert "".join(blocks_of(DOC, sizes)) == DOC


def test_no_block_cuts_a_code_fence_table_or_math_block():
    for sizes in ([1], [4, 9, 13], [100]):
        blocks = blocks_of(DOC, sizes)
        assert len(blocks) > 3  # long text is actually cut
        for block in blocks:
            assert block.count("```") % 2 == 0
            assert block.count("$$") % 2 == 0
        table_blocks = [b for b in blocks if "|---|" in b]
        assert len(table_blocks) == 1 and "| 19 | 361 |" in table_blocks[0]


def test_short_answers_stay_one_block():
    assert blocks_of("Hello\n\nworld\n\n" * 3, [2]) == ["Hello\n\nworld\n\n" * 3]


def test_blocks_stay_near_the_target_size_when_paragraphs_allow():
    text = (PARA + "\n\n") * 40
    blocks = blocks_of(text, [5, 11])
    assert all(len(b) < 200 + len(PARA) + 2 for b in blocks)
