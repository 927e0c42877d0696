import pytest
import torch

from mmdfkd.registry import MODELS


@pytest.mark.parametrize('img_size,channels,latent', [(32, 3, 100),
                                                      (32, 1, 1000),
                                                      (16, 3, 8)])
def test_dafl_generator_shape_and_standardised_output(img_size, channels,
                                                      latent):
    gen = MODELS.build(
        dict(type='DAFLGenerator', latent_dim=latent, img_size=img_size,
             out_channels=channels, base_channels=32))
    x = gen(torch.randn(16, latent))
    assert x.shape == (16, channels, img_size, img_size)
    # the affine-free output BN standardises every channel over the batch
    assert x.mean(dim=(0, 2, 3)).abs().max() < 1e-4
    assert (x.var(dim=(0, 2, 3), unbiased=False) - 1).abs().max() < 1e-2


def test_dafl_generator_bn_eps():
    gen = MODELS.build(dict(type='DAFLGenerator'))
    assert gen.bn1.eps == 0.8 and gen.bn0.eps == 1e-5
    assert MODELS.build(dict(type='DAFLGenerator', bn_eps=1e-5)).bn1.eps == \
        1e-5
    # the paper's generator: 128 base channels
    assert gen.conv1.in_channels == 128 and gen.conv2.out_channels == 64


@pytest.mark.parametrize('img_size,out_bn', [(128, False), (224, True)])
def test_dcgan_generator_shape(img_size, out_bn):
    gen = MODELS.build(
        dict(type='DCGANGenerator', latent_dim=64, img_size=img_size,
             base_channels=8, out_bn=out_bn))
    gen.init_weights()
    x = gen(torch.randn(4, 64))
    assert x.shape == (4, 3, img_size, img_size)
    if out_bn:
        assert x.mean(dim=(0, 2, 3)).abs().max() < 1e-4
    else:
        assert x.min() >= -1 and x.max() <= 1


def test_dcgan_init_is_dcgan():
    gen = MODELS.build(dict(type='DCGANGenerator', base_channels=8))
    gen.init_weights()
    w = gen.ups[0][0].weight
    assert abs(w.std().item() - 0.02) < 0.005
    assert abs(gen.ups[0][1].weight.mean().item() - 1.0) < 0.02


def test_normalized_generator_is_the_benchmarks_generator_and_normalizer():
    import torch

    from mmdfkd.registry import MODELS
    inner = dict(type='InversionGenerator', latent_dim=8, img_size=8,
                 out_channels=3, base_channels=4)
    gen = MODELS.build(dict(type='NormalizedGenerator', generator=inner,
                            mean=[10., 20., 30.], std=[2., 4., 5.]))
    gen.eval()
    z = torch.randn(2, 8)
    x = gen.generator(z)  # Sigmoid output in [0, 1]
    expected = (x * 255 - torch.tensor([10., 20., 30.]).view(1, 3, 1, 1)) \
        / torch.tensor([2., 4., 5.]).view(1, 3, 1, 1)
    torch.testing.assert_close(gen(z), expected)
    assert gen.latent_dim == 8 and not gen.conditional
    assert gen.sample(3).shape == (3, 3, 8, 8)
    assert all(k.startswith('generator.') for k in gen.state_dict())
