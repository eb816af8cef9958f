"""Certificates of the register (住民票の写し, 記載事項証明書, 除票の写し, 転出証明書).

``jichi.certificates.pdf`` is the pure library that renders a certificate as an A4 PDF,
signs it (PAdES) and validates signed PDFs; it reads no database and knows no model.
"""
