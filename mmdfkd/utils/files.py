"""Files written so that a kill leaves either the old file or the new one."""
import os
import os.path as osp
import tempfile
from contextlib import contextmanager
from typing import IO, Iterator


def _fsync_dir(dirname: str) -> None:
    try:
        fd = os.open(dirname, os.O_RDONLY)
    except OSError:  # e.g. a platform without directory file descriptors
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_write(path: str, mode: str = 'wb') -> Iterator[IO]:
    """Open a temporary file next to ``path``; on a clean exit flush, fsync
    and rename it over ``path`` (``os.replace``: atomic on POSIX), then fsync
    the directory. On an exception the temporary file is removed and
    ``path`` keeps its previous content; a kill leaves at most a stray
    ``.<name>.*.tmp`` beside it.

    Example:
        >>> with atomic_write('work_dirs/x/weights.pth') as f:
        ...     torch.save(state, f)
    """
    dirname = osp.dirname(osp.abspath(path))
    fd, tmp = tempfile.mkstemp(
        prefix=f'.{osp.basename(path)}.', suffix='.tmp', dir=dirname)
    try:
        with os.fdopen(fd, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would differ from open()'s
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    _fsync_dir(dirname)


def atomic_replace(src: str, dst: str) -> None:
    """fsync ``src`` and rename it over ``dst`` (same file system)."""
    with open(src, 'rb') as f:
        os.fsync(f.fileno())
    os.replace(src, dst)
    _fsync_dir(osp.dirname(osp.abspath(dst)))
