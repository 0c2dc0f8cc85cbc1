"""Sidebar settings: read the widgets, return immutable settings for the core.

Widgets keep their values across pages (``persist_state="session"``). The *Advanced*
section is built only while it is open: folded (most runs: every prompt reruns the page),
its values are read from session state instead (ui/advanced_values.py). The provider
fields go through the operator's ``ProviderPolicy`` (``chatcore.provider_policy``): the
configured key only ever goes to the configured base URL, and a refused base URL is
explained here and used for nothing.

The API key field never holds a key for long: its ``on_change`` moves what was typed into
a plain session-state entry and empties the field, so the key is not sent back to the
browser on later runs (a widget's value is). A key from secrets or the environment is
never sent to the browser at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from chatcore.app_config import AppConfig, load_app_config
from chatcore.mock.options import MockOptions
from chatcore.provider_policy import ProviderChoice, ProviderPolicy, VisitorOrigin, choose_provider
from chatcore.providers import ModelListError
from chatcore.session import ChatSession
from chatcore.settings import GenerationSettings, ProviderConfig

from .advanced_values import ADVANCED, MOCK_LABEL, VISITOR_API_KEY, AdvancedValues, Answering
from .advanced_widgets import KEEP, draw_answering, draw_mock, draw_provider_kind, section
from .presets import PRESET, render_preset_picker, with_default_model
from .profiles import render_profile_note, with_profile
from .recent_chats import render_recent_chats
from .share import render_share_button
from .starters import render_prompt_list
from .state import MODEL_LIST, secrets_mapping, start_new_chat
from .tool_choice import ticked_tools

API_KEY_FIELD = "api_key"  # the password widget: emptied as soon as something is typed
LAST_SETTINGS = "last_settings"  # this visitor's settings as the chat page last read them


def last_settings() -> Settings:
    """The settings the chat page last used (defaults before it ever ran): pages without the
    sidebar check or compare what the chat talks to."""
    found = st.session_state.get(LAST_SETTINGS)
    if isinstance(found, Settings):
        return found
    provider = with_profile(ProviderConfig.from_sources(secrets=secrets_mapping()))
    return Settings(provider=provider, generation=GenerationSettings(), mock=MockOptions())


@dataclass(frozen=True)
class Settings:
    provider: ProviderConfig | None  # None: the provider settings were refused (see ``refusal``)
    generation: GenerationSettings
    mock: MockOptions
    refusal: str | None = None


def visitor_origin() -> VisitorOrigin:
    """Where this visitor connects from. Streamlit reports a loopback peer as no address;
    any forwarding header means a proxy is in between, so the visitor is not local."""
    try:
        headers = {name: "" for name in st.context.headers}
        address = st.context.ip_address
    except Exception:  # noqa: BLE001 - no request context: nothing says the visitor is remote
        headers, address = {}, None
    if not isinstance(address, str):  # AppTest's stand-in client has no real address
        address = None
    return VisitorOrigin.from_request(address, headers)


def _keep_typed_key() -> None:
    """``on_change`` of the key field: keep the key server-side and empty the field."""
    typed = str(st.session_state.get(API_KEY_FIELD) or "").strip()
    if typed:
        st.session_state[VISITOR_API_KEY] = typed
    st.session_state[API_KEY_FIELD] = ""


def _forget_key() -> None:
    st.session_state.pop(VISITOR_API_KEY, None)


def _api_key_field(policy: ProviderPolicy, base_url: str) -> str:
    """The visitor's own key ("" when none): a password field, or a note and Forget once typed."""
    key = str(st.session_state.get(VISITOR_API_KEY) or "")
    if key:
        cols = st.columns([3, 2], vertical_alignment="center")
        cols[0].caption(":material/key: Using your key for this session")
        cols[1].button("Forget", key="forget_api_key", on_click=_forget_key, help="Stop using the key you typed")
        return key
    st.text_input(
        "API key",
        type="password",
        key=API_KEY_FIELD,
        placeholder="Using the configured key" if policy.operator.has_key and policy.is_operators(base_url) else "sk-…",
        help="Kept on the server for this browser session only; never sent back to the page, stored, logged or exported.",
        on_change=_keep_typed_key,
    )
    return ""


def visitor_provider(base_url: str, api_key: str, model: str = "") -> ProviderChoice:
    """A server a visitor typed on a page other than the sidebar (compare, the doctor): the same
    operator policy as the sidebar's fields, so the operator's key goes only to the operator's
    server and internal addresses stay out of reach."""
    policy = ProviderPolicy.from_sources(secrets=secrets_mapping())
    if policy.lock_provider:
        choice = choose_provider(policy, origin=visitor_origin())
    else:
        choice = choose_provider(policy, base_url=base_url.strip() or policy.default_base_url,
                                 api_key=api_key.strip(), origin=visitor_origin())
    if choice.config is not None and model.strip():
        return ProviderChoice(choice.config.with_changes(model=model.strip()), note=choice.note)
    return choice


def _real_provider(session: ChatSession, policy: ProviderPolicy, model_slot: Any, values: AdvancedValues,
                   drawn: bool) -> ProviderChoice:
    """The OpenAI-compatible provider's fields (drawn when *Advanced* is open, else read from
    session state), checked against the operator's policy; the model picker in ``model_slot``."""
    if policy.lock_provider:  # the operator's provider as configured: only the model is the visitor's
        choice = choose_provider(policy, origin=visitor_origin())
    else:
        base_url, api_key = values.typed_base_url(), values.typed_api_key()
        if drawn:
            typed = st.text_input(
                "Base URL",
                value=values.default("base_url"),
                key="base_url",
                persist_state=KEEP,
                disabled=not policy.allow_custom_base_url,
                help=None if policy.allow_custom_base_url else "This app only talks to the server its operator configured.",
            )
            base_url = typed if policy.allow_custom_base_url else policy.default_base_url
            api_key = _api_key_field(policy, base_url or policy.default_base_url)
        choice = choose_provider(policy, base_url=base_url, api_key=api_key, origin=visitor_origin())
    if choice.config is None:
        if drawn:  # folded: the chat page says it (ui/chat.py), and the fields are here once unfolded
            st.error(choice.refusal or "These provider settings cannot be used.", icon=":material/block:")
        return choice
    if choice.note and drawn:
        st.caption(f":orange[{choice.note}]")
    with model_slot:  # the model sits at the top of the sidebar, the server's fields under Advanced
        config = choice.config.with_changes(model=_model_picker(session, choice.config))
    return ProviderChoice(config, note=choice.note)


def _list_models(session: ChatSession, config: ProviderConfig) -> tuple:
    try:
        return ((config.base_url, config.has_key), session.provider(config).list_models())
    except ModelListError as exc:
        return ((config.base_url, config.has_key), str(exc))


def _model_picker(session: ChatSession, config: ProviderConfig) -> str:
    """A list from ``/v1/models`` (fetched once per server and key), or a text field when it fails."""
    listed = st.session_state.get(MODEL_LIST)
    refresh = False
    cols = st.columns([5, 1], vertical_alignment="bottom")
    with cols[1]:
        refresh = st.button("", icon=":material/refresh:", help="List the server's models again", key="list_models")
    if refresh or listed is None or listed[0] != (config.base_url, config.has_key):
        listed = _list_models(session, config)
        st.session_state[MODEL_LIST] = listed
    with cols[0]:
        if isinstance(listed[1], list):
            options = listed[1]
            if config.model not in options:
                options = [config.model, *options]
            return st.selectbox("Model", options, index=options.index(config.model), key="model_select", accept_new_options=True)
        model = st.text_input("Model", value=config.model, key="model_text", persist_state=KEEP)
    st.caption(f":orange[{listed[1]}]")
    return model.strip() or config.model


MARKDOWN_GUIDE = """Answers are rendered as Markdown: **bold**, `code`, tables, emoji shortcodes
(:sparkles: is written `:sparkles:`) and math ($e^{i\\pi} + 1 = 0$). Raw HTML is shown as text.

```python
print("code blocks are highlighted")
```"""


def render_markdown_guide() -> None:
    """What answers can show. Drawn on every chat page run, inside *Advanced* whether it is
    open or folded (folded, it is the section's only content, which the browser renders all
    the same), so the browser loads the lazily loaded Markdown renderers (emoji, math, code
    highlighting) before an answer needs them: otherwise the first answer containing
    ``:word:`` (a time like 10:30:00 counts), ``$math$`` or a code block blanks out for
    about half a second while they load."""
    section("What answers can show", ":material/format_paint:")
    st.markdown(MARKDOWN_GUIDE)


def _policy_and_values() -> tuple[AppConfig, ProviderPolicy, AdvancedValues]:
    app_config = load_app_config()
    policy = ProviderPolicy.from_sources(secrets=with_default_model(secrets_mapping(), app_config))
    return app_config, policy, AdvancedValues(app_config, policy)


def current_base_url() -> str | None:
    """The base URL the chat page would use now, read without drawing the sidebar (the
    History page's curl export aims there): the same reading as a folded *Advanced*.
    None: the built-in mock."""
    _app_config, policy, values = _policy_and_values()
    if values.provider_kind() == MOCK_LABEL:
        return None
    if policy.lock_provider:
        return policy.operator.base_url
    choice = choose_provider(policy, base_url=values.typed_base_url(), api_key=values.typed_api_key(),
                             origin=visitor_origin())
    return choice.config.base_url if choice.config is not None else policy.default_base_url


def _folded_answering(values: AdvancedValues, session: ChatSession, app_config: AppConfig) -> Answering:
    """What the *Answer* widgets would return, read without drawing them (also keeps the
    ticked tools in step with the tools that come and go)."""
    return values.answering(ticked_tools(session, app_config)[1])


def render_sidebar(session: ChatSession) -> Settings:
    """People first: New chat, recent chats and the model; every other setting under one
    collapsed *Advanced* section, built only while it is open (folded, its values come from
    session state: ui/advanced_values.py). The model picker needs the provider fields (read
    under *Advanced*), so it is drawn into a slot reserved above them."""
    app_config, policy, values = _policy_and_values()
    refusal: str | None = None
    with st.sidebar:
        st.button("New chat", key="new_chat", icon=":material/add:", width="stretch", on_click=start_new_chat)
        render_recent_chats(session)
        render_share_button(session)  # read-only links (ui/share.py)
        render_preset_picker(app_config)
        model_slot = st.container()
        prompts_slot = st.container()
        advanced = st.expander("Advanced", icon=":material/tune:", key=ADVANCED, on_change="rerun")
    drawn = bool(advanced.open)
    with advanced:
        if drawn:
            section("Model", ":material/hub:")
        kind = draw_provider_kind(values) if drawn and not policy.lock_provider else values.provider_kind()
        mock = MockOptions()
        provider: ProviderConfig | None
        if kind == MOCK_LABEL:
            mock, mock_model = draw_mock(values) if drawn else values.mock()
            provider = ProviderConfig(kind="mock", model=mock_model)
            with model_slot:
                st.caption(":material/smart_toy: Model: the built-in mock (no key needed). "
                           "Connect a real one under *Advanced*.")
            if mock.scenario == "auto":
                with prompts_slot, st.expander("Try these prompts"):
                    render_prompt_list(app_config)
        else:
            choice = _real_provider(session, policy, model_slot, values, drawn)
            provider, refusal = choice.config, choice.refusal
        if provider is not None:
            provider = with_profile(provider)  # the endpoint doctor's findings, when it checked this model
            if drawn:
                render_profile_note(provider.capabilities)
        answering = draw_answering(values, session, app_config) if drawn else _folded_answering(values, session, app_config)
        render_markdown_guide()
    if provider is not None:
        provider = answering.applied_to(provider)
    generation = answering.generation(preset=str(st.session_state.get(PRESET) or ""))  # kept with feedback
    settings = Settings(provider=provider, generation=generation, mock=mock, refusal=refusal)
    st.session_state[LAST_SETTINGS] = settings  # for pages without this sidebar (the doctor, compare)
    return settings
