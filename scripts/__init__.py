"""The benchmarks and tools, each run as ``python scripts/NAME.py``. A package
only so that the import contracts (pyproject.toml) see them: no test imports
a script; what tests and benchmarks share is in harness/."""
