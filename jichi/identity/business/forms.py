"""The forms of the business pages: fields named as the services' arguments."""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jichi.common.checkdigits import normalize_digits
from jichi.common.errors import RuleViolation
from jichi.identity.business.models import MemberRole


def show_errors(form: forms.Form, exc: RuleViolation, aliases: dict[str, str] | None = None):
    """Put each error of ``exc`` on its field of ``form`` (or on the form as a whole).

    ``aliases`` names the form's field for a service's field of another name.
    """
    for error in exc.errors or [exc]:
        field = (aliases or {}).get(error.field or "", error.field)
        field = field if field in form.fields else None
        form.add_error(field, error.message(get_language()))


class RegisterForm(forms.Form):
    """A new business account and its first administrator (platform operators)."""

    corporate_number = forms.CharField(
        label=_("Corporate number (法人番号)"),
        max_length=30,
        help_text=_("13 digits, as published by the National Tax Agency"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Legal name (商号又は名称)"), max_length=150)
    head_office_address = forms.CharField(
        label=_("Head office address (本店所在地)"), max_length=300
    )
    administrator_name = forms.CharField(label=_("Administrator's name"), max_length=100)
    administrator_email = forms.CharField(
        label=_("Administrator's e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )

    def clean_corporate_number(self) -> str:
        return normalize_digits(self.cleaned_data["corporate_number"])


class MemberForm(forms.Form):
    """A member added by an administrator."""

    name = forms.CharField(label=_("Name"), max_length=100)
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.MEMBER)


class PasswordForm(forms.Form):
    """A member's own new password."""

    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        help_text=_("At least 12 characters, hard to guess"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data
