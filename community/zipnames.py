"""Zip entry names that stay inside the folder a pack is unpacked in, on every system."""
import os
import re
import unicodedata

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
RESERVED = re.compile(r'[<>:"|?*]')
WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(1, 10)),
                   *(f"LPT{n}" for n in range(1, 10))}


def safe_part(text, fallback="_", last=False):
    """One path component, safe on every system: a path given as a name (../../evil.pdf,
    C:\\扫描\\合同.pdf) keeps only its last part when `last`, else its separators become
    underscores; no control characters, no reserved characters, no leading dots."""
    text = unicodedata.normalize("NFC", str(text if text is not None else ""))
    text = CONTROL.sub("", text)
    if last:
        text = re.split(r"[\\/]", text)[-1]
    text = re.sub(r"[\\/]", "_", text)
    text = RESERVED.sub("_", text).strip(" .")
    if text.split(".")[0].upper() in WINDOWS_DEVICES:
        text = "_" + text
    if len(text) > 80:
        stem, ext = os.path.splitext(text)
        ext = ext if len(ext) <= 10 else ""
        text = stem[:80 - len(ext)].rstrip(" .") + ext
    return text or fallback


def check_arcname(name):
    """Refuse a zip entry name that could leave the folder it is unpacked in."""
    parts = name.split("/")
    if (not name or name.startswith("/") or "\\" in name or CONTROL.search(name)
            or ":" in name or any(p in ("", ".", "..") for p in parts)):
        raise ValueError(f"unsafe zip entry name {name!r}")
    return name


class Names:
    """Entry names made unique (case-insensitively: Windows and macOS unpack them)."""

    def __init__(self):
        self.used = set()

    def unique(self, folder, filename):
        stem, ext = os.path.splitext(filename)
        candidate, n = filename, 1
        while f"{folder}/{candidate}".lower() in self.used:
            n += 1
            candidate = f"{stem} ({n}){ext}"
        name = check_arcname(f"{folder}/{candidate}" if folder else candidate)
        self.used.add(name.lower())
        return name
