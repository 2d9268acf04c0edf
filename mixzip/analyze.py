"""``mixzip analyze``: where the bits of one file go, and what each model is worth on it.

* trace: the file is coded in windows (``window`` bytes, one coder message
  each, the model carrying over, as in an archive's blocks); the payload of
  each window gives its bits per byte, position by position.
* components: the file is coded again without each component of the level
  (each context, order 0, the match model, the APM stages, the neural
  models, the MoE router -> final mixer); the bpb without it minus the bpb
  with it is what it earns on this file (positive = it helps).  The same
  difference per window (``trace`` of each component) shows where along
  the file it earns it; ``plot`` draws one curve per component.
* router (levels with the MoE router): per expert, the share of the gate
  mass and of the selections over the file, and the mean entropy of the
  gates in nats (ln K when it spreads evenly over its K choices, 0 when one
  expert takes everything).
"""
from __future__ import annotations

import dataclasses
import math

from mixzip.codec.engine import Engine
from mixzip.predictors import moe
from mixzip.predictors.recipes import DEFAULT_LEVEL, OFF_NAMES, ModelSpec, build_model, spec_for_level


def window_bits(spec: ModelSpec, data: bytes, window: int, stats: bool = False) -> tuple[list[int], Engine]:
    eng = Engine(spec, build_model(spec, stats=stats))
    bits = []
    for off in range(0, len(data), window):
        payload, _stored = eng.encode_block(data[off:off + window])
        bits.append(8 * len(payload))
    return bits, eng


def variants(params: dict) -> list[tuple[str, dict]]:
    """(component name, the level's parameters without it)."""
    out = []
    ctx = params["contexts"].split(",")
    if len(ctx) > 1:
        for c in ctx:
            sx = ",".join(x for x in params.get("struct_contexts", "").split(",") if x and x != c)
            out.append((f"context {c}", dict(params, contexts=",".join(x for x in ctx if x != c),
                                             struct_contexts=sx)))
    for name, bit in OFF_NAMES.items():
        out.append((name, dict(params, off=params.get("off", 0) | bit)))
    if params.get("det_inputs"):
        out.append(("deterministic inputs", dict(params, det_inputs=0)))
    if params.get("gru_hidden"):
        out.append(("gru", {k: v for k, v in dict(params, gru_hidden=0).items() if k != "gru_prior"}))
    if params.get("attn_dim"):
        out.append(("attention", dict(params, attn_dim=0)))
    if params.get("moe_k"):
        out.append(("moe router (-> final mixer)", dict(params, moe_k=0)))
    if params.get("eml"):
        out.append(("eml heuristics (-> constants)", {k: v for k, v in params.items() if k != "eml"}))
    return out


def analyze(data: bytes, level: int = DEFAULT_LEVEL, window: int = 65536, ablate: bool = True) -> dict:
    if window < 256:
        raise ValueError("window must be at least 256 bytes")
    spec = spec_for_level(level)
    n = max(len(data), 1)
    bits, eng = window_bits(spec, data, window, stats=True)
    total = sum(bits)
    result = {"level": level, "bytes": len(data), "window": window, "bpb": round(total / n, 4),
              "trace": [{"offset": i * window, "bytes": min(window, len(data) - i * window),
                         "bpb": round(b / min(window, len(data) - i * window), 4)} for i, b in enumerate(bits)]}
    k = spec.params.get("moe_k", 0)
    if k:
        mo = eng.model.component("moe").mo
        ne = spec.params["mixers"]
        nbit = max(int(mo[moe.NBIT]), 1)
        result["router"] = {
            "experts": ne, "k": k,
            "entropy": round(int(mo[moe.ENT]) / 65536 / nbit, 4), "max_entropy": round(math.log(k), 4),
            "gate_share": [round(int(mo[moe.MASS + e]) / 65536 / nbit, 4) for e in range(ne)],
            "selected": [round(int(mo[moe.NSEL + e]) / nbit, 4) for e in range(ne)]}
    if ablate:
        comps = []
        for name, params in variants(spec.params):
            b, _ = window_bits(dataclasses.replace(spec, params=params), data, window)
            without = sum(b) / n
            comps.append({"component": name, "bpb_without": round(without, 4),
                          "gain_bpb": round(without - total / n, 4),
                          "gain_pct": round(100 * (sum(b) - total) / max(total, 1), 3),
                          "trace": [round((bw - bt) / t["bytes"], 4)
                                    for bw, bt, t in zip(b, bits, result["trace"])]})
        result["components"] = comps
    return result


def format_report(name: str, r: dict) -> str:
    lines = [f"{name}: {r['bytes']} bytes, level {r['level']}: {r['bpb']:.4f} bpb"]
    if "components" in r:
        lines.append("component                         bpb without   gain (bpb)   gain (%)")
        for c in sorted(r["components"], key=lambda c: -c["gain_bpb"]):
            lines.append(f"  {c['component']:<31} {c['bpb_without']:>11.4f} {c['gain_bpb']:>12.4f} "
                         f"{c['gain_pct']:>9.3f}")
    if "router" in r:
        ro = r["router"]
        lines.append(f"router: {ro['k']} of {ro['experts']} experts per bit, gate entropy "
                     f"{ro['entropy']:.3f} nats (max {ro['max_entropy']:.3f})")
        lines.append("  expert  gate share  selected")
        for e in range(ro["experts"]):
            lines.append(f"  {e:>6} {ro['gate_share'][e]:>11.3f} {ro['selected'][e]:>9.3f}")
    lines.append(f"trace ({r['window']}-byte windows): offset bpb")
    for t in r["trace"]:
        lines.append(f"  {t['offset']:>10} {t['bpb']:.4f}")
    return "\n".join(lines)


def check_plot() -> None:
    """Raise RuntimeError now if ``plot`` could not draw (no matplotlib)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise RuntimeError("--plot needs matplotlib (pip install 'mixzip[plot]')") from None


def plot(name: str, r: dict, path: str) -> None:
    """A PNG: the bpb trace along the file, and under it one curve per
    component - what it earns (bpb without it minus bpb with it) in each
    window.  Needs matplotlib (pip install 'mixzip[plot]')."""
    check_plot()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [t["offset"] for t in r["trace"]]
    comps = sorted(r.get("components", []), key=lambda c: -c["gain_bpb"])
    rows = 2 if comps else 1
    fig, axes = plt.subplots(rows, 1, figsize=(10, 3 + 4 * (rows - 1)), sharex=True, squeeze=False)
    ax = axes[0][0]
    ax.step(x, [t["bpb"] for t in r["trace"]], where="post", color="k")
    ax.set_ylabel("bits per byte")
    ax.set_title(f"{name}, level {r['level']}: {r['bpb']:.4f} bpb ({r['window']}-byte windows)")
    if comps:
        ax = axes[1][0]
        for i, c in enumerate(comps):
            ax.step(x, c["trace"], where="post", color=f"C{i % 10}",
                    linestyle=("-", "--", ":", "-.")[i // 10 % 4],
                    label=f"{c['component']} ({c['gain_bpb']:+.4f})")
        ax.axhline(0, color="k", linewidth=0.5)
        ax.set_ylabel("gain (bpb without - with)")
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    axes[-1][0].set_xlabel("position (bytes)")
    fig.tight_layout()
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
