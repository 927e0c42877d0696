# scikit-learn's 8x8 digits, resized to 32x32 (mmdfkd.Digits; shipped with
# scikit-learn, no download). Fixed stratified split: 1257 train / 540 test.
# Only the test split is read by distillation runs.
digits_mean = [77.909]  # pixel mean / std of the train split, 0..255 units
digits_std = [82.553]
val_dataloader = dict(
    batch_size=270,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='Digits', split='test',
        pipeline=[dict(type='mmpretrain.PackInputs')]))
val_evaluator = dict(type='mmpretrain.Accuracy', topk=(1, ))
test_dataloader = val_dataloader
test_evaluator = val_evaluator
