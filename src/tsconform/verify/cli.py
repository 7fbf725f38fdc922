"""`tsconform verify CAPTURE... [--profile P] [--jobs N]`: judge recorded traces offline."""
from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor

from ..exit_codes import EXIT_ERROR
from .results import Results
from .run import verify_file


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="tsconform verify",
        description="Judge recorded pcap/pcapng traces of the T-Lib and CSTA links by the catalogue's "
                    "checks; exit codes as tsconform run.")
    parser.add_argument("captures", nargs="+", metavar="CAPTURE", help="pcap or pcapng files")
    parser.add_argument("--profile", help="ICS/PIXIT profile: the T-Server options and timeouts of the "
                                          "target when the trace was taken (default: the built-in defaults)")
    parser.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                        help="verify N files at a time, each in its own process (a file is the unit of work)")
    parser.add_argument("--junitxml", metavar="PATH", help="also write JUnit XML: one test per requirement ID")
    parser.add_argument("--alluredir", metavar="DIR",
                        help="also write Allure results: one test per requirement ID, a step per transaction")
    parser.add_argument("--show", type=int, default=20, metavar="N",
                        help="failures and inconclusive reasons listed per requirement ID (default 20)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")

    from ..profile import Profile, ProfileError
    from . import report

    try:
        profile = Profile.load(args.profile) if args.profile else Profile.from_dict({})
    except ProfileError as exc:
        print(f"tsconform verify: {exc}", file=sys.stderr)
        return EXIT_ERROR
    results = Results()
    with report.progress(args.captures) as bar:
        for r in _verify_all(args.captures, profile, args.jobs, bar):
            results.merge(r)
            bar.done(r.files[0] if r.files else "")
    report.print_results(results, show=args.show)
    if args.junitxml:
        report.write_junit(results, args.junitxml)
    if args.alluredir:
        report.write_allure(results, args.alluredir)
    code = results.exit_code()
    print(f"tsconform verify: exit {code}")
    return code


def _verify_all(paths: list[str], profile, jobs: int, bar):
    """Results per file, in the order given; with jobs > 1 each file in a worker process."""
    if jobs == 1 or len(paths) == 1:
        for p in paths:
            yield verify_file(p, profile, progress=lambda frame, p=p: bar.frames(p, frame))
        return
    with ProcessPoolExecutor(min(jobs, len(paths))) as pool:
        futures = [pool.submit(verify_file, p, profile) for p in paths]
        for f in futures:  # in the order given, so that the reports are the same whatever N
            yield f.result()
