"""NAYER: rounds against a hand-written loop of the official order, the
balanced targets, the embeddings (files, errors, the offline default),
the generator's life, a bit-exact resume and the embeddings tool."""
import copy

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.config import Config
from test_inversion import _ckpt, _pool_cfg, _student, _teacher

from mmdfkd.apis.label_embeddings import main as embeddings_main
from mmdfkd.engine import build_runner
from mmdfkd.registry import MODELS
from mmdfkd.synthesizers.nayer import default_label_embeddings
from mmdfkd.utils import DFKDInputError

BODY = dict(type='InversionGenerator', img_size=32, out_channels=1,
            base_channels=4)
K, N, D, NOISY = 10, 23, 8, 16   # 2 full groups of the 10 classes + 3


def _nayer(**kwargs):
    cfg = dict(
        type='NAYERSynthesizer', num_classes=K, batch_size=N,
        image_size=(1, 32, 32), iterations=3, seed=5, generator=BODY,
        embed_dim=D, noisy_dim=NOISY, lr_g=1e-2, g_life=4, warmup_g_life=5,
        loss_bn=dict(type='BNStatisticsLoss', loss_weight=0.7,
                     first_bn_multiplier=1.0, momentum=0.9),
        loss_oh=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=0.5),
        loss_adv=dict(type='MaskedKLAdversarialLoss', loss_weight=1.33))
    cfg.update(kwargs)
    syn = MODELS.build(cfg)
    syn.set_normalization([77.9], [82.5])
    return syn


class _OfficialNLGenerator(nn.Module):
    """NAYER's NLGenerator (nl = K, le_emb_size = NOISY), with the B3 body
    built from the same config; parameters created in the same order."""

    def __init__(self):
        super().__init__()
        self.n1 = nn.BatchNorm1d(D)
        self.le1 = nn.ModuleList(nn.Linear(D, NOISY) for _ in range(3))
        self.body = MODELS.build(dict(BODY, in_features=NOISY))

    def forward(self, le):
        le = self.n1(le)
        v = []
        for i in range(3):
            v.append(self.le1[i](le[i * K:(i + 1) * K]))
        return self.body(torch.cat(v))


def _crop_flip(x, rng):
    """RandomCrop(padding=4, zero fill) + RandomHorizontalFlip, per image."""
    n, _, h, w = x.shape
    dy = torch.randint(9, (n, ), generator=rng)
    dx = torch.randint(9, (n, ), generator=rng)
    padded = F.pad(x, (4, 4, 4, 4))
    out = torch.stack([padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w]
                       for i in range(n)])
    flip = torch.rand(n, generator=rng) < 0.5
    return torch.where(flip[:, None, None, None], out.flip(3), out)


def test_nayer_rounds_equal_the_official_loop():
    """tmtuan1307/NAYER's NAYER.synthesize, one loop per round, written
    out: the generator re-created (round 0, and at the first adversarial
    round), noisy layers N(0, 1), balanced targets, a new Adam, crop + flip,
    BN(momentum) + CE + masked KL after the warm-up, best batch before the
    step; the BN moving average folded once per loop."""
    teacher, student = _teacher(), _student()
    # Adam's first steps are about lr * sign(g) whatever |g|, so on the
    # weights whose gradient is float noise (the BN statistics summed in
    # another order) two equal loops part by up to 2 * lr: at lr 1e-2 that
    # was 0.02 on some machines. lr 1e-5 keeps them within the tolerance.
    lr = 1e-5
    syn = _nayer(lr_g=lr)
    adversarial = [False, False, True]
    for adv in adversarial:
        out = syn.synthesize(teacher, student, adversarial=adv)
    assert all(p.grad is None for p in student.parameters())
    assert student.training

    le = default_label_embeddings(K, D)
    mean, std = torch.tensor(77.9), torch.tensor(82.5)
    rng = torch.Generator().manual_seed(5)
    gen, ema = None, None
    for adv in adversarial:
        if gen is None or adv:      # reinit at epoch 0 and at ep_start
            seed = int(torch.randint(2**31 - 1, (), generator=rng))
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                gen = _OfficialNLGenerator()
        with torch.no_grad():       # re_init_le
            for layer in gen.le1:
                layer.weight.copy_(torch.randn(layer.weight.shape,
                                               generator=rng))
                layer.bias.zero_()
        target = torch.randint(K, (N % K, ), generator=rng)
        for _ in range(N // K):
            target = torch.cat((torch.arange(K), target))
        init = copy.deepcopy(gen.state_dict())   # this round's start
        opt = torch.optim.Adam(gen.parameters(), lr=lr,
                               betas=[0.5, 0.999])
        best_cost, best = float('inf'), None
        for _ in range(3):
            inputs = gen(le[target])
            view = (_crop_flip(inputs, rng) * 255 - mean) / std
            stats = []
            hooks = [m.register_forward_hook(
                lambda m, i, o: stats.append((m, i[0])))
                for m in teacher.modules() if isinstance(m, nn.BatchNorm2d)]
            t_out = teacher(view)
            for h in hooks:
                h.remove()
            loss_bn, cur = 0., []
            for k, (m, z_in) in enumerate(stats):
                mu = z_in.mean([0, 2, 3])
                var = z_in.var([0, 2, 3], unbiased=False)
                cur.append((mu, var))
                if ema is not None:
                    mu = 0.1 * mu + 0.9 * ema[k][0]
                    var = 0.1 * var + 0.9 * ema[k][1]
                loss_bn = loss_bn + torch.norm(m.running_var - var) + \
                    torch.norm(m.running_mean - mu)
            loss_oh = torch.mean(torch.sum(
                -F.one_hot(target, K) * t_out.log_softmax(-1), -1))
            loss = 0.7 * loss_bn + 0.5 * loss_oh
            if adv:
                s_out = student.eval()(view)
                mask = (s_out.max(1)[1] == t_out.max(1)[1]).float()
                kl = (F.softmax(t_out, 1) * (F.log_softmax(t_out, 1) -
                                             F.log_softmax(s_out, 1))).sum(1)
                loss = loss - 1.33 * (kl * mask).mean()
            if loss.item() < best_cost:
                best_cost, best = loss.item(), inputs.detach().clone()
            opt.zero_grad()
            loss.backward()
            opt.step()
        cur = [(mu.detach(), var.detach()) for mu, var in cur]
        ema = cur if ema is None else [
            (0.9 * e[0] + 0.1 * c[0], 0.9 * e[1] + 0.1 * c[1])
            for e, c in zip(ema, cur)]
    torch.testing.assert_close(out['labels'], target)
    torch.testing.assert_close(out['images'], (best * 255 - mean) / std,
                               rtol=1e-4, atol=1e-4)
    assert out['log']['best_loss'].item() == pytest.approx(best_cost,
                                                           rel=1e-5)
    for (key, a), (key_b, b) in zip(syn.generator.state_dict().items(),
                                    gen.state_dict().items()):
        # (float noise in near-zero gradients: steps of up to ~lr, above)
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4, msg=key)
        if key_b.endswith('weight') and not key_b.startswith('n1'):
            # and both took the same Adam steps: about lr per step each
            moved_a = (a - init[key_b]).abs().mean()
            moved_b = (b - init[key_b]).abs().mean()
            assert moved_b > lr, key
            assert moved_a == pytest.approx(moved_b.item(), rel=0.05), key


def test_nayer_targets_are_balanced():
    syn = _nayer(batch_size=30)
    targets = syn.draw_targets(30)
    assert torch.equal(targets, torch.arange(10).repeat(3))
    targets = syn.draw_targets(N)
    assert torch.equal(targets[:20], torch.arange(10).repeat(2))
    assert len(targets) == N and targets.max() < K
    assert syn.num_noisy == 3 and len(syn.generator.noisy) == 3
    # sampling (no trace) takes balanced labels too
    state = copy.deepcopy(syn.generator.state_dict())
    images = syn.sample(12, rng=torch.Generator().manual_seed(0))
    assert images.shape == (12, 1, 32, 32)
    for key, value in syn.generator.state_dict().items():
        assert torch.equal(value, state[key]), key


def test_nayer_default_embeddings():
    emb = default_label_embeddings(10, 512)
    assert emb.shape == (10, 512)
    torch.testing.assert_close(emb @ emb.T, torch.eye(10), atol=1e-5,
                               rtol=0)
    assert torch.equal(emb, default_label_embeddings(10, 512))
    wide = default_label_embeddings(20, 8)    # more classes than dims
    torch.testing.assert_close(wide.norm(dim=1), torch.ones(20))
    syn = _nayer()
    assert torch.equal(syn.embeddings, default_label_embeddings(K, D))
    assert 'embeddings' in syn.state_dict()
    assert all(p is not syn.embeddings for p in syn.parameters())


def test_nayer_embeddings_from_files(tmp_path):
    emb = torch.arange(K * 6.).reshape(K, 6)
    torch.save(emb, tmp_path / 'le.pt')
    np.save(tmp_path / 'le.npy', emb.numpy())
    for name in ('le.pt', 'le.npy'):
        syn = _nayer(embeddings=str(tmp_path / name))
        assert torch.equal(syn.embeddings, emb)
        assert syn.generator.embed_bn.num_features == 6
    torch.save(emb[:9], tmp_path / 'short.pt')
    torch.save(dict(emb=emb), tmp_path / 'dict.pt')
    nan = emb.clone()
    nan[3, 2] = float('nan')
    torch.save(nan, tmp_path / 'nan.pt')
    for name, match in [('missing.pt', 'not found'), ('short.pt', r'\(9, 6\)'),
                        ('dict.pt', 'must be a'), ('nan.pt', 'NaN')]:
        with pytest.raises(DFKDInputError, match=match) as err:
            _nayer(embeddings=str(tmp_path / name))
        assert 'Fix:' in str(err.value) and '\n' not in str(err.value)


def test_nayer_generator_life():
    """Re-created at round 0, every warmup_g_life (5) rounds while warming
    up, at the first adversarial round, then every g_life (4) rounds; its
    BN counts only the steps since."""
    teacher = _teacher()
    syn = _nayer()
    made, calls = [], syn.recreate_generator

    def recreate():
        made.append(r)
        calls()

    syn.recreate_generator = recreate
    flags = [False] * 7 + [True] * 9
    for r, adv in enumerate(flags):
        before = copy.deepcopy(syn.generator.body.state_dict())
        syn.synthesize(teacher, adversarial=adv)
        life = r - max(m for m in made) + 1
        assert int(syn.generator.body.bn0.num_batches_tracked) == 3 * life
        if r not in made:   # kept (and trained), not re-drawn
            assert int(before['bn0.num_batches_tracked']) == 3 * (life - 1)
    assert made == [0, 5, 7, 11, 15]


def _nayer_pool_cfg(ckpt, work_dir, max_iters=7):
    syn = dict(
        type='NAYERSynthesizer', num_classes=10, batch_size=12,
        image_size=(1, 32, 32), iterations=2, generator=BODY, embed_dim=D,
        noisy_dim=NOISY, g_life=3,
        loss_bn=dict(type='BNStatisticsLoss', momentum=0.9),
        loss_oh=dict(type='mmpretrain.CrossEntropyLoss'),
        loss_adv=dict(type='MaskedKLAdversarialLoss'))
    cfg = _pool_cfg(ckpt, work_dir, max_iters, synthesizer=syn,
                    rounds_per_synthesis=2)
    cfg['model']['image_pool']['capacity'] = 60
    return cfg


@pytest.mark.slow
def test_pool_kd_nayer_resumes_bit_exactly(tmp_path):
    """Interrupted after iteration 4 and resumed == uninterrupted: student,
    generator (re-created at iteration 5), its life, BN moving average,
    RNGs and the pool."""
    ckpt = _ckpt(tmp_path)
    full = build_runner(Config(_nayer_pool_cfg(ckpt, str(tmp_path / 'f'))))
    full.train()
    half = build_runner(Config(_nayer_pool_cfg(ckpt, str(tmp_path / 'h'),
                                               4)))
    half.train()
    cfg = _nayer_pool_cfg(ckpt, str(tmp_path / 'h'))
    cfg.update(resume=True, load_from=str(tmp_path / 'h' / 'iter_4.pth'))
    resumed = build_runner(Config(cfg))
    resumed.train()
    a, b = full.model.state_dict(), resumed.model.state_dict()
    assert a.keys() == b.keys()
    assert 'synthesizer.generator.noisy.0.weight' in a
    for key in a:
        if isinstance(a[key], torch.Tensor):
            assert torch.equal(a[key], b[key]), key
    ema_a = full.model.synthesizer.loss_bn.ema_means
    ema_b = resumed.model.synthesizer.loss_bn.ema_means
    assert all(torch.equal(x, y) for x, y in zip(ema_a, ema_b))
    assert torch.equal(full.model.image_pool.sample(60)['images'],
                       resumed.model.image_pool.sample(60)['images'])


def test_embeddings_tool_with_a_stub_encoder(tmp_path, capsys):
    texts = []

    def encode(batch):
        texts.extend(batch)
        return torch.tensor([[len(t), t.count('a'), 1.] for t in batch],
                            dtype=torch.float64)

    names = tmp_path / 'classes.txt'
    names.write_text('cat\n\nsea lion\n')
    out = tmp_path / 'le.pt'
    assert embeddings_main(['--classes', str(names), '--out', str(out)],
                           encoder=encode) == 0
    assert texts == ['a image of cat', 'a image of sea lion']
    emb = torch.load(out, weights_only=True)
    assert emb.dtype == torch.float32
    assert emb.tolist() == [[14., 3., 1.], [19., 3., 1.]]
    # a dataset's METAINFO classes, and the file feeds NAYER
    texts.clear()
    assert embeddings_main(['--dataset', 'CIFAR10', '--out', str(out),
                            '--prompt', '{}'], encoder=encode) == 0
    assert texts[:2] == ['airplane', 'automobile'] and len(texts) == 10
    assert _nayer(embeddings=str(out)).embeddings.shape == (10, 3)
    # user errors are one line
    assert embeddings_main(['--dataset', 'NoSuchSet', '--out', str(out)],
                           encoder=encode) == 1
    assert 'Fix:' in capsys.readouterr().err
