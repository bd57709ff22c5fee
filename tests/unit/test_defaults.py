"""Each default once: shared/platform/defaults.py holds what the product does unless a
deployment says otherwise; the deployment's configuration and the functions' settings start
from it, and cdk.json names only what a deployment sets or changes."""

from __future__ import annotations

import json
from pathlib import Path

from infra.config import DeployConfig
from shared.platform import defaults, settings

ROOT = Path(__file__).resolve().parents[2]


def test_cdk_json_restates_no_default() -> None:
    given = json.loads((ROOT / "cdk.json").read_text())["context"]["leaders:config"]
    restated = {key for key, field in DeployConfig.model_fields.items()
                if key in given and not field.is_required()
                and given[key] in (field.default, list(field.default)
                                   if isinstance(field.default, tuple) else field.default)}
    assert not restated


def test_configuration_and_settings_take_their_defaults_from_one_place() -> None:
    """A default written twice (say 365 in the configuration and 365 in a setting) drifts:
    every default a configuration field and a setting give is a value of shared.platform.defaults,
    and a setting and the configuration field it is deployed from give the same."""
    known = {v for k, v in vars(defaults).items() if k.isupper()}
    config = {k: f.default for k, f in DeployConfig.model_fields.items()
              if isinstance(f.default, int) and not isinstance(f.default, bool)}
    assert set(config.values()) <= known
    pairs = {"reminder_days_before": (settings.RegistrationSettings, "reminder_days_before"),
             "registration_retention_days": (settings.RegistrationSettings, "retention_days"),
             "registration_confirm_link_hours": (settings.RegistrationSettings,
                                                 "confirm_link_hours"),
             "registration_mail_interval_minutes": (settings.RegistrationSettings,
                                                    "mail_interval_minutes"),
             "advisory_retention_days": (settings.AdvisorySettings, "retention_days"),
             "consultant_reply_days": (settings.AdvisorySettings, "consultant_reply_days")}
    for key, (model, field) in pairs.items():
        assert DeployConfig.model_fields[key].default == model.model_fields[field].default, key
