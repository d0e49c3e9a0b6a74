"""Paths the suite writes: checked before any work, written atomically.

``check_writable(path)`` is called by every command for each output path *before* its work
starts, so that a campaign of minutes does not end in "permission denied".  ``write_atomic``
writes a temporary file in the target's directory and renames it over the target
(``os.replace`` is atomic on POSIX and Windows), so a reader never sees half a file and an
interrupted write leaves the old file in place.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from proofs_check.errors import DlmInputError


class PathError(DlmInputError):
    """An output path cannot be written (missing permission, a directory in the way, ...)."""


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
