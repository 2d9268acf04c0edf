"""Presets: frozen parameter tables that an archive header names instead of listing them.

A level's spec names every parameter (spec.py), about 180 bytes at level
8: 15% of the archive of a 4 KB file.  A preset is a named table of those
parameters; a header that says ``@8a`` means "preset 8a's parameters",
followed only by the parameters that differ from it (a small input's
sized tables, ``hb`` and ``mb``), so a default archive's spec is about 25
bytes:

    cm/3 L8 @8a hb=15 mb=14

Presets are part of the format: an archive names one for as long as
archives exist, so **a preset is never edited or removed**.  When a
level's table changes, its spec simply differs from the preset in the
changed keys (still decodable, a little longer); add a new preset ("8b")
for the new table and point the level at it (``recipes.LEVEL_PRESET``).
mixzip/tests/test_presets.py pins every preset's content.

Each table holds every parameter that ``recipes.spec_for_level`` gives
the level it was made from (defaults included); the GRU prior is named by
reference (NAME.HASH), so a new prior file is a new reference, not a
changed preset.
"""
from __future__ import annotations

# recipe "cm" (version 3): "Na" the level tables of mixzip 0.3, as spec_for_level(N).params; "8b" level 8
# with gru_nul=2 (the GRU warm start ends on control bytes or mostly NULs, not at the first NUL); "10b"
# level 10 with gru_wake=1 (the GRU prior frozen until the stream looks binary)
CM = {
    "1a": dict(apm_rate=6, apms=1, contexts='o3,w1', det_inputs=1, ht_bits=18, lr=8, match_bits=18, mixer_skip=128,
               mixers=1, off=0, runs=0, sm_limit=1023),
    "2a": dict(apm_rate=6, apms=1, contexts='o2,o4,w1', det_inputs=1, ht_bits=20, lr=8, match_bits=20,
               mixer_skip=128, mixers=1, off=0, runs=0, sm_limit=1023),
    "3a": dict(apm_rate=6, apms=1, contexts='o1,o2,o3,o4,w1', det_inputs=1, ht_bits=21, lr=8, match_bits=21,
               mixer_skip=128, mixers=1, off=0, runs=0, sm_limit=1023),
    "4a": dict(apm_rate=6, apms=2, contexts='o1,o2,o3,o4,o6,w1,r2', det_inputs=1, ht_bits=22, lr=8, match_bits=22,
               mixer_skip=128, mixers=1, off=0, runs=0, sm_limit=1023),
    "5a": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o6,w1,w2,r2', det_inputs=1, ht_bits=22, lr=8,
               match_bits=22, mixer_skip=128, mixers=2, off=0, runs=0, sm_limit=1023),
    "6a": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o6,w1,w2,r2,col', det_inputs=1, ht_bits=22, lr=8,
               match_bits=22, mixer_skip=128, mixers=2, off=0, runs=0, sm_limit=1023),
    "7a": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o6,w1,w2,r2,col', det_inputs=1, ht_bits=22, lr=8,
               match_bits=22, mixer_skip=128, mixers=3, off=0, runs=0, sm_limit=1023),
    "8a": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o6,w1,w2,w4,r2,col,r3,k1', det_inputs=1, gru_budget=16,
               gru_hidden=128, gru_lr=0, gru_prior='gru-e32-h128-v2.94b290d2e7d1', ht_bits=22, lr=8, match_bits=23,
               mixer_rates='8,16,32,48', mixer_skip=128, mixers=5, moe_k=3, off=0, runs=0, sm_limit=1023,
               structure=1),
    "8b": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o6,w1,w2,w4,r2,col,r3,k1', det_inputs=1, gru_budget=16,
               gru_hidden=128, gru_lr=0, gru_nul=2, gru_prior='gru-e32-h128-v2.94b290d2e7d1', ht_bits=22, lr=8,
               match_bits=23, mixer_rates='8,16,32,48', mixer_skip=128, mixers=5, moe_k=3, off=0, runs=0,
               sm_limit=1023, structure=1),
    "8c": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o6,w1,w2,w4,r2,col,r3,k1', det_inputs=1, gru_budget=16,
               gru_hidden=128, gru_lr=0, gru_nul=3, gru_prior='gru-e32-h128-v2.94b290d2e7d1', ht_bits=22, lr=8,
               match_bits=23, mixer_rates='8,16,32,48', mixer_skip=128, mixers=5, moe_k=3, off=0, runs=0,
               sm_limit=1023, struct_contexts='o4,o6,w1,w2,col,k1,i2,o8', structure=1),
    "9a": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o5,o8,w1,w2,w3,w4,r1,r2,col,r3,i2,k1', det_inputs=1,
               ht_bits=24, lr=8, match_bits=24, mixer_rates='8,16,32,48', mixer_skip=128, mixers=8, moe_k=6, off=0,
               runs=0, sm_limit=1023, structure=1),
    "9b": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o5,o8,w1,w2,w3,w4,r1,r2,col,r3,i2,k1', det_inputs=1,
               ht_bits=24, lr=8, match_bits=24, mixer_rates='8,16,32,48', mixer_skip=128, mixers=8, moe_k=6, off=0,
               runs=0, sm_limit=1023, struct_contexts='o4,o5,o8,w1,w2,col,k1,i2,o16', structure=1),
    "10a": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o5,o8,w1,w2,w3,w4,r1,r2,col,r3,k1', det_inputs=1,
                gru_b1=0, gru_b2=9950, gru_embed=32, gru_hidden=128, gru_lr=30, gru_olr=100,
                gru_prior='gru-e32-h128-v2.94b290d2e7d1', gru_window=16, ht_bits=24, lr=8, match_bits=24,
                mixer_rates='8,16,32,48', mixer_skip=128, mixers=8, moe_k=6, off=0, runs=0, sm_limit=1023,
                structure=1),
    "10b": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o5,o8,w1,w2,w3,w4,r1,r2,col,r3,k1', det_inputs=1,
                gru_b1=0, gru_b2=9950, gru_embed=32, gru_hidden=128, gru_lr=30, gru_olr=100,
                gru_prior='gru-e32-h128-v2.94b290d2e7d1', gru_wake=1, gru_window=16, ht_bits=24, lr=8,
                match_bits=24, mixer_rates='8,16,32,48', mixer_skip=128, mixers=8, moe_k=6, off=0, runs=0,
                sm_limit=1023, structure=1),
    "10c": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o5,o8,w1,w2,w3,w4,r1,r2,col,r3,k1', det_inputs=1,
                gru_b1=0, gru_b2=9950, gru_embed=32, gru_hidden=128, gru_lr=30, gru_olr=100,
                gru_prior='gru-e32-h128-v2.94b290d2e7d1', gru_wake=1, gru_window=16, ht_bits=24, lr=8,
                match_bits=24, mixer_rates='8,16,32,48', mixer_skip=128, mixers=8, moe_k=6, off=0, runs=0,
                sm_limit=1023, struct_contexts='o4,o5,o8,w1,w2,col,k1,i2,o16', structure=1),
    "8d": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o6,w1,w2,w4,r2,col,r3,k1', det_inputs=1, gru_budget=16,
               gru_hidden=128, gru_lr=0, gru_nul=2, gru_prior='gru-e32-h128-v2.94b290d2e7d1', ht_bits=22, lr=8,
               match_bits=23, mixer_rates='8,16,32,48', mixer_skip=128, mixers=5, moe_k=3, off=0, runs=0,
               sm_limit=1023, struct_contexts='o1,o2,o3,o4,o6,w1,w2,w4,col,k1,i2,o16', structure=1),
    "9c": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o5,o8,w1,w2,w3,w4,r1,r2,col,r3,i2,k1', det_inputs=1,
               ht_bits=24, lr=8, match_bits=24, mixer_rates='8,16,32,48', mixer_skip=128, mixers=8, moe_k=6, off=0,
               runs=0, sm_limit=1023, struct_contexts='o1,o2,o3,o4,o5,o8,w1,w2,w3,w4,col,i2,k1',
               structure=1),
    "10d": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o5,o8,w1,w2,w3,w4,r1,r2,col,r3,k1', det_inputs=1,
                gru_b1=0, gru_b2=9950, gru_embed=32, gru_hidden=128, gru_lr=30, gru_olr=100,
                gru_prior='gru-e32-h128-v2.94b290d2e7d1', gru_wake=1, gru_window=16, ht_bits=24, lr=8,
                match_bits=24, mixer_rates='8,16,32,48', mixer_skip=128, mixers=8, moe_k=6, off=0, runs=0,
                sm_limit=1023, struct_contexts='o1,o2,o3,o4,o5,o8,w1,w2,w3,w4,i2,col,k1',
                structure=1),
    "8e": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o6,w1,w2,w4,r2,col,r3,k1', det_inputs=1, field_set=7,
               gru_budget=16, gru_hidden=128, gru_lr=0, gru_nul=2, gru_prior='gru-e32-h128-v2.94b290d2e7d1', ht_bits=22, lr=8,
               match_bits=23, mixer_rates='8,16,32,48', mixer_skip=128, mixers=5, moe_k=3, off=0, runs=0,
               sm_limit=1023, struct_contexts='o1,o2,o3,o4,o6,w1,w2,w4,col,k1,i2,o16', structure=1),
    "9d": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o5,o8,w1,w2,w3,w4,r1,r2,col,r3,i2,k1', det_inputs=1,
               field_set=7, ht_bits=24, lr=8, match_bits=24, mixer_rates='8,16,32,48', mixer_skip=128, mixers=8, moe_k=6, off=0,
               runs=0, sm_limit=1023, struct_contexts='o1,o2,o3,o4,o5,o8,w1,w2,w3,w4,col,i2,k1',
               structure=1),
    "10e": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o5,o8,w1,w2,w3,w4,r1,r2,col,r3,k1', det_inputs=1, field_set=7,
                gru_b1=0, gru_b2=9950, gru_embed=32, gru_hidden=128, gru_lr=30, gru_olr=100,
                gru_prior='gru-e32-h128-v2.94b290d2e7d1', gru_wake=1, gru_window=16, ht_bits=24, lr=8,
                match_bits=24, mixer_rates='8,16,32,48', mixer_skip=128, mixers=8, moe_k=6, off=0, runs=0,
                sm_limit=1023, struct_contexts='o1,o2,o3,o4,o5,o8,w1,w2,w3,w4,i2,col,k1',
                structure=1),
    # 3b-7b, 8f, 9e, 10f: levels 3-10 with the UTF-8 words u1, u2 in place of w1, w2 (recipes.UTF8_WORDS)
    "3b": dict(apm_rate=6, apms=1, contexts='o1,o2,o3,o4,u1', det_inputs=1, ht_bits=21, lr=8, match_bits=21,
               mixer_skip=128, mixers=1, off=0, runs=0, sm_limit=1023),
    "4b": dict(apm_rate=6, apms=2, contexts='o1,o2,o3,o4,o6,u1,r2', det_inputs=1, ht_bits=22, lr=8, match_bits=22,
               mixer_skip=128, mixers=1, off=0, runs=0, sm_limit=1023),
    "5b": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o6,u1,u2,r2', det_inputs=1, ht_bits=22, lr=8, match_bits=22,
               mixer_skip=128, mixers=2, off=0, runs=0, sm_limit=1023),
    "6b": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o6,u1,u2,r2,col', det_inputs=1, ht_bits=22, lr=8,
               match_bits=22, mixer_skip=128, mixers=2, off=0, runs=0, sm_limit=1023),
    "7b": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o6,u1,u2,r2,col', det_inputs=1, ht_bits=22, lr=8,
               match_bits=22, mixer_skip=128, mixers=3, off=0, runs=0, sm_limit=1023),
    "8f": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o6,u1,u2,w4,r2,col,r3,k1', det_inputs=1, field_set=7,
               gru_budget=16, gru_hidden=128, gru_lr=0, gru_nul=2, gru_prior='gru-e32-h128-v2.94b290d2e7d1',
               ht_bits=22, lr=8, match_bits=23, mixer_rates='8,16,32,48', mixer_skip=128, mixers=5, moe_k=3, off=0,
               runs=0, sm_limit=1023, struct_contexts='o1,o2,o3,o4,o6,u1,u2,w4,col,k1,i2,o16', structure=1),
    "9e": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o5,o8,u1,u2,w3,w4,r1,r2,col,r3,i2,k1', det_inputs=1,
               field_set=7, ht_bits=24, lr=8, match_bits=24, mixer_rates='8,16,32,48', mixer_skip=128, mixers=8,
               moe_k=6, off=0, runs=0, sm_limit=1023, struct_contexts='o1,o2,o3,o4,o5,o8,u1,u2,w3,w4,col,i2,k1',
               structure=1),
    "10f": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o5,o8,u1,u2,w3,w4,r1,r2,col,r3,k1', det_inputs=1,
                field_set=7, gru_b1=0, gru_b2=9950, gru_embed=32, gru_hidden=128, gru_lr=30, gru_olr=100,
                gru_prior='gru-e32-h128-v2.94b290d2e7d1', gru_wake=1, gru_window=16, ht_bits=24, lr=8, match_bits=24,
                mixer_rates='8,16,32,48', mixer_skip=128, mixers=8, moe_k=6, off=0, runs=0, sm_limit=1023,
                struct_contexts='o1,o2,o3,o4,o5,o8,u1,u2,w3,w4,i2,col,k1', structure=1),
    # 8g, 9f, 10g: levels 8-10 with the numeric step model (numdelta=1)
    "8g": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o6,u1,u2,w4,r2,col,r3,k1', det_inputs=1, field_set=7,
               gru_budget=16, gru_hidden=128, gru_lr=0, gru_nul=2, gru_prior='gru-e32-h128-v2.94b290d2e7d1',
               ht_bits=22, lr=8, match_bits=23, mixer_rates='8,16,32,48', mixer_skip=128, mixers=5, moe_k=3,
               numdelta=1, off=0, runs=0, sm_limit=1023, struct_contexts='o1,o2,o3,o4,o6,u1,u2,w4,col,k1,i2,o16',
               structure=1),
    "9f": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o5,o8,u1,u2,w3,w4,r1,r2,col,r3,i2,k1', det_inputs=1,
               field_set=7, ht_bits=24, lr=8, match_bits=24, mixer_rates='8,16,32,48', mixer_skip=128, mixers=8,
               moe_k=6, numdelta=1, off=0, runs=0, sm_limit=1023,
               struct_contexts='o1,o2,o3,o4,o5,o8,u1,u2,w3,w4,col,i2,k1', structure=1),
    "10g": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o5,o8,u1,u2,w3,w4,r1,r2,col,r3,k1', det_inputs=1,
                field_set=7, gru_b1=0, gru_b2=9950, gru_embed=32, gru_hidden=128, gru_lr=30, gru_olr=100,
                gru_prior='gru-e32-h128-v2.94b290d2e7d1', gru_wake=1, gru_window=16, ht_bits=24, lr=8, match_bits=24,
                mixer_rates='8,16,32,48', mixer_skip=128, mixers=8, moe_k=6, numdelta=1, off=0, runs=0, sm_limit=1023,
                struct_contexts='o1,o2,o3,o4,o5,o8,u1,u2,w3,w4,i2,col,k1', structure=1),
    # 8h, 9g, 10h: levels 8-10 with numdelta=2 (the last step or the one before)
    "8h": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o6,u1,u2,w4,r2,col,r3,k1', det_inputs=1, field_set=7,
               gru_budget=16, gru_hidden=128, gru_lr=0, gru_nul=2, gru_prior='gru-e32-h128-v2.94b290d2e7d1',
               ht_bits=22, lr=8, match_bits=23, mixer_rates='8,16,32,48', mixer_skip=128, mixers=5, moe_k=3,
               numdelta=2, off=0, runs=0, sm_limit=1023, struct_contexts='o1,o2,o3,o4,o6,u1,u2,w4,col,k1,i2,o16',
               structure=1),
    "9g": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o5,o8,u1,u2,w3,w4,r1,r2,col,r3,i2,k1', det_inputs=1,
               field_set=7, ht_bits=24, lr=8, match_bits=24, mixer_rates='8,16,32,48', mixer_skip=128, mixers=8,
               moe_k=6, numdelta=2, off=0, runs=0, sm_limit=1023,
               struct_contexts='o1,o2,o3,o4,o5,o8,u1,u2,w3,w4,col,i2,k1', structure=1),
    "10h": dict(apm_rate=6, apms=3, contexts='o1,o2,o3,o4,o5,o8,u1,u2,w3,w4,r1,r2,col,r3,k1', det_inputs=1,
                field_set=7, gru_b1=0, gru_b2=9950, gru_embed=32, gru_hidden=128, gru_lr=30, gru_olr=100,
                gru_prior='gru-e32-h128-v2.94b290d2e7d1', gru_wake=1, gru_window=16, ht_bits=24, lr=8, match_bits=24,
                mixer_rates='8,16,32,48', mixer_skip=128, mixers=8, moe_k=6, numdelta=2, off=0, runs=0, sm_limit=1023,
                struct_contexts='o1,o2,o3,o4,o5,o8,u1,u2,w3,w4,i2,col,k1', structure=1),
}
