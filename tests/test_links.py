"""Links to share: which addresses a student's machine cannot reach
(ui/settings.py's share box warns about them; tests/test_page_settings.py shows it)."""

import pytest

from ui.settings import unreachable_host


@pytest.mark.parametrize("url, host", [
    ("http://localhost:8501/train?strategy=hard", "localhost"),
    ("http://LOCALHOST:8501/", "localhost"),
    ("http://app.localhost:8501/", "app.localhost"),
    ("http://127.0.0.1:8501/", "127.0.0.1"),
    ("http://127.0.1.1:8501/", "127.0.1.1"),  # Debian's name for its own host
    ("http://0.0.0.0:8501/", "0.0.0.0"),
    ("http://[::1]:8501/", "::1"),
    ("http://[::]:8501/", "::"),
    ("http://192.168.1.20:8501/train", None),
    ("http://10.0.0.7/hall/train", None),
    ("http://[fe80::1]:8501/", None),  # on the same link as the students
    ("https://class.example/train", None),
    ("http://teacher-laptop:8501/", None),  # a name the class's network may know
    ("?strategy=hard", None),  # AppTest's links: no address at all
    ("", None),
])
def test_unreachable_host(url, host):
    assert unreachable_host(url) == host
