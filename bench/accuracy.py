#!/usr/bin/env python3
"""Accuracy runs on the real MNIST test set, recorded in docs/results.md.

    bench/accuracy.py run PRESET [--seeds 1,2,3] [--epochs N] [-- extra digitlab args, e.g. --recipe improved]
    bench/accuracy.py robust PRESET [--seeds 1,2,3] [-- extra digitlab train args, e.g. --recipe improved]
    bench/accuracy.py render

`run` trains PRESET with its recipe defaults through build/native/digitlab (one run per seed), keeps
each run's full JSON output in docs/results/PRESET-seedS[-eEPOCHS].json, and re-renders
docs/results.md from every JSON file there. `robust` trains the same way, saves the model, and keeps `digitlab robust` on it (the app's "How robust
is it?" curves) in docs/results/robust-PRESET-seedS[-improved].json. Nothing in docs/results.md is typed by hand.
"""
import datetime, glob, json, os, platform, re, statistics, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join(ROOT, "docs", "results")
BIN = os.path.join(ROOT, "build", "native", "digitlab")
# The issues' acceptance targets: (preset, epochs or "recipe") -> (accuracy, which issue)
TARGETS = {("mlp", "1"): (0.970, "#2"), ("mlp", "recipe"): (0.980, "#2; #4: 98.2%"), ("mlp-deep", "recipe"): (0.985, "#4"),
           ("cnn-5x5", "recipe"): (0.990, "#4"), ("cnn-tiny", "recipe"): (0.991, "#4"), ("cnn-vgg", "recipe"): (0.994, "#4")}


# Issue #23: the means over seeds that the notebook recipes and the improved ones must reach.
MEAN_TARGETS = {("mlp", "recipe"): 0.979, ("mlp-deep", "recipe"): 0.984, ("mlp", "improved recipe"): 0.986,
                ("mlp-deep", "improved recipe"): 0.988, ("cnn-tiny", "improved recipe"): 0.9935,
                ("cnn-5x5", "improved recipe"): 0.995, ("cnn-vgg", "improved recipe"): 0.9965}


def improved(r):
    return "--recipe improved" in r["command"]


def epochs_label(r):
    if "--epochs " in r["command"]:
        return r["command"].split("--epochs ")[1].split()[0]
    return "improved recipe" if improved(r) else "recipe"


def steered(r):
    """Did the test set steer the run's callbacks (a notebook's validation_data=(x_test, y_test))?"""
    return "--validate-on-test" in r["command"].split()


def group_label(r):
    return epochs_label(r) + (", test set steered" if steered(r) else "")


def target_text(r):
    t = TARGETS.get((r["preset"], epochs_label(r)))
    if t and steered(r):
        return f"not comparable: the test set steered the callbacks ({100 * t[0]:.1f}%, {t[1]})"
    return f"{100 * t[0]:.1f}% ({t[1]})" if t else "—"


def run(preset, seeds, epochs, extra):
    os.makedirs(RESULTS, exist_ok=True)
    for seed in seeds:
        cmd = [BIN, "train", "--preset", preset, "--seed", str(seed), "--json"] + extra
        if epochs:
            cmd += ["--epochs", str(epochs)]
        print("$", " ".join(cmd[0:1] + [c for c in cmd[1:]]), flush=True)
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        j = json.loads(out)
        j["command"] = "digitlab " + " ".join(cmd[1:])
        j["date"] = datetime.date.today().isoformat()
        j["cpu"] = cpu_name()
        j["commit"] = git_commit()
        name = (f"{preset}-seed{seed}" + ("-improved" if "improved" in extra else "") + (f"-e{epochs}" if epochs else "") +
                ("-testval" if "--validate-on-test" in extra else "") + ".json")
        with open(os.path.join(RESULTS, name), "w") as f:
            json.dump(j, f, indent=1)
        print(f"  test accuracy {j['test_accuracy']:.4f}, {j['epochs_run']} epochs, {j['wall_seconds']:.0f} s", flush=True)
    render()


def robust(preset, seeds, extra):
    import tempfile
    os.makedirs(RESULTS, exist_ok=True)
    for seed in seeds:
        with tempfile.TemporaryDirectory() as tmp:
            model = os.path.join(tmp, "m.bin")
            cmd = [BIN, "train", "--preset", preset, "--seed", str(seed), "--json", "--save", model] + extra
            print("$", " ".join(cmd), flush=True)
            trained = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
            j = json.loads(subprocess.run([BIN, "robust", "--model", model, "--json"], capture_output=True, text=True,
                                          check=True).stdout)
        j.update(preset=preset, seed=seed, test_accuracy=trained["test_accuracy"], epochs_run=trained["epochs_run"],
                 command="digitlab " + " ".join(c for c in cmd[1:] if c not in ("--save", model)) + "; digitlab robust --model m.bin",
                 date=datetime.date.today().isoformat(), commit=git_commit())
        name = f"robust-{preset}-seed{seed}" + ("-improved" if "improved" in extra else "") + ".json"
        with open(os.path.join(RESULTS, name), "w") as f:
            json.dump(j, f, indent=1)
    render()


def robustness_section(files):
    """The robustness curves of saved runs (robust-*.json), a row per run, a column per point."""
    rs = [json.load(open(p)) for p in files]
    if not rs:
        return []
    pick = [("rotation", -30), ("rotation", -15), ("rotation", 15), ("rotation", 30), ("shift", -4), ("shift", -2),
            ("shift", 2), ("shift", 4), ("scale", 0.7), ("scale", 1.3), ("noise", 0.2), ("noise", 0.4)]
    head = {"rotation": "°", "shift": " px", "scale": "×", "noise": " σ"}
    out = ["", "## How robust: test accuracy on perturbed test images (bench/accuracy.py robust)", "",
           "`digitlab robust` on the model each run saved: all 10,000 test images rotated, shifted right, scaled or "
           "noised (the app's \"How robust is it?\" curves; `src/core/train/robustness.h`). Unperturbed, each is the "
           "run's test accuracy.", "",
           "| run | test | " + " | ".join(f"{v:g}{head[k]}" if k != "scale" else f"×{v:g}" for k, v in pick) + " |",
           "|---|---|" + "---|" * len(pick)]
    for r in rs:
        acc = {(p["kind"], p["amount"]): p["accuracy"] for p in r["points"]}
        out.append(f"| `{r['command'].split(';')[0]}` | {100 * r['test_accuracy']:.2f}% | " +
                   " | ".join(f"{100 * acc[(k, float(v))]:.1f}%" for k, v in pick) + " |")
    return out


def freehand_section(files):
    """The draw pad's reading rate on a scripted set of drawn digits (bench/freehand.mjs)."""
    rs = [json.load(open(p)) for p in files]
    if not rs:
        return []
    out = ["", "## The draw pad on freehand digits (bench/freehand.mjs)", "",
           "Digits drawn with the mouse through the app's pad by a script — ten shapes at five heights (22–85% of the "
           "pad), five widths (0.6–1.6 times the usual), five tilts (−25…25°; shrunk where the tilt would take a stroke off "
           "the pad) and anywhere on the pad, a seeded draw "
           "of each — kept with their labels (My digits), exported as IDX and read by `digitlab eval` with models the "
           "CLI trained: the share each model reads right. The pad reads a drawing the way MNIST was made (ink box → "
           "20 × 20 → centre of mass → 28 × 28), from either of two pictures of it: the pad's ink, whose strokes "
           "scale with the drawing (a small digit's end several times thicker than MNIST's), or the strokes' paths "
           "drawn again 2.6 pixels wide, MNIST's mean stroke width (the app's default since 4814298). The reference "
           "rows make the same digits from their paths without the app — the browser's canvas draws them 2.6 pixels "
           "wide at 8 × 8 samples a pixel, area-averaged to 28 × 28, shifted bilinearly to centre the mass — what "
           "this preprocessing allows, implemented apart from the app's.", "",
           "| drawn set | read from | model | MNIST test | drawn digits read right | per digit 0–9 |",
           "|---|---|---|---|---|---|"]
    order = ["ink", "strokes", "reference"]
    for r in sorted(rs, key=lambda r: (r["seed"], r["drawn"], order.index(r.get("read", "ink")))):
        read = {"ink": "the pad's ink", "strokes": "the strokes drawn again",
                "reference": "not the app: the same paths through an independent pipeline"}[r.get("read", "ink")]
        for m in r["models"]:
            per = " ".join(f"{100 * a:.0f}" for a in m["per_digit"])
            out.append(f"| `{r['command']}` ({r['drawn']} digits, {r['date']}, commit {r['commit']}) | {read} | `{m['train']}` | "
                       f"{100 * m['mnist_test_accuracy']:.2f}% | {100 * m['drawn_accuracy']:.1f}% | {per} |")
    return out


def read_jsonl(name):
    """The reference runs in docs/results/NAME (one JSON object per line), or [] if there are none."""
    path = os.path.join(RESULTS, name)
    return [json.loads(l) for l in open(path) if l.strip()] if os.path.exists(path) else []


def mlp_across(runs, torch_runs, tfjs_runs):
    """The mlp recipe's mean test accuracy after 1 and 5 epochs here, in PyTorch and in TensorFlow.js (Keras' API)."""
    rows = []
    ours = {ep: [r["test_accuracy"] for r in runs if r["preset"] == "mlp" and epochs_label(r) == ep] for ep in ("1", "recipe")}
    rows.append(("Digit Lab (`digitlab train`, seeds)", ours["1"], ours["recipe"]))
    if torch_runs:
        rows.append(("PyTorch (bench/torch_reference.py, seeds)", [r["test_accuracy"] for r in torch_runs if r["epochs"] == 1],
                     [r["test_accuracy"] for r in torch_runs if r["epochs"] == 5]))
    if tfjs_runs:
        rows.append(("TensorFlow.js Layers, Keras' API (bench/tfjs_accuracy.mjs, unseeded runs)",
                     [r["test_accuracy"][0] for r in tfjs_runs],
                     [r["test_accuracy"][4] for r in tfjs_runs if len(r["test_accuracy"]) >= 5]))
    if len(rows) < 2:
        return []
    cell = lambda a: f"{100 * statistics.mean(a):.2f}% ({len(a)} runs, {100 * min(a):.2f}–{100 * max(a):.2f})" if a else "—"
    out = ["", "## The mlp recipe in three implementations", "",
           "Adam 1e-3, batch 32, all 60,000 training images, glorot-uniform kernels, zero biases: the mean test accuracy "
           "of independent runs, and their range. Issue #2 asks for 97.0% after 1 epoch and 98.0% after 5; issue #4 for 98.2% after 5.", "",
           "| implementation | after 1 epoch | after 5 epochs |", "|---|---|---|"]
    out += [f"| {name} | {cell(a1)} | {cell(a5)} |" for name, a1, a5 in rows]
    return out


def mlp_deep_across(runs, torch_runs):
    """The mlp-deep recipe here and in PyTorch: the mean over seeds, then each PyTorch run."""
    if not torch_runs:
        return []
    ours = [r["test_accuracy"] for r in runs if r["preset"] == "mlp-deep" and epochs_label(r) == "recipe" and not steered(r)]
    target = TARGETS[("mlp-deep", "recipe")][0]
    cell = lambda a: f"{100 * statistics.mean(a):.2f}% ({100 * min(a):.2f}–{100 * max(a):.2f})" if a else "—"
    reach = lambda a: f"{sum(x >= target - 1e-9 for x in a)} of {len(a)}"
    out = ["", "## The mlp-deep recipe in PyTorch (bench/torch_reference.py mlp-deep)", "",
           "An independent check of what the mlp-deep recipe itself reaches, written the way Keras runs it: Debian's PyTorch, "
           "glorot-uniform kernels, zero biases, Adam (lr 0.01, ε 1e-7), batch 32, the last 10% of the training images "
           "held out (Keras' validation_split), balanced class weights, L2 0.01 on the Dense 16 kernel, BatchNorm with "
           "Keras' momentum, ε and moving-variance rule, EarlyStopping(val_loss, patience 15) and "
           f"ReduceLROnPlateau(val_loss, factor 0.1, patience 7) with Keras' rules, at most 100 epochs. Issue #4 asks for {100 * target:.1f}%.", "",
           f"| implementation | runs | mean test accuracy (range) | runs reaching {100 * target:.1f}% |", "|---|---|---|---|",
           f"| Digit Lab (`digitlab train`, seeds) | {len(ours)} | {cell(ours)} | {reach(ours)} |",
           f"| PyTorch (seeds) | {len(torch_runs)} | {cell([r['test_accuracy'] for r in torch_runs])} | "
           f"{reach([r['test_accuracy'] for r in torch_runs])} |", "",
           "| framework | seed | epochs run | learning-rate reductions and stop | test accuracy | test loss | wall time (threads) |",
           "|---|---|---|---|---|---|---|"]
    for r in sorted(torch_runs, key=lambda r: r["seed"]):
        out.append(f"| {r['framework']} | {r['seed']} | {r['epochs']} | {'; '.join(r['events']) or '—'} | "
                   f"{100 * r['test_accuracy']:.2f}% | {r['test_loss']:.4f} | {r['seconds']} s ({r['threads']}) |")
    return out


def means_against_targets(groups):
    """Issue #23's targets on the mean over seeds: the notebook recipes restated, and the improved ones."""
    out = ["", "## Means over seeds against issue #23's targets", "",
           "The notebook recipes restated as reproduction targets, and the improved recipes (`--recipe improved`: the same "
           "network and parameter count, trained better), each as the mean ± standard deviation over seeds on the test set.", "",
           "| preset | recipe | runs | mean ± sd | range | target (mean) | met |", "|---|---|---|---|---|---|---|"]
    for (preset, ep), target in MEAN_TARGETS.items():
        accs = groups.get((preset, ep), [])
        if not accs:
            out.append(f"| {preset} | {ep} | 0 | — | — | {100 * target:.2f}% | not run yet |")
            continue
        sd = statistics.stdev(accs) if len(accs) > 1 else 0.0
        out.append(f"| {preset} | {ep} | {len(accs)} | {100 * statistics.mean(accs):.2f}% ± {100 * sd:.2f} | "
                   f"{100 * min(accs):.2f}–{100 * max(accs):.2f}% | {100 * target:.2f}% | "
                   f"{'yes' if statistics.mean(accs) >= target - 1e-9 else 'no'}{'' if len(accs) >= 3 else ' (fewer than 3 runs)'} |")
    return out


def git_commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def cpu_name():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip() + f" ({os.cpu_count()} cores)"
    except OSError:
        pass
    return platform.processor()


def render():
    # Sorted as people count: seed 2 before seed 10.
    natural = lambda p: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", os.path.basename(p))]
    files = sorted(glob.glob(os.path.join(RESULTS, "*.json")), key=natural)
    robust_files = [p for p in files if os.path.basename(p).startswith("robust-")]
    freehand_files = [p for p in files if os.path.basename(p).startswith("freehand-")]
    files = [p for p in files if p not in robust_files and p not in freehand_files]
    runs = [json.load(open(p)) for p in files if not os.path.basename(p).startswith("browser-")]
    browser = [json.load(open(p)) for p in files if os.path.basename(p).startswith("browser-")]
    lines = ["# Results on the MNIST test set", "",
             "Every row is a real run of `digitlab train` on the 60,000 training images (minus the recipe's "
             "validation split), evaluated on the 10,000 test images. Generated by `bench/accuracy.py` from the "
             "JSON files in `docs/results/` (each holds the full output: history, report, confusion matrix).", ""]
    lines += ["| preset | command | epochs run | wall time | train samples/s | test accuracy | target (issue) |",
              "|---|---|---|---|---|---|---|"]
    groups = {}
    for r in runs:
        lines.append(f"| {r['preset']} | `{r['command']}` | {r['epochs_run']} | {r['wall_seconds']:.0f} s | "
                     f"{r['samples_per_sec']:,.0f} | {100 * r['test_accuracy']:.2f}% | {target_text(r)} |")
        groups.setdefault((r["preset"], group_label(r)), []).append(r["test_accuracy"])
    if any(r["preset"] == "mlp-deep" and not r.get("commit") for r in runs):
        lines += ["", "The mlp-deep rows without a commit below were trained before commit ff00f1d, when BatchNormalization "
                  "updated its moving variance with the unbiased batch variance (torch's rule) instead of Keras' biased one; "
                  "the moving statistics are used only in evaluation (the test accuracy, and the validation loss the callbacks watch); "
                  "the old rule made the moving variance larger by n/(n-1) = 32/31 at batch 32."]
    if any(steered(r) for r in runs):
        lines += ["", "Rows with `--validate-on-test` reproduce a notebook that passes validation_data=(x_test, y_test): "
                  "they train on all 60,000 images and their EarlyStopping and ReduceLROnPlateau watch the test set, so "
                  "the test set chose when the learning rate fell and when training stopped. Their test accuracy is "
                  "therefore not an unbiased estimate and is not counted against the targets; it shows what that "
                  "notebook setup reports."]
    lines += ["", "## Spread over seeds, against the issues' targets", "",
              "| preset | epochs | runs | mean | min | max | target | runs reaching it |", "|---|---|---|---|---|---|---|---|"]
    for (preset, ep), accs in sorted(groups.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))):
        t = TARGETS.get((preset, ep))  # None for the test-set-steered groups: they are not held to a target
        reach = f"{sum(a >= t[0] - 1e-9 for a in accs)} of {len(accs)}" if t else "—"
        lines.append(f"| {preset} | {ep} | {len(accs)} | {100 * statistics.mean(accs):.2f}% | {100 * min(accs):.2f}% | "
                     f"{100 * max(accs):.2f}% | {f'{100 * t[0]:.1f}% ({t[1]})' if t else '—'} | {reach} |")
    lines += means_against_targets(groups)
    lines += robustness_section(robust_files)
    lines += freehand_section(freehand_files)
    torch_runs, tfjs_runs = read_jsonl("pytorch-mlp.jsonl"), read_jsonl("tfjs-mlp.jsonl")
    lines += mlp_across(runs, torch_runs, tfjs_runs)
    if torch_runs:
        lines += ["", "## The same mlp recipe in PyTorch (bench/torch_reference.py)", "",
                  "An independent check of what the recipe itself reaches: Debian's PyTorch, glorot-uniform kernels, "
                  "zero biases, Adam (lr 1e-3, ε 1e-7), batch 32, all 60,000 training images, its own shuffles. "
                  "Its speed depends on the BLAS behind Debian's libblas.so.3: the runs below 1,000 samples/s used the "
                  "reference BLAS, the later ones OpenBLAS (libopenblas0-openmp).", "",
                  "| framework | seed | epochs | test accuracy | train samples/s (threads; the machine was shared, not a benchmark) |", "|---|---|---|---|---|"]
        for r in sorted(torch_runs, key=lambda r: (r["epochs"], r["seed"])):
            lines.append(f"| {r['framework']} | {r['seed']} | {r['epochs']} | {100 * r['test_accuracy']:.2f}% | "
                         f"{r['train_samples_per_sec']:,} ({r.get('threads', 1)}) |")
    lines += mlp_deep_across(runs, read_jsonl("pytorch-mlp-deep.jsonl"))
    if tfjs_runs:
        lines += ["", "## The same mlp recipe in Keras' API: TensorFlow.js Layers (bench/tfjs_accuracy.mjs)", "",
                  "TensorFlow.js' Layers API is a port of Keras with its defaults (glorot-uniform kernels, zero biases, "
                  "Adam ε 1e-7, a new shuffle each epoch). `model.fit` with Adam 1e-3, batch 32, all 60,000 training "
                  "images, the test set as validation_data (as the notebooks do), in headless Chromium. It takes no "
                  "seed for its shuffle: each run is an independent draw, like an unseeded notebook run.", "",
                  "| framework | run | test accuracy after epoch 1 | 2 | 3 | 4 | 5 | wall time |", "|---|---|---|---|---|---|---|---|"]
        for i, r in enumerate(tfjs_runs, 1):
            accs = [f"{100 * a:.2f}%" for a in r["test_accuracy"]] + [""] * (5 - len(r["test_accuracy"]))
            lines.append(f"| {r['framework']} | {i} | " + " | ".join(accs[:5]) + f" | {r['seconds']} s |")
    if browser:
        lines += ["", "## The same presets trained in the browser (bench/browser_accuracy.mjs)", "",
                  "The app's threads build in headless Chromium (wasm SIMD, 4-lane kernels without FMA) against the "
                  "native CLI (AVX2 + FMA) with the same preset, recipe and seed. The two do the same arithmetic in a "
                  "different order, so their float results drift apart over a run; the issue asks for the end results "
                  "to be within 0.3 points.", "",
                  "| preset | seed | epochs (browser / CLI) | browser | CLI | difference | within 0.3 points | browser wall time |",
                  "|---|---|---|---|---|---|---|---|"]
        for b in browser:
            want = "recipe" if b.get("epochs_arg") is None else str(b["epochs_arg"])
            cli = [r for r in runs if r["preset"] == b["preset"] and epochs_label(r) == want and not steered(r)
                   and f"--seed {b['seed']} " in r["command"] + " "]
            if cli:
                c = cli[0]
                d = 100 * (b["test_accuracy"] - c["test_accuracy"])
                lines.append(f"| {b['preset']} | {b['seed']} | {b['epochs_run']} / {c['epochs_run']} | {100 * b['test_accuracy']:.2f}% | "
                             f"{100 * c['test_accuracy']:.2f}% | {d:+.2f} | {'yes' if abs(d) <= 0.3 + 1e-9 else '**no**'} | {b['wall_seconds']:.0f} s |")
            else:
                lines.append(f"| {b['preset']} | {b['seed']} | {b['epochs_run']} / — | {100 * b['test_accuracy']:.2f}% | no CLI run | | | {b['wall_seconds']:.0f} s |")
    lines += ["", "## Confusion matrices (rows: true label, columns: predicted)", ""]
    for r in runs:
        lines += [f"### {r['command']}", "", f"test accuracy {100 * r['test_accuracy']:.2f}%, test loss {r['test_loss']:.4f}, "
                  f"{r['epochs_run']} epochs in {r['wall_seconds']:.0f} s on {r.get('cpu', '?')}, {r.get('date', '')}"
                  + (f", commit {r['commit']}" if r.get("commit") else ""), "",
                  "| | " + " | ".join(str(i) for i in range(10)) + " |", "|---" * 11 + "|"]
        for i, row in enumerate(r["confusion_matrix"]):
            lines.append(f"| **{i}** | " + " | ".join(str(v) for v in row) + " |")
        lines.append("")
    with open(os.path.join(ROOT, "docs", "results.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote docs/results.md")


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] not in ("run", "robust", "render"):
        sys.exit(__doc__)
    if args[0] == "render":
        render()
        sys.exit(0)
    extra = []
    if "--" in args:
        extra = args[args.index("--") + 1:]
        args = args[:args.index("--")]
    preset, seeds, epochs = args[1], [1], None
    if "--seeds" in args:
        seeds = [int(s) for s in args[args.index("--seeds") + 1].split(",")]
    if "--epochs" in args:
        epochs = int(args[args.index("--epochs") + 1])
    if args[0] == "robust":
        robust(preset, seeds, extra)
    else:
        run(preset, seeds, epochs, extra)
