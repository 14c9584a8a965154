"""Repair: the named text repairs (encoding, markup, page furniture, paragraphs, OCR), each
reporting what it changed."""
