"""Endpoint profiles measured by the doctor, shared by the process, applied to the sidebar's config.

The cache holds only frozen ``Capabilities`` per (base URL, model): no key, nothing per user
(see chatcore/probe/cache.py), so sharing it through ``st.cache_resource`` is safe.
"""

from __future__ import annotations

import streamlit as st

from chatcore.probe import Capabilities, ProfileCache
from chatcore.settings import ProviderConfig


@st.cache_resource(show_spinner=False)
def shared_profiles() -> ProfileCache:
    return ProfileCache()


def with_profile(config: ProviderConfig) -> ProviderConfig:
    """``config`` carrying the doctor's profile for its endpoint and model, if one was measured."""
    return config.with_changes(capabilities=shared_profiles().get(config.base_url, config.model))


def render_profile_note(capabilities: Capabilities | None) -> None:
    """In the sidebar: what the app does differently for this model, because the doctor said so."""
    if capabilities is None:
        return
    notes = capabilities.notes()
    if notes:
        st.caption(":material/stethoscope: Checked by the endpoint doctor: " + " ".join(notes))
    else:
        st.caption(":material/stethoscope: Checked by the endpoint doctor: every capability works.")
