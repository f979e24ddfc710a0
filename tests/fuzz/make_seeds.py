#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/) and dictionaries: a few small,
valid inputs of each kind and a few near misses, from which libFuzzer mutates. Model files are written
here from the format in src/core/nn/model_file.h, not by the code under test.
    python3 tests/fuzz/make_seeds.py      (the files are committed; run it again only to change them)
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# ------------------------------------------------------------------------------------------ IDX
def idx_images(n, rows, cols):
    return struct.pack('>4BIII', 0, 0, 8, 3, n, rows, cols) + bytes((i * 37) % 256 for i in range(n * rows * cols))


def idx_labels(labels):
    return struct.pack('>4BI', 0, 0, 8, 1, len(labels)) + bytes(labels)


# The first byte of an IDX input is where the target cuts the rest in two for the pair.
write('fuzz_idx', 'images-3x2x3', b'\x80' + idx_images(3, 2, 3))
write('fuzz_idx', 'images-1x28x28', b'\x80' + idx_images(1, 28, 28))
write('fuzz_idx', 'labels-5', b'\x80' + idx_labels([0, 3, 9, 1, 7]))
pair_img, pair_lab = idx_images(2, 2, 2), idx_labels([4, 2])
n = len(pair_img) + len(pair_lab)
cut = next(b for b in range(256) if b * n // 256 == len(pair_img))
write('fuzz_idx', 'pair', bytes([cut]) + pair_img + pair_lab)
# 5,478,275 images of 28x28 in 320 bytes: 16 + n*784 wraps to 320 in a 32-bit size_t.
write('fuzz_idx', 'wraps-in-32-bits', b'\x80' + struct.pack('>4BIII', 0, 0, 8, 3, 5478275, 28, 28) + bytes(304))

# ------------------------------------------------------------------------------------------ CSV
header = 'label,' + ','.join('pixel%d' % i for i in range(784))
row = lambda label: str(label) + ',' + ','.join('255' if i % 97 == 0 else '0' for i in range(784))
write('fuzz_csv', 'two-rows.csv', header + '\n' + row(3) + '\n' + row(8) + '\n')
write('fuzz_csv', 'bom-crlf.csv', '\ufeff' + header + '\r\n' + row(1) + '\r\n')
write('fuzz_csv', 'kaggle-test.csv', header[6:] + '\n' + row(0)[2:] + '\n')
write('fuzz_csv', 'label-12.csv', header + '\n12' + row(0)[1:] + '\n')

# ----------------------------------------------------------------------------------- model files
DENSE, CONV, POOL, FLAT, DROP, BN, ACT = range(7)
LINEAR, RELU, SOFTMAX, SIGMOID, LEAKY = range(5)


def fnv1a(b):
    h = 2166136261
    for c in b:
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    return h


def model_file(name, inp, layers, n_params, n_state):
    """inp: (h, w, c, flat); layers: (kind, act, same, units, kernel, stride, rate, l2, alpha)."""
    b = b'DGLBMODL' + struct.pack('<II', 1, len(name)) + name.encode()
    b += struct.pack('<iiiB', *inp) + struct.pack('<I', len(layers))
    for kind, act, same, units, kernel, stride, rate, l2, alpha in layers:
        b += struct.pack('<BBBBiiifff', kind, act, same, 0, units, kernel, stride, rate, l2, alpha)
    b += struct.pack('<Q', n_params) + b''.join(struct.pack('<f', 0.01 * ((i % 13) - 6)) for i in range(n_params))
    b += struct.pack('<Q', n_state) + b''.join(struct.pack('<f', 1.0) for _ in range(n_state))
    return b + struct.pack('<I', fnv1a(b))


L = lambda kind, act=LINEAR, units=0, kernel=0, stride=1, same=0, rate=0.0, l2=0.0, alpha=0.3: \
    (kind, act, same, units, kernel, stride, rate, l2, alpha)
# The first byte of a model-file input: odd = the target fixes the checksum before reading.
write('fuzz_model_file', 'mlp-16', b'\x01' + model_file('tiny', (1, 1, 16, 1),
      [L(DENSE, RELU, 4), L(DROP, rate=0.25), L(DENSE, SOFTMAX, 10)], 16 * 4 + 4 + 4 * 10 + 10, 0))
write('fuzz_model_file', 'cnn-6x6', b'\x01' + model_file('custom', (6, 6, 1, 0),
      [L(CONV, RELU, 2, 3), L(POOL, kernel=2, stride=2), L(BN), L(ACT, LEAKY, alpha=0.2), L(FLAT),
       L(DENSE, SOFTMAX, 10, l2=0.001)], 3 * 3 * 2 + 2 + 2 + 2 + 8 * 10 + 10, 4))
write('fuzz_model_file', 'same-stride', b'\x00' + model_file('custom', (5, 5, 2, 0),
      [L(CONV, SIGMOID, 3, 3, 2, 1), L(FLAT), L(DENSE, LINEAR, 10)], 3 * 3 * 2 * 3 + 3 + 27 * 10 + 10, 0))

# -------------------------------------------------------------------------- layer text and links
for i, text in enumerate([
        'flatten,dense:512:relu,dense:10:softmax',
        'in=flat,dense:512:relu,dropout:0.5,dense:128:relu,bn,dropout:0.1,dense:16:relu:l2=0.01,dense:10:softmax',
        'conv:8:3:relu,conv:8:3:relu,pool:2,conv:16:3:relu,pool:2,flatten,dropout:0.3,dense:10:softmax',
        'conv:32:3:same,leaky:0.3,conv:32:3:same,leaky,pool:2,flatten,dense:10:softmax',
        'conv:4:5:leaky_relu:alpha=0.2:same:s2:l2=0.001,pool:3:s1,flatten,linear,sigmoid,dense:10:softmax']):
    write('fuzz_spec_text', 'spec-%d' % i, text)
for i, link in enumerate([
        '#preset=cnn-tiny&epochs=3&autostart=1',
        '#preset=mlp&layers=flatten,dense:64:relu,dropout:0.2,dense:10:softmax&opt=sgd&momentum=0.8&lr=0.05',
        'layers=in=flat,dense:10:softmax&optimizer=sgd&lr=1&batch=100&val=0.9&rotation=15&zoom=0.1&shift=0.1'
        '&early_stopping=val_loss&patience=2&min_delta=0.02&restore_best=1&reduce_lr=val_loss&lr_patience=0'
        '&lr_factor=0.5&tab=augmentation&pane=draw&class_weights=balanced&hflip=1&vflip=0&seed=7',
        '#layers=flatten%2Cdense%3A16%3Arelu%2Cdense%3A10%3Asoftmax&val=1.5&batch=abc&preset=resnet']):
    write('fuzz_lesson', 'link-%d' % i, link)

with open(os.path.join(HERE, 'spec.dict'), 'w') as f:
    for w in ['dense:', 'conv:', 'pool:', 'flatten', 'dropout:', 'bn', 'relu', 'sigmoid', 'leaky', 'leaky_relu',
              'softmax', 'linear', 'same', 'valid', ':s2', 'l2=', 'alpha=', 'in=flat', ',', ':', '65536', '4096',
              '2147483647', '-1', '0.5', '1e-4', 'nan', 'inf']:
        f.write('"%s"\n' % w)
with open(os.path.join(HERE, 'lesson.dict'), 'w') as f:
    for w in ['#', '&', '=', '%2C', '%3A', 'preset=', 'mlp', 'cnn-tiny', 'layers=', 'opt=', 'optimizer=', 'sgd',
              'rmsprop', 'lr=', 'batch=', 'epochs=', 'val=', 'seed=', 'momentum=', 'class_weights=', 'balanced',
              'rotation=', 'zoom=', 'shift=', 'width_shift=', 'height_shift=', 'hflip=', 'vflip=',
              'early_stopping=', 'val_loss', 'val_accuracy', 'patience=', 'min_delta=', 'restore_best=',
              'reduce_lr=', 'lr_factor=', 'lr_patience=', 'min_lr=', 'autostart', 'tab=', 'pane=', 'dense:10:softmax',
              'conv:8:3:relu', 'flatten', '1e-5', 'nan', '-1', '2147483647']:
        f.write('"%s"\n' % w)
