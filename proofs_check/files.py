"""Paths the suite writes: checked before any work, written atomically.

``check_writable(path)`` is called by every command for each output path *before* its work
starts, so that a campaign of minutes does not end in "permission denied".  ``write_atomic``
writes a temporary file in the target's directory and renames it over the target
(``os.replace`` is atomic on POSIX and Windows), so a reader never sees half a file and an
interrupted write leaves the old file in place.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from proofs_check.errors import DlmInputError
from proofs_check.limits import limit


class PathError(DlmInputError):
    """An output path cannot be written (missing permission, a directory in the way, ...)."""


class InputFileError(DlmInputError):
    """An input file cannot be read or is not the JSON it should be."""


def check_writable(path: str | Path, directory: bool = False) -> Path:
    """``path`` as a Path once its parent exists (created if needed), is a writable directory and
    the target itself is not a directory (or, with ``directory=True``, is one or can be made)."""
    p = Path(path)
    target_dir = p if directory else p.parent
    if not directory and p.is_dir():
        raise PathError(f"{p} is a directory; give a file name (e.g. {p / 'out.json'})")
    if directory and p.exists() and not p.is_dir():
        raise PathError(f"{p} exists and is not a directory; give a directory for the output")
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise PathError(f"cannot create the directory {target_dir}: a file is in the way; choose another path") \
            from None
    except OSError as exc:
        raise PathError(f"cannot create the directory {target_dir}: {exc.strerror}; choose another path") from None
    if not os.access(target_dir, os.W_OK | os.X_OK):
        raise PathError(f"the directory {target_dir} is not writable; choose another path")
    if not directory and p.exists() and not os.access(p, os.W_OK):
        raise PathError(f"{p} exists and is not writable; choose another path")
    return p


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same directory and ``os.replace``."""
    p = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p


def save_figure(fig, path: str | Path, dpi: int) -> Path:
    """A matplotlib figure as PNG bytes in memory, then :func:`write_atomic`."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return write_atomic(path, buf.getvalue())


def read_json(path: str | Path, what: str, error: type[DlmInputError] | None = None):
    """Parse a JSON input file after checking its size (``file_bytes``) and, after parsing, its nesting
    depth (``json_depth``); unreadable files, bad JSON and unconvertible numbers raise ``error``."""
    error = error or InputFileError
    p = Path(path)
    try:
        size = p.stat().st_size
        if p.is_dir():
            raise error(f"{what} file {p} is a directory; give a JSON file")
        if size > limit("file_bytes"):
            raise error(f"{what} file {p} has {size} bytes, more than the limit file_bytes = {limit('file_bytes')}")
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise error(f"{what} file {p} is not UTF-8 text; give a JSON file") from None
    except OSError as exc:
        raise error(f"cannot read {what} file {p}: {exc.strerror}") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise error(f"{p} is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise error(f"{p} nests JSON deeper than the limit json_depth = {limit('json_depth')}") from None
    except ValueError as exc:  # e.g. an integer with more digits than int() converts
        raise error(f"{p} holds an unusable number ({str(exc)[:80]}); numbers have at most "
                    f"{limit('weight_digits')} digits") from None
    _check_depth(obj, p, error)
    return obj


def _check_depth(obj, path, error) -> None:
    """Raise when ``obj`` nests lists/objects deeper than the ``json_depth`` limit (iteratively)."""
    top, stack = limit("json_depth"), [(obj, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (list, dict)):
            if depth > top:
                raise error(f"{path} nests JSON deeper than the limit json_depth = {top}")
            children = node.values() if isinstance(node, dict) else node
            stack.extend((c, depth + 1) for c in children if isinstance(c, (list, dict)))
