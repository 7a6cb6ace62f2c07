"""What the tests and the benchmarks share to drive the real app: a server
(server.py) and what it runs (processes.py), Streamlit's websocket protocol
(streamlit_client.py) and a real Chromium (browser.py). It imports neither
ui nor the pages: it talks to the app as a browser or an operator does."""
