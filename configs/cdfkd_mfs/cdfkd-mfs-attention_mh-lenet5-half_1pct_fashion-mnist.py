# CDFKD-MFS, second run on Fashion-MNIST: attention aggregation of the three
# headers, trained on 1 % of the real training split (600 labelled images,
# drawn with a fixed seed); the student stays frozen. The digits attention
# config with Fashion-MNIST's data and normalisation. First run
#   configs/cdfkd_mfs/
#       cdfkd-mfs_3xlenet5_mh-lenet5-half_1xb64-300_fashion-mnist.py
_base_ = ['./cdfkd-mfs-attention_mh-lenet5-half_1pct_digits.py']
fashion_mnist_root = '/usr/share/datasets/fashion-mnist'
pipeline = [
    dict(type='mmpretrain.Resize', scale=32),
    dict(type='mmpretrain.PackInputs')
]
model = dict(
    student_checkpoint=('work_dirs/cdfkd-mfs_3xlenet5_mh-lenet5-half_'
                        '1xb64-300_fashion-mnist/student.pth'),
    # 0.2856 / 0.3385 (KegNet, PRE-DFKD) x 255, as the teacher config
    student=dict(data_preprocessor=dict(mean=[72.83], std=[86.32])),
    data_preprocessor=dict(mean=[72.83], std=[86.32]))
train_dataloader = dict(
    dataset=dict(
        dataset=dict(  # ICME CDFKD: 1 % (600 for MNIST)
            _delete_=True, type='GzFashionMNIST',
            data_root=fashion_mnist_root, split='train', pipeline=pipeline)))
val_dataloader = dict(
    batch_size=500,
    dataset=dict(
        _delete_=True, type='GzFashionMNIST', data_root=fashion_mnist_root,
        split='test', pipeline=pipeline))
test_dataloader = val_dataloader
