"""The app's shared work without Streamlit: caches bounded by bytes
(cache.py), the queue of runs (scheduler.py), the worker processes
(pool.py) and the loop they run (worker.py), and the server process's
set-up (process.py). It imports neither streamlit nor ui, and importing it
starts nothing: ui/work.py wires it to Streamlit's sessions."""
