"""Keyboard focus around the sidebar (ui/sidebar_focus.js): a component that
draws nothing and sets up the browser tab's listeners once. page_setup puts
it in the sidebar of every page but the presenter view's, which has none."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_COMPONENT = st.components.v2.component(
    "recdemo.sidebar_focus", js=Path(__file__).with_name("sidebar_focus.js").read_text())


def focus_follows_the_sidebar() -> None:
    with st.sidebar:
        _COMPONENT(key="sidebar_focus")
