#!/usr/bin/env python3
"""Checks that each `//[ name` ... `//]` block quoted in the README or in docs/FROM_TF1.md is the
same code as the block of that name in the examples or the parity programs (indentation aside),
so the documentation cannot rot."""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
block = re.compile(r"//\[ (\w+)\n(.*?)//\]", re.S)


def blocks(text):
    return {m.group(1): [l.strip() for l in m.group(2).splitlines() if l.strip()] for m in block.finditer(text)}


readme = {}
for doc in ("README.md", "docs/FROM_TF1.md"):
    readme.update(blocks((root / doc).read_text()))
examples = {}
for path in sorted((root / "examples").glob("*.cpp")) + sorted((root / "tests" / "parity").glob("*.cpp")):
    examples.update(blocks(path.read_text()))
if not readme:
    sys.exit("README.md quotes no //[ block")
bad = [name for name, lines in readme.items() if examples.get(name) != lines]
for name in bad:
    print(f"README block '{name}' differs from the example's (or the example has none)")
print(f"{len(readme) - len(bad)} of {len(readme)} README blocks match the examples")
sys.exit(1 if bad else 0)
