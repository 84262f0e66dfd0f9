"""Executes a notebook headless with nbclient (as CI does) and writes the executed copy.

Usage: run_notebook.py NOTEBOOK OUTPUT [TIMEOUT_SECONDS]
The kernel is this Python's ipykernel; the notebook's environment is this process's (e.g.
LAKEHOUSE_SERVE_URL). A cell that raises makes this exit non-zero with the cell's error.
"""
import sys

import nbformat
from nbclient import NotebookClient

source, output = sys.argv[1:3]
timeout = int(sys.argv[3]) if len(sys.argv) > 3 else 600
notebook = nbformat.read(source, as_version=4)
client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", allow_errors=False)
try:
    client.execute()
finally:
    nbformat.write(notebook, output)
