#!/usr/bin/env python3
"""Checks that README.md's tables of elementwise ops, between the op-table markers, are the ones
the rows of tests/ops/op_table.hpp generate (`op_table_doc --markdown`), so that the README
lists every op of the table as the tests know it.

    check_op_table.py ROOT OP_TABLE_DOC [--write]

With --write, replaces the README's section with the generated tables instead.
"""
import difflib
import pathlib
import subprocess
import sys

BEGIN = "<!-- op-table begin: generated from tests/ops/op_table.hpp (see CONTRIBUTING.md); do not edit -->"
END = "<!-- op-table end -->"


def main():
    args = [a for a in sys.argv[1:] if a != "--write"]
    if len(args) != 2:
        sys.exit(__doc__)
    root, exe = pathlib.Path(args[0]), args[1]
    readme_path = root / "README.md"
    readme = readme_path.read_text()
    if readme.count(BEGIN) != 1 or readme.count(END) != 1 or readme.index(BEGIN) > readme.index(END):
        sys.exit("README.md must have one op-table section, between the lines\n%s\n%s" % (BEGIN, END))
    start = readme.index(BEGIN) + len(BEGIN) + 1
    stop = readme.index(END)
    generated = subprocess.run([exe, "--markdown"], check=True, capture_output=True, text=True).stdout
    if "--write" in sys.argv:
        readme_path.write_text(readme[:start] + generated + readme[stop:])
        print("wrote the op tables into %s" % readme_path)
        return 0
    current = readme[start:stop]
    if current == generated:
        print("README.md's op tables match the %d rows of tests/ops/op_table.hpp" % generated.count("\n| `"))
        return 0
    sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), generated.splitlines(True),
                                               "README.md", "op_table_doc --markdown"))
    print("\nREADME.md's op tables differ from the rows of tests/ops/op_table.hpp. Regenerate them with:\n"
          "  python3 %s %s %s --write" % (pathlib.Path(__file__).resolve(), root.resolve(), pathlib.Path(exe).resolve()))
    return 1


if __name__ == "__main__":
    sys.exit(main())
