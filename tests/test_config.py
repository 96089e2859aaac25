"""Settings: defaults, the TOML file, .env and variables, and one clear line for bad values."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO, Result, assert_one_line_error
from tracker.config import Settings, load_settings
from tracker.errors import ConfigError


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_DATABASE_URL")
    settings = load_settings()
    assert settings.database_url == "sqlite:///tracker.db"
    assert settings.timezone == "UTC"
    assert settings.due_soon == dt.timedelta(days=7)


def test_toml_file_then_dotenv_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    Path("config").mkdir()
    Path("config/tracker.toml").write_text('timezone = "Asia/Tokyo"\ndue_soon = "36h"\n')
    assert load_settings().timezone == "Asia/Tokyo"
    assert load_settings().due_soon == dt.timedelta(hours=36)
    Path(".env").write_text("TRACKER_TIMEZONE=Europe/Paris\n")
    assert load_settings().timezone == "Europe/Paris"
    monkeypatch.setenv("TRACKER_TIMEZONE", "America/Lima")
    assert load_settings().timezone == "America/Lima"


def test_tracker_config_names_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_text('timezone = "Africa/Cairo"\n')
    monkeypatch.setenv("TRACKER_CONFIG", str(path))
    assert load_settings().timezone == "Africa/Cairo"
    monkeypatch.setenv("TRACKER_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match="not a readable file"):
        load_settings()


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("TRACKER_TIMEZONE", "Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
        ("TRACKER_DUE_SOON", "soon", "TRACKER_DUE_SOON"),
        ("TRACKER_OVERDUE_LIMIT", "-1", "TRACKER_OVERDUE_LIMIT"),
        ("TRACKER_REMINDER_LEAD_TIMES", "7d,soon", "cannot read the duration 'soon'"),
        ("TRACKER_CHECK_INTERVAL", "0s", "longer than zero"),
        ("TRACKER_CHANNELS", '[{"name": "x", "kind": "sms"}]', "channels.0.kind"),
    ],
)
def test_bad_setting_is_one_line_exit_2(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, variable: str, value: str,
    message: str,
) -> None:  # fmt: skip
    monkeypatch.setenv(variable, value)
    assert_one_line_error(cli("list"), contains=message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('timezone = "UTC\n', "not valid TOML"),
        ('colour = "red"\n', "unknown setting 'colour'"),
        ("timezone = 5\n", "timezone"),
        ("due_soon = -5\n", "longer than zero"),
    ],
)
def test_bad_config_file_is_one_line_exit_2(
    cli: Callable[..., Result], text: str, message: str
) -> None:
    Path("config").mkdir()
    Path("config/tracker.toml").write_text(text)
    assert_one_line_error(cli("list"), contains=message)


def _settings_part_of_example() -> str:
    # The [[channels]] table at the end shows a channel's own fields, not settings.
    return (REPO / "config" / "tracker.toml").read_text().split("# [[channels]]")[0]


def test_example_config_documents_every_setting() -> None:
    documented = set(re.findall(r"^# (\w+) = ", _settings_part_of_example(), flags=re.MULTILINE))
    assert documented == set(Settings.model_fields)


def test_example_config_is_valid_when_uncommented(tmp_path: Path) -> None:
    uncommented = "\n".join(
        line.removeprefix("# ")
        for line in _settings_part_of_example().splitlines()
        if re.match(r"^# \w+ = ", line) and "postgresql" not in line
    )
    Path("config").mkdir()
    Path("config/tracker.toml").write_text(uncommented)
    settings = load_settings()
    assert settings.webhook_secret is not None
    assert [c.name for c in settings.channels] == ["desk"]


@pytest.mark.empty_database
def test_the_api_token_is_stripped_and_long_enough(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    token = "a-token-read-from-a-file-0123"
    api_token = load_settings(api_token=f"  {token}\n").api_token
    assert api_token is not None
    assert api_token.get_secret_value() == token
    assert load_settings(api_token="   ").api_token is None
    monkeypatch.setenv("TRACKER_API_TOKEN", "short-secret")
    result = cli("serve", "--port", "0")
    assert_one_line_error(result, 2, contains="api_token")
    assert "at least 16 characters" in result.err
    assert "short-secret" not in result.err
    if database_url.startswith("sqlite:///"):  # refused before the database was opened
        assert not Path(database_url.removeprefix("sqlite:///")).exists()


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"TRACKER_REMINDER_LEAD_TIMES": "999999d"}, "TRACKER_REMINDER_LEAD_TIMES"),
        ({"TRACKER_OVERDUE_EVERY": "9999999d"}, "TRACKER_OVERDUE_EVERY"),
        ({"TRACKER_RETRY_BACKOFF": "5s,99999999999s"}, "TRACKER_RETRY_BACKOFF"),
        ({"TRACKER_LEASE": "99999999999999999999"}, "TRACKER_LEASE"),
        ({"TRACKER_OVERDUE_EVERY": "3650d", "TRACKER_OVERDUE_LIMIT": "1000"}, "100 years"),
    ],
)
def test_a_duration_past_the_calendar_is_refused_by_name(
    seeded: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    message: str,
) -> None:
    """Deadlines plus or minus such a duration leave datetime's range: refused up front, not
    an OverflowError in the middle of a pass."""
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    result = seeded("check")
    assert_one_line_error(result, contains=message)
    assert "years" in result.err
    assert "OverflowError" not in result.err


def test_ten_years_is_still_a_duration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_REMINDER_LEAD_TIMES", "3650d,1d")
    assert load_settings().reminder_lead_times[0] == dt.timedelta(days=3650)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"TRACKER_WEBHOOK_URL": "file:///etc/passwd"}, "must start with https:// or http://"),
        ({"TRACKER_WEBHOOK_URL": "http://127.0.0.1:99999/h"}, "a bad host or port"),
        ({"TRACKER_WEBHOOK_URL": "http://x/h", "TRACKER_WEBHOOK_SECRET": "hunter2"}, "whsec_"),
        ({"TRACKER_WEBHOOK_URL": "http://x/h", "TRACKER_WEBHOOK_SECRET": "whsec_c2hvcnQ="},
         "too short"),
        ({"TRACKER_SLACK_WEBHOOK_URL": "hooks.slack.com/services/T0/B0/x"}, "https://"),
        ({"TRACKER_CHANNELS": '[{"name": "s", "kind": "slack", "url": "https://h.example/s",'
                              ' "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}]'},
         "takes no secret"),
    ],
)  # fmt: skip
def test_every_command_refuses_the_same_channels(
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    message: str,
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    errors = set()
    for command in (("status",), ("status", "--json"), ("check",), ("channels",)):
        result = cli(*command)
        assert_one_line_error(result, contains=message)
        assert "hunter2" not in result.err
        errors.add(result.err)
    assert len(errors) == 1  # one validation, worded once
