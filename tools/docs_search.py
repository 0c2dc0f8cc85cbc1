"""An example of your own tool: search this app's Markdown files (offline).

Every public function here with type hints and a docstring is a tool the model can call,
with the same rules as the built-in ones (see README, "Make it yours"). Edit this file
while the app runs: the next prompt uses the new version. Helpers start with "_".
"""

from pathlib import Path

from chatcore.tools import ToolError

_ROOT = Path(__file__).resolve().parents[1]


def search_docs(query: str, max_hits: int = 5):
    """Search this app's own documentation (its Markdown files) for a word or phrase.

    Args:
        query: The word or phrase to look for, e.g. "Stop" or "DATABASE_URL" (case-insensitive).
        max_hits: At most this many matching lines are returned.
    """
    needle = query.strip().lower()
    if not needle:
        raise ToolError("Give a word or phrase to search for.")
    files = sorted(p for p in _ROOT.glob("*.md")) + sorted((_ROOT / "docs").glob("*.md"))
    hits = []
    for number, path in enumerate(files, 1):
        yield f"Searching {path.name}", number - 1, len(files)  # shown live on the tool's panel
        for line_number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if needle in line.lower():
                hits.append({"file": path.name, "line": line_number, "text": line.strip()[:300]})
                if len(hits) >= max_hits:
                    return {"query": query, "hits": hits, "files_searched": number}
    return {"query": query, "hits": hits, "files_searched": len(files)}
