"""Tier 1: every Numba kernel against a slow pure-Python reference of its spec."""
import random

import numpy as np
import pytest

from mixzip.codec import coder
from mixzip.predictors import statetable
from mixzip.predictors.apm import apm_p, apm_update, new_apm
from mixzip.predictors.hashtable import ht_find, new_hashtable
from mixzip.predictors.logistic import squash
from mixzip.predictors.mixer import mixer_dot, mixer_update
from mixzip.predictors.statemap import DT, new_statemap, sm_p, sm_update

M32 = 0xFFFFFFFF


# ---------------------------------------------------------------- coder
def ref_encode(bits, probs):
    x1, x2, out = 0, M32, bytearray()
    for y, p in zip(bits, probs):
        p = min(max(p, 1), 65535)
        xmid = x1 + ((x2 - x1) * p >> 16)
        if y:
            x2 = xmid
        else:
            x1 = xmid + 1
        while (x1 ^ x2) & 0xFF000000 == 0:
            out.append(x2 >> 24)
            x1 = (x1 << 8) & M32
            x2 = ((x2 << 8) & M32) | 255
    out.append(x1 >> 24)
    return bytes(out)


def jit_encode(bits, probs):
    cs = np.zeros(coder.NSTATE, dtype=np.int64)
    buf = np.zeros(4 * len(bits) + 16, dtype=np.uint8)
    coder.init_encoder(cs, 0)
    for y, p in zip(bits, probs):
        coder.code_bit_cs(cs, coder.ENCODE, y, p, buf, buf.shape[0])
    coder.flush(cs, buf)
    return buf[: cs[coder.OPOS]].tobytes()


def jit_decode(code, probs):
    cs = np.zeros(coder.NSTATE, dtype=np.int64)
    buf = np.frombuffer(bytearray(code), dtype=np.uint8)
    coder.init_decoder(cs, buf, 0, buf.shape[0])
    return [coder.code_bit_cs(cs, coder.DECODE, 0, p, buf, buf.shape[0]) for p in probs]


@pytest.mark.parametrize("seed", range(4))
def test_coder_matches_reference_and_inverts(seed):
    rng = random.Random(seed)
    n = 3000
    probs = [rng.choice([0, 1, 2, 65534, 65535, 65536, 70000, -5]) if rng.random() < 0.1
             else rng.randrange(1, 65536) for _ in range(n)]
    # bits drawn roughly from the probabilities, with some surprises
    bits = [int(rng.random() * 65536 < p) if rng.random() < 0.9 else rng.randrange(2) for p in probs]
    code = jit_encode(bits, probs)
    assert code == ref_encode(bits, probs)
    assert jit_decode(code, probs) == bits


def test_coder_hand_checked_words():
    # At p = 1/2 each bit halves the interval; a 1 keeps the *lower* half, so
    # the 8 bits of 0xA5 leave its complement 0x5A as the settled top byte,
    # then the interval is the whole range again and flush emits x1 >> 24 = 0.
    bits = [1, 0, 1, 0, 0, 1, 0, 1]
    assert ref_encode(bits, [32768] * 8) == bytes([0x5A, 0x00])
    assert jit_encode(bits, [32768] * 8) == bytes([0x5A, 0x00])
    # certain bits cost (almost) nothing: 1000 well-predicted bits fit in a few bytes
    assert len(jit_encode([1] * 1000, [65535] * 1000)) <= 4


def test_coder_train_mode_is_identity():
    cs = np.zeros(coder.NSTATE, dtype=np.int64)
    buf = np.zeros(8, dtype=np.uint8)
    assert coder.code_bit_cs(cs, coder.TRAIN, 1, 3, buf, 8) == 1
    assert coder.code_bit_cs(cs, coder.TRAIN, 0, 65000, buf, 8) == 0


# ---------------------------------------------------------------- StateMap
def ref_sm_update(t, y, limit):
    n, p = t & 1023, t >> 10
    p += ((y << 22) - p) * ((1 << 17) // (2 * n + 3)) >> 16
    return (p << 10) | min(n + 1, limit) if n < limit else (p << 10) | n


def test_statemap_matches_reference():
    rng = random.Random(1)
    sm = new_statemap(8)
    ref = [int(v) for v in sm]
    for _ in range(5000):
        i, y, limit = rng.randrange(8), rng.randrange(2), rng.choice([127, 1023])
        assert sm_p(sm, i) == ref[i] >> 20
        sm_update(sm, i, y, limit, DT)
        ref[i] = ref_sm_update(ref[i], y, limit)
        assert int(sm[i]) == ref[i]


def test_statemap_converges():
    sm = new_statemap(1)
    for _ in range(2000):
        sm_update(sm, 0, 1, 1023, DT)
    assert sm_p(sm, 0) > 4000


# ---------------------------------------------------------------- APM
def test_apm_identity_at_start_and_reference_update():
    t = new_apm(3)
    for x in range(-2047, 2048, 64):
        p, _ = apm_p(t, 1, x)
        assert abs(p - squash(x)) <= 700  # piecewise-linear between exact knots
        if x % 128 == 0:
            assert p == squash(x)
    rng = random.Random(2)
    ref = [int(v) for v in t]
    for _ in range(3000):
        ctx, x, y = rng.randrange(3), rng.randrange(-2047, 2048), rng.randrange(2)
        xs = x + 2048
        lo, w = xs >> 7, xs & 127
        b = ctx * 33 + lo
        p_ref = (ref[b] * (128 - w) + ref[b + 1] * w) >> 7
        j_ref = b + (w >> 6)
        p, j = apm_p(t, ctx, x)
        assert (p, j) == (p_ref, j_ref)
        apm_update(t, j, y, 6)
        ref[j] += ((y << 16) - ref[j] + 32) >> 6
        assert int(t[j]) == ref[j]
        assert 0 < ref[j] < 65536


# ---------------------------------------------------------------- Mixer
def test_mixer_matches_reference():
    rng = random.Random(3)
    n = 7
    w = np.full(3 * n, 1 << 14, dtype=np.int32)
    ref = [int(v) for v in w]
    x = np.zeros(n, dtype=np.int64)
    for _ in range(3000):
        s = rng.randrange(3) * n
        for i in range(n):
            x[i] = rng.randrange(-2047, 2048)
        dot = sum(int(x[i]) * ref[s + i] for i in range(n)) >> 16
        dot = max(-2047, min(2047, dot))
        assert mixer_dot(w, s, x, n) == dot
        err = ((rng.randrange(2) << 16) - squash(dot)) * 8
        mixer_update(w, s, x, n, err)
        for i in range(n):
            ref[s + i] = max(-0x7FFFFFF, min(0x7FFFFFF, ref[s + i] + (int(x[i]) * err >> 18)))
        assert [int(v) for v in w] == ref


# ---------------------------------------------------------------- hash table
def test_hashtable_find_reference():
    rng = random.Random(4)
    bits = 10
    mask = (1 << bits) - 1
    ht = new_hashtable(bits)
    ref = bytearray(16 << bits)
    count = statetable.COUNT
    for _ in range(4000):
        h = rng.getrandbits(32)
        chk, i0 = h >> 24, h & mask
        got = None
        for k in range(3):
            if ref[(i0 ^ k) * 16] == chk:
                got = (i0 ^ k) * 16
                break
        if got is None:
            pris = [(count[ref[(i0 ^ k) * 16 + 1]], k) for k in range(3)]
            k = min(pris)[1]
            got = (i0 ^ k) * 16
            ref[got:got + 16] = bytes(16)
            ref[got] = chk
        assert ht_find(ht, h, mask, count) == got
        # touch the slot like the model does
        s = rng.randrange(statetable.NSTATES)
        node = rng.randrange(1, 16)
        ht[got + node] = s
        ref[got + node] = s
    assert ht.tobytes() == bytes(ref)


# ---------------------------------------------------------------- byte -> bit adapter
def test_byte_to_bit_matches_direct_sums():
    from mixzip.predictors.bytemodel import byte_to_bit_p12
    from mixzip.predictors.plugins import quantize

    rng = np.random.default_rng(5)
    dist = rng.random(256) ** 4
    cum = quantize(dist)[None, :]
    q = np.diff(cum[0])
    for byte in (0, 65, 200, 255):
        c0 = 1
        for j in range(8):
            bit = (byte >> (7 - j)) & 1
            prefix = c0 - (1 << j)
            cand = [b for b in range(256) if b >> (8 - j) == prefix] if j else list(range(256))
            ones = sum(int(q[b]) for b in cand if (b >> (7 - j)) & 1)
            want = min(4095, max(1, (ones << 12) // sum(int(q[b]) for b in cand)))
            assert byte_to_bit_p12(cum, 0, c0, j) == want
            c0 = 2 * c0 + bit


# ---------------------------------------------------------------- contexts / stride detector
def test_stride_detector_finds_record_length():
    from mixzip.predictors import history as H

    sh = H.Shared(12)
    hist, rpos = sh.h, sh.tabs
    rng = random.Random(6)
    record = bytes(rng.randrange(256) for _ in range(37))
    for i in range(37 * 8):
        H.history_update(hist, rpos, record[i % 37])
    assert hist[H.STRIDE] == 37
    assert hist[H.POS] == 37 * 8


def test_history_words_and_lines():
    from mixzip.predictors import history as H

    def new():
        sh = H.Shared(12)
        return sh.h, sh.tabs

    hist, rpos = new()
    for b in b"Hello  world\nab":
        H.history_update(hist, rpos, b)
    assert hist[H.C4] == int.from_bytes(b"d\nab", "big")
    assert hist[H.LINE0] == 13 and hist[H.LINE1] == 0
    assert hist[H.WORD0] != 0 and hist[H.WORD1] != 0 and hist[H.WORD2] != 0
    # case folding: "HELLO" and "hello" give the same word hash
    h1, r1 = new()
    h2, r2 = new()
    for a, b in zip(b"HELLO", b"hello"):
        H.history_update(h1, r1, a)
        H.history_update(h2, r2, b)
    assert h1[H.WORD0] == h2[H.WORD0]


def test_every_context_hash_is_distinct_per_context():
    from mixzip.predictors import contexts as C
    from mixzip.predictors import history as H

    sh = H.Shared(12)
    for b in b"some text, some more text\nand a second line of text " * 3:
        H.ring_put(sh.h, sh.ring, b)
        H.history_update(sh.h, sh.tabs, b)
    ids = np.arange(len(C.NAMES), dtype=np.int64)
    out = np.zeros(len(ids), dtype=np.int64)
    C.context_hashes(sh.h, sh.tabs, sh.ring, ids, out)
    assert len(set(out.tolist())) == len(ids)
    assert all(0 <= v < 2**32 for v in out.tolist())


def test_text_shape_context_sees_classes_and_c1_only():
    """k1 hashes the character classes of the last 8 bytes and c1: "qqAb, wo"
    and "rrCd; ro" have the same shape and last byte; changing one class
    (capital -> lower) or c1 changes the hash; bytes before the 8 do not count."""
    from mixzip.predictors import contexts as C
    from mixzip.predictors import history as H

    def k1(text: bytes) -> int:
        sh = H.Shared(12)
        for b in text:
            H.ring_put(sh.h, sh.ring, b)
            H.history_update(sh.h, sh.tabs, b)
        out = np.zeros(1, dtype=np.int64)
        C.context_hashes(sh.h, sh.tabs, sh.ring, np.array([C.ID["k1"]], dtype=np.int64), out)
        return int(out[0])

    base = k1(b"qqqAb, wo")
    assert k1(b"0\nrrCd; ro") == base         # same classes in the last 8 bytes, same c1
    assert k1(b"qqqab, wo") != base            # capital -> lower
    assert k1(b"qqqAb, wa") != base            # another c1
    assert k1(b"qqqAb,\nwo") != base           # newline vs space
    assert k1(b"qqqAb, 1o") != base            # digit vs letter


def _context_hash(name: str, text: bytes) -> int:
    from mixzip.predictors import contexts as C
    from mixzip.predictors import history as H

    sh = H.Shared(12)
    for b in text:
        H.ring_put(sh.h, sh.ring, b)
        H.history_update(sh.h, sh.tabs, b)
    out = np.zeros(1, dtype=np.int64)
    C.context_hashes(sh.h, sh.tabs, sh.ring, np.array([C.ID[name]], dtype=np.int64), out)
    return int(out[0])


def test_utf8_words_count_bytes_above_127_as_letters():
    """u1 is w1 for any script: inside "медаль" (Cyrillic, two bytes a letter)
    u1 is the word so far, whatever came before the word; w1 sees no word
    there (only c1).  u2 adds the previous UTF-8 word.  ASCII words split
    and fold case as w1's do."""
    ru = "золотая медаль".encode()
    assert _context_hash("u1", b"x " + ru) == _context_hash("u1", b"y, " + ru)
    assert _context_hash("u1", "медаль".encode()) == _context_hash("u1", ru)
    assert _context_hash("u1", "бронзовая медаль".encode()) == _context_hash("u1", ru)
    assert _context_hash("u2", "бронзовая медаль".encode()) != _context_hash("u2", ru)
    assert _context_hash("u2", b"x " + ru) == _context_hash("u2", ru)
    assert _context_hash("u1", "медал".encode()) != _context_hash("u1", "медаль".encode())
    # w1 sees no word in Cyrillic: two words ending in the same byte tie there, not in u1
    assert _context_hash("w1", "серебряная".encode()) == _context_hash("w1", "золотая".encode())
    assert _context_hash("u1", "серебряная".encode()) != _context_hash("u1", "золотая".encode())
    # ASCII: the words of w1 (case-folded; spaces and digits end a word)
    assert _context_hash("u1", b"say Hello") == _context_hash("u1", b"a 1 hELLo")
    assert _context_hash("u1", b"hello ") == _context_hash("u1", b"world ")   # between words: c1
    assert _context_hash("u2", b"big Hello") == _context_hash("u2", b"1 BIG hello")
    assert _context_hash("u2", b"big Hello") != _context_hash("u2", b"small hello")
