"""A synthetic corpus of N plans shaped like the real ones, seeded and deterministic.

The five curated plans in ``data/ttl/`` are the templates. Each synthetic plan is one template
rewritten for a synthetic city: its slug, every IRI minted for the plan and the city's
departments, the city's Chinese and English names in every label and quoted text, the source
text's hash, and the numeric targets. Everything else is kept as it is — sections, goals,
indicators, tasks, qualified assignments with roles and list positions, phases, safeguards,
citations of the shared documents, provenance spans with their exact quotes — so the corpus has
the real plans' shape, vocabulary use and triples per plan (about 2,600), only more of it.

Synthetic Chinese city names have as many characters as the template's, so character offsets of
the provenance spans stay correct; with ``sources=True`` the rewritten source texts are written
too (``<out>/sources/<slug>.txt``) and every ``oa:exact`` quote is found at its offsets.

Each synthetic city has one to three plans from templates of different years (cities in China
issue several plans over the years), so slugs are ``<city>-<year>`` like the real ones.

Layout written (what ``IPKG_PLANS_DIR`` expects)::

    <out>/<slug>.ttl ...          one file per plan
    <out>/shared/documents.ttl    the cited documents (copied)
    <out>/shared/places.ttl       the real places plus one ipkg:City per synthetic city
    <out>/shared/departments/<city>.ttl
                                  each synthetic city's departments: those of its plans' templates,
                                  rewritten; a department key two templates share is described once
                                  (by the city's first template), as a real city's bodies are
    <out>/sources/<slug>.txt      optional

Command line: ``python -m benchmarks.generate --plans 500 --out /tmp/corpus-500 [--seed 8]``.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as out:
...     summary = generate(7, out, seed=1)
...     files = sorted(p.name for p in Path(out).glob("*.ttl"))
>>> summary["plans"], len(files)
(7, 7)
"""

from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PLACE = "https://w3id.org/ipkg/id/place/"
ORG = "https://w3id.org/ipkg/id/org/"

# Characters that commonly make up Chinese place names; synthetic names are drawn from them.
_ZH_POOL = "安宁平阳江山海河湖东西南北中新华兴昌盛泰康永长清云庆德丰福临宜武文明光远定元开化沙石林桂春秋湘滨源溪岭州城"
_EN_SYLLABLES = ["an", "bao", "chang", "da", "dong", "feng", "fu", "gao", "guang", "hai", "he", "hua", "jian",
                 "jin", "kang", "lin", "long", "ming", "nan", "ning", "ping", "qing", "rui", "shan", "tai",
                 "wen", "xi", "xin", "yang", "yong", "yuan", "zhen"]


@dataclass(frozen=True)
class Template:
    """One curated plan used as a pattern."""

    slug: str
    city: str
    zh: str          # the city's Chinese name without 市, e.g. 泰兴
    en: str          # the city's English name, e.g. Taixing
    year: str
    text: str        # the plan's Turtle
    source: str | None
    place: str       # the city's Turtle block in places.ttl
    departments: str  # the city's department file


def _place_blocks(places_ttl: str) -> dict[str, str]:
    blocks = {}
    for block in places_ttl.split("\n\n"):
        match = re.match(r"<" + re.escape(PLACE) + r"([a-z0-9.\-]+)>", block.strip())
        if match:
            blocks[match[1]] = block.strip()
    return blocks


def load_templates(plans_dir: Path | None = None, sources_dir: Path | None = None) -> list[Template]:
    """The real plans as templates, sorted by slug."""
    plans_dir = plans_dir or REPO / "data" / "ttl"
    sources_dir = sources_dir or REPO / "data" / "sources"
    blocks = _place_blocks((plans_dir / "shared" / "places.ttl").read_text(encoding="utf-8"))
    templates = []
    for path in sorted(plans_dir.glob("*.ttl")):
        text = path.read_text(encoding="utf-8")
        slug = path.stem
        city = re.search(r"ipkg:city <" + re.escape(PLACE) + r"([a-z0-9.\-]+)>", text)[1]
        place = blocks[city]
        zh = re.search(r'rdfs:label "([^"]+)"@zh', place)[1].removesuffix("市")
        en = re.search(r'"([^"]+)"@en', place)[1]
        source = sources_dir / f"{slug}.txt"
        departments = (plans_dir / "shared" / "departments" / f"{city}.ttl").read_text(encoding="utf-8")
        templates.append(Template(slug, city, zh, en, slug.rsplit("-", 1)[1], text,
                                  source.read_text(encoding="utf-8") if source.exists() else None, place,
                                  departments))
    if not templates:
        raise SystemExit(f"no template plans in {plans_dir}")
    return templates


def _city_names(rng: random.Random, count: int, lengths: list[int]) -> list[tuple[str, str]]:
    """``count`` distinct (zh, en) names; the zh name of city k has ``lengths[k]`` characters."""
    names, seen = [], set()
    for k in range(count):
        while True:
            zh = "".join(rng.choice(_ZH_POOL) for _ in range(lengths[k]))
            if zh not in seen:
                break
        seen.add(zh)
        en = "".join(rng.choice(_EN_SYLLABLES) for _ in range(2)).capitalize()
        names.append((zh, en))
    return names


def plan_layout(n: int, templates: list[Template], seed: int) -> list[tuple[int, Template]]:
    """Which template each of ``n`` plans uses and which synthetic city (index) it belongs to.

    Cities get one to three plans whose templates have different years (so slugs are unique) and
    city names of the same length (so one synthetic name fits every plan of the city).
    """
    rng = random.Random(seed)
    layout: list[tuple[int, Template]] = []
    city = 0
    while len(layout) < n:
        wanted = min(rng.choice((1, 1, 2, 2, 3)), n - len(layout))
        order = templates[:]
        rng.shuffle(order)
        years: set[str] = set()
        for template in order:
            if len(years) == wanted:
                break
            if template.year not in years and len(template.zh) == len(order[0].zh):
                years.add(template.year)
                layout.append((city, template))
        city += 1
    return layout


_VALUE = re.compile(r'(ipkg:targetValue(?:Max)? )"([0-9.]+)"\^\^xsd:decimal')


def _scale_values(text: str, factor: Decimal) -> str:
    """Multiply every numeric target by ``factor``, keeping the printed number of decimals;
    percentages are kept as they are (a rate of 95 % scaled up would no longer be a rate)."""
    blocks = text.split("\n\n")
    return "\n\n".join(block if "/unit/percent>" in block else _scale_block(block, factor) for block in blocks)


def _scale_block(text: str, factor: Decimal) -> str:

    def scale(match: re.Match) -> str:
        value = Decimal(match[2])
        places = Decimal(1).scaleb(value.as_tuple().exponent) if value.as_tuple().exponent < 0 else Decimal(1)
        new = (value * factor).quantize(places)
        return f'{match[1]}"{new}"^^xsd:decimal'

    return _VALUE.sub(scale, text)


def _rename_city(text: str, template: Template, city: str, zh: str, en: str) -> str:
    text = text.replace(f"{ORG}{template.city}/", f"{ORG}{city}/")
    text = text.replace(f"<{PLACE}{template.city}>", f"<{PLACE}{city}>")
    return text.replace(template.zh, zh).replace(template.en, en)


def city_departments(templates: list[Template], city: str, zh: str, en: str, seed: int) -> str:
    """The department file of a synthetic city whose plans come from ``templates`` (in order)."""
    prefixes, blocks = set(), {}
    for template in templates:
        for block in template.departments.split("\n\n"):  # header comment, prefixes, one block per department
            block = _rename_city(block.strip(), template, city, zh, en)
            if block.startswith("@prefix"):
                prefixes.update(block.splitlines())
            elif block.startswith("<"):
                blocks.setdefault(block.split("\n", 1)[0], block)
    header = f"# Departments of {city}: synthetic, written by benchmarks/generate.py (seed {seed})."
    return "\n\n".join([header, "\n".join(sorted(prefixes)), *(blocks[k] for k in sorted(blocks))]) + "\n"


def rewrite(template: Template, slug: str, city: str, zh: str, en: str, factor: Decimal) -> tuple[str, str | None]:
    """The template's Turtle (and source text) rewritten for a synthetic plan."""
    source = template.source.replace(template.zh, zh) if template.source is not None else None
    text = _rename_city(template.text.replace(template.slug, slug), template, city, zh, en)
    if source is not None:
        digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
        text = re.sub(r'ipkg:sha256 "[0-9a-f]{64}"', f'ipkg:sha256 "{digest}"', text)
    return _scale_values(text, factor), source


def generate(n: int, out: Path | str, *, seed: int = 8, sources: bool = False,
             templates: list[Template] | None = None) -> dict:
    """Write a corpus of ``n`` synthetic plans to ``out`` (emptied first); return a summary.

    The same ``n`` and ``seed`` always give byte-identical files.
    """
    out = Path(out)
    templates = templates or load_templates()
    layout = plan_layout(n, templates, seed)
    cities = (layout[-1][0] + 1) if layout else 0
    first_template = {}
    for city, template in layout:
        first_template.setdefault(city, template)
    rng = random.Random(seed * 7919 + 1)
    names = _city_names(rng, cities, [len(first_template[c].zh) for c in range(cities)])
    if out.exists():
        shutil.rmtree(out)
    (out / "shared" / "departments").mkdir(parents=True)
    if sources:
        (out / "sources").mkdir()
    places = []
    for city_index in range(cities):
        key = f"syn-{city_index:05d}"
        template = first_template[city_index]
        zh, en = names[city_index]
        block = template.place.replace(f"<{PLACE}{template.city}>", f"<{PLACE}{key}>")
        block = block.replace(f'"{template.zh}市"@zh', f'"{zh}市"@zh').replace(f'"{template.en}"@en', f'"{en}"@en')
        places.append(block)
    city_templates: dict[int, list[Template]] = {}
    for city_index, template in layout:
        city_templates.setdefault(city_index, []).append(template)
    for city_index, used in city_templates.items():
        key = f"syn-{city_index:05d}"
        zh, en = names[city_index]
        (out / "shared" / "departments" / f"{key}.ttl").write_text(
            city_departments(used, key, zh, en, seed), encoding="utf-8")
    bytes_written = 0
    for index, (city_index, template) in enumerate(layout):
        key = f"syn-{city_index:05d}"
        zh, en = names[city_index]
        assert len(zh) == len(template.zh)  # span offsets stay exact
        slug = f"{key}-{template.year}"
        factor = Decimal(random.Random(f"{seed}/{slug}").randint(50, 200)) / 100
        text, source = rewrite(template, slug, key, zh, en, factor)
        header = (f"# {slug}: synthetic plan written by benchmarks/generate.py (seed {seed}) from the "
                  f"template {template.slug}.")
        text = header + text[text.index("\n"):]
        data = text.encode("utf-8")
        (out / f"{slug}.ttl").write_bytes(data)
        bytes_written += len(data)
        if sources and source is not None:
            (out / "sources" / f"{slug}.txt").write_text(source, encoding="utf-8")
    real_shared = REPO / "data" / "ttl" / "shared"
    shutil.copyfile(real_shared / "documents.ttl", out / "shared" / "documents.ttl")
    real_places = (real_shared / "places.ttl").read_text(encoding="utf-8").rstrip("\n")
    synthetic = "\n\n".join(places)
    (out / "shared" / "places.ttl").write_text(
        f"{real_places}\n\n# Synthetic cities (benchmarks/generate.py, seed {seed}).\n\n{synthetic}\n", encoding="utf-8")
    return {"plans": len(layout), "cities": cities, "seed": seed, "bytes": bytes_written,
            "templates": {t.slug: sum(1 for _, u in layout if u is t) for t in templates}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plans", type=int, required=True, help="number of plans N")
    parser.add_argument("--out", required=True, help="corpus directory (emptied first)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--sources", action="store_true", help="also write the rewritten source texts")
    args = parser.parse_args(argv)
    summary = generate(args.plans, args.out, seed=args.seed, sources=args.sources)
    print(f"wrote {summary['plans']} plans of {summary['cities']} cities to {args.out} "
          f"({summary['bytes'] / 1e6:.1f} MB of plan Turtle)")


if __name__ == "__main__":
    main()
