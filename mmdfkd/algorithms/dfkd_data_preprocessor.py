"""Pre-processing for data-free runs: latent codes or real images."""
import torch
from mmpretrain.models import ClsDataPreprocessor

from mmdfkd.registry import MODELS


@MODELS.register_module()
class DFKDDataPreprocessor(ClsDataPreprocessor):
    """mmpretrain's :class:`ClsDataPreprocessor` that also passes latent codes.

    Training batches from :class:`LatentDataset` are latent codes, shape
    ``(N, D)`` or ``(N, k, D)``: they are only moved to the device. Real
    images (validation and testing) are normalised with ``mean``/``std`` as
    usual, which also defines the space generated images live in (the
    teacher's normalised input space) and how the synthetic-image hook
    de-normalises them.
    """

    def forward(self, data: dict, training: bool = False) -> dict:
        inputs = data['inputs']
        if isinstance(inputs, (list, tuple)) and len(inputs) and \
                inputs[0].dim() <= 2 and inputs[0].is_floating_point():
            inputs = torch.stack(inputs)
        if isinstance(inputs, torch.Tensor) and inputs.dim() <= 3:
            return dict(inputs=self.cast_data(inputs).float(),
                        data_samples=data.get('data_samples'))
        return super().forward(data, training)

    def denormalize(self, images: torch.Tensor) -> torch.Tensor:
        """Map normalised images (N, C, H, W) back to [0, 1]."""
        if self._enable_normalize:
            images = images * self.std + self.mean
        return (images / 255.).clamp(0, 1)
