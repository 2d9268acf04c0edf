"""The numeric step model (predictors/numdelta.py).

Tier 1 (reference): ``render`` against Python's own decimal formatting, and
the value parser against a regular expression, on random values.
Tier 2 (round trips and worth): counters and timestamps in NDJSON and CSV
code smaller with the model than without it, alternating steps smaller
with ``numdelta=2`` than with 1; broken numbers (exponents,
double points, signs in the middle, 20-digit values, quoted numbers) and
random mutations round-trip exactly; without the structure components
``numdelta`` changes nothing.
"""
from __future__ import annotations

import json
import random
import re

import numpy as np

from mixzip.codec.engine import Engine
from mixzip.predictors import numdelta as nd
from mixzip.predictors.recipes import resolve, spec_for_level, with_params


def _text(v: int, dec: int, blank: int) -> str:
    digits = str(abs(v)).rjust(dec + 1, "0")
    body = f"{digits[:-dec]}.{digits[-dec:]}" if dec else digits
    return (" " if blank else "") + ("-" if v < 0 else "") + body


def test_render_is_python_formatting():
    rng = random.Random(3)
    buf = np.zeros(nd.NBUF, dtype=np.uint8)
    cases = [(0, 0, 0), (5, 2, 0), (-7, 0, 1), (10**16, 0, 0), (-(10**16) + 1, 3, 1), (120, 2, 0)]
    cases += [(rng.randrange(-10**rng.randrange(1, 18), 10**rng.randrange(1, 18)), rng.randrange(6),
               rng.randrange(2)) for _ in range(2000)]
    for v, dec, blank in cases:
        n = nd.render(buf, v, dec, blank)
        want = _text(v, dec, blank)
        if len(want) > nd.NBUF:
            assert n == 0
        else:
            assert bytes(buf[:n]).decode() == want, (v, dec, blank)


PLAIN = re.compile(r"^ ?(-?)(\d+)(?:\.(\d+))?$")


def _parse(text: str):
    """What nd_parse keeps of a value: (ok, negative, mantissa, decimals, blank)."""
    s = np.zeros(nd.NND, dtype=np.int64)
    s[nd.DEC] = -1
    s[nd.OK] = 1
    for c in text.encode():
        nd.nd_parse(s, c)
    return int(s[nd.OK]), int(s[nd.NEG]), int(s[nd.MANT]), int(s[nd.DEC]), int(s[nd.BLANK]), int(s[nd.NDIG])


def test_parser_accepts_plain_decimals_only():
    rng = random.Random(4)
    alphabet = "0123456789-. e+x"
    texts = ["5", "-5", " 12.50", "1.2.3", "--5", "5-", "1e5", " -0.001", "  7", "007", "1.", ".5",
             "12345678901234567", "123456789012345678"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 8))) for _ in range(3000)]
    for t in texts:
        ok, neg, mant, dec, blank, ndig = _parse(t)
        m = PLAIN.match(t)
        plain = m is not None and len(m.group(2) + (m.group(3) or "")) <= nd.MAXDIG
        # stored (nd_store) only when plain and not ending in a bare point
        stored = ok and ndig > 0 and dec != 0
        assert stored == (plain and not t.endswith(".")), t
        if stored:
            assert neg == (m.group(1) == "-") and blank == t.startswith(" ")
            assert mant == int(m.group(2) + (m.group(3) or "")) and max(dec, 0) == len(m.group(3) or "")


def _payload(spec, data: bytes) -> bytes:
    payload, _ = Engine(spec).encode_block(data)
    assert Engine(spec).decode_block(payload, len(data), False) == data
    return payload


def _log(n: int = 6000, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    t = 1_700_000_000
    rows = []
    for i in range(n):
        t += 60
        rows.append(json.dumps({"seq": i, "t": t, "temp": round(20 + rng.gauss(0, 2), 1), "ok": True}))
    return ("\n".join(rows) + "\n").encode()


def test_counters_and_timestamps_code_smaller():
    """Level 8 (numdelta=1) against the same level without the model: an
    NDJSON log with a sequence number and a timestamp every minute, and a
    CSV with a running index and years, must both come out smaller."""
    spec = spec_for_level(8)
    assert spec.params["numdelta"] == 2
    off = with_params(spec, numdelta=0)
    log = _log()
    csv = "".join(f"{i},{1990 + i // 12},{i % 12 + 1},{random.Random(i).randrange(900)}\n"
                  for i in range(8000)).encode()
    for data in (log, csv):
        assert len(_payload(spec, data)) < 0.97 * len(_payload(off, data))


def test_alternating_steps_need_the_step_before():
    """Transitions that alternate between two steps (a time zone's DST
    changes): numdelta=2 takes the step before once it has been right twice
    and codes them smaller than numdelta=1, which always takes the last."""
    rng = random.Random(7)
    t = 1_000_000_000
    rows = ["zone,index,utc,offset\n"]
    for z in range(40):
        for i in range(120):
            t += 15_724_800 if i % 2 else 15_811_200
            rows.append(f"Zone/{z},{i},{t},{3600 * (i % 2)}\n")
        t += rng.randrange(10**6)
    data = "".join(rows).encode()
    spec = spec_for_level(8)
    two = len(_payload(spec, data))
    one = len(_payload(with_params(spec, numdelta=1), data))
    assert two < 0.95 * one


def test_broken_numbers_round_trip():
    rng = random.Random(5)
    odd = ["1e5", "1.2.3", "--4", "12345678901234567890", "-0", "0.0", "\"7\"", "7 ", "-", ".", "1.", "00012"]
    rows = []
    for i in range(3000):
        v = rng.choice(odd) if rng.random() < 0.3 else str(i * 3)
        rows.append(f'{{"k": {v}, "n": {i}}}' if rng.random() < 0.5 else f'{{"k":{v},"n":{i}}}')
    data = bytearray(("\n".join(rows) + "\n").encode())
    spec = spec_for_level(8)
    _payload(spec, bytes(data))
    for _ in range(30):                       # random damage anywhere, after detection too
        p = rng.randrange(len(data))
        data[p] = rng.randrange(256)
    _payload(spec, bytes(data))
    csv = "".join(f"{i},{rng.choice(odd)},{i * 2}.5\n" for i in range(3000)).encode()
    _payload(spec, csv)


def test_numdelta_is_a_structure_component():
    """With structure=0 the model is left out whatever ``numdelta`` says: the
    same components, the same payload as structure=0 with numdelta=0."""
    from mixzip.predictors.recipes import plan_for
    spec = with_params(spec_for_level(8), structure=0, struct_contexts=None)
    assert spec.params["numdelta"] == 2
    assert nd.NumDelta not in plan_for(resolve(spec)).models
    data = _log(600)
    assert _payload(spec, data) == _payload(with_params(spec, numdelta=0), data)
