#!/usr/bin/python3
"""Execute the project's notebooks headless in Deno's Jupyter kernel and check their outputs.

    /usr/bin/python3 notebooks/_tools/run_notebooks.py [NOTEBOOK.ipynb ...]
        [--check-only] [--no-write] [--repeat N] [--timeout S] [--grace S] [--probe]

Without arguments it runs every `notebooks/[0-9]*.ipynb`. Each notebook runs in a fresh `deno`
kernel started in the notebook's folder, with a per-cell timeout, and the executed copy is
written back in place (nbformat's formatting, consecutive stream outputs merged, no timing
metadata), so the committed copy shows its tables and plots.

Why not `jupyter nbconvert --execute`: Deno's kernel sometimes publishes a cell's last outputs
after it has reported "idle", and nbclient stops reading a cell's outputs at "idle", so they are
lost silently. `GraceClient` below keeps reading the cell's iopub messages until none has arrived
for a grace period (0.25 s).

Each notebook `NNN_topic.ipynb` has its expectations beside it in `NNN_topic.expect.json`: an
object mapping every code cell's id to a list of
    "text"          the text must occur in the cell's text (stream text, text/plain,
                    text/markdown and text/html of all its outputs, ANSI codes stripped)
    "re:<regex>"    the regular expression (JavaScript's syntax; no flags) is searched in the
                    same text
    "mime:<type>"   some output of the cell has that MIME type
    "stderr-ok"     the cell may write to stderr (otherwise any stderr output fails it)
A code cell missing from the file, an expectation for a cell that does not exist, and any
`error` output fail the notebook.

One line per notebook: name, code cells, seconds, "ok" or "FAILED: reasons". The exit code is 0
when every notebook passed, 1 when one failed, 2 when Jupyter or the kernel is missing (the
message says what to install); `--probe` only checks that and exits 0 or 2.
With `--repeat N` every notebook is executed N times, each run checked, and the runs' text
outputs compared: the proof that no output is lost.
"""

import argparse
import asyncio
import glob
import hashlib
import json
import os
import queue
import re
import shutil
import sys
import tempfile
import time

KERNEL = "deno"
INSTALL_JUPYTER = (
    "install Jupyter for /usr/bin/python3: on Debian/Ubuntu `apt-get install jupyter-nbconvert "
    "python3-nbclient jupyter-client python3-ipykernel`"
)
INSTALL_KERNEL = "install Deno's Jupyter kernel: `deno jupyter --install`"
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
TEXT_MIMES = ("text/plain", "text/markdown", "text/html")

os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")

try:
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionComplete, CellTimeoutError, DeadKernelError
    from nbclient.util import ensure_async
    from traitlets import Float
except ImportError as missing:  # reported by setup_problem()
    IMPORT_ERROR = missing
    NotebookClient = object
else:
    IMPORT_ERROR = None


def setup_problem():
    """What is missing to run notebooks, as a sentence, or None when all is there."""
    if IMPORT_ERROR is not None:
        return f"notebooks: {sys.executable} cannot import {IMPORT_ERROR.name}: {INSTALL_JUPYTER}"
    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL)
    except NoSuchKernel:
        return f"notebooks: the Jupyter kernel {KERNEL!r} is not installed: {INSTALL_KERNEL}"
    exe = spec.argv[0] if spec.argv else ""
    if not (os.path.isabs(exe) and os.access(exe, os.X_OK)) and shutil.which(exe) is None:
        return (
            f"notebooks: the {KERNEL!r} kernel ({spec.resource_dir}) starts {exe!r}, which does "
            f"not exist any more: reinstall it with `deno jupyter --install --force`"
        )
    return None


if IMPORT_ERROR is None:

    class GraceClient(NotebookClient):
        """A NotebookClient that reads on after the kernel reports a cell "idle".

        nbclient ends a cell at its "idle" status message; whatever the kernel publishes for
        that cell afterwards would be dropped by the next cell's reader (it belongs to another
        request). After the cell ends, this client keeps reading iopub and processes the
        cell's late messages the way nbclient processes all others (`process_message`), until
        `grace` seconds have passed since the last one.
        """

        grace = Float(0.25, help="seconds of iopub silence after idle that end a cell").tag(
            config=True
        )

        def process_message(self, msg, cell, cell_index):
            parent = msg.get("parent_header", {}).get("msg_id")
            if parent:
                self._cell_request = parent
            return super().process_message(msg, cell, cell_index)

        async def async_execute_cell(self, cell, cell_index, execution_count=None, **kw):
            self._cell_request = None
            self.current_cell = cell.get("id") or f"number {cell_index + 1}"
            cell = await super().async_execute_cell(
                cell, cell_index, execution_count=execution_count, **kw
            )
            if self._cell_request is not None:
                await self._read_after_idle(self._cell_request, cell, cell_index)
            return cell

        async def _read_after_idle(self, request, cell, cell_index):
            idle = time.monotonic()
            deadline = idle + self.grace
            # a cell that keeps printing (a timer left running) ends at the cell timeout
            limit = idle + (self.timeout if self.timeout is not None else 300)
            while True:
                left = min(deadline, limit) - time.monotonic()
                if left <= 0:
                    return
                try:
                    msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=left))
                except queue.Empty:
                    return
                if msg.get("parent_header", {}).get("msg_id") != request:
                    continue
                now = time.monotonic()
                self.late_messages += 1
                self.longest_gap = max(self.longest_gap, now - (deadline - self.grace))
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    pass
                deadline = now + self.grace


def merge_streams(nb):
    """Merge consecutive stream outputs of the same name (as nbconvert does), for stable files."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged = []
        for out in cell.get("outputs", []):
            last = merged[-1] if merged else None
            if (
                out.output_type == "stream"
                and last is not None
                and last.output_type == "stream"
                and last.name == out.name
            ):
                last.text += out.text
            else:
                merged.append(out)
        cell.outputs = merged


def as_text(value):
    return "".join(value) if isinstance(value, list) else str(value)


def cell_text(cell):
    """The text an expectation searches: stream text and the text MIME types, ANSI stripped."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(as_text(out.text))
        elif out.output_type in ("execute_result", "display_data"):
            for mime in TEXT_MIMES:
                if mime in out.get("data", {}):
                    parts.append(as_text(out.data[mime]))
    return ANSI.sub("", "\n".join(parts))


def cell_mimes(cell):
    mimes = set()
    for out in cell.get("outputs", []):
        if out.output_type in ("execute_result", "display_data"):
            mimes.update(out.get("data", {}).keys())
    return mimes


def short(text, width=80):
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def expectations_path(path):
    return path[: -len(".ipynb")] + ".expect.json"


def load_expectations(path):
    """The expectations of a notebook as {cell id: [expectation, …]}, or a reason string."""
    exp_path = expectations_path(path)
    name = os.path.basename(exp_path)
    try:
        with open(exp_path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return f"no expectations file {name} (map every code cell's id to its expected outputs)"
    except json.JSONDecodeError as e:
        return f"{name} is not valid JSON: {e}"
    if not isinstance(data, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in data.values()
    ):
        return f"{name} must be an object mapping cell ids to lists of strings"
    return data


def js_regex(pattern):
    """A JavaScript regular expression in Python's syntax: the two agree but for named groups."""
    return re.sub(r"\(\?<(?=[A-Za-z_])", "(?P<", pattern)


def check(nb, expectations):
    """Every reason the executed notebook fails its expectations (an empty list: it passes)."""
    reasons = []
    spec = nb.metadata.get("kernelspec", {}).get("name")
    if spec != KERNEL:
        reasons.append(f"kernelspec is {spec!r}, expected {KERNEL!r}")
    code = [c for c in nb.cells if c.cell_type == "code"]
    ids = [c.get("id") for c in code]
    for unknown in sorted(set(expectations) - set(ids), key=str):
        reasons.append(f"expectations name cell {unknown!r}, which is not a code cell here")
    for i, cell in enumerate(code):
        cid = cell.get("id")
        label = f"cell {cid!r}" if cid else f"code cell {i + 1} (no id)"
        if cid not in expectations:
            reasons.append(f"{label} has no expectations")
            continue
        if cell.get("execution_count") is None and cell.source.strip():
            reasons.append(f"{label} was not executed")
            continue
        text = cell_text(cell)
        mimes = cell_mimes(cell)
        expected = expectations[cid]
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                reasons.append(f"{label} raised {out.get('ename')}: {short(out.get('evalue', ''))}")
            elif (
                out.output_type == "stream"
                and out.name == "stderr"
                and "stderr-ok" not in expected
                and as_text(out.text).strip()
            ):
                reasons.append(f"{label} wrote to stderr: {short(ANSI.sub('', as_text(out.text)))}")
        for exp in expected:
            if exp == "stderr-ok":
                continue
            if exp.startswith("mime:"):
                if exp[5:] not in mimes:
                    have = ", ".join(sorted(mimes)) or "none"
                    reasons.append(f"{label} has no {exp[5:]} output (has: {have})")
            elif exp.startswith("re:"):
                try:
                    found = re.search(js_regex(exp[3:]), text)
                except re.error as e:
                    reasons.append(f"{label}: bad regular expression {exp[3:]!r}: {e}")
                    continue
                if not found:
                    reasons.append(f"{label} output does not match /{exp[3:]}/")
            elif exp not in text:
                reasons.append(f"{label} output lacks {exp!r}")
    return reasons


def text_digest(nb):
    """A digest of every code cell's text and MIME types: equal digests, equal outputs."""
    h = hashlib.sha256()
    for cell in nb.cells:
        if cell.cell_type == "code":
            record = [cell.get("id"), cell_text(cell), sorted(cell_mimes(cell))]
            h.update(json.dumps(record).encode())
    return h.hexdigest()[:12]


START_ATTEMPTS = 3


def execute(path, args):
    """Execute the notebook at path: (notebook, reasons it failed, (late messages, longest gap)).

    A kernel that dies before it answers kernel_info (before any cell ran) is started again, up
    to START_ATTEMPTS times: kernels started side by side can race for the same free port
    (Deno's kernel then fails to bind it). Nothing of the notebook has run then, so a retry hides
    no lost output.
    """
    for attempt in range(1, START_ATTEMPTS + 1):
        nb, reasons, late, started = execute_once(path, args)
        if started or attempt == START_ATTEMPTS:
            return nb, reasons, late
    raise AssertionError("unreachable")


def execute_once(path, args):
    """One execution; the fourth value says whether the kernel started (a cell began)."""
    nb = nbformat.read(path, as_version=4)
    client = GraceClient(
        nb,
        kernel_name=KERNEL,
        timeout=args.timeout,
        grace=args.grace,
        allow_errors=True,  # run every cell; errors are reported by check()
        record_timing=False,  # no timestamps in the saved copy
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )
    client.late_messages = 0
    client.longest_gap = 0.0
    client.current_cell = None
    reasons = []
    # The kernel's own stderr (Deno's "deno jupyter is unstable" warning, a crash's message) goes
    # to a file, quoted only when the execution failed.
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as kernel_err:
        try:
            client.execute(stderr=kernel_err)
        except CellTimeoutError:
            reasons.append(f"cell {client.current_cell!r} timed out after {args.timeout} s")
        except DeadKernelError as e:
            reasons.append(f"the kernel died in cell {client.current_cell!r}: {short(str(e), 160)}")
        except Exception as e:  # a kernel that cannot start, a broken notebook: one failed line
            reasons.append(f"{type(e).__name__}: {short(str(e), 160)}")
        if reasons:
            kernel_err.seek(0)
            lines = ANSI.sub("", kernel_err.read()).splitlines()
            lines = [ln for ln in lines if "unstable" not in ln]
            if any(ln.strip() for ln in lines):
                reasons.append("kernel stderr: " + short(" | ".join(lines[-5:]), 300))
    merge_streams(nb)
    started = client.current_cell is not None or not reasons
    return nb, reasons, (client.late_messages, client.longest_gap), started


def run_one(path, args, run_label=""):
    """Execute (or only read) one notebook, check it; returns (ok, digest, line)."""
    name = os.path.relpath(path)
    expectations = load_expectations(path)
    start = time.monotonic()
    late = None
    if args.check_only:
        nb = nbformat.read(path, as_version=4)
        reasons = []
    else:
        nb, reasons, late = execute(path, args)
    seconds = time.monotonic() - start
    if isinstance(expectations, str):
        reasons.append(expectations)
    else:
        reasons.extend(check(nb, expectations))
    if not args.check_only and not args.no_write:
        nbformat.write(nb, path)
    cells = sum(1 for c in nb.cells if c.cell_type == "code")
    status = "ok" if not reasons else "FAILED: " + "; ".join(reasons)
    late_note = ""
    if late and late[0]:
        plural = "s" if late[0] != 1 else ""
        late_note = f", {late[0]} message{plural} after idle (gaps up to {late[1]:.3f} s)"
    line = f"{name}{run_label}: {cells} cells, {seconds:.1f} s{late_note}, {status}"
    return not reasons, text_digest(nb), line


def main(argv):
    parser = argparse.ArgumentParser(
        description="Execute notebooks in Deno's Jupyter kernel and check their expectations."
    )
    parser.add_argument("notebooks", nargs="*", help="default: every notebooks/[0-9]*.ipynb")
    parser.add_argument("--check-only", action="store_true", help="check without executing")
    parser.add_argument("--no-write", action="store_true", help="do not write executed copies")
    parser.add_argument("--repeat", type=int, default=1, metavar="N", help="execute N times")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell (300)")
    parser.add_argument("--grace", type=float, default=0.25, help="seconds read after idle")
    parser.add_argument("--probe", action="store_true", help="only check Jupyter and the kernel")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    if args.check_only and args.repeat > 1:
        parser.error("--repeat executes notebooks; it cannot be combined with --check-only")

    paths = args.notebooks
    if not paths and not args.probe:
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        paths = sorted(glob.glob(os.path.join(root, "notebooks", "[0-9]*.ipynb")))
        if not paths:
            print("notebooks: no notebooks/[0-9]*.ipynb yet, nothing to run")
            return 0
    missing = [p for p in paths if not os.path.isfile(p)]
    if missing:
        print(f"notebooks: no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 1

    # --check-only needs nbformat, not the kernel
    needs_kernel = args.probe or not args.check_only
    problem = setup_problem() if IMPORT_ERROR is not None or needs_kernel else None
    if problem:
        print(problem, file=sys.stderr)
        return 2
    if args.probe:
        print(f"notebooks: Jupyter and the {KERNEL!r} kernel are installed")
        return 0

    failed = 0
    for path in paths:
        if args.repeat == 1:
            ok, _, line = run_one(path, args)
            print(line, flush=True)
            failed += not ok
            continue
        digests = []
        complete = 0
        for i in range(args.repeat):
            ok, digest, line = run_one(path, args, f" run {i + 1}/{args.repeat}")
            print(line, flush=True)
            complete += ok
            digests.append(digest)
        differing = [str(i + 1) for i, d in enumerate(digests) if d != digests[0]]
        same = (
            f"text outputs identical in all runs (digest {digests[0]})"
            if not differing
            else f"text outputs differ from run 1 in runs {', '.join(differing)}"
        )
        name = os.path.relpath(path)
        print(f"{name}: {complete}/{args.repeat} runs complete, {same}", flush=True)
        failed += complete != args.repeat
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
