"""An independent implementation of the paper's protocol in PyTorch, written from paper.md without reading the
TypeScript, to check the TypeScript engines against it (issue 2). Dense, as the authors wrote it.

Set-up on Debian: apt-get install -y python3-torch libopenblas0-pthread
Run:  /usr/bin/python3 checks/torch_protocol.py --lr 0.01 --init-bias -1 --decay 0.03 --steps 4096 --batch 1024 --seed 1
Prints one JSON line: final_loss (mean task loss over the last 1/32 of the steps), mono_per_feature, mean_bias.
"""
import argparse, json, math, time
import torch

p = argparse.ArgumentParser()
p.add_argument("--N", type=int, default=512); p.add_argument("--m", type=int, default=64)
p.add_argument("--k", type=int, default=1024); p.add_argument("--eps", type=float, default=1 / 64)
p.add_argument("--lr", type=float, default=0.01); p.add_argument("--init-bias", type=float, default=-1.0)
p.add_argument("--decay", type=float, default=0.03); p.add_argument("--steps", type=int, default=4096)
p.add_argument("--batch", type=int, default=1024); p.add_argument("--seed", type=int, default=1)
p.add_argument("--threads", type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)

u, _, _ = torch.linalg.svd(torch.randn(a.N, a.m), full_matrices=False)
u = u / u.norm(dim=1, keepdim=True)
E = u.T.contiguous()  # m x N, columns are the feature directions

l1 = torch.nn.Linear(a.m, a.k)
l2 = torch.nn.Linear(a.k, a.N, bias=False)
with torch.no_grad():
    l1.bias += a.init_bias
params = [l1.weight, l1.bias, l2.weight]
state = [(torch.zeros_like(w), torch.zeros_like(w)) for w in params]


def lamb_step(lr):
    with torch.no_grad():
        for w, (m, v) in zip(params, state):
            g = w.grad
            m.mul_(0.9).add_(g, alpha=0.1)
            v.mul_(0.999).addcmul_(g, g, value=0.001)
            step = m / (v.sqrt() + 1e-6)
            wn, sn = w.norm().clamp(0, 10), step.norm()
            trust = 1.0 if wn == 0 or sn == 0 else float(wn / sn)
            w.add_(step, alpha=-lr * trust)


tail = max(1, a.steps // 32)
tail_losses = []
start = time.time()
for t in range(a.steps):
    lr_t = a.lr * (1 + math.cos(math.pi * t / 512)) / 2
    v = torch.rand(a.batch, a.N) * (torch.rand(a.batch, a.N) < a.eps)
    h = torch.relu(l1(v @ E.T))
    loss = ((l2(h) - v) ** 2).sum() / a.batch
    for w in params:
        w.grad = None
    loss.backward()
    lamb_step(lr_t)
    if t < a.steps / 2:
        with torch.no_grad():
            l1.bias.mul_(1 - a.decay * a.lr)
    if t >= a.steps - tail:
        tail_losses.append(loss.item())

with torch.no_grad():
    sfa = torch.relu(l1.weight @ E + l1.bias[:, None])  # k x N: neuron j, feature i alone at amplitude 1
    frac = sfa.max(dim=1).values / (1e-10 + sfa.sum(dim=1))
    mono = int((frac > 0.999).sum())
print(json.dumps(dict(engine="pytorch-independent", seed=a.seed, lr=a.lr, init_bias=a.init_bias, decay=a.decay,
                      steps=a.steps, batch=a.batch, final_loss=sum(tail_losses) / len(tail_losses),
                      mono_per_feature=mono / a.N, mean_bias=float(l1.bias.mean()), wall_s=time.time() - start)))
