#!/usr/bin/python3
"""PyTorch's training speed on the five presets' networks: the peer for the native CLI.

    /usr/bin/python3 bench/torch_speed.py PRESET BATCH [SECONDS=5] [THREADS=2]

Prints one JSON line: samples/s of model.train() steps (forward, cross-entropy, backward, Adam) on
synthetic 28x28 images, as bench_train measures the core. The networks are the presets' layers
(src/core/train/presets.cpp) in PyTorch's NCHW layout, Keras' defaults where they differ from
PyTorch's (LeakyReLU slope 0.3, Adam epsilon 1e-7). Needs Debian's python3-torch (bench/speed.mjs
installs it if missing). Not a test.
"""
import json
import sys
import time

import torch
from torch import nn


def network(name):
    relu = nn.ReLU
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), relu(), nn.Linear(512, 10)), 0.0
    if name == "mlp-deep":
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), relu(), nn.Dropout(0.5), nn.Linear(512, 128), relu(),
                            nn.Dropout(0.5), nn.Linear(128, 32), relu(), nn.BatchNorm1d(32, eps=1e-3, momentum=0.01),
                            nn.Dropout(0.1), nn.Linear(32, 16), relu(), nn.Linear(16, 10))
        return net, 0.01  # L2 0.01 on the Dense 16 kernel (added to the loss below)
    if name == "cnn-tiny":
        return nn.Sequential(nn.Conv2d(1, 8, 3), relu(), nn.Conv2d(8, 8, 3), relu(), nn.MaxPool2d(2),
                             nn.Conv2d(8, 16, 3), relu(), nn.Conv2d(16, 16, 3), relu(), nn.MaxPool2d(2),
                             nn.Flatten(), nn.Dropout(0.3), nn.Linear(256, 10)), 0.0
    if name == "cnn-5x5":
        return nn.Sequential(nn.Conv2d(1, 32, 5), relu(), nn.Conv2d(32, 64, 5), relu(), nn.MaxPool2d(2),
                             nn.Dropout(0.25), nn.Flatten(), nn.Linear(6400, 128), relu(), nn.Dropout(0.5),
                             nn.Linear(128, 10)), 0.0
    if name == "cnn-vgg":
        leaky = lambda: nn.LeakyReLU(0.3)
        return nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), leaky(), nn.Conv2d(32, 32, 3, padding=1), leaky(),
                             nn.MaxPool2d(2), nn.Dropout(0.25),
                             nn.Conv2d(32, 64, 3, padding=1), leaky(), nn.Conv2d(64, 64, 3, padding=1), leaky(),
                             nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
                             nn.Linear(3136, 256), relu(), nn.Linear(256, 32), relu(), nn.Linear(32, 10)), 0.0
    raise SystemExit(f"unknown preset {name}")


def main():
    name = sys.argv[1]
    batch = int(sys.argv[2])
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 5.0
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    net, l2 = network(name)
    params = sum(p.numel() for p in net.parameters())
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    n = 8192
    x = torch.randint(0, 256, (n, 1, 28, 28), dtype=torch.uint8).float() / 255
    y = torch.arange(n) % 10
    l2_weight = net[11].weight if l2 else None
    net.train()

    def step(i):
        b0 = (i * batch) % (n - batch)
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x[b0:b0 + batch]), y[b0:b0 + batch])
        if l2:
            loss = loss + l2 * (l2_weight ** 2).sum()
        loss.backward()
        opt.step()

    for i in range(10):  # warm up: allocations, caches
        step(i)
    t0 = time.perf_counter()
    steps = 0
    while time.perf_counter() - t0 < seconds:
        step(steps)
        steps += 1
    el = time.perf_counter() - t0
    print(json.dumps({"platform": "pytorch", "preset": name, "batch": batch, "threads": torch.get_num_threads(),
                      "params": params, "torch": torch.__version__, "train_samples_per_sec": round(steps * batch / el)}))


if __name__ == "__main__":
    main()
