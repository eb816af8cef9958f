"""Why a signature is not valid, or what its reader should know: stable codes, two languages."""

from __future__ import annotations

from dataclasses import dataclass

# code -> (Japanese, English); ``{name}`` fields are filled by :func:`finding`.
CATALOGUE: dict[str, tuple[str, str]] = {
    "certificate.missing": (
        "署名者の証明書が署名データに含まれていません。",
        "The signer's certificate is not in the signature.",
    ),
    "signature.algorithm": (
        "署名方式（{algorithm}）には対応していません。"
        "RSA（PKCS#1 v1.5）とSHA-256/384/512を使ってください。",
        "The signature algorithm ({algorithm}) is not accepted: use RSA (PKCS#1 v1.5) "
        "with SHA-256, SHA-384 or SHA-512.",
    ),
    "signature.invalid": (
        "署名値が証明書の公開鍵で検証できません（署名属性の改ざん、または別の鍵での署名）。",
        "The signature value does not verify with the certificate's public key (signed "
        "attributes altered, or signed with another key).",
    ),
    "content.modified": (
        "署名後に内容が変更されています（メッセージダイジェストが一致しません）。",
        "The content was changed after signing (the message digest does not match).",
    ),
    "signing_time.future": (
        "署名時刻（{signing_time}）が受付時刻（{received}）より後です。",
        "The signing time ({signing_time}) is after the time of receipt ({received}).",
    ),
    "chain.untrusted": (
        "証明書がこの基盤の署名用認証局・ルート認証局につながりません（発行者: {issuer}）。",
        "The certificate does not chain to this platform's signing CA and root (issuer: {issuer}).",
    ),
    "certificate.not_signing": (
        "署名用電子証明書ではありません"
        "（利用者証明用・文書署名用の証明書では申請に署名できません）。",
        "This is not a signing certificate (an authentication or document certificate "
        "cannot sign an application).",
    ),
    "certificate.unknown": (
        "証明書が認証局の発行記録にありません。",
        "The certificate is not in the CA's record of issued certificates.",
    ),
    "certificate.not_yet_valid": (
        "署名時刻（{signing_time}）に証明書はまだ有効ではありません"
        "（有効期間の開始 {not_before}）。",
        "At the signing time ({signing_time}) the certificate was not yet valid (valid from "
        "{not_before}).",
    ),
    "certificate.expired": (
        "署名時刻（{signing_time}）に証明書は有効期間が過ぎていました（有効期限 {not_after}）。",
        "At the signing time ({signing_time}) the certificate had expired (valid until "
        "{not_after}).",
    ),
    "certificate.revoked": (
        "証明書は署名時刻（{signing_time}）より前の {revoked_at} に失効しています"
        "（理由: {reason_ja}）。",
        "The certificate was revoked on {revoked_at}, before the signing time "
        "({signing_time}) (reason: {reason}).",
    ),
    "certificate.compromised": (
        "証明書は {revoked_at} に失効しています（理由: {reason_ja}）。鍵が他人の手にある"
        "おそれがあるため、申告された署名時刻（{signing_time}）にかかわらず受け付けません。"
        "新しいカードで署名し直してください。",
        "The certificate was revoked on {revoked_at} (reason: {reason}). The key may be in "
        "someone else's hands, so the signature is refused whatever signing time it states "
        "({signing_time}); sign again with a new card.",
    ),
    "facts.missing": (
        "証明書に基本4情報（{missing_ja}）がありません。",
        "The certificate lacks basic facts ({missing}).",
    ),
    "facts.no_match": (
        "証明書の基本4情報（氏名・生年月日・性別・住所）に一致する住民がいません。",
        "No resident matches the certificate's four basic facts (name, birth date, sex, address).",
    ),
    "facts.ambiguous": (
        "証明書の基本4情報に一致する住民が{count}人います。本人を特定できません。",
        "{count} residents match the certificate's four basic facts: the signer cannot be "
        "told apart.",
    ),
    # Notes: true of a valid signature, worth knowing.
    "certificate.revoked_later": (
        "証明書は署名の後（{revoked_at}）に失効しました（理由: {reason_ja}）。"
        "署名時点では有効です。",
        "The certificate was revoked after signing ({revoked_at}, reason: {reason}); it was "
        "valid when the signature was made.",
    ),
    "signing_time.absent": (
        "署名に署名時刻（signingTime）がないため、受付時刻 {received} で検証しました。",
        "The signature has no signingTime attribute: it was checked as of the time of "
        "receipt, {received}.",
    ),
}


@dataclass(frozen=True)
class Finding:
    code: str
    message_ja: str
    message_en: str

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message_en, "message_ja": self.message_ja}


def finding(code: str, **values) -> Finding:
    ja, en = CATALOGUE[code]
    return Finding(code, ja.format(**values), en.format(**values))
