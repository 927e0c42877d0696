"""Every bad input of docs/bad_inputs.md through the real command lines:
one ``mmdfkd error:`` line, exit status 1, the work dir as it was."""
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest
import torch
from cli_helpers import one_error_line, untouched

from mmdfkd.apis import generate as generate_tool
from mmdfkd.apis import test as test_tool
from mmdfkd.apis import train as train_tool
from mmdfkd.utils import user_error_message

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DAFL = 'configs/dafl/dafl_lenet5_lenet5-half_1xb128-2k_digits.py'
DFAD = 'configs/dfad/dfad_lenet5_lenet5-half_1xb128-1k_digits.py'
CGDD = 'configs/cgdd/cgdd_lenet5-bn_lenet5-half_1xb64-400_digits.py'


def opts(teacher, iters=2, *extra):
    return ['--cfg-options', f'model.teacher.checkpoint={teacher}',
            f'train_cfg.max_iters={iters}', 'train_cfg.val_interval=1000',
            'default_hooks.checkpoint.interval=2', *extra]


@pytest.fixture(scope='module')
def dafl_run(tmp_path_factory, digits_teacher):
    """A finished two-iteration DAFL run: its work dir."""
    d = tmp_path_factory.mktemp('dafl_run')
    assert train_tool.main([DAFL, '--work-dir', str(d)] +
                           opts(digits_teacher)) == 0
    return d


# -- tools/train.py: (argv after the config, expected words) ---------------
TRAIN_CASES = {
    'unknown model type': (['model.type=NoSuchAlgo'],
                           "unknown type 'NoSuchAlgo'"),
    'unknown loss type': (['model.loss_kd.type=NoSuchLoss'],
                          "unknown type 'NoSuchLoss'"),
    'batch size 0': (['train_dataloader.batch_size=0'],
                     'train_dataloader.batch_size=0'),
    'latent size mismatch': (['model.generator.latent_dim=7'],
                             'model.generator.latent_dim=7'),
    'negative max_iters': (['train_cfg.max_iters=-5'],
                           'train_cfg.max_iters=-5'),
    'device that does not exist': (['device=cuda'],
                                   'CUDA is not available'),
}


@pytest.mark.parametrize('case', list(TRAIN_CASES))
def test_train_config_errors(case, work_dir, digits_teacher, capsys):
    if case.startswith('device') and torch.cuda.is_available():
        pytest.skip('needs a machine without CUDA')
    extra, words = TRAIN_CASES[case]
    argv = [DAFL, '--work-dir', str(work_dir)] + opts(digits_teacher, 2,
                                                      *extra)
    if case == 'negative max_iters':
        argv.remove('train_cfg.max_iters=2')
    err = one_error_line(train_tool.main, argv, capsys)
    assert words in err and 'Fix:' in err
    assert untouched(work_dir)


def test_work_dir_under_a_file(tmp_path, digits_teacher, capsys):
    (tmp_path / 'file').write_text('x')
    err = one_error_line(train_tool.main, [
        DAFL, '--work-dir', str(tmp_path / 'file' / 'run')] +
        opts(digits_teacher), capsys)
    assert 'cannot create the work dir' in err
    assert (tmp_path / 'file').read_text() == 'x'


def test_config_syntax_error(tmp_path, capsys):
    bad = tmp_path / 'bad.py'
    bad.write_text(f"_base_ = ['{ROOT}/{DAFL}']\nmodel = dict(\n")
    err = one_error_line(train_tool.main, [str(bad)], capsys)
    assert 'cannot be parsed' in err and 'bad.py' in err


def test_config_reading_a_missing_base_variable(tmp_path, capsys):
    bad = tmp_path / 'bad.py'
    bad.write_text(f"_base_ = ['{ROOT}/{DAFL}']\nx = _base_.no_such_name\n")
    err = one_error_line(train_tool.main, [str(bad)], capsys)
    assert 'cannot be loaded' in err


@pytest.mark.parametrize('launcher', ['pytorch', 'slurm'])
def test_launcher_without_its_launcher(launcher, work_dir, digits_teacher,
                                       capsys, monkeypatch):
    for var in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'SLURM_PROCID'):
        monkeypatch.delenv(var, raising=False)
    err = one_error_line(train_tool.main, [
        DAFL, '--work-dir', str(work_dir), '--launcher', launcher] +
        opts(digits_teacher), capsys)
    assert f'--launcher {launcher}' in err
    assert untouched(work_dir)


def test_resume_with_nothing_to_resume(tmp_path, digits_teacher, capsys):
    err = one_error_line(train_tool.main, [
        DAFL, '--work-dir', str(tmp_path), '--resume'] +
        opts(digits_teacher), capsys)
    assert 'nothing to resume' in err
    assert not list(tmp_path.glob('*.pth'))


def _truncated(src, dst):
    data = open(src, 'rb').read()
    open(dst, 'wb').write(data[:len(data) // 2])
    return str(dst)


def test_resume_of_a_truncated_checkpoint(dafl_run, work_dir, tmp_path,
                                          digits_teacher, capsys):
    half = _truncated(dafl_run / 'iter_2.pth', tmp_path / 'half.pth')
    err = one_error_line(train_tool.main, [
        DAFL, '--work-dir', str(work_dir), '--resume', half] +
        opts(digits_teacher, 4), capsys)
    assert 'not a readable PyTorch' in err and 'truncated' in err
    assert untouched(work_dir)


def test_resume_of_another_methods_checkpoint(dafl_run, work_dir,
                                              digits_teacher, capsys):
    err = one_error_line(train_tool.main, [
        DFAD, '--work-dir', str(work_dir), '--resume',
        str(dafl_run / 'iter_2.pth')] + opts(digits_teacher, 4), capsys)
    assert 'is a DAFL checkpoint, this config trains DFAD' in err
    assert untouched(work_dir)


def test_resume_of_another_architecture(dafl_run, work_dir, tmp_path,
                                        digits_teacher, capsys):
    ckpt = torch.load(dafl_run / 'iter_2.pth', weights_only=False)
    del ckpt['meta']['algorithm']  # e.g. a checkpoint of an older mmdfkd
    torch.save(ckpt, tmp_path / 'old.pth')
    err = one_error_line(train_tool.main, [
        DAFL, '--work-dir', str(work_dir), '--resume',
        str(tmp_path / 'old.pth')] + opts(
            digits_teacher, 4, 'model.generator.base_channels=16'), capsys)
    assert 'does not fit' in err and 'of another shape' in err
    assert untouched(work_dir)


def test_load_from_a_teachers_weights(work_dir, digits_teacher, capsys):
    err = one_error_line(train_tool.main, [
        DAFL, '--work-dir', str(work_dir)] +
        opts(digits_teacher, 2, f'load_from={digits_teacher}'), capsys)
    assert 'does not fit' in err and 'single network' in err
    assert untouched(work_dir)


def test_text_file_as_teacher(work_dir, tmp_path, capsys):
    (tmp_path / 'teacher.pth').write_text('hello\n')
    err = one_error_line(train_tool.main, [
        DAFL, '--work-dir', str(work_dir)] +
        opts(tmp_path / 'teacher.pth'), capsys)
    assert 'not a readable PyTorch or safetensors file' in err
    assert 'unpickling' not in err
    assert untouched(work_dir)


def test_safetensors_teacher_is_accepted(tmp_path, digits_teacher):
    safetensors = pytest.importorskip('safetensors.torch')
    state = torch.load(digits_teacher, weights_only=True)['state_dict']
    path = tmp_path / 'teacher.safetensors'
    safetensors.save_file({k: v.contiguous() for k, v in state.items()},
                          str(path))
    assert train_tool.main([DAFL, '--work-dir', str(tmp_path / 'run')] +
                           opts(path)) == 0


def test_download_failure_is_one_line():
    import urllib.error
    msg = user_error_message(urllib.error.URLError(
        '[Errno -3] Temporary failure in name resolution'))
    assert msg.startswith('download failed') and 'download=False' in msg


# -- tools/test.py ---------------------------------------------------------
def test_test_tool_empty_and_truncated_files(dafl_run, tmp_path, capsys):
    (tmp_path / 'empty.pth').write_bytes(b'')
    half = _truncated(dafl_run / 'iter_2.pth', tmp_path / 'half.pth')
    for path in (tmp_path / 'empty.pth', half):
        err = one_error_line(test_tool.main, [DAFL, str(path)], capsys)
        assert 'not a readable PyTorch' in err


def test_test_tool_on_a_teachers_weights(digits_teacher, capsys):
    err = one_error_line(test_tool.main, [DAFL, digits_teacher], capsys)
    assert 'does not fit' in err and 'single network' in err


def test_test_tool_trusts_only_its_work_dir(dafl_run, tmp_path, capsys):
    """A full checkpoint outside the run's work dir is read weights_only
    (refused) unless --trust-checkpoint; inside it is trusted."""
    outside = tmp_path / 'copy.pth'
    outside.write_bytes((dafl_run / 'iter_2.pth').read_bytes())
    err = one_error_line(test_tool.main, [DAFL, str(outside)], capsys)
    assert 'refusing to unpickle' in err and '--trust-checkpoint' in err
    out = tmp_path / 'm.json'
    assert test_tool.main([DAFL, str(outside), '--trust-checkpoint',
                           '--out', str(out)]) == 0
    assert test_tool.main([DAFL, str(dafl_run / 'iter_2.pth'),
                           '--work-dir', str(dafl_run)]) == 0
    assert 'accuracy/top1' in out.read_text()


# -- tools/generate.py ------------------------------------------------------
def test_generate_bad_device_and_out(tmp_path, capsys):
    (tmp_path / 'file').write_text('x')
    err = one_error_line(generate_tool.main, [
        CGDD, 'generator.pth', '--out', str(tmp_path / 'file')], capsys)
    assert '--out' in err and 'is a file' in err
    if not torch.cuda.is_available():
        err = one_error_line(generate_tool.main, [
            CGDD, 'generator.pth', '--out', str(tmp_path / 'o'),
            '--device', 'cuda'], capsys)
        assert 'CUDA is not available' in err
    assert (tmp_path / 'file').read_text() == 'x'


# -- tools/dist_train.sh ----------------------------------------------------
def test_dist_train_on_a_busy_port():
    with socket.socket() as s:
        s.bind(('', 0))
        s.listen()
        port = s.getsockname()[1]
        proc = subprocess.run(
            ['bash', 'tools/dist_train.sh', DAFL, '2'], cwd=ROOT,
            env=dict(os.environ, PORT=str(port)), capture_output=True,
            text=True, timeout=120)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines == [lines[-1]] and lines[-1].startswith(
        f'mmdfkd error: port {port} is in use')


def test_script_exit_status(tmp_path):
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', DAFL, '--work-dir',
         str(tmp_path), '--cfg-options', 'train_cfg.max_iters=0'],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith('mmdfkd error:')


def test_a_final_student_at_chance_fails_the_run(tmp_path, digits_teacher,
                                                 capsys):
    # lr 0: the student keeps its random init; margin 0.5 makes its
    # accuracy count as chance whatever classes the init happens to favour
    d = tmp_path / 'at_chance'
    argv = [DAFL, '--work-dir', str(d), '--cfg-options',
            f'model.teacher.checkpoint={digits_teacher}',
            'train_cfg.max_iters=100', 'train_cfg.val_interval=100',
            'train_dataloader.batch_size=8',
            'optim_wrapper.student.optimizer.lr=0.0',
            'default_hooks.checkpoint.interval=100',
            'default_hooks.student_check.margin=0.5']
    err = one_error_line(train_tool.main, argv, capsys)
    assert 'the student is at chance after 100 of 100 iterations' in err
    assert 'Fix:' in err
    assert (d / 'iter_100.pth').is_file()  # what was written stays
    assert not (d / 'student.pth').exists()  # no useless export


def test_the_student_check_can_be_switched_off(tmp_path, digits_teacher):
    # DFKDRunner drops a None default hook of ours (mmengine asserts on it)
    d = tmp_path / 'unchecked'
    assert train_tool.main([
        DAFL, '--work-dir', str(d), '--cfg-options',
        f'model.teacher.checkpoint={digits_teacher}',
        'train_cfg.max_iters=100', 'train_cfg.val_interval=100',
        'train_dataloader.batch_size=8',
        'optim_wrapper.student.optimizer.lr=0.0',
        'default_hooks.checkpoint.interval=100',
        'default_hooks.student_check=None']) == 0
    assert (d / 'student.pth').is_file()
