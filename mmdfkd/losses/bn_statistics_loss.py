from typing import List, Optional, Sequence

import torch
import torch.nn as nn

from mmdfkd.registry import MODELS


@MODELS.register_module()
class BNStatisticsLoss(nn.Module):
    r"""Batch-norm statistics ("DeepInversion") loss.

    From `Dreaming to Distill: Data-free Knowledge Transfer via
    DeepInversion <https://arxiv.org/abs/1912.08795>`_ (Yin et al., CVPR
    2020), Eq. (3), with the first-layer weighting of its code and of
    `CDFKD-MFS <https://arxiv.org/abs/2205.11845>`_ (``rescale = [5, 1, ...]``
    in ``utils/forward.py``). For every BatchNorm layer :math:`l` of the
    (frozen, eval-mode) teacher, with :math:`\mu_l, \sigma^2_l` the mean and
    *biased* variance over :math:`(N, H, W)` of the layer's **input** on the
    synthetic batch:

    .. math::
        r_l = \lVert \hat\sigma^2_l - \sigma^2_l \rVert_2
            + \lVert \hat\mu_l - \mu_l \rVert_2, \qquad
        \mathcal{L}_{bn} = \lambda \sum_l w_l\, r_l

    where :math:`\hat\mu_l, \hat\sigma^2_l` are the layer's running
    statistics, the norms are plain (not squared) L2 norms,
    :math:`w_0` = ``first_bn_multiplier`` and :math:`w_l = 1` otherwise, and
    :math:`\lambda` = ``loss_weight``. That is ``reduction='sum'``, the
    official form; ``reduction='mean'`` divides by the number of layers
    :math:`L`, a scale that does not grow with the teacher's depth (3 BN
    layers in LeNet-5-BN, 20 in a ResNet-18).

    **Momentum version** of `Fast DFKD <https://arxiv.org/abs/2112.06253>`_
    (``bn_mmt``, :math:`m`): the running statistics are compared with a mix
    of the current batch statistics and an exponential moving average
    :math:`\bar\mu_l, \bar\sigma^2_l` of the statistics of previous
    synthesis batches,

    .. math::
        r_l = \lVert \hat\sigma^2_l - (1-m)\,\sigma^2_l - m\,\bar\sigma^2_l
            \rVert_2 + \lVert \hat\mu_l - (1-m)\,\mu_l - m\,\bar\mu_l
            \rVert_2 .

    The average lives in this loss, is empty until the first call of
    :meth:`update_ema` (the plain loss is used while it is empty), and is
    updated *only* by :meth:`update_ema`, which the algorithm calls once per
    synthesis. With ``momentum=0`` the loss is the plain one. The average is
    a plain attribute, not a buffer: it is not saved in checkpoints (as in
    Fast DFKD's code).

    The per-layer statistics come from :class:`mmdfkd.utils.BNStatsRecorder`
    (or any other source); this module only does the arithmetic, in float32.

    Args:
        first_bn_multiplier (float): Weight :math:`w_0` of the first layer.
            Defaults to 5.0 (CDFKD-MFS).
        momentum (float): Momentum :math:`m` of the Fast-DFKD variant, in
            ``[0, 1)``. Defaults to 0.0 (plain DeepInversion loss).
        loss_weight (float): Weight :math:`\lambda` of the term.
            Defaults to 1.0.
        reduction (str): ``'sum'`` over the layers (DeepInversion's and
            every official code's) or ``'mean'``. Defaults to ``'sum'``.

    Example:
        >>> import torch
        >>> from mmdfkd.losses import BNStatisticsLoss
        >>> from mmdfkd.utils import BNStatsRecorder
        >>> bn = torch.nn.BatchNorm2d(3).eval()
        >>> with BNStatsRecorder(bn) as rec:
        ...     _ = bn(torch.randn(4, 3, 8, 8))
        >>> loss = BNStatisticsLoss()(rec.means, rec.vars,
        ...                           rec.running_means, rec.running_vars)
    """

    def __init__(self,
                 first_bn_multiplier: float = 5.0,
                 momentum: float = 0.0,
                 loss_weight: float = 1.0,
                 reduction: str = 'sum') -> None:
        super().__init__()
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f'momentum must be in [0, 1), got {momentum}.')
        if reduction not in ('sum', 'mean'):
            raise ValueError(
                f"reduction must be 'sum' or 'mean', got {reduction!r}.")
        self.reduction = reduction
        self.first_bn_multiplier = first_bn_multiplier
        self.momentum = momentum
        self.loss_weight = loss_weight
        self.ema_means: Optional[List[torch.Tensor]] = None
        self.ema_vars: Optional[List[torch.Tensor]] = None

    @staticmethod
    def _check_lengths(*lists: Sequence) -> None:
        lengths = {len(x) for x in lists}
        if len(lengths) > 1:
            raise ValueError(
                'All statistics lists must have one entry per BN layer, got '
                f'lengths {[len(x) for x in lists]}.')

    def forward(self, batch_means: Sequence[torch.Tensor],
                batch_vars: Sequence[torch.Tensor],
                running_means: Sequence[torch.Tensor],
                running_vars: Sequence[torch.Tensor]) -> torch.Tensor:
        r"""Loss from per-layer statistics, each list one ``(C_l, )`` tensor
        per BN layer, in the same (module) order.

        Args:
            batch_means (Sequence[Tensor]): :math:`\mu_l`, each ``(C_l, )``.
            batch_vars (Sequence[Tensor]): biased :math:`\sigma^2_l`.
            running_means (Sequence[Tensor]): :math:`\hat\mu_l`.
            running_vars (Sequence[Tensor]): :math:`\hat\sigma^2_l`.

        Returns:
            Tensor: A float32 scalar; 0 when there is no layer.
        """
        self._check_lengths(batch_means, batch_vars, running_means,
                            running_vars)
        if len(batch_means) == 0:
            return torch.zeros(())
        use_ema = self.momentum > 0 and self.ema_means is not None
        if use_ema:
            self._check_lengths(batch_means, self.ema_means)
        m = self.momentum
        loss = batch_means[0].new_zeros((), dtype=torch.float32)
        for i, (mu, var, r_mu, r_var) in enumerate(
                zip(batch_means, batch_vars, running_means, running_vars)):
            mu, var = mu.float(), var.float()  # (C, ), (C, )
            if use_ema:
                mu = (1 - m) * mu + m * self.ema_means[i].float()
                var = (1 - m) * var + m * self.ema_vars[i].float()
            r = torch.linalg.vector_norm(r_var.float() - var) + \
                torch.linalg.vector_norm(r_mu.float() - mu)
            weight = self.first_bn_multiplier if i == 0 else 1.0
            loss = loss + weight * r
        if self.reduction == 'mean':
            loss = loss / len(batch_means)
        return self.loss_weight * loss

    @torch.no_grad()
    def update_ema(self, batch_means: Sequence[torch.Tensor],
                   batch_vars: Sequence[torch.Tensor]) -> None:
        r"""Fold one synthesis batch's statistics into the moving average.

        The first call stores the statistics; later calls do
        :math:`\bar\mu \leftarrow m\,\bar\mu + (1-m)\,\mu` (same for the
        variance). Gradients never flow into the average.

        Args:
            batch_means (Sequence[Tensor]): :math:`\mu_l`, each ``(C_l, )``.
            batch_vars (Sequence[Tensor]): biased :math:`\sigma^2_l`.
        """
        self._check_lengths(batch_means, batch_vars)
        means = [mu.detach().float().clone() for mu in batch_means]
        variances = [var.detach().float().clone() for var in batch_vars]
        if self.ema_means is None:
            self.ema_means, self.ema_vars = means, variances
            return
        self._check_lengths(means, self.ema_means)
        m = self.momentum
        self.ema_means = [
            m * old + (1 - m) * new for old, new in zip(self.ema_means, means)
        ]
        self.ema_vars = [
            m * old + (1 - m) * new
            for old, new in zip(self.ema_vars, variances)
        ]

    def reset_ema(self) -> None:
        """Forget the moving average (the next call is the plain loss)."""
        self.ema_means = None
        self.ema_vars = None
