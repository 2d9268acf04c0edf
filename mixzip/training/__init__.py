"""Build-time pipeline for mixzip's pretrained neural priors (issue 16).

    sources.py   the pinned public packages the training corpus is made of
    corpus.py    fetch, select, write the corpus and its manifest (manifest.tsv)
    model.py     the PyTorch twin of mixzip's GRU (gru.py), for training only
    train.py     training from a fixed seed -> a prior file (mixzip/priors/)

Nothing here is imported by the compressor at run time; PyTorch is needed by
model.py and train.py only (``pip install torch==2.13.0``).
"""
