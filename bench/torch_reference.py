#!/usr/bin/python3
# Independent references: a preset's recipe trained in PyTorch (Debian's python3-torch) on the same MNIST
# files, to see what test accuracy the recipe itself gives, independent of Digit Lab's code. Prints one
# JSON line per seed and appends it to docs/results/pytorch-PRESET.jsonl, which bench/accuracy.py renders
# into docs/results.md.
#   /usr/bin/python3 bench/torch_reference.py [epochs=5] [seeds=1,2,3] [threads=1]            (mlp)
#   /usr/bin/python3 bench/torch_reference.py mlp-deep [seeds=1,2,3] [threads=1]
#
# mlp: Flatten → Dense 512 relu → Dense 10 softmax, Adam lr 1e-3, batch 32, all 60,000 images.
# mlp-deep, written the way Keras runs it (model.fit with validation_split=0.1, class_weight, callbacks):
#   Dense 512 relu → Dropout .5 → Dense 128 relu → Dropout .5 → Dense 32 relu → BatchNorm → Dropout .1 →
#   Dense 16 relu (L2 0.01) → Dense 10 softmax; Adam lr 0.01; batch 32; ≤ 100 epochs; the last 10% of the
#   training images held out (Keras' validation_split takes the tail, unshuffled); balanced class
#   weights n/(k·count_k) from the 54,000 training images, applied as Keras does (Σ wᵢ·lossᵢ / batch);
#   val_loss = unweighted mean cross-entropy + the L2 term; EarlyStopping(val_loss, patience 15) and
#   ReduceLROnPlateau(val_loss, factor 0.1, patience 7, min_delta 1e-4) with Keras' update rules.
#   BatchNorm: momentum 0.99 and ε 1e-3 as Keras, moving variance from the biased batch variance.
# Every layer uses Keras' initialisation: glorot-uniform kernels, zero biases, γ = 1, β = 0.
#
# Needs Debian's python3-torch. Its matrix products go through libblas.so.3, which is the slow reference
# BLAS unless an optimised one provides it. On one thread of this machine an mlp-deep epoch took about
# 36 s with the reference BLAS (a 2-epoch run of this script: 73 s); with libopenblas0-openmp the runs
# in docs/results/pytorch-mlp-deep.jsonl took 4.8-5.5 s an epoch (319-452 s for 64-93 epochs).
import gzip, json, os, sys, time
import numpy as np
try:
    import torch
except ImportError:
    sys.exit("bench/torch_reference.py needs PyTorch: sudo apt-get install python3-torch libopenblas0-openmp")

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..", "assets", "mnist")


def idx(name):
    with gzip.open(os.path.join(root, name)) as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load():
    xtr = torch.tensor(idx("train-images-idx3-ubyte.gz").reshape(-1, 784), dtype=torch.float32) / 255
    ytr = torch.tensor(idx("train-labels-idx1-ubyte.gz"), dtype=torch.long)
    xte = torch.tensor(idx("t10k-images-idx3-ubyte.gz").reshape(-1, 784), dtype=torch.float32) / 255
    yte = torch.tensor(idx("t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
    return xtr, ytr, xte, yte


def keras_init(model):
    for m in model.modules():
        if isinstance(m, torch.nn.Linear):
            torch.nn.init.xavier_uniform_(m.weight)
            torch.nn.init.zeros_(m.bias)


def record(preset, line):
    print(line, flush=True)
    with open(os.path.join(here, "..", "docs", "results", f"pytorch-{preset}.jsonl"), "a") as f:
        f.write(line + "\n")


def train_epoch(model, opt, x, y, loss_of):
    """One epoch of batch-32 steps over a new shuffle; loss_of(logits, labels) is the batch's loss."""
    perm = torch.randperm(len(x))
    for i in range(0, len(x), 32):
        b = perm[i:i + 32]
        opt.zero_grad()
        loss_of(model(x[b]), y[b]).backward()
        opt.step()


def mlp(epochs, seeds):
    xtr, ytr, xte, yte = load()
    for seed in seeds:
        torch.manual_seed(seed)
        model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 10))
        keras_init(model)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
        lossf = torch.nn.CrossEntropyLoss()
        t0 = time.time()
        for ep in range(epochs):
            train_epoch(model, opt, xtr, ytr, lossf)
        secs = time.time() - t0
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).float().mean().item()
        record("mlp", json.dumps({"framework": "pytorch " + torch.__version__, "seed": seed, "epochs": epochs,
                                  "test_accuracy": round(acc, 4), "train_samples_per_sec": round(epochs * len(xtr) / secs),
                                  "threads": torch.get_num_threads()}))


class KerasBatchNorm(torch.nn.Module):
    """BatchNormalization over features with Keras' rules: moving = 0.99·moving + 0.01·batch, the moving
    variance fed the biased batch variance, ε 1e-3 inside the square root."""

    def __init__(self, n):
        super().__init__()
        self.gamma = torch.nn.Parameter(torch.ones(n))
        self.beta = torch.nn.Parameter(torch.zeros(n))
        self.register_buffer("mean", torch.zeros(n))
        self.register_buffer("var", torch.ones(n))

    def forward(self, x):
        if self.training:
            mu, var = x.mean(0), x.var(0, unbiased=False)
            with torch.no_grad():
                self.mean.mul_(0.99).add_(0.01 * mu)
                self.var.mul_(0.99).add_(0.01 * var)
        else:
            mu, var = self.mean, self.var
        return (x - mu) / torch.sqrt(var + 1e-3) * self.gamma + self.beta


def mlp_deep(seeds, max_epochs=100):
    xall, yall, xte, yte = load()
    n_val = len(xall) // 10  # Keras' validation_split=0.1: the last 6,000 images, before any shuffle
    xtr, ytr, xva, yva = xall[:-n_val], yall[:-n_val], xall[-n_val:], yall[-n_val:]
    counts = torch.bincount(ytr, minlength=10).double()
    class_w = (len(ytr) / (10 * counts)).float()
    for seed in seeds:
        torch.manual_seed(seed)
        L = torch.nn.Linear
        last_hidden = L(32, 16)
        model = torch.nn.Sequential(L(784, 512), torch.nn.ReLU(), torch.nn.Dropout(0.5), L(512, 128), torch.nn.ReLU(),
                                    torch.nn.Dropout(0.5), L(128, 32), torch.nn.ReLU(), KerasBatchNorm(32),
                                    torch.nn.Dropout(0.1), last_hidden, torch.nn.ReLU(), L(16, 10))
        keras_init(model)
        opt = torch.optim.Adam(model.parameters(), lr=0.01, eps=1e-7)
        l2 = lambda: 0.01 * (last_hidden.weight ** 2).sum()
        weighted_loss = lambda logits, y: (torch.nn.functional.cross_entropy(logits, y, reduction="none")
                                           * class_w[y]).sum() / len(y) + l2()

        def evaluate(x, y):
            model.eval()
            with torch.no_grad():
                logits = model(x)
                loss = torch.nn.functional.cross_entropy(logits, y).item() + l2().item()
                acc = (logits.argmax(1) == y).float().mean().item()
            model.train()
            return loss, acc

        es_best, es_wait = float("inf"), 0
        lr_best, lr_wait = float("inf"), 0
        history, events = [], []
        t0 = time.time()
        for ep in range(max_epochs):
            train_epoch(model, opt, xtr, ytr, weighted_loss)
            val_loss, val_acc = evaluate(xva, yva)
            lr = opt.param_groups[0]["lr"]
            history.append({"epoch": ep + 1, "val_loss": round(val_loss, 5), "val_accuracy": round(val_acc, 5), "lr": lr})
            # ReduceLROnPlateau (Keras): an improvement must beat the best by min_delta 1e-4.
            if val_loss < lr_best - 1e-4:
                lr_best, lr_wait = val_loss, 0
            else:
                lr_wait += 1
                if lr_wait >= 7:
                    for g in opt.param_groups:
                        g["lr"] = lr * 0.1
                    lr_wait = 0
                    events.append(f"epoch {ep + 1}: lr {lr:g} -> {lr * 0.1:g}")
            # EarlyStopping (Keras, min_delta 0, restore_best_weights False).
            es_wait += 1
            if val_loss < es_best:
                es_best, es_wait = val_loss, 0
            if es_wait >= 15 and ep > 0:
                events.append(f"epoch {ep + 1}: stopped")
                break
        secs = time.time() - t0
        test_loss, test_acc = evaluate(xte, yte)
        record("mlp-deep", json.dumps({"framework": "pytorch " + torch.__version__, "seed": seed,
                                       "epochs": len(history), "test_accuracy": round(test_acc, 4),
                                       "test_loss": round(test_loss, 4), "seconds": round(secs),
                                       "threads": torch.get_num_threads(), "events": events, "history": history}))


if __name__ == "__main__":
    args = sys.argv[1:]
    preset = args.pop(0) if args and not args[0][0].isdigit() else "mlp"
    if preset == "mlp":
        epochs = int(args.pop(0)) if args else 5
    elif preset != "mlp-deep":
        sys.exit(f"no PyTorch reference for preset '{preset}': use mlp or mlp-deep")
    seeds = [int(s) for s in (args.pop(0) if args else "1,2,3").split(",")]
    torch.set_num_threads(int(args.pop(0)) if args else 1)
    if preset == "mlp":
        mlp(epochs, seeds)
    else:
        mlp_deep(seeds)
