"""Convert a zju-vipa CMI / Fast-Datafree CIFAR teacher to mmdfkd.

The benchmark teachers of the data-free KD literature (zju-vipa/CMI and
zju-vipa/Fast-Datafree: their README's Dropbox-Models, extracted as
checkpoints/pretrained/<dataset>_<arch>.pth) in the key layout of our
configs (configs/_base_/models/resnet_cifar.py, wide_resnet.py):

    python tools/model_converters/zju_vipa_to_mmdfkd.py \
        checkpoints/pretrained/cifar10_resnet34.pth \
        checkpoints/zju-vipa/cifar10_resnet34.pth --arch resnet34

--arch is one of resnet34, resnet18, wrn40_2, wrn40_1, wrn16_2, wrn16_1
(vgg11 is refused: no mmdfkd model computes the same logits);
--num-classes (10 or 100) defaults to the file's classifier. The file is read
with torch.load(weights_only=True), converted strictly (every key mapped,
every weight filled, shapes checked) and written as {'state_dict', 'meta'}
for model.teacher.checkpoint. The logic lives in
:mod:`mmdfkd.apis.convert_zju_vipa`.
"""
import sys

from mmdfkd.apis.convert_zju_vipa import main

if __name__ == '__main__':
    sys.exit(main())
