"""Runs one of pkilint's command-line linters on many files, in one Python process.

Usage: pkilint_each.py LINTER ARG... -- FILE...

LINTER is the name of a pkilint console script (`lint_pkix_cert`, `lint_crl`); its own
`main` is called once per FILE with the arguments `ARG... FILE`, exactly as
`LINTER ARG... FILE` would run it. Starting Python and importing pkilint costs about
0.3 s, which, paid once per certificate, made the pkilint test most of the test suite's
time. Prints one JSON object a line, in FILE order:
{"file": FILE, "exit": the exit code, "output": what it printed to stdout and stderr}.
"""
import contextlib
import importlib
import io
import json
import sys


def main() -> int:
    linter, rest = sys.argv[1], sys.argv[2:]
    cut = rest.index("--")
    args, files = rest[:cut], rest[cut + 1 :]
    lint = importlib.import_module(f"pkilint.bin.{linter}").main
    for path in files:
        output = io.StringIO()
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            try:
                code = lint(args + [path])
            except SystemExit as exit:
                code = exit.code
        print(json.dumps({"file": path, "exit": code, "output": output.getvalue()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
