"""Facts of lianyungang-2016 (连政发〔2016〕132号, 市政府关于进一步加强知识产权工作的实施意见), read from
data/sources/lianyungang-2016.txt by a second reader and checked against the built graph.

Every expected number below was counted in the source text, not in the curation record; the comment
next to it says how.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from ipkg.curate import normalise
from plan_facts import assignment_summary, rows, spans_of_class, task_by_title

SLUG = "lianyungang-2016"
PLAN = f"https://w3id.org/ipkg/id/plan/{SLUG}"
ORG = "https://w3id.org/ipkg/id/org/lianyungang/"
DOC = "https://w3id.org/ipkg/id/doc/"
VOCAB = "https://w3id.org/ipkg/vocab/"

# 二、重点任务: groups （一）–（五） with items 1.–4., 1.–4., 1.–5., 1.–4., 1.–3. (lines 43–99 of the text);
# the short title is each item's first sentence, up to the first 。
TASKS = {
    "2-1-1": "引导知识产权“增量提质”",
    "2-1-2": "促进企业知识产权产出",
    "2-1-3": "支持知识产权海外布局",
    "2-1-4": "强化知识产权政策导向",
    "2-2-1": "提升企业知识产权运用能力",
    "2-2-2": "推进专利技术转化实施",
    "2-2-3": "加快培育专利密集型产业",
    "2-2-4": "推进知识产权金融服务",
    "2-3-1": "加大知识产权保护力度",
    "2-3-2": "提升知识产权执法能力",
    "2-3-3": "强化知识产权维权援助",
    "2-3-4": "加大互联网领域知识产权保护力度",
    "2-3-5": "建立知识产权信用体系",
    "2-4-1": "推进知识产权区域管理",
    "2-4-2": "建立重大项目知识产权评议制度",
    "2-4-3": "推动知识产权服务业发展",
    "2-4-4": "加强知识产权公共服务供给",
    "2-5-1": "建设知识产权人才培养载体",
    "2-5-2": "培养引进知识产权专业人才",
    "2-5-3": "加大知识产权宣传力度",
}

# （二）主要目标: the opening sentence "到 2020 年，…" (goal 0, no number) and six "——" bullets.
# Every number in the bullets is one target (a sentence with two numbers is two targets):
#   bullet 1: 10% / 15% / 8 件 / 300 件; bullet 2: 1-2 个 / 100 家; bullet 3: 75% / 80%;
#   bullet 4: 200 家 (…全覆盖 has no number); bullet 5: 10 家; bullet 6: 400 人 / 100 人  → 12.
# Year: "到 2020 年" opens the goals section and heads every bullet, so the year is printed.
# (phrase as printed, metric, value, value_max, unit, comparator, kind, year)
INDICATORS = [
    ("专利申请总量年均增幅达 10%", "patent-applications", "10", None, "%", "reach", "annual-growth", "2020"),
    ("发明专利申请量年均增幅达 15%", "invention-patent-applications", "15", None, "%", "reach", "annual-growth", "2020"),
    ("万人有效发明专利拥有量达 8 件", "invention-patents-per-10k-people", "8", None, "件", "reach", "stock", "2020"),
    ("PCT 专利申请量累计达 300 件", "pct-applications", "300", None, "件", "reach", "cumulative", "2020"),
    ("培育知识产权密集型产业 1-2 个", "ip-intensive-industries", "1", "2", "个", "range", "new", "2020"),
    ("知识产权优势企业 100 家", "ip-advantage-enterprises", "100", None, "家", "unspecified", "new", "2020"),
    ("全社会知识产权认知度超过 75%", "ip-public-awareness-rate", "75", None, "%", "exceed", "rate", "2020"),
    ("权利人满意度超过 80%", "rights-holder-satisfaction-rate", "80", None, "%", "exceed", "rate", "2020"),
    ("贯标企业数达到 200 家", "ip-standard-enterprises", "200", None, "家", "reach", "stock", "2020"),
    ("知识产权服务品牌机构 10 家以上", "ip-service-brand-institutions", "10", None, "家", "at-least", "new", "2020"),
    ("培育企业知识产权工程师 400 人以上", "enterprise-ip-engineers", "400", None, "人", "at-least", "new", "2020"),
    ("企业知识产权总监 100 人以上", "enterprise-ip-directors", "100", None, "人", "at-least", "new", "2020"),
]

# 三、保障措施 has three measures （一）–（三）; the bodies each names, by department key:
#   （一）市政府, 市知识产权联席会议, 各县区政府, 各园区、乡镇（街道）
#   （二）市财政, 各县区（园区）
#   （三）各县区
SAFEGUARDS = {
    "加强组织领导": {"municipal-government", "ip-joint-conference", "county-governments", "parks",
                 "township-governments"},
    "加大投入力度": {"finance", "county-governments", "parks"},
    "强化督查推进": {"county-governments"},
}


def test_plan_header(store):
    (row,) = rows(store, f"""
        SELECT ?number ?issuer ?end ?practice WHERE {{
          <{PLAN}> ipkg:documentNumber ?number ; ipkg:issuer ?issuer ; ipkg:periodEnd ?end ;
                   ipkg:assignmentPractice ?practice .
        }}""")
    assert row["number"] == "连政发〔2016〕132号"
    assert row["issuer"] == ORG + "municipal-government"      # header "连云港市人民政府文件"
    assert row["end"] == "2020"                                 # "到 2020 年"
    assert row["practice"] == VOCAB + "assignment-practice/none"
    # No date and no start year are printed anywhere in the text: the absence is recorded.
    absent = {r["p"] for r in rows(store, f"SELECT ?p WHERE {{ <{PLAN}> ipkg:notStatedInText ?p }}")}
    assert absent == {"http://purl.org/dc/terms/issued", "https://w3id.org/ipkg/ontology#periodStart"}


def test_tasks_count_titles_and_order(store):
    found = rows(store, f"""
        SELECT ?path ?label ?number ?order WHERE {{
          <{PLAN}> ipkg:hasTask ?t . ?t ipkg:numberingPath ?path ; rdfs:label ?label ; ipkg:printedNumber ?number ;
             ipkg:order ?order . FILTER(lang(?label) = "zh")
        }} ORDER BY ?order""")
    assert len(found) == 20                                     # 4 + 4 + 5 + 4 + 3 items
    assert {r["path"]: r["label"] for r in found} == TASKS
    assert [r["path"] for r in found] == list(TASKS)            # text order
    assert all(r["number"] == r["path"].rsplit("-", 1)[1] + "." for r in found)


def test_tasks_per_group(store):
    found = rows(store, f"""
        SELECT ?section (COUNT(?t) AS ?n) WHERE {{
          <{PLAN}> ipkg:hasTask ?t . ?t ipkg:inSection/ipkg:numberingPath ?section .
        }} GROUP BY ?section""")
    assert {r["section"]: r["n"] for r in found} == {"2-1": 4, "2-2": 4, "2-3": 5, "2-4": 4, "2-5": 3}


def test_no_task_has_an_assignment(store):
    # No task paragraph ends with a list of units: the plan assigns no department to any task.
    assert assignment_summary(store, PLAN) == {"stated": {False: 20}, "assignments": 0, "departments": 0,
                                               "shortcuts": 0}


@pytest.mark.parametrize("title", ["引导知识产权“增量提质”", "推进知识产权金融服务", "强化知识产权维权援助",
                                   "建立重大项目知识产权评议制度", "加大知识产权宣传力度", "推进知识产权区域管理"])
def test_specific_tasks_have_no_lead(store, title):
    # Task 2-1-1 says 市政府设立连云港市专利奖 and 2-4-1 names 各县区 as actors, but neither is an
    # assignment; no task has a lead, stated or inferred.
    found = task_by_title(store, PLAN, title)
    assert len(found) == 1
    assert found[0]["stated"] is False and found[0]["lead"] is None


def test_indicators(store):
    found = rows(store, f"""
        SELECT ?phrase ?metric ?value ?max ?unit ?comparator ?kind ?year ?stated ?order WHERE {{
          <{PLAN}> ipkg:hasIndicator ?i .
          ?i ipkg:phrase ?phrase ; ipkg:metric ?metric ; ipkg:targetValue ?value ; ipkg:unit/skos:notation ?unit ;
             ipkg:comparator ?comparator ; ipkg:indicatorKind ?kind ; ipkg:targetYear ?year ;
             ipkg:targetYearStated ?stated ; ipkg:order ?order .
          OPTIONAL {{ ?i ipkg:targetValueMax ?max }}
        }} ORDER BY ?order""")
    assert len(found) == 12
    got = [(r["phrase"], r["metric"].rsplit("/", 1)[1], r["value"], r["max"], r["unit"],
            r["comparator"].rsplit("/", 1)[1], r["kind"].rsplit("/", 1)[1], r["year"]) for r in found]
    expected = [(normalise(p), m, Decimal(v), Decimal(x) if x else None, u, c, k, y)
                for p, m, v, x, u, c, k, y in INDICATORS]
    assert got == expected
    assert all(r["stated"] is True for r in found)


def test_indicators_per_goal(store):
    found = rows(store, f"""
        SELECT ?label (COUNT(?i) AS ?n) WHERE {{
          <{PLAN}> ipkg:hasGoal ?g . ?g rdfs:label ?label . FILTER(lang(?label) = "zh")
          OPTIONAL {{ ?i ipkg:goal ?g }}
        }} GROUP BY ?label""")
    assert {r["label"]: r["n"] for r in found} == {
        "全市知识产权综合实力达苏北领先水平": 0,   # qualitative opening sentence
        "知识产权创造能力明显提升": 4,
        "知识产权运用效果显著增强": 2,
        "知识产权保护环境明显优化": 2,
        "知识产权管理体系更加健全": 1,           # 试点示范县区实现全覆盖 has no number
        "知识产权服务体系日趋完善": 1,
        "知识产权人才规模不断壮大": 2,
    }


def test_citations(store, sources):
    # re.findall('《[^》]*》') on the text gives 5 occurrences: the plan's own title in the notice
    # (self, not a citation node), the State Council opinions and the Jiangsu plan in the preamble
    # (根据/贯彻落实: basis), the enterprise IP management standard (task 2-2-1) and the review
    # measures to be formulated (task 2-4-2): 4 distinct documents.
    assert len(re.findall(r"《[^》]*》", sources[SLUG])) == 5
    found = rows(store, f"""
        SELECT ?doc ?role ?printed ?in ?bracketed WHERE {{
          <{PLAN}> ipkg:qualifiedCitation ?c .
          ?c ipkg:citedDocument ?doc ; ipkg:citationRole ?role ; ipkg:printedTitle ?printed ; ipkg:bracketed ?bracketed .
          OPTIONAL {{ ?c ipkg:citedIn/ipkg:numberingPath ?in }}
        }}""")
    got = {(r["doc"][len(DOC):], r["role"].rsplit("/", 1)[1], r["printed"], r["in"], r["bracketed"]) for r in found}
    assert got == {
        ("state-council-opinions-ip-power-2015", "basis", "《国务院关于新形势下加快知识产权强国建设的若干意见》", None, True),
        ("jiangsu-leading-ip-province-pilot-plan", "basis", "《江苏省建设引领型知识产权强省试点省实施方案》", None, True),
        ("gb-t-29490-2013", "mention", "《企业知识产权管理规范》", "2-2-1", True),
        ("lianyungang-ip-review-measures", "mention", "《连云港市重大经济科技活动知识产权评议办法》", "2-4-2", True),
    }
    cited = {r["d"] for r in rows(store, f"SELECT ?d WHERE {{ <{PLAN}> ipkg:cites ?d }}")}
    assert len(cited) == 4


def test_no_phases(store):
    # The text has no 时序进度 / 实施计划 part.
    assert rows(store, f"SELECT ?p WHERE {{ <{PLAN}> ipkg:hasPhase ?p }}") == []


def test_safeguards_and_bodies(store):
    found = rows(store, f"""
        SELECT ?label ?order ?body WHERE {{
          <{PLAN}> ipkg:hasSafeguard ?s . ?s rdfs:label ?label ; ipkg:order ?order .
          FILTER(lang(?label) = "zh") OPTIONAL {{ ?s ipkg:namesBody ?body }}
        }} ORDER BY ?order""")
    got: dict[str, set[str]] = {}
    for r in found:
        got.setdefault(r["label"], set()).add(r["body"][len(ORG):])
    assert list(got) == list(SAFEGUARDS)
    assert got == SAFEGUARDS


def test_departments(store):
    # Bodies named as issuer or in the safeguards: 市政府 (= 连云港市人民政府), 市知识产权联席会议, 市财政,
    # 各县区（政府）, 各园区, 乡镇（街道）: six; no IP office is named anywhere in the text.
    found = rows(store, f"""
        SELECT ?d ?cls ?fn WHERE {{
          ?d a ?cls ; ipkg:functionType ?fn .
          VALUES ?cls {{ ipkg:Department ipkg:CollectiveActor ipkg:HigherLevelBody }}
          FILTER(STRSTARTS(STR(?d), "{ORG}"))
        }}""")
    got = {r["d"][len(ORG):]: (r["cls"].rsplit("#", 1)[1], r["fn"].rsplit("/", 1)[1]) for r in found}
    assert got == {
        "municipal-government": ("Department", "government"),
        "ip-joint-conference": ("Department", "joint-conference"),
        "finance": ("Department", "finance"),
        "county-governments": ("CollectiveActor", "county-governments"),
        "parks": ("CollectiveActor", "parks"),
        "township-governments": ("CollectiveActor", "township-governments"),
    }


def _spans(store, cls: str, extra: str = "", extra_vars: str = "") -> list[dict]:
    return spans_of_class(store, PLAN, cls, extra, extra_vars)


def test_task_spans(store, sources):
    text = sources[SLUG]
    found = _spans(store, "Task", '?x rdfs:label ?label ; ipkg:printedNumber ?number . FILTER(lang(?label) = "zh")',
                   "?label ?number")
    assert len(found) == 20
    ordered = sorted(found, key=lambda r: r["start"])
    for r in ordered:
        exact = text[r["start"]:r["end"]]
        assert exact == r["exact"]
        assert normalise(exact).startswith(normalise(r["number"] + r["label"] + "。")), r["x"]
        assert exact.endswith("。"), r["x"]
    # spans are disjoint, and nothing but blank lines or a group heading lies between two tasks
    for a, b in zip(ordered, ordered[1:]):
        gap = text[a["end"]:b["start"]].strip()
        assert gap == "" or re.fullmatch(r"（[一二三四五]）\S+", gap), gap
    assert text[ordered[-1]["end"]:].strip().startswith("三、保障措施")


def test_indicator_spans(store, sources):
    text = sources[SLUG]
    found = _spans(store, "Indicator", "?x ipkg:targetValue ?value ; ipkg:phrase ?phrase . "
                   "OPTIONAL { ?x ipkg:targetValueMax ?max }", "?value ?max ?phrase")
    assert len(found) == 12
    for r in found:
        exact = text[r["start"]:r["end"]]
        assert exact == r["exact"] and normalise(exact) == r["phrase"]
        assert str(r["value"]) in exact
        if r["max"] is not None:
            assert f"{r['value']}-{r['max']}" in exact


def test_citation_spans(store, sources):
    text = sources[SLUG]
    found = _spans(store, "Citation", "?x ipkg:printedTitle ?printed .", "?printed")
    assert len(found) == 4
    for r in found:
        assert text[r["start"]:r["end"]] == r["exact"] == r["printed"]


def test_assignment_spans(store, sources):
    # No assignments in this plan; the check is here so that one added later is verified too.
    text = sources[SLUG]
    found = _spans(store, "Assignment", "?x ipkg:printedName ?printed .", "?printed")
    assert found == []
    for r in found:  # pragma: no cover
        assert text[r["start"]:r["end"]] == r["exact"] and r["printed"] in normalise(r["exact"])


def test_safeguard_spans_name_their_bodies(store, sources):
    text = sources[SLUG]
    found = _spans(store, "SafeguardMeasure", "?x ipkg:namesBody ?body . "
                   "?body skos:prefLabel|skos:altLabel ?name . FILTER(lang(?name) = \"zh\")", "?body ?name")
    named: dict[tuple[str, str], bool] = {}
    for r in found:
        exact = text[r["start"]:r["end"]]
        assert exact == r["exact"]
        key = (r["x"], r["body"])
        named[key] = named.get(key, False) or r["name"] in normalise(exact)
    assert len(named) == sum(len(v) for v in SAFEGUARDS.values())
    assert all(named.values()), [k for k, v in named.items() if not v]
