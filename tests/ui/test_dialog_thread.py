"""In a running kernel, what the Test Connection worker produces reaches the widgets on the kernel's thread."""

from __future__ import annotations

import nbformat
from nbclient import NotebookClient

CELLS = [
    """
import threading, time
import smsgw_kit
from smsgw_kit.ui import TestConnectionDialog

def slow_test(phone):
    time.sleep(0.3)
    return smsgw_kit.ConnectionReport(gateway_type="Nexmo", outcome="passed", stages=(), summary="works",
                                      duration_ms=300.0)

seen = []
dialog = TestConnectionDialog(slow_test, on_done=lambda report: seen.append(("on_done", threading.current_thread().name)))
dialog.phone.input.value = "447079692712"
dialog.submit()
dialog.result.observe(lambda change: seen.append(("result", threading.current_thread().name)), "value")
""",
    "dialog.wait()",
    """
import asyncio
await asyncio.sleep(0.5)  # let the kernel's loop run what the worker handed over
print(sorted(set(seen)), dialog.report.summary)
""",
]


def test_the_worker_hands_its_result_to_the_kernel_thread(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for cell in nb.cells for o in cell.outputs if o.output_type == "error"]
    assert not errors, errors
    printed = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    assert printed.strip() == "[('on_done', 'MainThread'), ('result', 'MainThread')] works"
