"""Convnet layers on the CPU: conv2d 3x3 SAME, forward and forward+backward, cuflow vs a
hand-written NumPy im2col baseline (and PyTorch when importable); then depthwise 3x3
SAME convolutions, cuflow vs PyTorch (groups = channels).

Layers: 28x28x1 -> 32 filters (the first layer of an MNIST CNN), 14x14x32 -> 64,
32x32x3 -> 64 (a CIFAR first layer), 32x32x16 -> 16; depthwise 32x32x32 and 16x16x128.

    python -m bench.conv_bench
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from bench.harness import interleaved, machine, matmul_rate, table, try_import


def np_forward(x, w):
    """SAME 3x3 stride-1 conv: pad, take windows (im2col), one tensordot (BLAS)."""
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    win = sliding_window_view(xp, (3, 3), axis=(1, 2))           # N H W C 3 3
    return np.tensordot(win, w, axes=([4, 5, 3], [0, 1, 2])), win


def np_forward_backward(x, w, dy):
    y, win = np_forward(x, w)
    dw = np.tensordot(win, dy, axes=([0, 1, 2], [0, 1, 2])).transpose(1, 2, 0, 3)  # C33O->33CO
    dcols = np.tensordot(dy, w, axes=([3], [3]))                  # N H W 3 3 C
    dxp = np.zeros((x.shape[0], x.shape[1] + 2, x.shape[2] + 2, x.shape[3]), x.dtype)
    h, wd = x.shape[1], x.shape[2]
    for i in range(3):
        for j in range(3):
            dxp[:, i:i + h, j:j + wd, :] += dcols[:, :, :, i, j, :]
    return y, dxp[:, 1:-1, 1:-1, :], dw


def main():
    import cuflow as cf

    torch = try_import("torch")
    rng = np.random.default_rng(0)
    rate = matmul_rate()
    rows = []
    for n, hw, cin, cout in [(64, 28, 1, 32), (64, 14, 32, 64), (16, 32, 3, 64),
                             (8, 32, 16, 16)]:
        x = rng.standard_normal((n, hw, hw, cin)).astype(np.float32)
        w = rng.standard_normal((3, 3, cin, cout)).astype(np.float32)
        dy = rng.standard_normal((n, hw, hw, cout)).astype(np.float32)
        xt, wt, dyt = cf.constant(x), cf.constant(w), cf.constant(dy)

        def cf_fwd(xt=xt, wt=wt):
            return cf.nn.conv2d(xt, wt, 1, "SAME")

        def cf_fwd_bwd(xt=xt, wt=wt, dyt=dyt):
            with cf.GradientTape() as tape:
                tape.watch([xt, wt])
                y = cf.nn.conv2d(xt, wt, 1, "SAME")
            return tape.gradient(y, [xt, wt], output_gradients=dyt)

        ref_y, ref_dx, ref_dw = np_forward_backward(x, w, dy)
        np.testing.assert_allclose(cf_fwd().numpy(), ref_y, rtol=1e-4, atol=1e-3)
        gx, gw = cf_fwd_bwd()
        np.testing.assert_allclose(gx.numpy(), ref_dx, rtol=1e-4, atol=1e-3)
        np.testing.assert_allclose(gw.numpy(), ref_dw, rtol=1e-4, atol=1e-2)
        fns = {"numpy fwd": lambda x=x, w=w: np_forward(x, w)[0], "cuflow fwd": cf_fwd,
               "numpy fwd+bwd": lambda x=x, w=w, dy=dy: np_forward_backward(x, w, dy),
               "cuflow fwd+bwd": cf_fwd_bwd}
        if torch is not None:
            tx = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).requires_grad_()
            tw = torch.from_numpy(w.transpose(3, 2, 0, 1).copy()).requires_grad_()
            tdy = torch.from_numpy(dy.transpose(0, 3, 1, 2).copy())
            conv = torch.nn.functional.conv2d
            fns["torch fwd"] = lambda tx=tx, tw=tw: conv(tx.detach(), tw.detach(), padding=1)
            fns["torch fwd+bwd"] = lambda tx=tx, tw=tw, tdy=tdy: torch.autograd.grad(
                conv(tx, tw, padding=1), [tx, tw], tdy)
        t = interleaved(fns, repeat=7, number=3)
        flops = 2 * n * hw * hw * 9 * cin * cout
        for kind, mult in (("fwd", 1), ("fwd+bwd", 3)):
            row = [f"{n}x{hw}x{hw}x{cin}->{cout} {kind}",
                   f"{t['numpy ' + kind] * 1e3:.2f}", f"{t['cuflow ' + kind] * 1e3:.2f}",
                   f"{t['torch ' + kind] * 1e3:.2f}" if torch is not None else "n/a",
                   f"{t['numpy ' + kind] / t['cuflow ' + kind]:.2f}",
                   f"{mult * flops / t['cuflow ' + kind] / rate:.1%}"]
            rows.append(row)
    print(machine(), f"matmul ceiling {rate / 1e9:.0f} GFLOP/s")
    print(table(rows, ["layer", "numpy ms", "cuflow ms", "torch ms", "numpy / cuflow",
                       "cuflow of matmul ceiling"]))
    print(table(depthwise_rows(cf, torch, rng), ["depthwise layer", "cuflow ms", "torch ms",
                                                 "torch / cuflow"]))


def depthwise_rows(cf, torch, rng):
    """Depthwise 3x3 SAME, multiplier 1: forward and forward+backward."""
    rows = []
    for n, hw, c in [(8, 32, 32), (8, 16, 128)]:
        x = rng.standard_normal((n, hw, hw, c)).astype(np.float32)
        w = rng.standard_normal((3, 3, c, 1)).astype(np.float32)
        dy = rng.standard_normal((n, hw, hw, c)).astype(np.float32)
        xt, wt, dyt = cf.constant(x), cf.constant(w), cf.constant(dy)

        def cf_fwd(xt=xt, wt=wt):
            return cf.nn.depthwise_conv2d(xt, wt, [1, 1, 1, 1], "SAME")

        def cf_fwd_bwd(xt=xt, wt=wt, dyt=dyt):
            with cf.GradientTape() as tape:
                tape.watch([xt, wt])
                y = cf.nn.depthwise_conv2d(xt, wt, [1, 1, 1, 1], "SAME")
            return tape.gradient(y, [xt, wt], output_gradients=dyt)
        fns = {"cuflow fwd": cf_fwd, "cuflow fwd+bwd": cf_fwd_bwd}
        if torch is not None:
            tx = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).requires_grad_()
            tw = torch.from_numpy(w.transpose(2, 3, 0, 1).copy()).requires_grad_()
            tdy = torch.from_numpy(dy.transpose(0, 3, 1, 2).copy())
            conv = torch.nn.functional.conv2d
            want = conv(tx.detach(), tw.detach(), padding=1, groups=c)
            np.testing.assert_allclose(cf_fwd().numpy(), want.numpy().transpose(0, 2, 3, 1),
                                       rtol=1e-4, atol=1e-4)
            fns["torch fwd"] = lambda tx=tx, tw=tw, c=c: conv(tx.detach(), tw.detach(),
                                                              padding=1, groups=c)
            fns["torch fwd+bwd"] = lambda tx=tx, tw=tw, tdy=tdy, c=c: torch.autograd.grad(
                conv(tx, tw, padding=1, groups=c), [tx, tw], tdy)
        t = interleaved(fns, repeat=7, number=3)
        for kind in ("fwd", "fwd+bwd"):
            tt = t.get("torch " + kind)
            rows.append([f"{n}x{hw}x{hw}x{c} {kind}", f"{t['cuflow ' + kind] * 1e3:.2f}",
                         f"{tt * 1e3:.2f}" if tt else "n/a",
                         f"{tt / t['cuflow ' + kind]:.2f}" if tt else "n/a"])
    return rows


if __name__ == "__main__":
    main()
