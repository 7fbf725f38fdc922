"""tsconform: run | verify | sim | dissect | docs."""
from __future__ import annotations

import argparse
import asyncio
import logging
import shutil
import sys
from pathlib import Path

from . import progress, run_options
from .exit_codes import EXIT_ERROR


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in PASSTHROUGH:  # commands with their own argument parser
        return PASSTHROUGH[argv[0]](argv[1:])
    args = build_parser().parse_args(argv)
    try:
        return {"run": _run, "sim": _sim, "docs": _docs, "profile": _profile}[args.command](args)
    except KeyboardInterrupt:
        return 130


def build_parser() -> argparse.ArgumentParser:
    """The parser of every command but the passthrough ones (`sim-switch`, `dissect`)."""
    parser = argparse.ArgumentParser(prog="tsconform", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the conformance features against a target")
    run_options.add_to_argparse(run)

    sim = sub.add_parser("sim", help="run the reference T-Server simulator until stopped")
    sim.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (port 0: any free port)")
    sim.add_argument("--profile", help="profile whose pixit options and sim devices to use")
    sim.add_argument("--switch", help="sim (default: an embedded CSTA switch), local, or csta[s]://HOST:PORT")
    sim.add_argument("--fault", action="append", default=[], metavar="NAME")

    switch = sub.add_parser("sim-switch", help="run the simulated CSTA switch until stopped", add_help=False)
    switch.add_argument("rest", nargs=argparse.REMAINDER)
    sim.add_argument("--list-faults", action="store_true", help="list the named faults and exit")

    dissect = sub.add_parser("dissect", help="dissect the T-Lib and CSTA PDUs of a capture", add_help=False)
    dissect.add_argument("rest", nargs=argparse.REMAINDER)

    verify = sub.add_parser("verify", help="judge recorded pcap/pcapng traces offline by the catalogue's checks",
                            add_help=False)
    verify.add_argument("rest", nargs=argparse.REMAINDER)

    sub.add_parser("docs", help="regenerate the generated pages under docs/")

    prof = sub.add_parser("profile", help="work with ICS/PIXIT profiles")
    prof_sub = prof.add_subparsers(dest="action", required=True)
    check = prof_sub.add_parser("check", help="validate a profile; exit 0 when it is usable")
    check.add_argument("file")
    schema = prof_sub.add_parser("schema", help="write the JSON Schema of profiles, for editors")
    schema.add_argument("-o", "--output", metavar="FILE", help="write it to FILE instead of standard output")
    return parser


def _run(args) -> int:
    import pytest

    from .report.verdicts import VerdictCollector

    suite = Path(args.suite).resolve()
    if not (suite / "features").is_dir() or not (suite / "steps").is_dir():
        print(f"tsconform run: {suite} has no features/ and steps/; run from the project "
              f"directory or pass --suite DIR", file=sys.stderr)
        return EXIT_ERROR
    pargs = [str(suite / "steps"), f"--rootdir={suite}", "-q", "--no-header", "-p", "no:cacheprovider",
             *run_options.forward(args)]
    problem = _preflight(args)
    if problem:
        print(f"tsconform run: {problem}", file=sys.stderr)
        return EXIT_ERROR
    # cleaned here, once: with xdist every worker would clean it, and remove the others' results
    shutil.rmtree(args.alluredir, ignore_errors=True)
    collector = VerdictCollector()  # the JSON, if asked for, is written by conftest.py's collector
    plugins: list = [collector]
    display = None
    if progress.wanted():
        from .report.run_progress import RunProgress

        display = progress.RunDisplay(progress.terminal_console())
        plugins.append(RunProgress(collector, display))
        pargs += ["-o", "console_output_style=classic"]
    try:
        code = pytest.main(pargs, plugins=plugins)
    finally:
        if display:
            display.stop()
            if display.console.file is not sys.stdout:
                display.console.file.close()
    collector.print_table()
    result = collector.exit_code(code)
    if collector.verdicts:
        from .report import traceability

        c = collector.counts()
        rows = traceability.write(Path(args.html).resolve().parent, suite / "features", collector.verdicts.values(),
                                  f"Run: {c['pass']} pass, {c['fail']} fail, {c['inconclusive']} inconclusive, "
                                  f"{c['error']} error, {c['not applicable']} not applicable.")
        gaps = [r.req_id for r in rows if r.gap]
        print(f"traceability: {len(rows)} seed rows, {len(gaps)} gap(s){': ' + ', '.join(gaps) if gaps else ''}")
    if not args.no_html and collector.verdicts:
        from .report import html

        html.generate(Path(args.alluredir).resolve(), Path(args.html).resolve(), suite)
    print(f"tsconform run: exit {result}; Allure results in {args.alluredir}")
    return result


def _preflight(args) -> str | None:
    """Problems that would break every scenario: a bad profile, an unreachable target."""
    import socket

    from .driver import UsageError, parse_tserver
    from .profile import Profile, ProfileError

    try:
        profile = Profile.load(args.profile or Path(args.suite) / "profiles" / "sim.yaml")
        if args.switch:
            profile = profile.with_switch(args.switch)
        where = args.tserver or profile.tserver
        if where == "sim":
            return None
        host, port = parse_tserver(where)
    except (ProfileError, UsageError) as exc:
        return str(exc)
    try:
        socket.create_connection((host, port), timeout=profile.timeout("answer")).close()
    except OSError as exc:
        return f"cannot reach T-Server at {host}:{port}: {exc}"
    return None


def _profile(args) -> int:
    from .profile import Profile, ProfileError, schema_text

    if args.action == "schema":
        text = schema_text()
        if not args.output:
            sys.stdout.write(text)
            return 0
        try:
            Path(args.output).write_text(text)
        except OSError as exc:
            print(f"tsconform profile schema: cannot write {args.output}: {exc}", file=sys.stderr)
            return EXIT_ERROR
        print(f"wrote {args.output}")
        return 0
    try:
        p = Profile.load(args.file)
    except ProfileError as exc:
        _print_problems(exc)
        return EXIT_ERROR
    print(f"{args.file}: valid; target {p.tserver}; ICS features {', '.join(p.features)}")
    return 0


def _print_problems(exc) -> None:
    """A profile's problems as a table on standard error: key, value given, what is allowed."""
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True, highlight=False)
    if all(p.path == "" for p in exc.problems):
        console.print(f"tsconform profile check: {exc}", markup=False)
        return
    # the headline names the file: never wrapped, so a long path stays one line to copy or grep
    console.print(f"profile {exc.source}: {len(exc.problems)} problem(s)", markup=False, soft_wrap=True)
    table = Table()
    for column in ("key", "value given", "allowed"):
        table.add_column(column, overflow="fold")
    for p in exc.problems:
        table.add_row(p.path or "(top level)", p.given(), p.allowed)
    console.print(table)


def _sim(args) -> int:
    from .profile import Profile, ProfileError
    from .sim import SimStack
    from .sim.csta_switch import parse_listen
    from .sim.faults import FAULTS

    if args.list_faults:
        width = max(map(len, FAULTS))
        for name, fault in FAULTS.items():
            print(f"{name:<{width}}  {fault.behaviour}")
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr)
    try:
        profile = Profile.load(args.profile) if args.profile else Profile.from_dict({})
        if args.switch:
            profile = profile.with_switch(args.switch)
        host, port = parse_listen(args.listen, default_port=0)
        stack = SimStack(profile, args.fault)
    except (ProfileError, ValueError) as exc:
        print(f"tsconform sim: {exc}", file=sys.stderr)
        return EXIT_ERROR

    async def serve():
        h, p = await stack.start(host, port)
        print(f"tsconform sim: T-Server listening on tlib://{h}:{p}", flush=True)
        await asyncio.Event().wait()

    try:
        asyncio.run(serve())
    except OSError as exc:
        print(f"tsconform sim: cannot listen on {args.listen}: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return 0


def _sim_switch(argv: list[str]) -> int:
    from .sim.csta_switch import main as switch_main

    return switch_main(argv)


def _dissect(argv: list[str]) -> int:
    from .dissect.cli import main as dissect_main

    return dissect_main(argv)


def _verify(argv: list[str]) -> int:
    from .verify.cli import main as verify_main

    return verify_main(argv)


PASSTHROUGH = {"sim-switch": _sim_switch, "dissect": _dissect, "verify": _verify}


def _docs(args) -> int:
    from .report.docs import render_error_table

    out = Path("docs/error-table.md")
    out.write_text(render_error_table())
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
