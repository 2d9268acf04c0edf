"""The architecture's rules: one direction of dependency, one parameter table,
small functions, components that keep the contract."""
import ast
import pathlib
import re

import pytest

import mixzip
from mixzip.predictors import recipes
from mixzip.predictors.component import Component

PKG = pathlib.Path(mixzip.__file__).parent
DOCS = PKG.parent / "docs"


def imports_of(path: pathlib.Path) -> set[str]:
    """Every module a file imports, at any depth (functions included)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def test_codec_never_imports_predictors():
    """predictors/ -> codec/ only: the container knows an opaque model spec
    (codec/models.py); an import the other way would make a cycle."""
    for p in sorted((PKG / "codec").rglob("*.py")):
        bad = {m for m in imports_of(p) if m.startswith("mixzip.predictors")}
        assert not bad, f"codec/{p.name} imports {sorted(bad)}"


def test_predictor_functions_take_at_most_twelve_arguments():
    for p in sorted((PKG / "predictors").glob("*.py")):
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                a = node.args
                n = len(a.posonlyargs) + len(a.args) + len(a.kwonlyargs)
                assert n <= 12, f"{p.name}: {node.name} takes {n} arguments"


def test_format_md_lists_exactly_the_parameter_table():
    """docs/FORMAT.md's key table is the recipe's parameter table, verbatim."""
    path = DOCS / "FORMAT.md"
    if not path.exists():
        pytest.skip("docs/ not beside the package")
    text = path.read_text()
    m = re.search(r"<!-- keys -->\n(.*?)\n<!-- /keys -->", text, re.S)
    assert m, "FORMAT.md has no <!-- keys --> table"
    assert m.group(1).strip() == recipes.key_table()


def test_every_spec_key_comes_from_one_table():
    from mixzip.predictors import spec

    keys = spec.keys(recipes.NAME)
    assert keys == {name: q.key for name, q in recipes.PARAMS.items()}
    assert len(set(keys.values())) == len(keys)
    # every parameter a level writes is in the table, with a value in range
    for level in recipes.LEVELS:
        for name, value in recipes.spec_for_level(level).params.items():
            recipes.PARAMS[name].validate(value)


def test_components_declare_their_phases_as_numba_functions():
    for cls in recipes.COMPONENTS:
        assert issubclass(cls, Component) and cls.name
        for phase in ("begin", "predict", "update", "step", "mix", "train", "refine"):
            f = getattr(cls, phase, None)
            if f is not None:
                assert hasattr(f, "py_func") or callable(f), (cls.name, phase)


def test_absent_components_are_not_in_the_driver():
    """Level 1 has no neural model, no router, no EML: its driver's source
    names none of them (no runtime flags, no stand-ins)."""
    from mixzip.predictors import driver

    m = recipes.build_model(recipes.spec_for_level(1))
    src = driver.source(m.models, m.mixer, m.refine)
    for absent in ("gru", "attn", "moe", "plugins"):
        assert absent not in src
    m10 = recipes.build_model(recipes.with_params(recipes.spec_for_level(10), ht_bits=12, match_bits=12))
    assert "gru_predict" in driver.source(m10.models, m10.mixer, m10.refine)
