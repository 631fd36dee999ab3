"""Configuration per CLI.md: precedence, profiles, errors naming file, line and key; secrets."""

from __future__ import annotations

import pytest

from supportdesk.config import ConfigError, MissingSecret, Secrets, load_config, secret_env_var

GOOD = """profile = "production"

[profiles.production.cardlytics]
base_url = "https://pub-api-eu.prod.cardlytics.com/csaapi/v2"
auth_header = "X-Api-Key"

[profiles.production.radar]
base_url = "https://api.feedback.fyi"
username = "acme-desk"
client_id = "8291a9ed952342c5b5fe2915f2189e7c"

[profiles.production.webhook]
host = "127.0.0.1"
port = 8766
"""


def _write(tmp_path, text):
    p = tmp_path / "config.toml"
    p.write_text(text)
    return p


def test_file_profile_and_sections(tmp_path):
    cfg = load_config(_write(tmp_path, GOOD), tmp_path / "data", env={})
    assert cfg.profile == "production" and not cfg.is_sandbox
    assert cfg.section("radar")["username"] == "acme-desk"
    assert cfg.db_path == tmp_path / "data" / "production" / "supportdesk.db"
    with pytest.raises(ConfigError, match=r"no \[profiles.production.support\]"):
        cfg.section("support")


def test_precedence_flag_env_file(tmp_path):
    path = _write(tmp_path, GOOD + '\n[profiles.staging.wasabi]\npost_url = "http://x/e"\n')
    env = {"SUPPORTDESK_CONFIG": str(path), "SUPPORTDESK_PROFILE": "staging",
           "SUPPORTDESK_DATA_DIR": str(tmp_path / "env-data")}
    cfg = load_config(env=env)
    assert cfg.profile == "staging" and cfg.data_dir == tmp_path / "env-data"
    cfg = load_config(profile="production", data_dir=tmp_path / "flag", env=env)
    assert cfg.profile == "production" and cfg.data_dir == tmp_path / "flag"


def test_no_file_means_builtin_sandbox(tmp_path):
    cfg = load_config(data_dir=tmp_path, env={"SUPPORTDESK_CONFIG_UNUSED": "1",
                                              "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)})
    assert cfg.profile == "sandbox"


@pytest.mark.parametrize("text, where", [
    (GOOD.replace('username = "acme-desk"', 'username = "a"\npassword = "hunter2"'),
     r"config.toml:10: profiles.production.radar.password: unknown key; secrets never live"),
    (GOOD.replace("[profiles.production.webhook]", "[profiles.production.webhooks]"),
     r"config.toml:12: \[profiles.production.webhooks\]: unknown section"),
    (GOOD.replace('username = "acme-desk"\n', ""),
     r"config.toml:7: \[profiles.production.radar\]: missing required setting 'username'"),
    (GOOD.replace("port = 8766", 'port = "x"'), r"config.toml:14: profiles.production.webhook.port"),
    (GOOD.replace('auth_header = "X-Api-Key"', 'timeout = "30"'),
     r"config.toml:5: profiles.production.cardlytics.timeout: must be a number of seconds"),
    (GOOD.replace('auth_header = "X-Api-Key"', "timeout = 0"), r"profiles.production.cardlytics.timeout"),
    (GOOD.replace('base_url = "https://api.feedback.fyi"', 'base_url = "ftp://x"'),
     r"config.toml:8: profiles.production.radar.base_url: must be an http\(s\) URL"),
    ("colour = 1\n" + GOOD, r"config.toml:1: colour: unknown key"),
    (GOOD + '[profiles.staging.support]\nbase_urll = "http://x"\n',
     r"config.toml:16: profiles.staging.support.base_urll: unknown key"),  # not the profile in use
    (GOOD + "[broken\n", r"config.toml: "),
])
def test_errors_name_file_line_and_key(tmp_path, text, where):
    with pytest.raises(ConfigError, match=where):
        load_config(_write(tmp_path, text), tmp_path, env={})


def test_a_providers_timeout_comes_from_the_file(tmp_path):
    import asyncio

    from supportdesk.app import build_services

    text = GOOD.replace('auth_header = "X-Api-Key"', "timeout = 2.5").replace(
        'client_id = "8291a9ed952342c5b5fe2915f2189e7c"', 'client_id = "8291a9ed952342c5b5fe2915f2189e7c"\ntimeout = 45')
    cfg = load_config(_write(tmp_path, text), tmp_path / "data", env={})
    services = build_services(cfg)
    try:
        timeouts = {name: c.http.timeout for name, c in services.clients.items()}
        assert (timeouts["cardlytics"].read, timeouts["cardlytics"].connect) == (2.5, 2.5)
        assert (timeouts["radar"].read, timeouts["radar"].connect) == (45, 5.0)
    finally:
        asyncio.run(services.aclose())


def test_unknown_profile_and_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="profile 'nope' is not defined"):
        load_config(_write(tmp_path, GOOD), tmp_path, profile="nope", env={})
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.toml", tmp_path, env={})


class _Keyring:
    def __init__(self, fail=False):
        self.data, self.fail = {}, fail

    def get_password(self, service, user):
        if self.fail:
            raise RuntimeError("No recommended backend was available")
        return self.data.get((service, user))

    def set_password(self, service, user, value):
        self.data[(service, user)] = value


def test_secrets_env_then_keyring_and_clear_missing_error():
    kr = _Keyring()
    s = Secrets("production", env={"SUPPORTDESK_SECRET_RADAR_PASSWORD": "from-env"}, keyring_module=kr)
    assert s.get("radar", "password") == "from-env"
    s.set("offers_feedback", "apikey", "from-keyring")
    assert kr.data[("supportdesk/production", "offers_feedback.apikey")] == "from-keyring"
    assert s.get("offers_feedback", "apikey") == "from-keyring"
    with pytest.raises(MissingSecret, match="SUPPORTDESK_SECRET_WEBHOOK_SECRET"):
        s.get("webhook", "secret")
    assert secret_env_var("offers_feedback", "apikey") == "SUPPORTDESK_SECRET_OFFERS_FEEDBACK_APIKEY"


def test_no_keyring_backend_counts_as_not_set():
    s = Secrets("p", env={}, keyring_module=_Keyring(fail=True))
    assert s.find("radar", "password") is None
    with pytest.raises(MissingSecret):
        s.get("radar", "password")


def test_the_documented_example_config_loads():
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "docs" / "config.example.toml"
    cfg = load_config(example, "/tmp/unused", env={})
    assert cfg.profile == "production" and set(cfg.settings) == {
        "cardlytics", "support", "radar", "offers_feedback", "wasabi", "webhook"}


def test_the_last_parse_is_kept_in_the_data_dir_for_the_same_text_only(tmp_path, monkeypatch):
    import sys

    data = tmp_path / "data"
    data.mkdir()
    path = _write(tmp_path, GOOD)
    first = load_config(path, data, env={})
    assert (data / "config.parsed").is_file()
    monkeypatch.setitem(sys.modules, "tomllib", None)  # any parse now fails to import tomllib
    again = load_config(path, data, env={})
    assert again.settings == first.settings and again.profile == "production"
    path.write_text(GOOD.replace("acme-desk", "other-desk"))  # new text: parsed again
    with pytest.raises(ImportError):
        load_config(path, data, env={})
    monkeypatch.delitem(sys.modules, "tomllib")
    assert load_config(path, data, env={}).section("radar")["username"] == "other-desk"


def test_a_rejected_file_is_never_kept(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    bad = GOOD.replace('username = "acme-desk"', 'username = "acme-desk"\npassword = "hunter2"')
    with pytest.raises(ConfigError, match="password"):
        load_config(_write(tmp_path, bad), data, env={})
    assert not (data / "config.parsed").exists()
    load_config(_write(tmp_path, GOOD), tmp_path / "missing", env={})  # no data dir yet: nothing kept
    assert not (tmp_path / "missing").exists()
