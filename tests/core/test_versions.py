"""Versions without a store: Regenerate and Edit keep what was there, switching shows a path,
and the next request carries exactly the path shown (the real openai SDK, a recording transport)."""

from __future__ import annotations

from chatcore.attachments import Attachment
from chatcore.conversation import UserEntry
from chatcore.mock.options import MockOptions
from chatcore.session import ChatSession
from chatcore.settings import GenerationSettings, ProviderConfig

from .fakes import Recorder, chunk, provider_for, sse

GEN = GenerationSettings()
CONFIG = ProviderConfig(kind="openai", base_url="http://test.invalid/v1", model="m", api_key="sk-test")


def answers(*texts: str) -> Recorder:
    return Recorder(*(sse(chunk(text, finish="stop")) for text in texts))


def session_with(recorder: Recorder) -> ChatSession:
    provider = provider_for(recorder)
    return ChatSession(shared_providers=lambda config, mock: provider)


def say(session: ChatSession, prompt: str | None) -> None:
    for _ in session.events(session.send(prompt, CONFIG, GEN)):
        pass


def shown(session: ChatSession) -> list[str]:
    return [e.content if isinstance(e, UserEntry) else e.text for e in session.conversation.entries]


def sent(body: dict) -> list[tuple[str, str]]:
    return [(m["role"], m["content"]) for m in body["messages"] if m["role"] != "system"]


def test_regenerating_twice_keeps_three_answers_to_switch_between():
    session = session_with(answers("A1", "A2", "A3"))
    say(session, "q")
    for _ in range(2):
        assert session.drop_last_answer()
        say(session, None)
    assert shown(session) == ["q", "A3"]
    assert [v.label for v in session.conversation.versions()] == ["1 / 1", "3 / 3"]
    assert session.switch_version(1, 0) and shown(session) == ["q", "A1"]
    assert session.conversation.versions()[1].label == "1 / 3"
    assert session.switch_version(1, 1) and shown(session) == ["q", "A2"]
    assert not session.switch_version(1, 3) and not session.switch_version(5, 0)
    assert shown(session) == ["q", "A2"]


def test_after_switching_the_next_request_carries_only_the_path_shown():
    recorder = answers("A1", "A2", "B")
    session = session_with(recorder)
    say(session, "q1")
    session.drop_last_answer()
    say(session, None)
    assert sent(recorder.bodies[1]) == [("user", "q1")]  # the old answer is not sent with the new one
    assert session.switch_version(1, 0)
    say(session, "q2")
    assert sent(recorder.bodies[-1]) == [("user", "q1"), ("assistant", "A1"), ("user", "q2")]
    assert shown(session) == ["q1", "A1", "q2", "B"]


def test_an_edited_prompt_is_a_new_version_and_the_original_branch_comes_back():
    recorder = answers("A1", "A2", "E2", "A3")
    session = session_with(recorder)
    say(session, "q1")
    say(session, "q2")
    assert session.edit_prompt(2) == "q2"
    say(session, "q2 edited")
    assert shown(session) == ["q1", "A1", "q2 edited", "E2"]
    assert [v.label for v in session.conversation.versions()] == ["1 / 1", "1 / 1", "2 / 2", "1 / 1"]
    assert session.switch_version(2, 0)
    assert shown(session) == ["q1", "A1", "q2", "A2"]  # the original prompt with its own answer
    say(session, "q3")
    assert sent(recorder.bodies[-1]) == [("user", "q1"), ("assistant", "A1"), ("user", "q2"), ("assistant", "A2"),
                                         ("user", "q3")]
    assert session.switch_version(2, 1) and shown(session) == ["q1", "A1", "q2 edited", "E2"]


def test_switching_follows_the_newest_answers_below_the_chosen_version():
    session = session_with(answers("A1", "B1", "B2", "A2"))
    say(session, "q1")
    say(session, "q2")
    session.drop_last_answer()
    say(session, None)  # q2 has B1 and B2
    session.edit_prompt(0)
    say(session, "q1 again")
    assert shown(session) == ["q1 again", "A2"]
    assert session.switch_version(0, 0)
    assert shown(session) == ["q1", "A1", "q2", "B2"]  # the newest answer to q2


def test_an_edited_prompt_keeps_the_originals_attachments():
    session = session_with(answers("A1", "E1"))
    photo = Attachment(kind="image", name="cat.png", mime="image/png", data=b"\x89PNG...")
    say(session, "what is this?")
    session.conversation.entries[0].attachments = (photo,)
    session.edit_prompt(0)
    say(session, "what animal is this?")
    edited = session.conversation.entries[0]
    assert edited.content == "what animal is this?" and edited.attachments == (photo,)
    say(session, "and its name?")
    assert session.conversation.entries[2].attachments == ()  # only the edit's new version keeps them


def test_no_switching_while_an_answer_streams():
    session = ChatSession()
    fast, slow = MockOptions(ttft=0, chunk_delay=0), MockOptions(ttft=0, chunk_delay=0.01)
    for _ in session.events(session.send("hello", ProviderConfig(), GEN, fast)):
        pass
    session.drop_last_answer()
    live = session.send("Write a long answer about rivers", ProviderConfig(), GEN, slow)
    assert session.is_streaming and not session.switch_version(1, 0)
    session.stop()
    for _ in session.events(live):
        pass
    assert session.switch_version(1, 0)


def test_continue_works_on_a_version_switched_back_to():
    session = ChatSession()
    fast, slow = MockOptions(ttft=0, chunk_delay=0), MockOptions(ttft=0, chunk_delay=0.001)
    config = ProviderConfig()
    events = session.events(session.send("Write a long answer about rivers", config, GEN, slow))
    for _ in range(40):
        next(events)
    session.stop()
    for _ in events:
        pass
    stopped = session.conversation.last_turn
    session.drop_last_answer()
    for _ in session.events(session.send(None, config, GEN, fast)):
        pass
    assert not session.can_continue()  # the new version is whole
    assert session.switch_version(1, 0) and session.conversation.last_turn is stopped
    assert session.can_continue()
    for _ in session.events(session.continue_answer(config, GEN, fast)):
        pass
    assert stopped.status == "complete" and session.conversation.last_turn is stopped
    assert [v.label for v in session.conversation.versions()] == ["1 / 1", "1 / 2"]


def test_a_share_snapshot_holds_the_path_shown_and_no_other_version():
    from chatcore.share import snapshot_of

    session = session_with(answers("first answer", "second answer"))
    say(session, "q")
    for entry, number in zip(session.conversation.entries, (1, 2), strict=True):
        entry.message_id = number  # as if saved (snapshots keep saved messages only)
    session.drop_last_answer()
    say(session, None)
    session.conversation.entries[-1].message_id = 3
    assert session.switch_version(1, 0)
    text = str(snapshot_of(session.conversation))
    assert "first answer" in text and "second answer" not in text
