"""Reading FHIR R4 JSON: Bundles, resources and ``$export`` NDJSON, and the element helpers the
ROR import uses. A ``Malformed`` names the element (FHIR path) that cannot be read."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from knowledge.directory.errors import DirectoryDataError, Problem

MIDNIGHT = time(0)
TRE_RE = re.compile(r"(TRE[_-]R\d+)")
TIME_RE = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)(?::([0-5]\d)(?:\.\d+)?)?$")
DIGITS_RE = re.compile(r"\D")


def read_resources(path: Path) -> list[tuple[str, dict]]:
    """(file name, resource) for every resource of a Bundle, resource or NDJSON file/folder."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".ndjson", ".json"))
        if not files:
            raise DirectoryDataError([Problem(str(path), "aucun fichier .ndjson ou .json")])
    elif path.is_file():
        files = [path]
    else:
        raise DirectoryDataError([Problem(str(path), "fichier ou dossier introuvable")])
    out: list[tuple[str, dict]] = []
    problems: list[Problem] = []
    for f in files:
        try:
            text = f.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(f.name, f"pas du texte UTF-8 (octet {exc.start})"))
            continue
        if f.suffix == ".ndjson":
            docs = []
            for n, line in enumerate(text.splitlines(), start=1):
                if line.strip():
                    try:
                        docs.append(json.loads(line))
                    except json.JSONDecodeError as exc:
                        problems.append(Problem(f.name, f"ligne {n} : JSON invalide ({exc.msg})"))
        else:
            try:
                docs = [json.loads(text)]
            except json.JSONDecodeError as exc:
                problems.append(Problem(f.name, f"JSON invalide (ligne {exc.lineno}, colonne "
                                                f"{exc.colno}) : {exc.msg}"))
                continue
        for doc in docs:
            if isinstance(doc, dict) and doc.get("resourceType") == "Bundle":
                entries = doc.get("entry") or []
                if not isinstance(entries, list):
                    problems.append(Problem(f.name, "Bundle.entry doit être une liste",
                                            field="Bundle.entry"))
                    continue
                for i, entry in enumerate(entries):
                    res = entry.get("resource") if isinstance(entry, dict) else None
                    if not isinstance(res, dict):
                        problems.append(Problem(f.name, "entrée sans ressource",
                                                field=f"Bundle.entry[{i}].resource"))
                    else:
                        out.append((f.name, res))
            elif isinstance(doc, dict) and isinstance(doc.get("resourceType"), str):
                out.append((f.name, doc))
            else:
                problems.append(Problem(f.name, "ressource FHIR attendue (resourceType manquant)"))
    if problems:
        raise DirectoryDataError(problems)
    return out


class Malformed(Exception):
    def __init__(self, element: str, message: str):
        super().__init__(message)
        self.element, self.message = element, message


def as_list(value: Any, element: str) -> list:
    if value is None:
        return []
    if isinstance(value, dict):  # a 0..1 element some producers write as an object
        return [value]
    if not isinstance(value, list):
        raise Malformed(element, f"liste attendue, trouvé {type(value).__name__}")
    return value


def extensions(node: dict, name: str, element: str) -> list[dict]:
    """Extensions of ``node`` whose URL ends with ``name`` (ROR URL, old or new base)."""
    out = []
    for i, ext in enumerate(as_list(node.get("extension"), f"{element}.extension")):
        if not isinstance(ext, dict) or not isinstance(ext.get("url"), str):
            raise Malformed(f"{element}.extension[{i}]", "extension sans url")
        url = ext["url"]
        if url == name or url.rstrip("/").rsplit("/", 1)[-1] == name:
            out.append(ext)
    return out


def codings(concept: Any, element: str) -> list[tuple[str, str, str]]:
    """(code system short name such as "TRE_R66", code, display) of a CodeableConcept."""
    if concept is None:
        return []
    if not isinstance(concept, dict):
        raise Malformed(element, "CodeableConcept attendu")
    out = []
    for i, coding in enumerate(as_list(concept.get("coding"), f"{element}.coding")):
        if not isinstance(coding, dict) or coding.get("code") is None:
            raise Malformed(f"{element}.coding[{i}]", "coding sans code")
        system = str(coding.get("system") or "")
        match = TRE_RE.search(system)
        name = match.group(1).replace("-", "_") if match else system
        out.append((name, str(coding["code"]), str(coding.get("display") or "")))
    return out


def code_of(concept: Any, element: str) -> str | None:
    codes = codings(concept, element)
    return codes[0][1] if codes else None


def fhir_date(value: Any, element: str) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Malformed(element, f"date attendue, trouvé {value!r}")
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        raise Malformed(element, f"{value!r} n'est pas une date FHIR") from None


def fhir_time(value: Any, element: str) -> time:
    match = TIME_RE.match(value) if isinstance(value, str) else None
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        raise Malformed(element, f"{value!r} n'est pas une heure hh:mm:ss")
    hour = int(match.group(1))
    return MIDNIGHT if hour == 24 else time(hour, int(match.group(2)))


def phone(value: str) -> str:
    digits = DIGITS_RE.sub("", value)
    if digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    if len(digits) == 10 and digits.startswith("0"):
        return " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    return value.strip()


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def codings_list(value: Any, element: str) -> list[tuple[str, str, str]]:
    out = []
    for i, concept in enumerate(as_list(value, element)):
        out += codings(concept, f"{element}[{i}]")
    return out


def age(quantity: Any, element: str) -> int | None:
    if quantity is None:
        return None
    value = quantity.get("value") if isinstance(quantity, dict) else None
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 150:
        raise Malformed(element, f"âge attendu, trouvé {quantity!r}")
    return int(value)


def address(addr: Any, element: str) -> str | None:
    if addr is None:
        return None
    addr = addr[0] if isinstance(addr, list) and addr else addr
    if not isinstance(addr, dict):
        raise Malformed(element, "Address attendue")
    lines = [x for x in as_list(addr.get("line"), f"{element}.line") if isinstance(x, str)]
    city = " ".join(x for x in (addr.get("postalCode"), addr.get("city")) if isinstance(x, str))
    text = ", ".join(x.strip() for x in [*lines, city] if x and x.strip())
    if city and lines and city.lower() in lines[-1].lower():  # "7 rue … 78000 Versailles"
        text = ", ".join(x.strip() for x in lines)
    return text[:300] or None
