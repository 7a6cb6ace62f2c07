"""The app as a server: it writes nothing into its own folder (it runs from a
read-only checkout, plotly.js served from the plotly package) and takes no
uploads. The lecture hall's own checks are in tests/test_lecture_hall.py."""

import json
import shutil
import stat
import tempfile
import urllib.request
from pathlib import Path

import plotly
import pytest

from harness.server import ROOT, app_server
from harness.streamlit_client import (
    Visit,
    load_page,
    open_session,
    read_run,
    rerun_request,
    run_in_thread,
    upload_status,
)

pytestmark = pytest.mark.slow  # a real server, from a copy of the checkout

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
SKIPPED = shutil.ignore_patterns(".git", ".venv", "__pycache__", "artifacts", ".pytest_cache",
                                 ".ruff_cache")


def tree(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``root``: its size and modification time."""
    return {str(path.relative_to(root)): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in root.rglob("*")}


def set_writable(root: Path, writable: bool) -> None:
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IWUSR if writable
                   else mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


@pytest.fixture(scope="module")
def read_only_app():
    """The app started from a read-only copy of the repository (chmod a-w;
    root may write anyway, so the test also compares the tree before and
    after); yields (its port, the copy's folder, its files before)."""
    with tempfile.TemporaryDirectory(prefix="recdemo-read-only-") as tmp:
        copy = Path(tmp) / "recdemo"
        shutil.copytree(ROOT, copy, ignore=SKIPPED)
        set_writable(copy, False)
        before = tree(copy)
        try:
            # Python's bytecode cache is Python's, not the app's: kept out of the comparison.
            with app_server(copy, env={"PYTHONDONTWRITEBYTECODE": "1"}) as url:
                yield int(url.rsplit(":", 1)[1]), copy, before
        finally:
            set_writable(copy, True)


def chart_script(port: int, page: str) -> tuple[Visit, str]:
    """Load ``page`` as a browser tab does; the visit, and where its chart loads plotly.js."""
    visit = Visit("student", page, "")
    scripts = []

    def note(msg) -> None:
        if msg.WhichOneof("type") == "delta" and msg.delta.HasField("new_element"):
            element = msg.delta.new_element
            if (element.WhichOneof("type") == "bidi_component"
                    and element.bidi_component.component_name == "recdemo.plot"):
                scripts.append(json.loads(element.bidi_component.bytes)["plotly"])

    async def load():
        async with await open_session(port) as ws:
            await load_page(ws, visit, timeout=120)
            await ws.send(rerun_request(page, ""))  # the same page again, to read its chart
            await read_run(ws, note)

    run_in_thread(load())
    return visit, scripts[0] if scripts else ""


@pytest.mark.parametrize("page", ["", "train"])
def test_the_app_runs_from_a_read_only_checkout_and_writes_nothing_there(read_only_app, page):
    port, copy, before = read_only_app
    visit, script = chart_script(port, page)
    assert visit.ok, visit.failure()
    with NO_PROXY.open(f"http://127.0.0.1:{port}{script}", timeout=30) as response:
        body = response.read()
    bundle = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert body == bundle.read_bytes(), "plotly.js whole, from the plotly package"
    assert tree(copy) == before, "nothing written into the checkout"


def test_the_app_refuses_every_upload(read_only_app):
    port = read_only_app[0]
    assert run_in_thread(upload_status(port, 10 * 2**20)) == 413
    assert run_in_thread(upload_status(port, 1)) == 413
