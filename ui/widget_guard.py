"""Widget values from the socket, checked like link values.

The browser keeps a widget in its range, but any client can send a widget
state of any type over the websocket: an integer for a slider, NaN for the
seed, a number for a radio button, a slider value far out of range. Streamlit
deserializes it before the page runs: some of these raised inside Streamlit
on that run and every later one (the session broken until a reload), others
silently became the minimum. So each control's deserializer is wrapped, once
the widget is drawn, in one that reads the raw value the way a link's text is
read: the parameter table's check (recdemo/params.py), with the widget's own
shape (a slider sends a one-element list, a number input a number, a radio
or select box the label of one of its options, a toggle a bool). A value
that fails becomes ``Refused``, which ui/settings.py turns into the same
notice a bad link gets; the setting and the session go on.

A session that a browser opens on another process (the lecture hall moved
its socket there after its process died) receives, with its first run, the
values the page's controls show: a click made meanwhile among them.
``sent_for_undrawn`` finds them (the session has drawn no such widget yet, so
Streamlit would drop them), and ``read`` checks one as above.

This reaches into Streamlit's session state (its widget metadata and
states), the one place that sees a value before Streamlit deserializes it;
tests/test_widget_guard.py sends such messages over a real websocket.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace

from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.state.common import unpack_widget_state_value

from recdemo.params import Param, ParamError, shortened

SLIDER, NUMBER, CHOICE, TOGGLE = "slider", "number", "choice", "toggle"  # widget shapes


@dataclass(frozen=True)
class Refused:
    """A widget value its parameter does not allow: why (naming the
    parameter and what it allows), and what was sent, as text."""

    reason: str
    got: str


def _session_state():
    """This session's SessionState (Streamlit's, behind st.session_state), or None."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return None if ctx is None else ctx.session_state._state


def _widget_id(state, key: str) -> str | None:
    return state._key_id_mapper.get_id_from_key(key, None)


def _as_number(raw, param: Param):
    """A number the way a link's text is read: a real, finite, an integer for
    an int parameter; then in the parameter's range."""
    if isinstance(raw, bool) or not isinstance(raw, numbers.Real) or not math.isfinite(raw):
        raise param.error(raw)
    if param.kind is int:
        if not float(raw).is_integer():
            raise param.error(raw)
        raw = int(raw)
    return param.check(raw)


def check(raw, param: Param, shape: str, deserialize, options=None, format_func=str):
    """The value the widget ``shape`` of ``param`` sent as ``raw`` (what
    Streamlit's deserializer would get), or raise ParamError."""
    if shape == SLIDER:
        if isinstance(raw, (str, bytes)) or not hasattr(raw, "__len__") or len(raw) != 1:
            raise param.error(raw)
        return _as_number(raw[0], param)
    if shape == NUMBER:
        return _as_number(raw, param)
    if shape == TOGGLE:
        if not isinstance(raw, bool):
            raise param.error(raw)
        return raw
    # A radio or select box sends its option's label: it must be one of them, exactly.
    try:
        value = deserialize(raw) if isinstance(raw, str) else None
    except Exception:  # whatever Streamlit's deserializer makes of a crafted label
        value = None
    allowed = param.choices if options is None else options
    if value is None or value not in allowed or format_func(value) != raw:
        raise param.error(raw)
    return value


def read(raw, param: Param, shape: str, deserialize, options=None, format_func=str):
    """``check``'s value, or Refused."""
    try:
        return check(raw, param, shape, deserialize, options, format_func)
    except ParamError as err:
        return Refused(err.reason, shortened(str(err.got)))


def guard(key: str, param: Param, shape: str, options=None, format_func=str) -> None:
    """Check the next value the browser sends for the widget ``key`` (drawn in
    this run) as ``read`` does: its deserializer gives Refused for a bad one."""
    state = _session_state()
    widget_id = None if state is None else _widget_id(state, key)
    metadata = None if widget_id is None else \
        state._new_widget_state.widget_metadata.get(widget_id)
    if metadata is None or getattr(metadata.deserializer, "recdemo_guarded", False):
        return
    original = metadata.deserializer

    def deserialize(ui_value):
        if ui_value is None:  # not sent: the widget's own default
            return original(None)
        return read(ui_value, param, shape, original, options, format_func)

    deserialize.recdemo_guarded = True
    deserialize.recdemo_value_type = metadata.value_type
    state._new_widget_state.widget_metadata[widget_id] = replace(metadata,
                                                                 deserializer=deserialize)


def reset(key: str, value) -> None:
    """After a Refused value: the widget ``key`` holds ``value`` again, as
    its own kind of state. (Streamlit records the kind the browser sent, a
    number for a radio button, say, and would fail to send that back.)"""
    state = _session_state()
    widget_id = None if state is None else _widget_id(state, key)
    if widget_id is None:
        return
    widgets = state._new_widget_state
    metadata = widgets.widget_metadata[widget_id]
    value_type = getattr(metadata.deserializer, "recdemo_value_type", metadata.value_type)
    widgets.widget_metadata[widget_id] = replace(metadata, value_type=value_type)
    widgets.set_from_value(widget_id, value)


def deserialized(key: str, raw):
    """``raw`` read by the widget ``key``'s deserializer (after ``guard``: a
    checked value or Refused)."""
    state = _session_state()
    return state._new_widget_state.widget_metadata[_widget_id(state, key)].deserializer(raw)


def sent_for_undrawn(key: str):
    """The raw value the browser sent in this run for a widget ``key`` that
    this session has never drawn (its page was drawn by another process), or None."""
    state = _session_state()
    if state is None:
        return None
    widgets = state._new_widget_state
    for widget_id in list(widgets.states):
        if widget_id.endswith(f"-{key}") and widget_id not in widgets.widget_metadata:
            proto = widgets.get_serialized(widget_id)
            if proto is not None:
                return unpack_widget_state_value(proto)
    return None
