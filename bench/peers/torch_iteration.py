#!/usr/bin/env python3
"""One DeepFill v1 training iteration of this project, written in PyTorch on the CPU, timed.

The bench (`npm run bench -- --peers`) runs this beside its training-iteration cases and
prints the ratio of our time to this one. It is a yardstick, not a second implementation to
train with: it must do the same work as src/train/trainer.ts, not produce the same numbers.

Same work means: the generator of src/models/generator.ts (the layer tables below carry the
same names, widths, strides, dilations and activations), contextual attention as
src/models/contextual-attention.ts computes it (a mask per image, every query scored against
every normalised patch, the exact 2-D fuse sum, the masked softmax, argmax offsets, paste-back
by overlap-add; the products run as convolutions, see Model.attention), both
critics of src/models/critics.ts (NHWC flatten, dense weight [in, out]), and the iteration of
the trainer: `critic_steps` critic steps (generator without a graph, both critics on real and
fake as one batch, the masked gradient penalty through a second derivative, Adam on the
critics) then one generator step (L1 with the border discount, L1 over known pixels, WGAN
terms, Adam on the generator). Gradients are taken only for the network a step trains.

Where it differs, and why that does not change the cost: images are smooth random fields,
not decoded faces (the content changes no operation); torch's Adam adds epsilon to the
bias-corrected root of the second moment, ours to the uncorrected one (the same element-wise
work).

    /usr/bin/python3 bench/peers/torch_iteration.py --size 64 --batch 4 --cnum 16 --critic-cnum 32
    python3 bench/peers/torch_iteration.py --parameters --size 64 --cnum 16 --critic-cnum 32

The first prints one JSON line: the median milliseconds of an iteration over --runs timed
iterations after --warmup untimed ones, the configuration, and the parameter count of each
network. --parameters needs no torch: it prints the name and shape of every parameter the
tables define, in the order our networks create them, for test/peer-torch.test.ts to compare
with our models.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

# ---------------------------------------------------------------- the layer tables (no torch)
# A row: (name, output channels, kernel, stride, dilation, activation); "upsample" in a name
# means a nearest x2 resize comes first, as in our Stack.


def conv_row(name, cout, kernel, stride=1, dilation=1, activation="elu"):
    return (name, cout, kernel, stride, dilation, activation)


def dilated_rows(prefix, first, width):
    return [conv_row(f"{prefix}{first + i}_atrous", width, 3, dilation=d) for i, d in enumerate((2, 4, 8, 16))]


def decoder_rows(prefix, c):
    return [
        conv_row(f"{prefix}11", 4 * c, 3), conv_row(f"{prefix}12", 4 * c, 3),
        conv_row(f"{prefix}13_upsample", 2 * c, 3), conv_row(f"{prefix}14", 2 * c, 3),
        conv_row(f"{prefix}15_upsample", c, 3), conv_row(f"{prefix}16", c // 2, 3),
        conv_row(f"{prefix}17", 3, 3, activation="none"),
    ]


def generator_stacks(c):
    """The generator's stacks as (stack, scope, input channels, rows), in our creation order."""
    return [
        ("coarse_encoder", "coarse", 5, [
            conv_row("conv1", c, 5), conv_row("conv2_downsample", 2 * c, 3, 2), conv_row("conv3", 2 * c, 3),
            conv_row("conv4_downsample", 4 * c, 3, 2), conv_row("conv5", 4 * c, 3), conv_row("conv6", 4 * c, 3),
            *dilated_rows("conv", 7, 4 * c)]),
        ("coarse_decoder", "coarse", 4 * c, decoder_rows("conv", c)),
        ("hallucination", "refine", 5, [
            conv_row("xconv1", c, 5), conv_row("xconv2_downsample", c, 3, 2), conv_row("xconv3", 2 * c, 3),
            conv_row("xconv4_downsample", 2 * c, 3, 2), conv_row("xconv5", 4 * c, 3), conv_row("xconv6", 4 * c, 3),
            *dilated_rows("xconv", 7, 4 * c)]),
        ("attention_encoder", "refine", 5, [
            conv_row("pmconv1", c, 5), conv_row("pmconv2_downsample", c, 3, 2), conv_row("pmconv3", 2 * c, 3),
            conv_row("pmconv4_downsample", 4 * c, 3, 2), conv_row("pmconv5", 4 * c, 3),
            conv_row("pmconv6", 4 * c, 3, activation="relu")]),
        ("attention_decoder", "refine", 4 * c, [conv_row("pmconv9", 4 * c, 3), conv_row("pmconv10", 4 * c, 3)]),
        ("decoder", "refine", 8 * c, decoder_rows("allconv", c)),
    ]


CRITIC_WIDTHS = {"globalCritic": (1, 2, 4, 4), "localCritic": (1, 2, 4, 8)}


def box_side(side):
    """The bbox (and local critic input) side: half the image side, as src/data/masks.ts."""
    return max(1, round(side * 128 / 256))


def parameter_shapes(size, cnum, critic_cnum):
    """Every parameter's (name, shape), in the order our Generator and critics create them."""
    shapes = []
    for _, scope, cin, rows in generator_stacks(cnum):
        for name, cout, kernel, *_ in rows:
            shapes.append((f"generator.{scope}.{name}.weight", [cout, cin, kernel, kernel]))
            shapes.append((f"generator.{scope}.{name}.bias", [cout]))
            cin = cout
    for critic, side in (("globalCritic", size), ("localCritic", box_side(size))):
        cin = 3
        for i, m in enumerate(CRITIC_WIDTHS[critic]):
            shapes.append((f"{critic}.conv{i + 1}.weight", [critic_cnum * m, cin, 5, 5]))
            shapes.append((f"{critic}.conv{i + 1}.bias", [critic_cnum * m]))
            cin = critic_cnum * m
            side = -(-side // 2)
        shapes.append((f"{critic}.dense.weight", [side * side * cin, 1]))
        shapes.append((f"{critic}.dense.bias", [1]))
    return shapes


# ---------------------------------------------------------------- the model (torch from here)


def build(config, seed):
    import torch
    torch.manual_seed(seed)
    params = {}
    for name, shape in parameter_shapes(config.size, config.cnum, config.critic_cnum):
        tensor = torch.zeros(shape)
        if name.endswith(".weight"):
            # Glorot-uniform as our glorotFans count it (a dense weight is [in, out]).
            fan_in, fan_out = (shape[0], shape[1]) if len(shape) == 2 else (shape[1] * shape[2] * shape[3], shape[0] * shape[2] * shape[3])
            limit = math.sqrt(6 / (fan_in + fan_out))
            tensor.uniform_(-limit, limit)
        params[name] = tensor.requires_grad_(True)
    return params


class Model:
    """The generator and both critics as functions of a name -> tensor map."""

    def __init__(self, config, params):
        import torch
        import torch.nn.functional as F
        self.torch, self.F = torch, F
        self.config = config
        self.params = params
        self.stacks = {stack: (scope, rows) for stack, scope, _, rows in generator_stacks(config.cnum)}

    # -- building blocks
    def same_conv(self, x, weight, bias, stride, dilation):
        """TF 'same' zero padding (the odd pixel after), as our conv2d's padding: "same"."""
        F = self.F
        k = weight.shape[-1]
        pads = []
        for size in (x.shape[3], x.shape[2]):
            total = max((-(-size // stride) - 1) * stride + (k - 1) * dilation + 1 - size, 0)
            pads += [total // 2, total - total // 2]
        if pads[0] == pads[1] and pads[2] == pads[3]:
            return F.conv2d(x, weight, bias, stride, (pads[2], pads[0]), dilation)
        return F.conv2d(F.pad(x, pads), weight, bias, stride, 0, dilation)

    def activate(self, x, activation):
        F = self.F
        if activation == "elu":
            return F.elu(x)
        if activation == "relu":
            return F.relu(x)
        if activation == "leakyRelu":
            return F.leaky_relu(x, 0.2)
        return x

    def resize_aligned(self, x, height, width):
        """Nearest resize with aligned corners: source round(o (in - 1) / (out - 1)), halves up."""
        torch = self.torch

        def index(n_out, n_in):
            if n_out == 1:
                return torch.zeros(1, dtype=torch.long)
            return torch.floor(torch.arange(n_out, dtype=torch.float64) * (n_in - 1) / (n_out - 1) + 0.5).long()

        x = x.index_select(2, index(height, x.shape[2]))
        return x.index_select(3, index(width, x.shape[3]))

    def stack(self, name, x):
        scope, rows = self.stacks[name]
        for layer, _, _, stride, dilation, activation in rows:
            if layer.endswith("_upsample"):
                x = self.resize_aligned(x, 2 * x.shape[2], 2 * x.shape[3])
            prefix = f"generator.{scope}.{layer}"
            x = self.activate(self.same_conv(x, self.params[prefix + ".weight"], self.params[prefix + ".bias"], stride, dilation), activation)
        return x

    # -- contextual attention, rate 2, 3x3 matching patches, fuse size 3, softmax scale 10
    def attention(self, features, mask):
        """Our layer's arithmetic. The score product and the paste-back run as grouped
        convolutions (one group per image) rather than batched matrix products: the same
        multiply-adds, but on oneDNN, which PyTorch builds always have, where a product would
        run on whatever BLAS the system links (Debian's default, the reference BLAS, made the
        256x256 iteration several times slower)."""
        torch, F = self.torch, self.F
        batch, channels, height, width = features.shape
        h, w = height // 2, width // 2
        patches = h * w
        # 4x4 raw patches at stride 2 ('same': one pixel each side) are what gets pasted back.
        raw = F.unfold(features, 4, padding=1, stride=2)  # [B, 16C, h w]
        small = self.resize_aligned(features, h, w)
        matches = F.unfold(small, 3, padding=1)  # [B, 9C, h w]
        norms = torch.sqrt(torch.clamp((matches * matches).sum(1, keepdim=True), min=1e-8))
        filters = (matches / norms).view(batch, channels, 3, 3, patches).permute(0, 4, 1, 2, 3).reshape(batch * patches, channels, 3, 3)
        scores = F.conv2d(small.reshape(1, batch * channels, h, w), filters, padding=1, groups=batch)
        scores = scores.view(batch, patches, patches).transpose(1, 2)  # [B, queries, patches]
        grid = F.pad(scores.reshape(batch, h, w, h, w), (1, 1, 1, 1, 1, 1, 1, 1))
        fused = sum(grid[:, 1 + dy:1 + dy + h, 1 + dx:1 + dx + w, 1 + dy:1 + dy + h, 1 + dx:1 + dx + w]
                    for dy in (-1, 0, 1) for dx in (-1, 0, 1)).reshape(batch, patches, patches)
        with torch.no_grad():
            hole_small = self.resize_aligned(mask, h, w)
            touched = F.conv2d(hole_small, torch.ones(1, 1, 3, 3), padding=1)
            valid = (touched <= 0).to(features.dtype).view(batch, 1, patches)
        weights = torch.softmax(fused * valid * 10.0, dim=2) * valid
        with torch.no_grad():
            offsets = weights.argmax(2)  # the flow picture's input; our layer computes it too
        pasted = self.paste(weights.transpose(1, 2).reshape(1, batch * patches, h, w), raw.view(batch, channels, 4, 4, patches))
        return pasted / 4.0, offsets

    def paste(self, weights, pieces):
        """The overlap-add of the 4x4 pieces [B, C, 4, 4, L] weighted by the attention [1, B L, h, w],
        at stride 2 with one pixel of padding, as four stride-1 2x2 convolutions, one per output
        row and column parity: the transposed convolution is not on oneDNN in PyTorch 1.13.
        Output row 2y + p takes piece rows 3 and 1 from positions y - 1 and y when p = 0, and
        rows 2 and 0 from positions y and y + 1 when p = 1; columns alike."""
        torch, F = self.torch, self.F
        batch, channels, _, _, patches = pieces.shape
        h, w = weights.shape[2], weights.shape[3]
        taps = {0: [3, 1], 1: [2, 0]}
        pads = {0: (1, 0), 1: (0, 1)}
        rows = []
        for py in (0, 1):
            columns = []
            for px in (0, 1):
                kernel = pieces[:, :, taps[py]][:, :, :, taps[px]].permute(0, 1, 4, 2, 3).reshape(batch * channels, patches, 2, 2)
                columns.append(F.conv2d(F.pad(weights, (*pads[px], *pads[py])), kernel, groups=batch))
            rows.append(torch.stack(columns, dim=-1))  # [1, B C, h, w, column parity]
        return torch.stack(rows, dim=-3).reshape(batch, channels, 2 * h, 2 * w)

    # -- the networks
    def generator(self, image, mask):
        torch = self.torch
        ones = torch.ones_like(mask)
        incomplete = image * (1 - mask)
        coarse = torch.clamp(self.stack("coarse_decoder", self.stack("coarse_encoder", torch.cat([incomplete, ones, mask], 1))), -1, 1)
        refine_input = torch.cat([coarse * mask + incomplete * (1 - mask), ones, mask], 1)
        hallucinated = self.stack("hallucination", refine_input)
        features = self.stack("attention_encoder", refine_input)
        pasted, _ = self.attention(features, self.resize_aligned(mask, mask.shape[2] // 4, mask.shape[3] // 4))
        attended = self.stack("attention_decoder", pasted)
        refined = torch.clamp(self.stack("decoder", torch.cat([hallucinated, attended], 1)), -1, 1)
        return coarse, refined

    def critic(self, name, x):
        for i in range(len(CRITIC_WIDTHS[name])):
            prefix = f"{name}.conv{i + 1}"
            x = self.activate(self.same_conv(x, self.params[prefix + ".weight"], self.params[prefix + ".bias"], 2, 1), "leakyRelu")
        flat = x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)
        return flat @ self.params[f"{name}.dense.weight"] + self.params[f"{name}.dense.bias"]


# ---------------------------------------------------------------- one iteration


class Iteration:
    def __init__(self, config, seed=0):
        import torch
        self.torch = torch
        self.config = config
        self.model = Model(config, build(config, seed))
        self.random = torch.Generator().manual_seed(seed + 1)
        names = list(self.model.params)
        self.generator_params = [self.model.params[n] for n in names if n.startswith("generator.")]
        self.critic_params = [self.model.params[n] for n in names if not n.startswith("generator.")]
        adam = dict(lr=1e-4, betas=(0.5, 0.9), eps=1e-8)
        self.generator_adam = torch.optim.Adam(self.generator_params, **adam)
        self.critic_adam = torch.optim.Adam(self.critic_params, **adam)
        box = box_side(config.size)
        steps = torch.arange(box, dtype=torch.float64)
        distance = torch.minimum(steps, box - steps)
        self.discount = (0.9 ** torch.minimum(distance.view(-1, 1), distance.view(1, -1))).float().view(1, 1, box, box)

    def integer(self, high):
        """A uniform integer in [0, high)."""
        return int(self.torch.randint(0, high, (1,), generator=self.random))

    def draw(self):
        """A batch of smooth images in [-1, 1], a box hole per image, and the boxes."""
        torch, F = self.torch, self.model.F
        size, batch = self.config.size, self.config.batch
        coarse = torch.rand(batch, 3, max(1, size // 8), max(1, size // 8), generator=self.random) * 2 - 1
        image = F.interpolate(coarse, size=(size, size), mode="bilinear", align_corners=False)
        box = box_side(size)
        shrink = (32 * size) // 256 // 2
        mask = torch.zeros(batch, 1, size, size)
        boxes = []
        for i in range(batch):
            top, left = self.integer(size - box), self.integer(size - box)
            dh, dw = self.integer(shrink + 1), self.integer(shrink + 1)
            mask[i, :, top + dh:top + box - dh, left + dw:left + box - dw] = 1
            boxes.append((top, left))
        return image, mask, boxes

    def crop(self, x, boxes):
        side = box_side(self.config.size)
        return self.torch.cat([x[i:i + 1, :, t:t + side, l:l + side] for i, (t, l) in enumerate(boxes)], 0)

    def scores(self, critic, real, fake):
        both = self.model.critic(critic, self.torch.cat([real, fake], 0))
        return both[:real.shape[0]], both[real.shape[0]:]

    def penalty(self, critic, real, fake, mask):
        torch = self.torch
        alpha = torch.rand(real.shape[0], 1, 1, 1, generator=self.random)
        point = (real + alpha * (fake - real)).detach().requires_grad_(True)
        (slope,) = torch.autograd.grad(self.model.critic(critic, point).sum(), point, create_graph=True)
        norms = torch.sqrt((slope * slope * mask).sum((1, 2, 3)))
        return ((norms - 1) ** 2).mean()

    def apply(self, optimizer, params, loss):
        for p, g in zip(params, self.torch.autograd.grad(loss, params)):
            p.grad = g
        optimizer.step()

    def critic_step(self):
        torch = self.torch
        image, mask, boxes = self.draw()
        with torch.no_grad():
            _, refined = self.model.generator(image, mask)
            fake = refined * mask + image * (1 - mask)
        real_crop, fake_crop = self.crop(image, boxes), self.crop(fake, boxes)
        loss = 0
        for critic, real, forged, hole in (("globalCritic", image, fake, mask), ("localCritic", real_crop, fake_crop, self.crop(mask, boxes))):
            real_scores, fake_scores = self.scores(critic, real, forged)
            loss = loss + fake_scores.mean() - real_scores.mean() + 10 * self.penalty(critic, real, forged, hole)
        self.apply(self.critic_adam, self.critic_params, loss)

    def generator_step(self):
        image, mask, boxes = self.draw()
        coarse, refined = self.model.generator(image, mask)
        fake = refined * mask + image * (1 - mask)
        adversarial = -self.model.critic("globalCritic", fake).mean() - self.model.critic("localCritic", self.crop(fake, boxes)).mean()
        target = self.crop(image, boxes)
        l1 = 1.2 * ((target - self.crop(coarse, boxes)).abs() * self.discount).mean() + ((target - self.crop(refined, boxes)).abs() * self.discount).mean()
        known = 1 - mask
        ae = (1.2 * ((image - coarse).abs() * known).mean() + ((image - refined).abs() * known).mean()) / known.mean()
        self.apply(self.generator_adam, self.generator_params, 0.001 * adversarial + 1.2 * l1 + 1.2 * ae)

    def run(self):
        for _ in range(self.config.critic_steps):
            self.critic_step()
        self.generator_step()


def available_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def measure(config):
    import torch
    torch.set_num_threads(config.threads)
    iteration = Iteration(config)
    for _ in range(config.warmup):
        iteration.run()
    times = []
    for _ in range(config.runs):
        start = time.perf_counter()
        iteration.run()
        times.append((time.perf_counter() - start) * 1000)
    counts = {}
    for name, p in iteration.model.params.items():
        network = name.split(".")[0]
        counts[network] = counts.get(network, 0) + p.numel()
    return {
        "peer": "pytorch-cpu",
        "ms": statistics.median(times),
        "times_ms": times,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "size": config.size, "batch": config.batch, "cnum": config.cnum, "critic_cnum": config.critic_cnum,
        "critic_steps": config.critic_steps, "warmup": config.warmup, "runs": config.runs,
        "parameters": counts,
        # Under load, OpenMP threads that spin at each barrier while another is descheduled made
        # an iteration 10x slower here; the settings that change that travel with the figure.
        "openmp": {k: os.environ[k] for k in ("OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_NUM_THREADS") if k in os.environ},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=64, help="image side, a multiple of 8 (default 64)")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--cnum", type=int, default=16, help="generator width, even")
    parser.add_argument("--critic-cnum", type=int, default=32, help="critics' width")
    parser.add_argument("--critic-steps", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1, help="untimed iterations first")
    parser.add_argument("--runs", type=int, default=3, help="timed iterations; the median is reported")
    parser.add_argument("--threads", type=int, default=available_cores(), help="torch threads (default: the cores this process may use)")
    parser.add_argument("--parameters", action="store_true", help="print the parameter names and shapes as JSON and exit (needs no torch)")
    config = parser.parse_args()
    if config.size < 8 or config.size % 8 or config.cnum < 2 or config.cnum % 2 or config.critic_cnum < 1 or min(config.batch, config.runs, config.threads) < 1 or min(config.warmup, config.critic_steps) < 0:
        parser.error("need --size a multiple of 8, an even --cnum >= 2, and positive --critic-cnum, --batch, --runs and --threads")
    if config.parameters:
        print(json.dumps(parameter_shapes(config.size, config.cnum, config.critic_cnum)))
        return
    try:
        import torch  # noqa: F401
    except ImportError:
        sys.exit(f"{sys.executable} cannot import torch; on Debian: apt-get install python3-torch (then use /usr/bin/python3)")
    print(json.dumps(measure(config)), flush=True)


if __name__ == "__main__":
    main()
