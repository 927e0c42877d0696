"""Teacher-student agreement on synthetic images: the score of a run that
has no real validation data."""
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmdfkd.registry import HOOKS
from mmdfkd.utils import sampling_mode


@HOOKS.register_module()
class AgreementHook(Hook):
    """Every ``interval`` iterations and at the end, how often the student's
    top-1 equals the teacher's on ``num_images`` images: the newest pool
    images (pool methods) or fresh samples of the generator.

    Logged as ``agreement/synthetic`` (percent). Not an accuracy: a student
    can agree with its teacher on the images it learns from and still fail
    on real data. ``tools/distill.py`` adds it when no ``--val-data`` is
    given.

    Args:
        interval (int): Iterations between measurements. Defaults to 1000.
        num_images (int): Images per measurement. Defaults to 256.
        seed (int): Seed of the generator's noise. Defaults to 0.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 1000, num_images: int = 256,
                 seed: int = 0):
        self.interval = interval
        self.num_images = num_images
        self.seed = seed

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if self.every_n_train_iters(runner, self.interval) or \
                self.is_last_train_iter(runner):
            value = self.agreement(runner)
            runner.message_hub.update_scalar('agreement/synthetic', value)
            runner.visualizer.add_scalars({'agreement/synthetic': value},
                                          step=runner.iter + 1)
            runner.logger.info(
                f'teacher-student agreement on {self.num_images} synthetic '
                f'images: {value:.2f} %')

    @torch.no_grad()
    def agreement(self, runner) -> float:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        pool = getattr(model, 'image_pool', None)
        if pool is not None and len(pool):
            images = pool.newest(self.num_images)[pool.keys[0]]
        else:
            source = model.image_source
            rng = torch.Generator().manual_seed(self.seed)
            with sampling_mode(source, False):
                images = source.sample(self.num_images, rng=rng)
        student = model.student.module if is_model_wrapper(
            model.student) else model.student
        teachers = list(model.frozen_teachers().values())
        was_training = student.training
        student.eval()
        try:
            t_pred = sum(t(images).softmax(1) for t in teachers).argmax(1)
            s_pred = student(images).argmax(1)
        finally:
            student.train(was_training)
        return (t_pred == s_pred).float().mean().item() * 100
