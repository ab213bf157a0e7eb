"""PyTorch reference for bench/train.ts: the same ResNet and recipe, timed the same way.

ResNet-(6n+2) for 32x32x3 inputs as in src/core/lib/cifar.ts (He et al. 2015,
Section 4.2): conv3x3(16)-BN-ReLU, three stages of n basic blocks (16/32/64
filters, stride 2 at the start of stages 2 and 3), option-A shortcuts
(subsample by the stride, zero-pad the new channels), global average pool,
10-way linear layer. BN eps 1e-5, momentum 0.1 (= Keras momentum 0.9).
SGD momentum 0.9, weight decay 1e-4 on conv and linear weights only (as
src/core/train/optimizer.ts), cross-entropy, random data.

Prints one JSON object as its last line. Run it with Debian's python3-torch:
    /usr/bin/python3 bench/torch_resnet.py --depth 20 --batch 128 --steps 5
"""

import json
import resource
import statistics

import torch
import torch.nn as nn
import torch.nn.functional as F

from timing import bench_args, timed


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1)
        self.stride = stride
        self.extra = cout - cin

    def shortcut(self, x):  # option A
        if self.stride > 1:
            x = x[:, :, :: self.stride, :: self.stride]
        if self.extra > 0:
            x = F.pad(x, (0, 0, 0, 0, 0, self.extra))
        return x

    def forward(self, x):
        f = F.relu(self.bn1(self.conv1(x)))
        f = self.bn2(self.conv2(f))
        return F.relu(f + self.shortcut(x))


class ResNetCifar(nn.Module):
    def __init__(self, depth, num_classes=10, widths=(16, 32, 64)):
        super().__init__()
        assert (depth - 2) % 6 == 0, "depth must be 6n+2"
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(3, widths[0], 3, 1, 1, bias=False)
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
                nn.init.kaiming_normal_(m.weight)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.blocks(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)


def main():
    args = bench_args(threads=(int, 0, "0: torch's default"))
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    model = ResNetCifar(args.depth)
    decay = [p for n, p in model.named_parameters() if n.endswith("weight") and p.dim() > 1]
    rest = [p for n, p in model.named_parameters() if not (n.endswith("weight") and p.dim() > 1)]
    opt = torch.optim.SGD(
        [{"params": decay, "weight_decay": 1e-4}, {"params": rest, "weight_decay": 0}], lr=0.01, momentum=0.9
    )
    x = torch.randn(args.batch, 3, 32, 32)
    y = torch.randint(0, 10, (args.batch,))

    def train_step():
        opt.zero_grad(set_to_none=True)
        out = model(x)
        loss = F.cross_entropy(out, y)
        loss.backward()
        opt.step()
        # read back loss and error count, as trainStep does
        return loss.item(), (out.argmax(1) != y).sum().item()

    model.train()
    train_times = timed(train_step, args.warmup, args.steps, args.min_seconds, args.max_seconds)

    def infer_step():
        with torch.no_grad():
            out = model(x)
            return F.cross_entropy(out, y).item(), (out.argmax(1) != y).sum().item()

    model.eval()
    infer_times = timed(infer_step, 1, args.infer_steps, args.min_seconds, args.max_seconds)

    def rate(times):
        return args.batch / statistics.median(times)

    print(
        json.dumps(
            {
                "engine": "torch",
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "depth": args.depth,
                "batch": args.batch,
                "trainSteps": len(train_times),
                "trainImagesPerSec": rate(train_times),
                "trainImagesPerSecMean": args.batch * len(train_times) / sum(train_times),
                "inferSteps": len(infer_times),
                "inferImagesPerSec": rate(infer_times),
                "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
