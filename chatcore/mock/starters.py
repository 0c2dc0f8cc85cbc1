"""The starter prompts: shown on an empty chat, in the sidebar, the README and the mock's greeting.

They live beside the mock because each must be a prompt the mock answers well (a Markdown
answer, a tool call, parallel tools, a slow tool to try Stop on); ``chat.toml`` can
replace them for a real model.
"""

STARTER_PROMPTS: tuple[str, ...] = (
    "Explain how photosynthesis works",
    "What is 23*17+4?",
    "What time is it in Tokyo, London and New York?",
    "Run the slow tool",
)

__all__ = ["STARTER_PROMPTS"]
