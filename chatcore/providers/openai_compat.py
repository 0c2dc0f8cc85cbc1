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

import functools
import json
import random
import socket
import ssl
from dataclasses import dataclass
from typing import Any, Callable, Generator, Iterator, Sequence

import httpx2
import openai

from ..cancel import CancelToken
from ..errors import describe, is_stream_options_rejection, retry_after_seconds
from ..events import End, Error, Event, Usage
from ..settings import GenerationSettings, ProviderConfig
from ..streaming_now import streaming_answer
from .chunk_events import ChunkReader
from .read_pace import read_pause
from .sse_reader import sse_data
from .stdlib_transport import BATCHED_READS, StdlibHTTPTransport, uses_env_proxy

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


@functools.cache
def shared_tls_context() -> ssl.SSLContext:
    """One TLS context for every provider in the process (each visitor has a provider): a
    context of its own costs each one ~0.8 MB and a few ms to load the CA bundle. Made as
    httpx2 makes its default (``SSL_CERT_FILE``/``SSL_CERT_DIR`` honoured); sharing one is
    what ``ssl`` intends (it holds settings and certificates, no connection state)."""
    return httpx2.create_ssl_context()


def default_http_client(base_url: str) -> httpx2.Client:
    """The SDK's client with its defaults, reading through ``http.client`` (``stdlib_transport``:
    well under half httpx2's CPU per streamed chunk), or through httpx2's own transport when
    the environment names a proxy for ``base_url`` (which only that transport honours)."""
    if uses_env_proxy(base_url):
        return openai.DefaultHttpx2Client(verify=shared_tls_context())
    return openai.DefaultHttpx2Client(transport=StdlibHTTPTransport(shared_tls_context()))


def backoff_seconds(attempt: int, retry_after: float | None, base: float = 0.5) -> float:
    if retry_after is not None:
        return retry_after
    return min(8.0, base * 2.0**attempt) * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not a secret


class OpenAICompatProvider:
    def __init__(self, config: ProviderConfig, http_client: httpx2.Client | None = None) -> None:
        self.config = config
        self._send_stream_options = True
        if http_client is None:  # the SDK's own client, on the process's one TLS context
            http_client = default_http_client(config.base_url)
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
        caps = self.config.capabilities  # the doctor's profile, applied before the request (None: unchecked)
        params: dict[str, Any] = {"model": self.config.model, "messages": list(messages), "stream": True}
        if tools and (caps is None or caps.tools):
            params["tools"] = list(tools)
        if settings.temperature is not None:
            params["temperature"] = settings.temperature
        if settings.max_tokens:
            params[caps.limit_param if caps is not None else "max_tokens"] = settings.max_tokens
        if self._send_stream_options and (caps is None or caps.stream_options):
            params["stream_options"] = {"include_usage": True}
        return params

    def _open(
        self, messages: Sequence[dict[str, Any]], tools: Sequence[dict[str, Any]] | None, settings: GenerationSettings
    ) -> httpx2.Response:
        """Send the request; the open response, its body not read yet. The SDK builds the
        request and raises its own errors for a refused one (non-2xx); the body is ours to
        read (``sse_reader``), which costs a fraction of the SDK's per-chunk models.

        A server that rejects ``stream_options`` is asked once more without it, at once: that
        is a protocol fallback, not a failure, so it costs no retry."""
        create = self._client.chat.completions.with_streaming_response.create
        try:
            response: httpx2.Response = create(**as_raw_body(self._params(messages, tools, settings))).__enter__().http_response
            return response  # ``_read`` closes it (all the context manager's ``__exit__`` would do)
        except Exception as exc:
            if not (self._send_stream_options and is_stream_options_rejection(exc)):
                raise
        self._send_stream_options = False
        response = create(**as_raw_body(self._params(messages, tools, settings))).__enter__().http_response
        return response

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
            response = self._open(messages, tools, settings)
        except Exception as exc:
            if cancel.cancelled:
                yield End("cancelled")
                return None
            retry_after = retry_after_seconds(getattr(getattr(exc, "response", None), "headers", None))
            err = self._describe(exc, mid_answer=False)
            too_long = retry_after is not None and retry_after > MAX_RETRY_WAIT_S  # reported, not waited out
            return _Failure(err, retry_allowed=err.retryable and not too_long, retry_after=retry_after)
        return (yield from self._read(response, cancel, messages))

    def _describe(self, exc: BaseException, *, mid_answer: bool) -> Error:
        return describe(
            exc,
            model=self.config.model,
            base_url=self.config.base_url,
            read_timeout=self.config.timeouts.read,
            mid_answer=mid_answer,
            secrets=(self.config.api_key,),
        )

    def _read(self, response: httpx2.Response, cancel: CancelToken,
              messages: Sequence[dict[str, Any]] = ()) -> Generator[Event, None, _Failure | None]:
        """Read one open stream. Returns None when it ended (End yielded), else the failure
        (which may be retried only when nothing was shown yet: text is never duplicated)."""
        unregister = cancel.on_cancel(lambda: abort_response(response))
        reader = ChunkReader(response.request)
        is_cancelled = cancel._event.is_set  # hot path: one bound call per chunk

        def pause() -> None:  # between reads, once text flows, when many answers stream (read_pace)
            wait = read_pause() if reader.shown else 0.0
            if wait:
                cancel.wait(wait)  # Stop ends the pause at once

        # Only a transport whose read hands over all that arrived may pause (stdlib_transport):
        # one that yields a chunk per read would fall behind the model.
        batched = response.extensions.get(BATCHED_READS, False)
        try:
            with streaming_answer():  # counted while it reads (read_pace, checkpoint)
                for event in reader.events(sse_data(network_reads(response, pause if batched else None))):
                    if is_cancelled():
                        break
                    yield event
        except Exception as exc:
            if cancel.cancelled:
                yield End("cancelled")
                return None
            err = self._describe(exc, mid_answer=reader.shown)
            return _Failure(err, retry_allowed=not reader.shown and err.retryable)
        finally:
            unregister()
            response.close()
        if cancel.cancelled:
            yield End("cancelled")
            return None
        usage = reader.usage_event()
        caps = self.config.capabilities
        if usage is None and caps is not None and not caps.usage_in_stream:
            yield estimated_usage(messages, reader.pieces)
        if usage is not None:
            yield usage
        finish_reason = reader.finish_reason
        if finish_reason is None:
            yield End("incomplete", "The stream ended without a finish reason, so the answer may be cut short.")
            return None
        if reader.assembler.has_calls:  # decide from the calls, not finish_reason: servers say "stop" too
            yield from reader.assembler.finish()
            yield End("tool_calls")
            return None
        yield End(finish_reason if finish_reason in _KNOWN_FINISH else "stop")  # type: ignore[arg-type]
        return None


def as_raw_body(params: dict[str, Any]) -> dict[str, Any]:
    """``create``'s arguments with the request's fields passed as ``extra_body``: the same JSON
    body, without the SDK's typed-parameter transform, which walks every message and tool
    schema on each request (27 ms for a 200-message chat, 0.6 ms this way: it grew with the
    history on every prompt and every tool step). Our messages are plain JSON already (no
    aliased keys, dates or files for the transform to rewrite); ``extra_body`` is merged into
    the body as it is."""
    return {"model": params["model"], "messages": [], "stream": True,
            "extra_body": {k: v for k, v in params.items() if k not in ("model", "stream")}}


def network_reads(response: httpx2.Response, pause: Callable[[], object] | None = None) -> Iterator[bytes]:
    """The body as it arrives; transport failures as the SDK's own errors (what it raises
    from its stream), so ``describe`` words them the same. ``pause`` runs after each read has
    been handled, before the next one."""
    encoded = response.headers.get("content-encoding", "identity").strip().lower() not in ("", "identity")
    try:  # (the raw reads skip a decoder and a re-chunker per read when there is nothing to decode)
        reads = response.iter_bytes() if encoded or response.is_stream_consumed else response.iter_raw()
        if pause is None:
            yield from reads
            return
        for data in reads:
            yield data
            pause()
    except httpx2.TimeoutException as exc:
        raise openai.APITimeoutError(request=response.request) from exc
    except (httpx2.RequestError, ssl.SSLError) as exc:
        raise openai.APIConnectionError(request=response.request) from exc


@dataclass(frozen=True, slots=True)
class _Failure:
    """One attempt that failed: what to tell the user, and whether trying again may help."""

    error: Error
    retry_allowed: bool
    retry_after: float | None = None  # the server's own Retry-After, when it sent one


def estimated_usage(messages: Sequence[dict[str, Any]], completion_pieces: int) -> Usage:
    """Usage for a server that sends none (the doctor found so): about chars/4 in, a token per chunk out."""
    prompt = max(1, round(len(json.dumps(list(messages), default=str)) / 4))
    return Usage(prompt_tokens=prompt, completion_tokens=completion_pieces, total_tokens=prompt + completion_pieces)


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


__all__ = ["ModelListError", "OpenAICompatProvider", "abort_response", "as_raw_body", "backoff_seconds", "default_http_client",
           "estimated_usage", "network_reads", "shared_tls_context"]
