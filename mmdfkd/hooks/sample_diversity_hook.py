"""Mode-collapse watch: the teacher's class histogram on synthetic images,
logged during training, with a warning and a hint when it collapses."""
import math
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from mmdfkd.registry import HOOKS

COLLAPSE_HINT = (
    'Hint: a generator that collapses onto few classes does not recover; '
    'lower the generator lr (or decay it with the student\'s), raise the '
    'class-balance / information-entropy weight, or resume from an earlier '
    'checkpoint (tools/analysis/generator_diversity.py shows the histogram '
    'of a saved generator).')
MISSING_HINT = (
    'Hint: the student never sees these classes, so it cannot learn them. '
    'With preset labels (CGDD, DeepInversion, CMI, Fast, NAYER), raise the '
    'class (cross-entropy) term or synthesise longer; without them, a '
    'generator that misses a class rarely finds it later: train it again '
    '(another seed, a longer generator stage, a higher class-diversity / '
    'information-entropy weight) or use a method with preset labels.')
UNRECOGNISED_HINT = (
    'Hint: the teacher does not recognise the images yet; check the '
    "teacher's normalisation (data_preprocessor mean/std) and the "
    "synthesis losses' weights.")


@HOOKS.register_module()
class SampleDiversityHook(Hook):
    r"""Every ``interval`` iterations and at the end, the teacher's view of
    ``num_images`` synthetic images (fresh samples of the image source, or
    the newest pool images): the entropy :math:`H` of its arg-max class
    histogram, the largest class's share and its mean top-1 probability
    (the statistics of :func:`mmdfkd.evaluation.sample_diversity`).

    Logged as ``diversity/class_entropy`` (in units of :math:`\ln K`, 1 =
    balanced), ``diversity/max_class_fraction`` and
    ``diversity/teacher_confidence``. Fresh samples are drawn in the image
    source's current mode (train: batch statistics, as the student sees
    them; BN running statistics restored), in batches of the training
    batch size. A warning with a hint is logged when
    :math:`H / \ln K` < ``min_entropy_ratio`` (mode collapse: DAFL on
    Fashion-MNIST ends with every image in one class) or, after half of the
    run, when the confidence is below ``min_confidence_ratio`` times
    :math:`1/K`'s distance to 1 above :math:`1/K` (the teacher sees noise)
    or some class gets no image although there are at least
    ``min_images_per_class`` images per class (a balanced source of 10
    classes leaves one empty in 256 images with probability
    :math:`10 \cdot 0.9^{256} \approx 2 \cdot 10^{-11}`; RDSKD's generator
    with the ResNet teacher on digits never makes a 0 while the entropy
    reads a healthy 0.94).
    Nothing is trained and no random state of the run is touched (its own
    seeded generator; the pool's order is not advanced).

    Args:
        interval (int): Iterations between checks. Defaults to 500.
        num_images (int): Images per check. Defaults to 256.
        min_entropy_ratio (float): Collapse threshold on :math:`H/\ln K`.
            Defaults to 0.5.
        min_confidence_ratio (float): Threshold on
            :math:`(c - 1/K) / (1 - 1/K)` for the mean confidence :math:`c`.
            Defaults to 0.1.
        min_images_per_class (float): Check for classes without an image
            only when ``num_images / K`` is at least this. Defaults to 10.
        seed (int): Seed of the samples' noise. Defaults to 0.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 500, num_images: int = 256,
                 min_entropy_ratio: float = 0.5,
                 min_confidence_ratio: float = 0.1,
                 min_images_per_class: float = 10, seed: int = 0):
        self.interval = interval
        self.num_images = num_images
        self.min_entropy_ratio = min_entropy_ratio
        self.min_confidence_ratio = min_confidence_ratio
        self.min_images_per_class = min_images_per_class
        self.seed = seed

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if not (self.every_n_train_iters(runner, self.interval)
                or self.is_last_train_iter(runner)):
            return
        stats = self.measure(runner)
        if stats is None:
            return
        scalars = {f'diversity/{key}': stats[key] for key in
                   ('class_entropy', 'max_class_fraction',
                    'teacher_confidence')}
        for key, value in scalars.items():
            runner.message_hub.update_scalar(key, value)
        runner.visualizer.add_scalars(scalars, step=runner.iter + 1)
        missing = stats['missing_classes']
        runner.logger.info(
            f'synthetic images (teacher\'s view of {stats["num_images"]}): '
            f'class-histogram entropy {stats["class_entropy"]:.2f} '
            f'(balanced 1), largest class '
            f'{stats["max_class_fraction"]:.0%}, mean confidence '
            f'{stats["teacher_confidence"]:.2f}' +
            (f', no image of class {_names(missing)}' if missing else ''))
        message = self.verdict(stats, late=runner.iter + 1 >=
                               runner.max_iters / 2)
        if message:
            print_log(f'Iter {runner.iter + 1}: {message}', logger='current',
                      level=30)  # WARNING

    def verdict(self, stats: dict, late: bool) -> Optional[str]:
        """The warning for ``stats`` (None when they look healthy)."""
        k = stats['num_classes']
        if stats['class_entropy'] < self.min_entropy_ratio:
            return (f'synthetic images collapsed: the teacher puts '
                    f'{stats["max_class_fraction"]:.0%} of '
                    f'{stats["num_images"]} images in one class '
                    '(class-histogram entropy '
                    f'{stats["class_entropy"]:.2f} of a balanced 1). '
                    f'{COLLAPSE_HINT}')
        margin = (stats['teacher_confidence'] - 1 / k) / (1 - 1 / k)
        if late and margin < self.min_confidence_ratio:
            return (f'the teacher\'s mean confidence on synthetic images is '
                    f'{stats["teacher_confidence"]:.2f} (chance {1 / k:.2f}).'
                    f' {UNRECOGNISED_HINT}')
        missing = stats.get('missing_classes', [])
        if (late and missing
                and stats['num_images'] >= self.min_images_per_class * k):
            return (f'the teacher puts none of {stats["num_images"]} '
                    f'synthetic images in class {_names(missing)} '
                    f'({len(missing)} of {k} classes). {MISSING_HINT}')
        return None

    @torch.no_grad()
    def measure(self, runner) -> Optional[dict]:
        """Histogram statistics of one batch of synthetic images, or None
        when there are none yet (an empty pool)."""
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        pool = getattr(model, 'image_pool', None)
        if pool is not None:
            if not len(pool):
                return None
            batches = [pool.newest(self.num_images)[pool.keys[0]]]
        else:
            # in the source's current mode, as the student sees its images
            # (train: batch statistics), in batches of the training size
            rng = torch.Generator().manual_seed(self.seed)
            size = getattr(getattr(runner, 'train_dataloader', None),
                           'batch_size', None) or 64
            num = -(-self.num_images // size)  # nearly equal batches
            sizes = [self.num_images // num + (i < self.num_images % num)
                     for i in range(num)]
            batches = [model.image_source.sample(n, rng=rng) for n in sizes]
        teachers = list(model.frozen_teachers().values())
        probs = torch.cat([
            sum(t(x.float()).float().softmax(1) for t in teachers) /
            len(teachers) for x in batches])                  # (N, K)
        conf, labels = probs.max(1)
        k = probs.size(1)
        counts = torch.bincount(labels.cpu(), minlength=k)
        p = counts.double() / len(labels)
        nonzero = p[p > 0]
        return dict(
            num_images=len(labels),
            class_entropy=float(-(nonzero * nonzero.log()).sum()) /
            math.log(k),
            max_class_fraction=float(p.max()),
            teacher_confidence=float(conf.mean()),
            num_classes=k,
            missing_classes=(counts == 0).nonzero().flatten().tolist())


def _names(classes: list, most: int = 10) -> str:
    """``0, 3, 7`` (the first ``most`` class indices, then ``...``)."""
    shown = ', '.join(map(str, classes[:most]))
    return shown + (', ...' if len(classes) > most else '')
