"""Save grids of generated images while a data-free run trains."""
import os.path as osp
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torchvision.utils import make_grid, save_image

from mmdfkd.registry import HOOKS
from mmdfkd.utils import sampling_mode


@HOOKS.register_module()
class SyntheticImageHook(Hook):
    """Every ``interval`` iterations, save a grid of generated images.

    For a method with an :class:`~mmdfkd.synthesizers.ImagePool` the grid
    shows the pool's newest images (what the student learns from; the
    pool's sampling state is untouched). Otherwise the images come from the
    algorithm's image source (``sample`` of
    :class:`~mmdfkd.synthesizers.BaseSynthesizer`) with a fixed seed (so
    grids from different iterations are comparable) and, by default, in
    train mode (batch statistics, as the student sees them during
    training; the BN running statistics are restored afterwards). They are
    de-normalised with the algorithm's ``data_preprocessor`` mean/std into
    the teacher's input space, written as
    ``{work_dir}/synthetic/iter_{N}.png`` and sent to the visualizer's
    backends (TensorBoard, W&B, ... when configured) as ``synthetic``. A
    conditional source draws the labels ``i mod K``; for up to 16 classes
    the grid has ``K`` columns, one class each.

    Args:
        interval (int): Iterations between grids. Defaults to 500.
        num_images (int): Images per grid. Defaults to 64.
        seed (int): Seed of the fixed latent codes. Defaults to 0.
        out_dir (str, optional): Folder for the PNGs. Defaults to
            ``{work_dir}/synthetic``.
        generator_mode (str): 'train' (batch statistics) or 'eval' (running
            statistics, as methods that sample a frozen generator use).
            Defaults to 'train'.
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 500,
                 num_images: int = 64,
                 seed: int = 0,
                 out_dir: Optional[str] = None,
                 generator_mode: str = 'train'):
        assert generator_mode in ('train', 'eval'), generator_mode
        self.interval = interval
        self.num_images = num_images
        self.seed = seed
        self.out_dir = out_dir
        self.generator_mode = generator_mode

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if self.every_n_train_iters(runner, self.interval) or \
                self.is_last_train_iter(runner):
            self.save_grid(runner)

    @torch.no_grad()
    def save_grid(self, runner) -> str:
        """Generate, save and log one grid; return the PNG's path."""
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        source = model.image_source  # mmdfkd.synthesizers contract
        pool = getattr(model, 'image_pool', None)
        if pool is not None and len(pool):
            # what the student learns from: the newest pool images
            num_classes = None
            images = pool.newest(self.num_images)[pool.keys[0]]
        else:
            num_classes = source.num_classes if source.conditional else None
            rng = torch.Generator().manual_seed(self.seed)
            with sampling_mode(source, self.generator_mode == 'train'):
                images = source.sample(self.num_images, rng=rng)
        images = model.data_preprocessor.denormalize(images.float()).cpu()
        if images.size(1) not in (1, 3):
            images = images[:, :3]
        nrow = num_classes if num_classes and num_classes <= 16 else int(
            self.num_images**0.5)
        grid = make_grid(images, nrow=nrow)  # (C, H, W)
        out_dir = self.out_dir or osp.join(runner.work_dir, 'synthetic')
        path = osp.join(out_dir, f'iter_{runner.iter + 1}.png')
        if runner.rank == 0:
            import os
            os.makedirs(out_dir, exist_ok=True)
            save_image(grid, path)
        runner.visualizer.add_image(
            'synthetic', (grid.permute(1, 2, 0) * 255).byte().numpy(),
            step=runner.iter + 1)
        return path
