"""PyTorch reference for ResNet Lab on Fashion-MNIST (idx files).

The recipe of He et al. 2015 (CIFAR, Section 4.2) as ResNet Lab applies it:
ResNet-20 with option-A shortcuts on 28x28x1 inputs, He-normal init (conv and
linear weights, linear bias 0 as in tfjs), BN momentum 0.1 (= Keras 0.9) eps
1e-5, SGD momentum 0.9 with weight decay 1e-4 on conv/linear weights only, lr
0.1 divided by 10 at 50% and 75% of the iterations (stepped per iteration),
batch 128 (last partial batch dropped, as ResNet Lab does), 4-px zero pad +
random 28x28 crop + horizontal flip, inputs in [0,1] minus the train mean image.

    /usr/bin/python3 bench/fashion_reference.py --data-dir /work/data/fashion-mnist

Options for controlled comparisons: --no-augment, --epochs, --init-from FILE.npz
(JSON weights keyed by tfjs variable name), --grad-check (loss and gradient norms on the
first 128 images), --steps K, --tf-pad (stride-2 convs padded as TF 'same': 0
before, 1 after, as ResNet Lab's net does), --tf-aligned (that, and the
option-A shortcut sampling x[1::2]),
--iterations N, --log-every.
"""

import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    if not os.path.exists(path):
        path += ".gz"
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    magic = struct.unpack(">I", raw[:4])[0]
    dims = magic & 0xFF
    sizes = struct.unpack(">" + "I" * dims, raw[4 : 4 + 4 * dims])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(sizes)


TF_PAD = False
TF_ALIGNED = False


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
        self.stride = stride
        self.extra = cout - cin

    def shortcut(self, x):  # option A: subsample, zero-pad the new channels
        if self.stride > 1:
            o = 1 if TF_ALIGNED and x.shape[-1] % 2 == 0 else 0  # where TF's 'same' 3x3 stride-2 conv is centred
            x = x[:, :, o :: self.stride, o :: self.stride]
        if self.extra > 0:
            x = F.pad(x, (0, 0, 0, 0, 0, self.extra))
        return x

    def forward(self, x):
        if TF_PAD and self.stride > 1:  # TF 'same' on even sizes: pad 0 before, 1 after
            f = F.relu(self.bn1(F.conv2d(F.pad(x, (0, 1, 0, 1)), self.conv1.weight, stride=self.stride)))
        else:
            f = F.relu(self.bn1(self.conv1(x)))
        f = self.bn2(self.conv2(f))
        return F.relu(f + self.shortcut(x))


class ResNetCifar(nn.Module):
    def __init__(self, depth=20, in_ch=1, num_classes=10, widths=(16, 32, 64)):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(in_ch, widths[0], 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0], eps=1e-5, momentum=0.1)
        blocks, cin = [], widths[0]
        for stage, w in enumerate(widths):
            for b in range(n):
                blocks.append(BasicBlock(cin, w, 2 if stage > 0 and b == 0 else 1))
                cin = w
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(cin, num_classes)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight)  # He normal, fan_in
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.blocks(x)
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))


def tfjs_names(model, n):
    """tfjs variable name -> torch tensor (for --init-from)."""
    out = {
        "conv1/kernel": model.conv1.weight,
        "bn1/gamma": model.bn1.weight,
        "bn1/beta": model.bn1.bias,
        "fc/kernel": model.fc.weight,
        "fc/bias": model.fc.bias,
    }
    for i, blk in enumerate(model.blocks):
        p = f"stage{i // n + 1}/block{i % n + 1}"
        out[f"{p}/conv1/kernel"] = blk.conv1.weight
        out[f"{p}/conv2/kernel"] = blk.conv2.weight
        for bn in ("bn1", "bn2"):
            out[f"{p}/{bn}/gamma"] = getattr(blk, bn).weight
            out[f"{p}/{bn}/beta"] = getattr(blk, bn).bias
    return out


def load_tfjs_init(model, n, path):
    saved = json.load(open(path))
    with torch.no_grad():
        for name, t in tfjs_names(model, n).items():
            a = np.asarray(saved[name]["data"], np.float32).reshape(saved[name]["shape"])
            if a.ndim == 4:  # HWIO -> OIHW
                a = a.transpose(3, 2, 0, 1)
            elif a.ndim == 2:  # (in, out) -> (out, in)
                a = a.T
            t.copy_(torch.from_numpy(np.ascontiguousarray(a)))


def augment(x, rng, pad=4, flip=True):
    """x: N,1,H,W (mean already subtracted). Zero pad, random crop, random flip."""
    n, _, h, w = x.shape
    padded = np.zeros((n, x.shape[1], h + 2 * pad, w + 2 * pad), np.float32)
    padded[:, :, pad : pad + h, pad : pad + w] = x
    out = np.empty_like(x)
    for i in range(n):
        oy, ox = rng.integers(0, 2 * pad + 1, size=2)
        crop = padded[i, :, oy : oy + h, ox : ox + w]
        out[i] = crop[:, :, ::-1] if flip and rng.random() < 0.5 else crop
    return out


def evaluate(model, x, y):
    model.eval()
    wrong, loss = 0, 0.0
    with torch.no_grad():
        for i in range(0, len(x), 256):
            xb, yb = torch.from_numpy(x[i : i + 256]), torch.from_numpy(y[i : i + 256])
            out = model(xb)
            loss += F.cross_entropy(out, yb, reduction="sum").item()
            wrong += (out.argmax(1) != yb).sum().item()
    model.train()
    return loss / len(x), wrong / len(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="/work/data/fashion-mnist")
    ap.add_argument("--limit-train", type=int, default=10000)
    ap.add_argument("--limit-test", type=int, default=2000)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=0, help="stop after N iterations (schedule still over --epochs)")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--depth", type=int, default=20)
    ap.add_argument("--no-augment", action="store_true")
    ap.add_argument("--pad", type=int, default=4, help="pixels of zero padding before the random crop")
    ap.add_argument("--no-flip", action="store_true")
    ap.add_argument("--init-from", default=None)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--log-every", type=int, default=0)
    ap.add_argument("--json", default=None, help="write per-iteration losses here")
    ap.add_argument("--grad-check", action="store_true")
    ap.add_argument("--linear-default-init", action="store_true")
    ap.add_argument("--pad-raw", action="store_true", help="augment before mean subtraction (torchvision order)")
    ap.add_argument("--layers", action="store_true", help="mean |output| of the stem and every unit")
    ap.add_argument("--tf-pad", action="store_true")
    ap.add_argument(
        "--tf-aligned", action="store_true", help="--tf-pad, and the shortcut samples x[1::2] (ResNet Lab's fixed net)"
    )
    ap.add_argument("--steps", type=int, default=0, help="K SGD steps on the first K batches in order, no augmentation")
    a = ap.parse_args()
    global TF_PAD, TF_ALIGNED
    TF_PAD = a.tf_pad or a.tf_aligned
    TF_ALIGNED = a.tf_aligned

    torch.set_num_threads(2)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    d = a.data_dir
    xtr = read_idx(f"{d}/train-images-idx3-ubyte")[: a.limit_train].astype(np.float32) / 255
    ytr = read_idx(f"{d}/train-labels-idx1-ubyte")[: a.limit_train].astype(np.int64)
    xte = read_idx(f"{d}/t10k-images-idx3-ubyte")[: a.limit_test].astype(np.float32) / 255
    yte = read_idx(f"{d}/t10k-labels-idx1-ubyte")[: a.limit_test].astype(np.int64)
    mean = xtr.mean(0)
    xtr = (xtr - mean)[:, None]
    xte = (xte - mean)[:, None]

    n = (a.depth - 2) // 6
    model = ResNetCifar(a.depth)
    if a.linear_default_init:  # nn.Linear's own init (uniform +-1/sqrt(fan_in)) instead of He normal
        model.fc.reset_parameters()
    if a.init_from:
        load_tfjs_init(model, n, a.init_from)
    if a.layers:
        xb = torch.from_numpy(xtr[:128])
        for training in (False, True):
            model.train(training)
            outs = []
            hooks = [model.bn1.register_forward_hook(lambda m, i, o, outs=outs: outs.append(("relu1", F.relu(o))))]
            for i, blk in enumerate(model.blocks):
                hooks.append(
                    blk.register_forward_hook(
                        lambda m, i_, o, i=i, outs=outs: outs.append((f"stage{i // n + 1}/block{i % n + 1}/relu2", o))
                    )
                )
                if blk.stride > 1:
                    hooks.append(
                        blk.register_forward_pre_hook(
                            lambda m, i_, i=i, outs=outs: outs.append(
                                (f"stage{i // n + 1}/block{i % n + 1}/shortcut/pad", m.shortcut(i_[0]))
                            )
                        )
                    )
            with torch.no_grad():
                model(xb)
            for h in hooks:
                h.remove()
            print("train" if training else "eval", " ".join(f"{k}={v.abs().mean().item():.4f}" for k, v in outs))
        return
    if a.grad_check:
        xb, yb = torch.from_numpy(xtr[:128]), torch.from_numpy(ytr[:128])
        model.eval()
        with torch.no_grad():
            print("eval-mode loss at init", F.cross_entropy(model(xb), yb).item())
        model.train()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        print(json.dumps({"loss": loss.item()}))
        for name, t in tfjs_names(model, n).items():
            print(name.ljust(32), f"{t.grad.norm().item():.4e}")
        model.eval()
        with torch.no_grad():
            print("eval-mode loss", F.cross_entropy(model(xb), yb).item())
        return
    decay = [p for name, p in model.named_parameters() if name.endswith("weight") and p.ndim > 1]
    no_decay = [p for name, p in model.named_parameters() if not (name.endswith("weight") and p.ndim > 1)]
    if a.steps:
        opt = torch.optim.SGD(
            [{"params": decay, "weight_decay": 1e-4}, {"params": no_decay, "weight_decay": 0}], lr=0.1, momentum=0.9
        )
        losses = []
        for k in range(a.steps):
            xb, yb = torch.from_numpy(xtr[k * 128 : (k + 1) * 128]), torch.from_numpy(ytr[k * 128 : (k + 1) * 128])
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(round(loss.item(), 4))
        print(json.dumps({"losses": losses}))
        print("test (eval mode)", evaluate(model, xte, yte))
        for name, bn in (("bn1", model.bn1), ("stage3/block3/bn2", model.blocks[-1].bn2)):
            for k, t in (
                ("gamma", bn.weight),
                ("beta", bn.bias),
                ("moving_mean", bn.running_mean),
                ("moving_variance", bn.running_var),
            ):
                print(f"{name}/{k}".ljust(36), " ".join(f"{v:.4f}" for v in t.detach()[:4].tolist()))
        print("fc/kernel norm", model.fc.weight.norm().item())
        return
    decay = [p for name, p in model.named_parameters() if name.endswith("weight") and p.ndim > 1]
    no_decay = [p for name, p in model.named_parameters() if not (name.endswith("weight") and p.ndim > 1)]
    opt = torch.optim.SGD(
        [{"params": decay, "weight_decay": 1e-4}, {"params": no_decay, "weight_decay": 0}], lr=a.lr, momentum=0.9
    )
    per_epoch = len(xtr) // a.batch_size
    total = per_epoch * a.epochs
    milestones = [round(total * 0.5), round(total * 0.75)]
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones, 0.1)
    print(
        json.dumps(
            {
                "iterationsPerEpoch": per_epoch,
                "total": total,
                "milestones": milestones,
                "init_std": {
                    k: round(v.std().item(), 4) for k, v in tfjs_names(model, n).items() if k.endswith("kernel")
                },
            }
        )
    )
    log, it, start = [], 0, time.time()
    model.train()
    for epoch in range(a.epochs):
        order = rng.permutation(len(xtr))
        wrong = seen = 0
        lsum = 0.0
        for b in range(per_epoch):
            idx = order[b * a.batch_size : (b + 1) * a.batch_size]
            if a.no_augment:
                xb = xtr[idx]
            elif (
                a.pad_raw
            ):  # torchvision order: pad the [0,1] image with 0 (black), crop, flip, then subtract the mean image
                xb = augment(xtr[idx] + mean, rng, a.pad, not a.no_flip) - mean
            else:
                xb = augment(xtr[idx], rng, a.pad, not a.no_flip)
            xb, yb = torch.from_numpy(np.ascontiguousarray(xb)), torch.from_numpy(ytr[idx])
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            opt.zero_grad()
            loss.backward()
            lr = opt.param_groups[0]["lr"]
            opt.step()
            sched.step()
            it += 1
            e = (out.argmax(1) != yb).sum().item()
            wrong += e
            seen += len(idx)
            lsum += loss.item() * len(idx)
            log.append({"iteration": it, "loss": loss.item(), "trainError": e / len(idx), "lr": lr})
            if a.log_every and it % a.log_every == 0:
                print(json.dumps(log[-1]), flush=True)
            if a.iterations and it >= a.iterations:
                break
        tl, te = evaluate(model, xte, yte)
        print(
            json.dumps(
                {
                    "epoch": epoch + 1,
                    "trainLoss": round(lsum / seen, 4),
                    "trainError": round(wrong / seen, 4),
                    "testLoss": round(tl, 4),
                    "testError": round(te, 4),
                    "seconds": round(time.time() - start, 1),
                }
            ),
            flush=True,
        )
        if a.iterations and it >= a.iterations:
            break
    if a.json:
        json.dump(log, open(a.json, "w"))


if __name__ == "__main__":
    main()
