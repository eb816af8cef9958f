"""The counter's request form: the fields of :class:`~jichi.certificates.schemas.CertificateIn`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jichi.certificates.models import CertificateKind, RequesterCategory
from jichi.certificates.schemas import CertificateIn, OptionsIn, RequesterIn

PURPOSES = [
    ("", _("Choose…")),
    ("本人確認書類として", "本人確認書類として"),
    ("各種手続への添付", "各種手続への添付"),
    ("年金・保険の手続", "年金・保険の手続"),
    ("相続・登記の手続", "相続・登記の手続"),
    ("第三者請求（理由は別記）", "第三者請求（理由は別記）"),
]
OPTION_LABELS = {
    "head": _("Head of household (世帯主)"),
    "relationship": _("Relationship (続柄)"),
    "previous_address": _("Previous address (前住所)"),
    "domicile": _("Registered domicile and head of the family register (本籍・筆頭者)"),
    "my_number": _("Individual number (個人番号)"),
    "resident_code": _("Resident record code (住民票コード)"),
}


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Certificate"), choices=CertificateKind.choices)
    person = forms.CharField(label=_("Resident number (宛名番号)"), max_length=20)
    household = forms.BooleanField(label=_("Whole household (世帯全員)"), required=False)
    as_of = forms.DateField(
        label=_("As of (記載事項証明書 only)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    head = forms.BooleanField(label=OPTION_LABELS["head"], required=False, initial=True)
    relationship = forms.BooleanField(
        label=OPTION_LABELS["relationship"], required=False, initial=True
    )
    previous_address = forms.BooleanField(
        label=OPTION_LABELS["previous_address"], required=False, initial=True
    )
    domicile = forms.BooleanField(label=OPTION_LABELS["domicile"], required=False)
    my_number = forms.BooleanField(label=OPTION_LABELS["my_number"], required=False)
    resident_code = forms.BooleanField(label=OPTION_LABELS["resident_code"], required=False)
    category = forms.ChoiceField(label=_("Requester"), choices=RequesterCategory.choices)
    requester_person = forms.CharField(
        label=_("Requester's resident number"),
        required=False,
        help_text=_("for a request by someone of the same household"),
    )
    requester_name = forms.CharField(label=_("Requester's name"), required=False, max_length=200)
    requester_birth_date = forms.DateField(
        label=_("Requester's date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    requester_address = forms.CharField(
        label=_("Requester's address"), required=False, max_length=200
    )
    power_of_attorney = forms.CharField(
        label=_("Power of attorney presented (委任状)"),
        required=False,
        max_length=200,
        help_text=_("date and reference of the 委任状, for an agent"),
    )
    reason = forms.CharField(
        label=_("Legitimate reason (third party)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=PURPOSES)

    def to_request(self) -> CertificateIn:
        data = self.cleaned_data
        return CertificateIn(
            kind=data["kind"],
            person=data["person"],
            household=data["household"],
            as_of=data["as_of"],
            options=OptionsIn(**{name: data[name] for name in OPTION_LABELS}),
            requester=RequesterIn(
                category=data["category"],
                person=data["requester_person"],
                name=data["requester_name"],
                birth_date=data["requester_birth_date"],
                address=data["requester_address"],
                power_of_attorney=data["power_of_attorney"],
                reason=data["reason"],
            ),
            purpose=data["purpose"],
        )


# The names of the schema's fields on the form, to put a service's error next to its input.
FIELD_OF = {
    "requester.person": "requester_person",
    "requester.name": "requester_name",
    "requester.power_of_attorney": "power_of_attorney",
    "requester.reason": "reason",
    "requester": "category",
    **{f"options.{name}": name for name in OPTION_LABELS},
}
