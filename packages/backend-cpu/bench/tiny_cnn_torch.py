# The tiny CNN of DESIGN.md in PyTorch eager on the CPU: the peer the native engine is compared
# with. torch is not in the project's .venv; use a throwaway one (pip install torch torchvision).
#   python packages/backend-cpu/bench/tiny_cnn_torch.py [steps] [model: tiny|b0] [batch] [size]
import json, sys, time
import torch
from torch import nn

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 20
which = sys.argv[2] if len(sys.argv) > 2 else "tiny"
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 32
size = int(sys.argv[4]) if len(sys.argv) > 4 else 64
torch.manual_seed(1)
if which == "tiny":
    model = nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 1))
else:
    import torchvision
    model = torchvision.models.efficientnet_b0(num_classes=1)
model.train()
x = torch.rand(batch, 3, size, size)
y = (torch.rand(batch, 1) > 0.5).float()
opt = torch.optim.Adam(model.parameters(), 1e-3)
loss_fn = nn.BCEWithLogitsLoss()

def step():
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()

times = []
for i in range(steps + 2):
    t0 = time.perf_counter(); step(); times.append((time.perf_counter() - t0) * 1000)
steady = sorted(times[2:])
print(json.dumps({"engine": f"pytorch {torch.__version__} eager CPU ({torch.get_num_threads()} threads)", "model": f"{which} {batch}x{size}x{size}x3", "medianMs": round(steady[len(steady) // 2], 1)}))
