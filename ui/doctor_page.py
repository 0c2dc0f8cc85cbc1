"""The Endpoint doctor page: check what an endpoint + model can do, show the evidence, and
make the app apply what was found (the profile goes to the shared ``ProfileCache``)."""

from __future__ import annotations

import streamlit as st

from chatcore.mock.options import MockOptions
from chatcore.probe import DoctorReport, ProbeTarget, run_doctor, target_for
from chatcore.probe.doctor import STATUS_MARK
from chatcore.settings import ProviderConfig

from .profiles import shared_profiles
from .sidebar import last_settings, visitor_provider

REPORT = "doctor_report"  # this visitor's last report (its evidence stays in their session)
SIDEBAR = "The chat's provider"
OTHER = "Another endpoint"


def _other_endpoint() -> tuple[ProviderConfig | None, MockOptions | None]:
    base_url = st.text_input("Base URL", placeholder="http://localhost:8000/v1", key="doctor_base_url")
    api_key = st.text_input("API key", type="password", key="doctor_api_key",
                            help="Used for this check only; never stored, logged or shown in the report.")
    model = st.text_input("Model", key="doctor_model", placeholder="e.g. gpt-4o-mini")
    if not base_url.strip():
        return None, None
    choice = visitor_provider(base_url, api_key, model)  # the operator's key goes only to the operator's server
    if choice.config is None:
        st.error(choice.refusal or "These settings cannot be used.", icon=":material/block:")
    elif choice.note:
        st.caption(f":orange[{choice.note}]")
    return choice.config, None


def report_rows(report: DoctorReport) -> list[dict[str, str]]:
    return [{"check": c.check, "result": f"{STATUS_MARK[c.status]}: {c.result}", "evidence": c.evidence,
             "what the app does": c.action} for c in report.cells]


def render_report(report: DoctorReport) -> None:
    st.subheader(f"`{report.model}` at `{report.base_url}`")
    st.caption(f"{len(report.cells)} checks in {report.seconds:.1f} s, spending {report.tokens_text()} "
               f"(each probe asks for 1 to 80 tokens).")
    if report.capabilities is None:
        st.error("The endpoint did not stream an answer, so nothing was learned and nothing changes in the app. "
                 "See the first failed row.", icon=":material/error:")
    else:
        notes = report.capabilities.notes()
        if notes:
            st.info("**The app now does this for this model:**\n\n" + "\n".join(f"- {n}" for n in notes),
                    icon=":material/build:")
        else:
            st.success("Every capability the app uses works: nothing to work around.", icon=":material/check_circle:")
    st.table(report_rows(report))
    with st.expander("Copy as Markdown (for a bug report)", icon=":material/content_copy:"):
        markdown = report.to_markdown()
        st.code(markdown, language="markdown")
        st.download_button("Download .md", markdown, file_name="endpoint-check.md", mime="text/markdown",
                           key="doctor_download")


def render_doctor_page() -> None:
    st.set_page_config(layout="wide")  # the evidence column needs the width
    settings = last_settings()
    st.title("Endpoint doctor")
    st.caption("Probes an OpenAI-compatible endpoint with tiny requests (a few hundred tokens in all) and "
               "shows what it can do, with the evidence. The app then works around what is missing.")
    source = st.radio("Check", [SIDEBAR, OTHER], horizontal=True, key="doctor_source")
    config: ProviderConfig | None
    if source == SIDEBAR:
        config = settings.provider
        mock = settings.mock if config is not None and config.is_mock else None
        if config is None:
            st.error(settings.refusal or "The chat's provider settings were refused.", icon=":material/block:")
        else:
            where = "the built-in mock" if config.is_mock else f"`{config.base_url}`"
            st.caption(f"Model `{config.model}` at {where} (change it in the chat page's sidebar).")
    else:
        config, mock = _other_endpoint()
    ready = config is not None and bool(config.model and config.base_url)
    if config is not None and st.button("Run the check", type="primary", icon=":material/stethoscope:",
                                        disabled=not ready, key="doctor_run"):
        target: ProbeTarget = target_for(config, mock)
        with st.spinner(f"Checking {config.model}…"):
            report = run_doctor(target)
        st.session_state[REPORT] = report
        if report.capabilities is not None:
            shared_profiles().put(report.base_url, report.model, report.capabilities)
    shown: DoctorReport | None = st.session_state.get(REPORT)
    if shown is not None:
        report = shown
        render_report(report)
        if st.button("Forget this profile (the app goes back to its defaults)", key="doctor_forget"):
            shared_profiles().forget(report.base_url, report.model)
            st.toast("Profile forgotten.")
