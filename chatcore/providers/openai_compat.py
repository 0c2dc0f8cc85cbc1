"""Stream one model call from any OpenAI-compatible server as typed events.

The mock is this same class over an in-process transport, so demos run the code that
production runs. What this module adds over the bare SDK:

* retries with bounded backoff honouring ``Retry-After``, only before anything was shown;
* one retry without ``stream_options`` when a server rejects it;
* tolerant assembly of tool calls, reasoning and usage (see ``tool_call_assembly``);
* an honest ending: EOF without a finish reason is ``incomplete``, not success;
* cancellation that closes the upstream at once, even while the server sends nothing:
  the cancel handle shuts the socket down, which wakes the blocked read.
"""

from __future__ import annotations

import random
import socket
from dataclasses import dataclass
from typing import Any, Generator, Iterator, Sequence

import httpx2
import openai
from openai.types.chat import ChatCompletionChunk

from ..cancel import CancelToken
from ..errors import describe, is_stream_options_rejection, retry_after_seconds
from ..events import Chunk, End, Error, Event, Reasoning, Usage
from ..settings import GenerationSettings, ProviderConfig
from .tool_call_assembly import ToolCallAssembler

ChunkStream = openai.Stream[ChatCompletionChunk]
MAX_RETRY_WAIT_S = 30.0  # a longer Retry-After is reported, not waited out
_KNOWN_FINISH = frozenset({"stop", "length", "tool_calls", "content_filter"})


class ModelListError(Exception):
    """Listing models failed; the message is for the user (who can type a name instead)."""


def abort_response(response: httpx2.Response) -> None:
    """Close the upstream from any thread, waking a reader blocked on a silent socket."""
    extensions = response.extensions
    abort = extensions.get("chatcore.abort")  # the in-process mock's socket
    if abort is not None:
        abort()
        return
    network_stream = extensions.get("network_stream")
    sock = network_stream.get_extra_info("socket") if network_stream is not None else None
    if sock is not None:
        try:
            # The base-class call leaves an SSL wrapper's state alone for the reading thread.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)
        except OSError:
            pass  # already closed


def backoff_seconds(attempt: int, retry_after: float | None, base: float = 0.5) -> float:
    if retry_after is not None:
        return retry_after
    return min(8.0, base * 2.0**attempt) * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not a secret


class OpenAICompatProvider:
    def __init__(self, config: ProviderConfig, http_client: httpx2.Client | None = None) -> None:
        self.config = config
        self._send_stream_options = True
        self._client = openai.OpenAI(
            api_key=config.api_key or "no-key",
            base_url=config.base_url,
            max_retries=0,  # ours are bounded and never duplicate shown text
            timeout=config.timeouts.for_http(),
            default_headers=dict(config.extra_headers) or None,
            http_client=http_client,
        )

    def close(self) -> None:
        self._client.close()

    # ------------------------------------------------------------------ models
    def list_models(self) -> list[str]:
        try:
            page = self._client.with_options(timeout=min(5.0, self.config.timeouts.connect)).models.list()
            ids = sorted({str(m.id) for m in (page.data or []) if getattr(m, "id", None)})
        except openai.NotFoundError as exc:
            raise ModelListError("This server does not list its models (404). Type the model name instead.") from exc
        except Exception as exc:
            err = describe(exc, model=self.config.model, base_url=self.config.base_url, secrets=(self.config.api_key,))
            raise ModelListError(f"Could not list models: {err.message}") from exc
        if not ids:
            raise ModelListError("The server lists no models. Type the model name instead.")
        return ids

    # ------------------------------------------------------------------ stream
    def _params(self, messages: Sequence[dict[str, Any]], tools: Sequence[dict[str, Any]] | None, settings: GenerationSettings) -> dict[str, Any]:
        params: dict[str, Any] = {"model": self.config.model, "messages": list(messages), "stream": True}
        if tools:
            params["tools"] = list(tools)
        if settings.temperature is not None:
            params["temperature"] = settings.temperature
        if settings.max_tokens:
            params["max_tokens"] = settings.max_tokens
        if self._send_stream_options:
            params["stream_options"] = {"include_usage": True}
        return params

    def _create(
        self, messages: Sequence[dict[str, Any]], tools: Sequence[dict[str, Any]] | None, settings: GenerationSettings
    ) -> ChunkStream:
        """Send the request. A server that rejects ``stream_options`` is asked once more
        without it, at once: that is a protocol fallback, not a failure, so it costs no retry."""
        try:
            stream: ChunkStream = self._client.chat.completions.create(**self._params(messages, tools, settings))
        except Exception as exc:
            if not (self._send_stream_options and is_stream_options_rejection(exc)):
                raise
            self._send_stream_options = False
            stream = self._client.chat.completions.create(**self._params(messages, tools, settings))
        return stream

    def stream(
        self,
        messages: Sequence[dict[str, Any]],
        *,
        tools: Sequence[dict[str, Any]] | None = None,
        settings: GenerationSettings = GenerationSettings(),
        cancel: CancelToken | None = None,
    ) -> Iterator[Event]:
        """One model call as events, ending with exactly one ``End``.

        One retry budget (``max_retries``) per call, whatever fails: the server refusing
        the request (429/5xx), the connection, or the stream breaking before anything was
        shown all spend from the same count, so a user sees at most ``max_retries`` notices
        and the server at most ``max_retries + 1`` requests (plus one, once per provider,
        for a server that rejects ``stream_options``)."""
        cancel = cancel or CancelToken()
        retries = 0
        while True:
            failure = yield from self._attempt(messages, tools, settings, cancel)
            if failure is None:  # the attempt ended the call (End already yielded)
                return
            if failure.retry_allowed and retries < self.config.max_retries:
                wait = backoff_seconds(retries, failure.retry_after, self.config.retry_backoff)
                yield _retry_notice(failure.error, wait)
                retries += 1
                if cancel.wait(wait):
                    yield End("cancelled")
                    return
                continue
            yield failure.error
            yield End("error")
            return

    def _attempt(
        self,
        messages: Sequence[dict[str, Any]],
        tools: Sequence[dict[str, Any]] | None,
        settings: GenerationSettings,
        cancel: CancelToken,
    ) -> Generator[Event, None, _Failure | None]:
        """One request: open the stream and read it. Yields the answer's events; returns
        None when it yielded the call's ``End``, or the failure for ``stream`` to judge."""
        try:
            stream = self._create(messages, tools, settings)
        except Exception as exc:
            if cancel.cancelled:
                yield End("cancelled")
                return None
            retry_after = retry_after_seconds(getattr(getattr(exc, "response", None), "headers", None))
            err = self._describe(exc, mid_answer=False)
            too_long = retry_after is not None and retry_after > MAX_RETRY_WAIT_S  # reported, not waited out
            return _Failure(err, retry_allowed=err.retryable and not too_long, retry_after=retry_after)
        return (yield from self._read(stream, cancel))

    def _describe(self, exc: BaseException, *, mid_answer: bool) -> Error:
        return describe(
            exc,
            model=self.config.model,
            base_url=self.config.base_url,
            read_timeout=self.config.timeouts.read,
            mid_answer=mid_answer,
            secrets=(self.config.api_key,),
        )

    def _read(self, stream: ChunkStream, cancel: CancelToken) -> Generator[Event, None, _Failure | None]:
        """Read one open stream. Returns None when it ended (End yielded), else the failure
        (which may be retried only when nothing was shown yet: text is never duplicated)."""
        unregister = cancel.on_cancel(lambda: abort_response(stream.response))
        assembler = ToolCallAssembler()
        finish_reason: str | None = None
        usage: Any = None
        shown = False
        is_cancelled = cancel._event.is_set  # hot path: one bound call per chunk
        try:
            for chunk in stream:
                if is_cancelled():
                    break
                chunk_usage = chunk.usage
                if chunk_usage is not None:
                    usage = chunk_usage
                choices = chunk.choices
                if not choices:
                    continue
                choice = choices[0]
                delta = choice.delta
                if delta is not None:
                    content = delta.content
                    if content:
                        shown = True
                        yield Chunk(content)
                    extra = delta.model_extra
                    if extra:
                        reasoning = extra.get("reasoning_content") or extra.get("reasoning")
                        if reasoning and isinstance(reasoning, str):
                            shown = True
                            yield Reasoning(reasoning)
                    if delta.tool_calls:
                        shown = True
                        yield from assembler.add(delta.tool_calls)
                    if delta.refusal:
                        shown = True
                        yield Chunk(delta.refusal)
                if choice.finish_reason:
                    finish_reason = choice.finish_reason
        except Exception as exc:
            if cancel.cancelled:
                yield End("cancelled")
                return None
            err = self._describe(exc, mid_answer=shown)
            return _Failure(err, retry_allowed=not shown and err.retryable)
        finally:
            unregister()
            stream.close()
        if cancel.cancelled:
            yield End("cancelled")
            return None
        if usage is not None:
            yield Usage(
                prompt_tokens=getattr(usage, "prompt_tokens", None),
                completion_tokens=getattr(usage, "completion_tokens", None),
                total_tokens=getattr(usage, "total_tokens", None),
            )
        if finish_reason is None:
            yield End("incomplete", "The stream ended without a finish reason, so the answer may be cut short.")
            return None
        if assembler.has_calls:  # decide from the calls, not finish_reason: servers say "stop" too
            yield from assembler.finish()
            yield End("tool_calls")
            return None
        yield End(finish_reason if finish_reason in _KNOWN_FINISH else "stop")  # type: ignore[arg-type]
        return None


@dataclass(frozen=True, slots=True)
class _Failure:
    """One attempt that failed: what to tell the user, and whether trying again may help."""

    error: Error
    retry_allowed: bool
    retry_after: float | None = None  # the server's own Retry-After, when it sent one


def _retry_notice(err: Error, wait: float) -> Error:
    short = err.message.split(". ")[0].rstrip(".")
    return Error(
        kind=err.kind,
        message=f"{short}. Retrying in {wait:.0f} s…" if wait >= 1 else f"{short}. Retrying…",
        retryable=True,
        status=err.status,
        retry_in=wait,
        request_id=err.request_id,
    )


__all__ = ["ModelListError", "OpenAICompatProvider", "abort_response", "backoff_seconds"]
