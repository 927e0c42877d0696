import pytest
import torch
from mmengine.registry import init_default_scope
from mmpretrain.structures import DataSample

from mmdfkd.evaluation import HeaderAccuracy
from mmdfkd.registry import METRICS


def _samples():
    """3 samples, 2 headers, 3 classes; gt = (0, 1, 2).

    header 1 predicts (0, 1, 0): 2 / 3 right; second choices (1, 2, 1).
    header 2 predicts (2, 1, 1): 1 / 3 right; second choices (0, 0, 2).
    """
    head_scores = [
        torch.tensor([[0.6, 0.3, 0.1], [0.3, 0.1, 0.6]]),
        torch.tensor([[0.1, 0.6, 0.3], [0.3, 0.6, 0.1]]),
        torch.tensor([[0.6, 0.3, 0.1], [0.1, 0.6, 0.3]]),
    ]
    samples = []
    for i, scores in enumerate(head_scores):
        sample = DataSample().set_gt_label(i)
        sample.set_field(scores, 'head_scores', dtype=torch.Tensor)
        samples.append(sample.to_dict())  # as mmengine's Evaluator does
    return samples


def test_known_values_and_prefix():
    metric = HeaderAccuracy(topk=(1, 2))
    metric.process(None, _samples())
    result = metric.evaluate(3)
    assert set(result) == {
        'header/head1_top1', 'header/head2_top1', 'header/head1_top2',
        'header/head2_top2'
    }
    assert result['header/head1_top1'] == pytest.approx(200 / 3)
    assert result['header/head2_top1'] == pytest.approx(100 / 3)
    # top-2 hits: header 1 (yes, yes, no), header 2 (yes, yes, yes)
    assert result['header/head1_top2'] == pytest.approx(200 / 3)
    assert result['header/head2_top2'] == pytest.approx(100.0)


def test_batches_accumulate_and_custom_prefix():
    metric = HeaderAccuracy(prefix='val')
    samples = _samples()
    metric.process(None, samples[:2])
    metric.process(None, samples[2:])
    result = metric.evaluate(3)
    assert result == pytest.approx({
        'val/head1_top1': 200 / 3,
        'val/head2_top1': 100 / 3
    })


def test_registered_and_errors():
    init_default_scope('mmdfkd')
    metric = METRICS.build(dict(type='HeaderAccuracy'))
    assert isinstance(metric, HeaderAccuracy)
    with pytest.raises(KeyError, match='head_scores'):
        metric.process(None, [DataSample().set_gt_label(0).to_dict()])
    metric = HeaderAccuracy(topk=5)
    metric.process(None, _samples())
    with pytest.raises(ValueError, match='topk'):
        metric.evaluate(3)
