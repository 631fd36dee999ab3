"""The settings window: profiles, provider addresses, secrets in the keyring, test connection."""

from supportdesk.ui.settings.form import SettingsForm

__all__ = ["SettingsForm"]
