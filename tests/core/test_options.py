"""Options are declared once (core/settings.py): the command line's flags and defaults come from
there, and so do the scan's options and the trash policy."""

from __future__ import annotations

import pytest

from photodedup.cli import build_parser
from photodedup.cli_common import options_from
from photodedup.core.settings import OPTIONS, Options, help_of


def test_the_scan_flags_default_to_the_declared_options():
    args = build_parser().parse_args(["scan", "photos"])
    defaults = Options()
    for name in ("threshold", "excludes", "protected", "keeper_rules", "raw_jpeg_pairs_are_duplicates",
                 "follow_symlinks"):
        assert getattr(args, name) == getattr(defaults, name), name


def test_flags_fill_the_options_and_bad_values_are_refused(capsys):
    args = build_parser().parse_args(["scan", "a", "b", "--protect", "a", "--exclude", "*.png", "--threshold", "0.3",
                                      "--keeper-rules", "largest-file,oldest-file", "--raw-jpeg-duplicates"])
    options = options_from(args, folders=args.roots)
    assert (options.folders, options.protected, options.excludes, options.threshold) == (["a", "b"], ["a"],
                                                                                          ["*.png"], 0.3)
    assert options.keeper_rules == ["largest-file", "oldest-file"] and options.raw_jpeg_pairs_are_duplicates
    scan = options.scan_options("cache")
    assert (list(scan.roots), list(scan.protected), scan.threshold, str(scan.cache_dir)) == (["a", "b"], ["a"], 0.3,
                                                                                           "cache")
    policy = options.trash_policy()
    assert policy == Options(folders=["a", "b"], protected=["a"], raw_jpeg_pairs_are_duplicates=True).trash_policy()
    assert not build_parser().parse_args(["trash", "r.json", "--no-carry-over"]).carry_over
    for bad in (["--threshold", "2.5"], ["--threshold", "x"], ["--keeper-rules", "prettiest"]):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["scan", "a", *bad])
    assert "must be between 0 and 2" in capsys.readouterr().err


def test_every_option_has_one_line_of_help_and_the_flags_show_it(capsys):
    for name in OPTIONS:
        text = help_of(name)
        assert text and "\n" not in text, name
    with pytest.raises(SystemExit):
        build_parser().parse_args(["scan", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert f"{help_of('threshold')} (default {Options().threshold})" in shown
    assert "--raw-jpeg-duplicates" in shown and help_of("follow_symlinks")[:40] in shown
