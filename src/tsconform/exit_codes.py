"""Exit codes of `tsconform run` (README, "Exit codes"); a module without dependencies."""

EXIT_PASS = 0  # every scenario that ran passed
EXIT_FAIL = 1  # a scenario failed: the target does not conform
EXIT_INCONCLUSIVE = 2  # no fail, but a scenario could not reach its purpose
EXIT_ERROR = 3  # the test system or its user: unreachable target, bad profile, usage
EXIT_NOTHING_RAN = 4  # no scenario passed, failed or was inconclusive
