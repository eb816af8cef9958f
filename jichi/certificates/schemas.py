"""The shape of a certificate request (API body, counter form, self-service)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from jichi.certificates.models import CertificateKind, RequesterCategory
from jichi.common.api import StrictSchema


class OptionsIn(StrictSchema):
    """Items to include (true) or omit (false); unset items follow the defaults."""

    head: bool | None = Field(None, description="世帯主の氏名 (default: included)")
    relationship: bool | None = Field(None, description="世帯主との続柄 (default: included)")
    previous_address: bool | None = Field(None, description="前住所 (default: included)")
    domicile: bool | None = Field(None, description="本籍・筆頭者 (default: omitted)")
    my_number: bool | None = Field(
        None, description="個人番号 (default: omitted; 本人 or same household only)"
    )
    resident_code: bool | None = Field(
        None, description="住民票コード (default: omitted; 本人 or same household only)"
    )


class RequesterIn(StrictSchema):
    category: RequesterCategory = Field(
        description="self 本人, household 同一世帯, agent, third_party"
    )
    person: str = Field(
        "", description="宛名番号 of the requester when a resident (本人, 同一世帯)"
    )
    name: str = Field("", max_length=200, description="the requester's name (代理人, 第三者)")
    birth_date: date | None = Field(None, description="the requester's birth date, when known")
    address: str = Field("", max_length=200)
    power_of_attorney: str = Field(
        "", max_length=200, description="代理人: the 委任状 presented (date, reference)"
    )
    reason: str = Field(
        "", max_length=2000, description="第三者: the legitimate reason (法12条の3)"
    )


class CertificateIn(StrictSchema):
    kind: CertificateKind
    person: str = Field(description="宛名番号 of the person the certificate is about")
    household: bool = Field(False, description="世帯全員 (世帯連記) instead of the person alone")
    as_of: date | None = Field(None, description="記載事項証明書 only: the content as of this date")
    options: OptionsIn = Field(default_factory=OptionsIn)
    requester: RequesterIn
    purpose: str = Field(min_length=2, max_length=200, description="請求の事由 (audited)")
