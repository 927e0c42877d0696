"""The ``work_dir`` fixture: a work dir holding an earlier run's files."""
import pytest
from cli_helpers import EARLIER_FILES


@pytest.fixture
def work_dir(tmp_path):
    """A work_dir holding an earlier run's files."""
    d = tmp_path / 'work'
    d.mkdir()
    (d / 'iter_1000.pth').write_bytes(b'earlier checkpoint')
    (d / 'last_checkpoint').write_text('iter_1000.pth')
    for name in EARLIER_FILES[2:]:  # mmengine's config dumps
        (d / name).write_text('# earlier config\n')
    return d
