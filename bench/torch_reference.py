#!/usr/bin/python3
# Independent reference: the `mlp` recipe (Flatten → Dense 512 relu → Dense 10 softmax, glorot-uniform
# kernels, zero biases, Adam lr 1e-3 with Keras' ε = 1e-7, batch 32, shuffled every epoch) trained in
# PyTorch (Debian's python3-torch) on the same MNIST files, to see what test accuracy the recipe
# itself gives, independent of Digit Lab's code. Prints one JSON line per seed and appends it to
# docs/results/pytorch-mlp.jsonl, which bench/accuracy.py renders into docs/results.md.
#   /usr/bin/python3 bench/torch_reference.py [epochs=5] [seeds=1,2,3] [threads=1]
import gzip, json, os, sys, time
import numpy as np
import torch

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets", "mnist")

def idx(name):
    with gzip.open(os.path.join(root, name)) as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)

epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
seeds = [int(s) for s in (sys.argv[2] if len(sys.argv) > 2 else "1,2,3").split(",")]
torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
xtr = torch.tensor(idx("train-images-idx3-ubyte.gz").reshape(-1, 784), dtype=torch.float32) / 255
ytr = torch.tensor(idx("train-labels-idx1-ubyte.gz"), dtype=torch.long)
xte = torch.tensor(idx("t10k-images-idx3-ubyte.gz").reshape(-1, 784), dtype=torch.float32) / 255
yte = torch.tensor(idx("t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
for seed in seeds:
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
    for m in model:
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.xavier_uniform_(m.weight)
            torch.nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    lossf = torch.nn.CrossEntropyLoss()
    t0 = time.time()
    for ep in range(epochs):
        perm = torch.randperm(len(xtr))
        for i in range(0, len(xtr), 32):
            b = perm[i:i + 32]
            opt.zero_grad()
            loss = lossf(model(xtr[b]), ytr[b])
            loss.backward()
            opt.step()
    secs = time.time() - t0
    with torch.no_grad():
        acc = (model(xte).argmax(1) == yte).float().mean().item()
    line = json.dumps({"framework": "pytorch " + torch.__version__, "seed": seed, "epochs": epochs,
                       "test_accuracy": round(acc, 4), "train_samples_per_sec": round(epochs * len(xtr) / secs),
                       "threads": torch.get_num_threads()})
    print(line, flush=True)
    with open(os.path.join(root, "..", "..", "docs", "results", "pytorch-mlp.jsonl"), "a") as f:
        f.write(line + "\n")
