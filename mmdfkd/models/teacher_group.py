"""Teachers of one architecture run as one stacked network.

A multi-teacher method (CDFKD-MFS) runs every teacher on the same images,
several times per iteration. When the teachers share an architecture (three
seeds of one LeNet-5, say), their layers can be stacked into one network
whose every layer computes all of them at once: the convolution that reads
the images gets them once and stacks its output channels, every later
convolution becomes a grouped one, a BatchNorm a wider BatchNorm, a linear
layer a batched matrix product. The result is the teachers' own up to float
rounding (checked on real images before it is used), with one kernel launch
per layer instead of one per teacher and layer (measured in
``docs/performance.md``). The stacked network holds a second copy of the
teachers' weights.

When the teachers do not all stack (different architectures, a layer with
no stacked form, a forward that mixes channels across the stacked blocks),
each stays separate, one :class:`TeacherGroup` per teacher; the algorithm
loops over groups the same way in both cases.
"""
import copy
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.logging import MMLogger
from mmengine.model import BaseModel

from mmdfkd.utils import BNStatsRecorder


class StackedLinear(nn.Module):
    r"""``G`` linear layers of one shape on consecutive blocks of the
    features: ``(N, G D_in) -> (N, G D_out)`` by one batched product, block
    :math:`g` of the output being :math:`W_g x_g + b_g`."""

    def __init__(self, linears: Sequence[nn.Linear]) -> None:
        super().__init__()
        self.groups = len(linears)
        self.weight = nn.Parameter(  # (G, D_in, D_out)
            torch.stack([lin.weight.t() for lin in linears]).contiguous(),
            requires_grad=False)
        self.bias = None if linears[0].bias is None else nn.Parameter(
            torch.stack([lin.bias for lin in linears]).unsqueeze(1),
            requires_grad=False)                         # (G, 1, D_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 2:
            raise TypeError('StackedLinear stacks 2-D inputs (N, G D_in), '
                            f'got shape {tuple(x.shape)}.')
        n = x.shape[0]
        x = x.reshape(n, self.groups, -1).transpose(0, 1)  # (G, N, D_in)
        y = torch.bmm(x, self.weight) if self.bias is None else \
            torch.baddbmm(self.bias, x, self.weight)      # (G, N, D_out)
        return y.transpose(0, 1).reshape(n, -1)


def _frozen_parameter(tensors: Sequence[torch.Tensor]) -> nn.Parameter:
    return nn.Parameter(torch.cat(list(tensors)), requires_grad=False)


def _shallow_copy(module: nn.Module) -> nn.Module:
    """``module``'s attributes with its own tensor dicts, no hooks (a hook
    on a teacher's layer must not fire on the stacked one) and no compiled
    forward (``nn.Module.compile`` binds the teacher's)."""
    new = copy.copy(module)
    for name, value in vars(module).items():
        if name in ('_parameters', '_buffers', '_modules'):
            setattr(new, name, dict(value))
        elif 'hooks' in name and isinstance(value, dict):
            setattr(new, name, type(value)())
    if getattr(new, '_compiled_call_impl', None) is not None:
        new._compiled_call_impl = None
    return new


def stack_modules(modules: Sequence[nn.Module],
                  entry: Optional[str] = None) -> nn.Module:
    """One module computing ``modules`` (same architecture) on consecutive
    channel blocks of its input, built leaf by leaf; container modules keep
    their own ``forward`` with stacked children.

    Args:
        modules (Sequence[nn.Module]): The modules to stack.
        entry (str, optional): Dotted name (relative to ``modules``; ``''``
            for the module itself) of a convolution with ``groups=1`` that
            reads the images themselves: it gets the images once, not once
            per module, and stacks only its output channels (a third of
            the work for three teachers on one-channel images). None: every
            layer reads stacked blocks.

    Raises:
        TypeError: The modules differ in structure or in a layer's
            settings, or a leaf has no stacked form.
    """
    first = modules[0]
    if any(type(m) is not type(first) for m in modules):
        raise TypeError('the teachers differ in architecture')
    if next(first.children(), None) is None and any(
            m.extra_repr() != first.extra_repr() for m in modules):
        raise TypeError(f'{type(first).__name__} layers with different '
                        'settings')
    g = len(modules)
    if type(first) is nn.Conv2d:
        conv = _shallow_copy(first)  # same hyper-parameters
        shared = entry == ''  # reads the images, once for all modules
        conv.in_channels = first.in_channels * (1 if shared else g)
        conv.out_channels = first.out_channels * g
        conv.groups = first.groups * (1 if shared else g)
        conv.weight = _frozen_parameter(m.weight for m in modules)
        if first.bias is not None:
            conv.bias = _frozen_parameter(m.bias for m in modules)
        if first.weight.is_contiguous(memory_format=torch.channels_last):
            conv.weight.data = conv.weight.data.contiguous(
                memory_format=torch.channels_last)
        return conv
    if type(first) is nn.BatchNorm2d:
        if not first.track_running_stats or first.training:
            raise TypeError('a BatchNorm without running statistics or in '
                            'train mode')
        bn = _shallow_copy(first)
        bn.num_features = first.num_features * g
        for name in ('weight', 'bias'):
            if getattr(first, name) is not None:
                setattr(bn, name,
                        _frozen_parameter(getattr(m, name) for m in modules))
        for name in ('running_mean', 'running_var'):
            bn._buffers[name] = torch.cat([getattr(m, name) for m in modules])
        return bn
    if type(first) is nn.Linear:
        return StackedLinear(modules)
    children = [name for name, _ in first.named_children()]
    if not children:
        # a leaf without tensors (activation, pooling, a loss module) acts
        # alike on every block, or is caught by the check of
        # group_teachers (one that mixes channels across blocks)
        if any(True for _ in first.parameters()) or any(
                True for _ in first.buffers()):
            raise TypeError(f'no stacked form of {type(first).__name__}')
        return _shallow_copy(first)
    if any(next(m.parameters(recurse=False), None) is not None or
           any(b is not None for b in m._buffers.values())
           for m in modules):
        raise TypeError(f'{type(first).__name__} holds its own tensors')
    if any([name for name, _ in m.named_children()] != children
           for m in modules):
        raise TypeError('the teachers differ in structure')
    stacked = _shallow_copy(first)
    for name in children:
        # an mmengine model's data preprocessor is not on the path of
        # extract_feat / head: the first teacher's serves
        stacked._modules[name] = first._modules[name] if (
            name == 'data_preprocessor' and isinstance(first, BaseModel)
        ) else stack_modules([m._modules[name] for m in modules],
                             _below(entry, name))
    return stacked


def _below(entry: Optional[str], name: str) -> Optional[str]:
    """``entry`` relative to child ``name``; None when not inside it."""
    if entry is None or not (entry == name or entry.startswith(name + '.')):
        return None
    return entry[len(name) + 1:]


def image_reader(teacher: nn.Module, images: torch.Tensor) -> Optional[str]:
    """The dotted name of the convolution (``groups=1``) that reads the
    images themselves in ``teacher.extract_feat``, if exactly one leaf
    reads them and it is such a convolution; else None."""
    readers, handles = [], []
    for name, module in teacher.named_modules():
        if next(module.children(), None) is None:
            handles.append(module.register_forward_pre_hook(
                lambda m, inputs, name=name: readers.append(
                    (name, m)) if inputs and inputs[0] is x else None))
    x = images[:2]
    try:
        with torch.no_grad():
            teacher.extract_feat(x)
    finally:
        for handle in handles:
            handle.remove()
    if len(readers) == 1 and type(readers[0][1]) is nn.Conv2d and \
            readers[0][1].groups == 1:
        return readers[0][0]
    return None


class TeacherGroup(nn.Module):
    """``k`` frozen teachers run together: one teacher as it is, or several
    of one architecture stacked into one network (:func:`stack_modules`).

    Args:
        teachers (Sequence[nn.Module]): mmpretrain ``ImageClassifier``-like
            teachers (``extract_feat`` + ``head``), frozen, in eval mode.
        stacked (bool): Stack them (they must share an architecture);
            False needs exactly one teacher.
        entry (str, optional): The convolution that reads the images
            (:func:`image_reader`), given to :func:`stack_modules`.
    """

    def __init__(self,
                 teachers: Sequence[nn.Module],
                 stacked: bool,
                 entry: Optional[str] = None) -> None:
        super().__init__()
        if not stacked and len(teachers) != 1:
            raise ValueError('an unstacked TeacherGroup holds one teacher')
        self.num_members = len(teachers)
        self.network = stack_modules(teachers, entry) if stacked \
            else teachers[0]
        self.stacked = stacked
        self.entry = entry
        self.network.eval()

    def _input(self, x: torch.Tensor) -> torch.Tensor:
        """The images once per member along the channels, unless the
        stacked network reads them once (``entry``)."""
        if not self.stacked or self.entry is not None:
            return x
        return x.repeat(1, self.num_members, 1, 1)

    def _split(self, y: torch.Tensor) -> List[torch.Tensor]:
        return list(y.chunk(self.num_members, dim=1))

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        """Each member's logits ``(N, K)`` on the images ``x``."""
        return self._split(self.network(self._input(x)))

    def outputs(self, x: torch.Tensor
                ) -> Tuple[List[torch.Tensor], List[torch.Tensor]]:
        """Each member's logits ``(N, K)`` and pooled features ``(N, D)``."""
        feats = self.network.extract_feat(self._input(x))
        return (self._split(self.network.head(feats)),
                self._split(feats[-1]))

    def recorder(self) -> BNStatsRecorder:
        """A :class:`BNStatsRecorder` on the group's network."""
        return BNStatsRecorder(self.network)

    def statistics(self, rec: BNStatsRecorder) -> List[tuple]:
        """Each member's ``(means, vars, running_means, running_vars)``
        (the arguments of ``BNStatisticsLoss``) from a recorder of
        :meth:`recorder` that saw one forward."""
        stats = [[s.chunk(self.num_members) for s in layers]
                 for layers in rec.statistics()]  # 4 x L x k
        return [tuple([layers[i] for layers in kind] for kind in stats)
                for i in range(self.num_members)]


def _matches(group: TeacherGroup, teachers: Sequence[nn.Module],
             images: torch.Tensor) -> Optional[str]:
    """None when the stacked group gives the teachers' logits (``forward``
    and ``extract_feat`` + ``head``) and features on ``images`` (float32),
    else why not."""
    x = images.float()
    with torch.no_grad(), torch.autocast(x.device.type, enabled=False):
        try:
            logits, feats = group.outputs(x)
            forward = group(x)
        except Exception as e:  # a forward that cannot run stacked
            return f'{type(e).__name__}: {e}'
        for t, lg, ft, fw in zip(teachers, logits, feats, forward):
            f = t.extract_feat(x)
            for a, b in ((lg, t.head(f)), (ft, f[-1]), (fw, t(x))):
                if a.shape != b.shape or not torch.allclose(
                        a, b, rtol=1e-4, atol=1e-4 * (1 + b.abs().max())):
                    return 'the stacked network computes other outputs'
    return None


def group_teachers(teachers: Sequence[nn.Module],
                   images: torch.Tensor,
                   stack: bool = True) -> List[TeacherGroup]:
    """The teachers as one stacked :class:`TeacherGroup` when they share an
    architecture and the stacked network reproduces each teacher's logits
    and features on ``images`` (a real batch, checked in float32), else one
    group per teacher. Members keep the order of ``teachers``. The stacked
    network reads the images once when the teachers' first convolution is
    the only layer that reads them (:func:`image_reader`), else once per
    teacher.

    Args:
        teachers (Sequence[nn.Module]): Frozen teachers in eval mode.
        images (Tensor): Images ``(N, C, H, W)`` the check runs on.
        stack (bool): Try stacking at all. Defaults to True.
    """
    separate = [TeacherGroup([t], stacked=False) for t in teachers]
    if not stack or len(teachers) < 2:
        return separate
    entry = image_reader(teachers[0], images)
    for entry in dict.fromkeys((entry, None)):  # read once, else repeat
        try:
            group = TeacherGroup(teachers, stacked=True, entry=entry)
        except Exception as e:  # no stacked form (TypeError) or worse
            why = str(e)
            break
        why = _matches(group, teachers, images[:16])
        if why is None:
            MMLogger.get_current_instance().info(
                f'The {len(teachers)} teachers run as one stacked network '
                '(it gave their outputs on the first batch).')
            return [group]
    MMLogger.get_current_instance().info(
        f'The {len(teachers)} teachers run one by one (not stacked into '
        f'one network: {why}).')
    return separate
