"""The render contract: typed options, one list of formats, and the CLI reading it."""

from __future__ import annotations

import importlib
import inspect
from dataclasses import FrozenInstanceError, fields

import pytest

from oneinbox_check.cli import build_parser
from oneinbox_check.models import Status
from oneinbox_check.report import render
from oneinbox_check.report.interface import FORMATS, SORTS, Format, RenderOptions
from tests.report.test_formats import sample


def _choices(argv: list[str], option: str) -> tuple[str, ...]:
    """The choices argparse accepts for *option* of the sub-command in *argv*."""
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    command = sub.choices[argv[0]]  # type: ignore[index]
    action = next(a for a in command._actions if option in a.option_strings)
    return tuple(action.choices)


@pytest.mark.parametrize("fmt", list(Format))
def test_every_format_module_renders_from_the_report_and_typed_options_only(fmt: Format) -> None:
    params = inspect.signature(fmt.to_format()).parameters
    assert [p.name for p in params.values()] == ["report", "options"]
    assert not any(p.kind in (p.VAR_KEYWORD, p.VAR_POSITIONAL) for p in params.values())


@pytest.mark.parametrize("fmt", list(Format))
def test_every_listed_format_is_a_module_of_the_report_package(fmt: Format) -> None:
    module = importlib.import_module(f"oneinbox_check.report.{fmt.value}")
    assert module.render is fmt.to_format()


def test_format_names_are_the_enum_values_in_order() -> None:
    assert FORMATS == tuple(f.value for f in Format)


def test_an_unknown_render_option_is_an_error_not_silently_ignored() -> None:
    with pytest.raises(TypeError):
        render(sample(), "table", verbos=True)


def test_render_options_reject_an_unknown_sort() -> None:
    with pytest.raises(ValueError, match="sort must be one of severity, manifest"):
        RenderOptions(sort="alphabetical")  # type: ignore[arg-type]


def test_render_options_are_immutable() -> None:
    with pytest.raises(FrozenInstanceError):
        RenderOptions().verbose = True  # type: ignore[misc]


def test_render_options_declare_every_option_the_cli_passes() -> None:
    assert {f.name for f in fields(RenderOptions)} == {"width", "color", "rich", "verbose", "strict", "sort"}


def test_options_object_and_keyword_changes_render_the_same() -> None:
    report = sample()
    assert render(report, "table", RenderOptions(verbose=True)) == render(report, "table", verbose=True)
    assert render(report, "table", RenderOptions(verbose=True), verbose=False) == render(report, "table")


def test_junit_reads_strict_from_the_options() -> None:
    report = sample().model_copy(update={"integrations": [
        i.model_copy(update={"checks": [c.model_copy(update={"status": Status.WARN}) for c in i.checks]})
        for i in sample().integrations]})
    assert "<failure" not in render(report, "junit")
    assert "<failure" in render(report, "junit", RenderOptions(strict=True))


@pytest.mark.parametrize("command", [["check"], ["convert"], ["merge"], ["dns"], ["exporter"]])
def test_format_choices_of_every_command_come_from_the_format_list(command: list[str]) -> None:
    assert _choices(command, "--format") == FORMATS


@pytest.mark.parametrize("command", [["check"], ["convert"], ["merge"]])
def test_sort_choices_come_from_the_render_contract(command: list[str]) -> None:
    assert _choices(command, "--sort") == SORTS


def test_report_option_accepts_every_listed_format(tmp_path) -> None:
    parser = build_parser()
    argv = ["convert", "r.json", *[x for f in FORMATS for x in ("--report", f"{f}={tmp_path / f}")]]
    assert [fmt for fmt, _ in parser.parse_args(argv).report] == list(FORMATS)


def test_json_schemas_module_is_named_apart_from_the_input_schema_check() -> None:
    from oneinbox_check import jsonschemas
    from oneinbox_check.checks import schema

    assert callable(jsonschemas.report_schema) and callable(jsonschemas.manifest_schema)
    assert schema.ID == "input.schema"
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("oneinbox_check.schemas")
