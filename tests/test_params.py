"""The parameter tables (recdemo/params.py, and the view's rows of
ui/settings_table.py): parse, format, link round trips, checks. SETTINGS
holds every row a link carries, the library's among them."""

import numpy as np
import pytest

from recdemo.params import COST_PARAMS, PARAMS, SHOWN_CHARS, ParamError, shortened
from ui.settings_table import SETTINGS, default_settings, link_params, parse_link_params


def allowed_values(param):
    """A few allowed values of ``param``: its ends, its default, one in between."""
    if param.kind is tuple:  # a list of choices: none, one, several
        return [(), param.choices[:1], param.choices[2:5]]
    if param.choices is not None:
        return list(param.choices)
    if param.kind is bool:
        return [True, False]
    middle = (param.low + param.high) / 2
    values = [param.low, param.high, param.default, middle]
    return [int(v) for v in values] if param.kind is int else [float(v) for v in values]


def a_non_default(param):
    return next(v for v in allowed_values(param) if v != param.default)


TABLE = {**{f"cost {name}": param for name, param in COST_PARAMS.items()}, **SETTINGS}
CASES = [(name, value) for name, param in TABLE.items() for value in allowed_values(param)]


@pytest.mark.parametrize("name, value", CASES)
def test_format_then_parse_gives_the_value_back(name, value):
    param = TABLE[name]
    text = param.format(value)
    assert isinstance(text, str)
    parsed = param.parse(text)
    assert parsed == value
    assert type(parsed) is param.kind


@pytest.mark.parametrize("name", SETTINGS)
def test_link_round_trip_of_a_non_default_value(name):
    settings = {**default_settings(), name: a_non_default(SETTINGS[name])}
    assert parse_link_params(link_params(settings)) == (settings, [])


def test_link_params_keep_only_non_defaults():
    assert link_params(default_settings()) == {}
    settings = {**default_settings(), "groups": 4, "leak": 0.25, "strategy": "in-group"}
    assert link_params(settings) == {"groups": "4", "leak": "0.25", "strategy": "in-group"}


def test_parse_link_params_ignores_unknown_keys_and_fills_in_defaults():
    settings, warnings = parse_link_params({"groups": "3", "colour": "red"})
    assert settings == {**default_settings(), "groups": 3}
    assert warnings == []


BAD_QUERY_VALUES = [("groups", "abc"), ("groups", "1"), ("groups", "2.5"), ("leak", "nan"),
                    ("leak", "0.9"), ("strategy", "foo"), ("logq_correction", "maybe"),
                    ("learning_rate", "inf"), ("seed", "-3")]


@pytest.mark.parametrize("name, text", BAD_QUERY_VALUES)
def test_parse_link_params_falls_back_to_the_default_with_a_warning(name, text):
    settings, warnings = parse_link_params({name: text, "epochs": "7"})
    assert settings == {**default_settings(), "epochs": 7}  # the good value is kept
    assert len(warnings) == 1  # now ParamError, not str: its reason and the value apart
    assert name in str(warnings[0])
    assert PARAMS[name].allowed() in str(warnings[0])
    assert warnings[0].name == name and warnings[0].got == text


@pytest.mark.parametrize("name, value", [
    ("epochs", True),  # bool is an int subclass, and True == 1 is in range
    ("groups", 3.0),
    ("groups", "3"),
    ("learning_rate", True),
    ("leak", float("nan")),
    ("leak", float("inf")),
    ("logq_correction", 1),
    ("strategy", "Full"),
    *[(name, p.low - 1) for name, p in SETTINGS.items() if p.kind is int and p.low is not None],
    *[(name, p.high + 1) for name, p in SETTINGS.items() if p.high is not None],
])
def test_check_rejects_naming_the_parameter_and_the_allowed_values(name, value):
    param = SETTINGS[name]
    with pytest.raises(ValueError) as error:
        param.check(value)
    assert str(error.value).startswith(f"{name} must be {param.allowed()}")


@pytest.mark.parametrize("name, value", [
    ("groups", np.int64(3)),
    ("epochs", np.int32(5)),
    ("leak", np.float64(0.2)),
    ("leak", np.float32(0.25)),
    ("learning_rate", 1),  # an int is a fine number
])
def test_check_accepts_numpy_numbers(name, value):
    assert PARAMS[name].check(value) == value


def test_allowed_is_readable():
    assert PARAMS["leak"].allowed() == "a number from 0 to 0.5"
    assert PARAMS["k"].allowed() == "an integer from 1 to 50"
    assert PARAMS["logq_correction"].allowed() == "true or false"
    assert PARAMS["strategy"].allowed().startswith("one of full, positives-only")


def test_cli_option_is_kebab_case():
    assert PARAMS["items_per_group"].cli_option == "--items-per-group"


# The grammar of a value's text (Param.parse): what each kind accepts, exactly.
ACCEPTED = [
    ("groups", "3", 3), ("groups", " 3 ", 3), ("groups", "03", 3), ("seed", "-0", 0),
    ("seed", "2147483647", 2**31 - 1),
    ("leak", "0.25", 0.25), ("leak", ".25", 0.25), ("leak", "0.", 0.0), ("leak", "0", 0.0),
    ("learning_rate", "1e-4", 1e-4), ("learning_rate", "1E-4", 1e-4),
    ("learning_rate", "2.5e-1", 0.25), ("learning_rate", "1e-03", 1e-3),
    ("present", "true", True), ("present", "TRUE", True), ("present", "1", True),
    ("present", "False", False), ("present", "0", False),
    ("strategy", "in-group", "in-group"), ("strategy", " hard ", "hard"),
    ("hide", "query, strategy", ("query", "strategy")), ("hide", "query,,", ("query",)),
    ("hide", "", ()),
]
REFUSED = [
    # Python's int() and float() take all of these; a link or a command line may not.
    ("groups", "1_0"), ("groups", "٣"), ("groups", "９"), ("groups", "²"), ("groups", "+3"),
    ("groups", "3.0"), ("groups", "3e0"), ("groups", "0x3"), ("groups", ""), ("groups", "3 4"),
    ("groups", "3\x00"), ("seed", "9" * 5000),
    ("leak", "nan"), ("leak", "NaN"), ("leak", "inf"), ("leak", "-inf"), ("leak", "Infinity"),
    ("learning_rate", "1e309"), ("leak", "0.1_0"), ("leak", "٠.٢"), ("leak", "０.２"),
    ("leak", "1e"), ("leak", "e3"), ("leak", "."), ("leak", "-"), ("leak", "0,2"),
    ("leak", "0x1p-3"),
    ("present", "yes"), ("present", "on"), ("present", "2"), ("present", "ｔｒｕｅ"),
    ("strategy", "Full"), ("strategy", "full,hard"), ("strategy", ""),
    ("hide", "present"), ("hide", "query,foo"),
]


@pytest.mark.parametrize("name, text, value", ACCEPTED)
def test_parse_accepts_the_grammar(name, text, value):
    parsed = SETTINGS[name].parse(text)
    assert parsed == value and type(parsed) is type(value)


@pytest.mark.parametrize("name, text", REFUSED)
def test_parse_refuses_everything_else_naming_the_parameter(name, text):
    with pytest.raises(ParamError) as error:
        SETTINGS[name].parse(text)
    assert error.value.name == name
    assert error.value.reason == f"{name} must be {SETTINGS[name].allowed()}"  # not the value


def test_an_error_echoes_the_text_given_not_the_number_read_from_it():
    with pytest.raises(ParamError, match=r"got '099'$"):
        PARAMS["groups"].parse("099")
    with pytest.raises(ParamError, match=r"got '1e309'$"):
        PARAMS["leak"].parse("1e309")


def test_a_bad_list_names_only_the_names_not_allowed():
    with pytest.raises(ParamError) as error:
        SETTINGS["hide"].parse("query, foo,strategy,<b>")
    assert error.value.got == "foo,<b>"
    assert str(error.value).endswith("got 'foo,<b>'")


def test_a_long_or_unprintable_value_is_echoed_shortened_and_escaped():
    assert shortened("x" * 100_000) == "x" * SHOWN_CHARS + "…"
    assert shortened("a\nb\u202ec") == "a\\nb\\u202ec"
    with pytest.raises(ParamError) as error:
        PARAMS["seed"].parse("9" * 5000)
    assert len(str(error.value)) < 200


def test_integer_ranges_read_as_integers():
    assert PARAMS["seed"].allowed() == "an integer from 0 to 2147483647"
    assert PARAMS["learning_rate"].allowed() == "a number from 0.0001 to 10"


def test_a_key_given_twice_falls_back_to_the_default():
    settings, errors = parse_link_params({"seed": ["3", "4"], "groups": ["5"]})
    assert settings == {**default_settings(), "groups": 5}
    assert [(e.name, e.got) for e in errors] == [("seed", "seed=3&seed=4")]


def test_a_caution_only_above_what_is_measured_to_work():
    param = PARAMS["learning_rate"]
    assert param.caution(param.works_up_to) is None and param.caution(param.default) is None
    caution = param.caution(0.5)
    assert caution.startswith("learning_rate 0.5 is above 0.1")
    assert all(p.caution(p.default) is None for p in PARAMS.values() if p.works_up_to)


def test_the_cost_commands_model_settings_are_the_models_rows():
    """One range for the model's dimension, batch size and negatives: the cost
    command's rows differ from the app's in their defaults only."""
    for name in ("dim", "batch_size", "negatives"):
        cost, app = COST_PARAMS[name], PARAMS[name]
        assert (cost.low, cost.high, cost.kind) == (app.low, app.high, app.kind)


def test_the_library_holds_no_view_rows():
    assert {param.section for param in PARAMS.values()} == {"data", "train", "mf"}
    assert set(SETTINGS) == set(PARAMS) | {"components", "query", "exercise", "largest_corpus",
                                           "present", "hide"}
