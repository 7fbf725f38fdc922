"""Every exception the project raises derives from ProductFailure or TestSystemError, so that
the verdict read from those bases covers every raise (the issue's "two bases for errors").

The source of the package is read with ast: each `raise X(...)` must name a class that resolves,
in its module, to a subclass of exactly one base. The exceptions below are allowed, each for a
reason given with it; anything else (a built-in ValueError, a local variable) fails the test.
"""
import ast
import builtins
import importlib
import pkgutil
from pathlib import Path

import pytest

import tsconform
from tsconform.errors import ProductFailure, TestSystemError
from tsconform.verdict import Inconclusive

SRC = Path(tsconform.__file__).parent
BASES = (ProductFailure, TestSystemError)

# (module, class name) -> why it may be raised without either base
ALLOWED = {
    ("tsconform.dissect.framers", "NotImplementedError"): "the abstract methods of Framer, which each framing overrides",
    ("tsconform.sim.csta_switch", "SystemExit"): "the exit status of `python -m` in its __main__ block, not an error",
}
# project classes outside both bases, with the reason
OWN_VERDICT = {
    Inconclusive: "a verdict of its own: neither a fail nor an error (conftest.py maps it to a skip)",
}


def raises(tree: ast.AST) -> list[tuple[int, str | None]]:
    """(line, dotted name of the raised class) of each raise; None for a bare re-raise.

    >>> raises(ast.parse("try:\\n    f()\\nexcept OSError:\\n    raise\\nraise ValueError('x')"))
    [(4, None), (5, 'ValueError')]
    """
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise):
            exc = node.exc
            target = exc.func if isinstance(exc, ast.Call) else exc
            found.append((node.lineno, None if exc is None else ast.unparse(target)))
    return sorted(found)


def resolve(module, dotted: str):
    """The object a dotted name denotes in a module's namespace, or None."""
    head, *rest = dotted.split(".")
    obj = getattr(module, head, getattr(builtins, head, None))
    for part in rest:
        obj = getattr(obj, part, None)
    return obj


def problems(module_name: str, source: str) -> list[str]:
    """What is wrong with the raises of one module's source."""
    module = importlib.import_module(module_name)
    out = []
    for line, name in raises(ast.parse(source)):
        if name is None:
            continue
        cls = resolve(module, name)
        where = f"{module_name}:{line}: raise {name}"
        if not (isinstance(cls, type) and issubclass(cls, BaseException)):
            out.append(f"{where}: not a class the module defines or imports")
        elif (module_name, cls.__name__) in ALLOWED or cls in OWN_VERDICT:
            continue
        elif sum(issubclass(cls, base) for base in BASES) != 1:
            out.append(f"{where}: {cls.__module__}.{cls.__qualname__} derives from "
                       f"{'both bases' if issubclass(cls, BASES[0]) else 'neither base'}")
    return out


def package_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages([str(SRC)], "tsconform."))


def source_of(module_name: str) -> str:
    rel = module_name.split(".")[1:]
    path = SRC.joinpath(*rel)
    return (path / "__init__.py").read_text() if path.is_dir() else path.with_suffix(".py").read_text()


def test_every_raise_in_the_package_uses_one_of_the_two_bases():
    found = [p for m in package_modules() for p in problems(m, source_of(m))]
    assert not found, "\n".join(found)


def test_every_exception_class_of_the_package_has_exactly_one_base():
    classes = {obj for m in package_modules() for obj in vars(importlib.import_module(m)).values()
               if isinstance(obj, type) and issubclass(obj, BaseException) and obj.__module__.startswith("tsconform")}
    assert len(classes) > 20  # the walk found the package's exceptions
    grouping = {c for c in classes if c.__subclasses__() and all(issubclass(s, BASES) for s in c.__subclasses__())}
    wrong = sorted(f"{c.__module__}.{c.__qualname__}" for c in classes - set(OWN_VERDICT) - grouping - set(BASES)
                   if sum(issubclass(c, base) for base in BASES) != 1)
    assert not wrong, f"exception classes outside exactly one base: {wrong}"


@pytest.mark.parametrize("source, complaint", [
    ("def f():\n    raise ValueError('bad port')\n", "derives from neither base"),
    ("def f(exc):\n    raise exc\n", "not a class the module defines or imports"),
    ("class Both(ProductFailure, TestSystemError):\n    pass\nraise Both()\n", "derives from"),
])
def test_the_check_finds_a_raise_outside_the_bases(source, complaint, monkeypatch):
    module = importlib.import_module("tsconform.errors")
    monkeypatch.setattr(module, "Both", type("Both", (ProductFailure, TestSystemError), {}), raising=False)
    found = problems("tsconform.errors", source)
    assert len(found) == 1 and complaint in found[0], found


def test_a_builtin_second_base_keeps_callers_catching_what_they_did():
    from tsconform.csta.framing import encode_frame
    from tsconform.sim.faults import check
    from tsconform.spec.catalogue import requirement

    with pytest.raises(ValueError, match="exceeds the limit"):
        encode_frame(1, b"x" * 70000)
    with pytest.raises(ValueError, match="unknown fault"):
        check(["no-such-fault"])
    with pytest.raises(KeyError) as info:
        requirement("XX-NONE-1")
    assert isinstance(info.value, TestSystemError) and str(info.value) == "unknown requirement ID 'XX-NONE-1'"
