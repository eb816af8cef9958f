"""A certificate's signed PDF: the register's rows → the renderer's content → signed bytes.

The options of the request decide what is printed (an omitted item is left
out of the content, not blanked); the content is read as of the
certificate's date; the PDF is signed with the municipality's
document-signing certificate from the platform CA.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone

from jichi.certificates import pdf
from jichi.certificates.models import Certificate, IssuerProfile
from jichi.certificates.pdf.content import (
    CertificateContent,
    ForeignItems,
    Issuer,
    Kind,
    Movement,
    PersonRow,
    Removal,
)
from jichi.certificates.rules import Assessment, Row
from jichi.common.secrets import open_my_number
from jichi.identity.services.documents import Signer, document_signer
from jichi.registry import selectors
from jichi.registry.codes import Article30_45, ResidenceStatus, ResidentKind
from jichi.registry.dates import UncertainDate
from jichi.registry.display import address_of
from jichi.registry.models import PersonVersion
from jichi.tenancy.models import Municipality


def issuer_of(municipality: Municipality, profile: IssuerProfile) -> Issuer:
    city = municipality.parent if municipality.kind == "ward" and municipality.parent else None
    title = profile.mayor_title or f"{(city or municipality).name}長"
    return Issuer(
        code=municipality.code,
        name=municipality.display_name,
        prefecture=municipality.prefecture_name,
        mayor_title=title,
        mayor_name=profile.mayor_name,
    )


def content_of(
    municipality: Municipality,
    profile: IssuerProfile,
    certificate: Certificate,
    assessment: Assessment,
) -> CertificateContent:
    options = assessment.options
    first = assessment.rows[0].version
    return CertificateContent(
        kind=Kind(certificate.kind),
        issuer=issuer_of(municipality, profile),
        persons=tuple(_person(municipality, row, options) for row in assessment.rows),
        address=_full_address(municipality, first),
        issued_on=timezone.localdate(certificate.issued_at),
        serial=str(certificate.serial),
        certificate_id=certificate.id,
        verify_url=f"{settings.JICHI_PUBLIC_URL}/verify/{certificate.id}",
        household_head=_head(first, assessment) if options["head"] else None,
        whole_household=assessment.household is not None,
        as_of=assessment.as_of if certificate.kind == "entry_certificate" else None,
        fee=certificate.fee,
        requester=certificate.get_requester_category_display(),
    )


def _full_address(municipality: Municipality, version: PersonVersion) -> str:
    address = address_of(municipality, version)
    return f"{address}　{version.building}" if version.building else address


def _head(version: PersonVersion, assessment: Assessment) -> str | None:
    if version.household_id is None:
        return None
    members = selectors.household_members(version.household, assessment.as_of)
    if not members and assessment.rows[0].ended_on:  # 除票, 転出: the household they left
        members = [r.version for r in assessment.rows]
    heads = [m for m in members if m.is_head]
    return heads[0].full_name if heads else None


def _person(municipality: Municipality, row: Row, options: dict[str, bool]) -> PersonRow:
    v = row.version
    foreign = v.kind == ResidentKind.FOREIGN
    my_number = None
    if options["my_number"] and v.my_number_cipher:
        my_number = open_my_number(bytes(v.my_number_cipher), municipality.code)
    return PersonRow(
        name=v.full_name,
        kana=v.full_name_kana,
        birth_date=UncertainDate(v.birth_date, v.birth_precision, v.birth_note),
        sex=v.get_sex_display(),
        relationship=v.relationship if options["relationship"] else None,
        became_resident_on=v.became_resident_on,
        address_since=v.address_since,
        previous_address=v.previous_address if options["previous_address"] else None,
        domicile=v.domicile if options["domicile"] and not foreign else None,
        domicile_head=v.domicile_head if options["domicile"] and not foreign else None,
        my_number=my_number,
        resident_code=(v.resident_code or None) if options["resident_code"] else None,
        former_surname=v.former_surname,
        alias=v.alias,
        foreign=_foreign(v) if foreign else None,
        movements=(
            Movement(
                reason=v.get_reason_display(),
                effective_on=v.valid_from,
                notified_on=v.movement.notified_on,
            ),
        ),
        removal=_removal(row),
    )


def _foreign(v: PersonVersion) -> ForeignItems:
    status = (
        ResidenceStatus(v.residence_status).label
        if v.residence_status in ResidenceStatus.values
        else v.residence_status
    )
    return ForeignItems(
        nationality=v.nationality,
        article_30_45=Article30_45(v.article_30_45).label if v.article_30_45 else "",
        residence_status=status,
        residence_period=v.residence_period,
        residence_expiry=v.residence_expiry,
        residence_card_no=v.residence_card_no,
        became_foreign_resident_on=v.became_foreign_resident_on,
    )


def _removal(row: Row) -> Removal | None:
    if row.ended_on is None:
        return None
    return Removal(
        reason=row.ended_reason,
        effective_on=row.ended_on,
        destination=row.destination,
        planned=row.ended_on > timezone.localdate(),
    )


def pdf_response(certificate: Certificate, *, download: bool = False) -> HttpResponse:
    """The HTTP answer carrying an issued certificate's PDF (its reading audited by the caller)."""
    response = HttpResponse(bytes(certificate.pdf), content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = (
        f'{disposition}; filename="certificate-{certificate.serial}.pdf"'
    )
    return response


def signed_pdf(
    municipality: Municipality,
    profile: IssuerProfile,
    certificate: Certificate,
    assessment: Assessment,
) -> bytes:
    """The certificate rendered and signed with the municipality's document certificate."""
    content = content_of(municipality, profile, certificate, assessment)
    return pdf.render_signed(content, _pdf_signer(document_signer(municipality.code)))


@lru_cache(maxsize=256)
def _pdf_signer(signer: Signer) -> pdf.Signer:
    # One per signing certificate and process: it keeps pyhanko's signer ready.
    return pdf.Signer(key=signer.key, cert=signer.cert, chain=signer.chain)
