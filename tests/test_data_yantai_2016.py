"""Facts of yantai-2016 (烟政办发〔2015〕71号, 烟台市知识产权战略纲要（2016—2020年）), read from
data/sources/yantai-2016.txt by a second reader and checked against the built graph.

Every expected number below was counted in the source text, not in the curation record; the comment
next to it says how.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from ipkg.curate import normalise
from plan_facts import assignment_summary, rows, spans_of_class, task_by_title

SLUG = "yantai-2016"
PLAN = f"https://w3id.org/ipkg/id/plan/{SLUG}"
ORG = "https://w3id.org/ipkg/id/org/yantai/"
DOC = "https://w3id.org/ipkg/id/doc/"
VOCAB = "https://w3id.org/ipkg/vocab/"

# 三、战略任务: groups （一）–（六） with items 1.–4., 1.–6., 1.–6., 1.–5., 1.–5., 1.–3. (lines 55–139);
# short title = the item's first sentence, up to the first 。 (the three 基本原则 items under 一、 are
# principles, not tasks).
TASKS = {
    "3-1-1": "强化企业的知识产权创造主体地位",
    "3-1-2": "发挥高校和科研机构的创新源头作用",
    "3-1-3": "弘扬与激励全民创新热情",
    "3-1-4": "健全知识产权创造激励机制",
    "3-2-1": "提升知识产权综合运用能力",
    "3-2-2": "以知识产权导航产业发展",
    "3-2-3": "深化知识产权运营体系建设",
    "3-2-4": "拓展知识产权金融服务领域",
    "3-2-5": "建立知识产权预警应急机制",
    "3-2-6": "推动知识产权标准化",
    "3-3-1": "打造知识产权执法强市",
    "3-3-2": "加大知识产权执法力度",
    "3-3-3": "完善行政执法和刑事司法衔接机制",
    "3-3-4": "创新知识产权联合执法体制机制",
    "3-3-5": "推进重点产业知识产权保护联盟建设",
    "3-3-6": "完善维权援助与举报投诉机制",
    "3-4-1": "加强重大经济活动知识产权管理",
    "3-4-2": "强化科技创新知识产权管理",
    "3-4-3": "提升创新主体知识产权管理水平",
    "3-4-4": "继续推进软件正版化",
    "3-4-5": "加强知识产权交流和合作",
    "3-5-1": "加强中国（烟台）知识产权维权援助中心建设",
    "3-5-2": "推进专利信息利用",
    "3-5-3": "助推专利技术转移转化",
    "3-5-4": "扶持知识产权服务业发展",
    "3-5-5": "借力社团组织拓展服务领域",
    "3-6-1": "广泛开展知识产权舆论宣传",
    "3-6-2": "强化知识产权教育培训",
    "3-6-3": "加强知识产权人才队伍建设",
}

# 二、（二）主要指标 items 1.–7. Every number is one target (新增 … / 累计 … pairs are two):
#   1. 专利 7000 件 / 10 件 / 年均 10 家 / 50 家                       (国外专利…大幅度增长: no number)
#   2. 商标 10000 件 / 40000 件 / 驰名 10 件 / 著名 100 件 / 地理标志证明商标 10 件 / 95% / 100%
#   3. 版权 1000 件 / 5000 件
#   4. 植物新品种 30 件 / 200 件 / 林木良种 10 件 / 25 件 / 标准 2 项
#   5. 地理标志 9 个
#   6. 软件 50 家 / 150 家 / 390 件 / 1000 件
#   7. 商业秘密: none                                                   → 4+7+2+5+1+4 = 23
# No target prints its own year; "到 2020 年" stands only in （一）总体目标, so the year is the
# plan's end year (2020) and recorded as not stated for the targets.
# (phrase as printed, metric, value, unit, comparator, kind)
INDICATORS = [
    ("有效发明专利的数量达到 7000 件", "effective-invention-patents", "7000", "件", "reach", "stock"),
    ("万人发明专利拥有量 10 件以上", "invention-patents-per-10k-people", "10", "件", "at-least", "stock"),
    ("国家标准认证的企业年均不低于 10 家", "ip-standard-certified-enterprises", "10", "家", "at-least", "annual"),
    ("市级以上知识产权优势企业 50 家以上", "ip-advantage-enterprises", "50", "家", "at-least", "stock"),
    ("新增注册商标 10000 件以上", "registered-trademarks", "10000", "件", "at-least", "new"),
    ("总量超过 40000 件", "registered-trademarks", "40000", "件", "exceed", "stock"),
    ("新增驰名商标 10 件", "well-known-trademarks", "10", "件", "unspecified", "new"),
    ("山东省著名商标 100 件", "shandong-famous-trademarks", "100", "件", "unspecified", "new"),
    ("地理标志证明商标 10 件", "gi-certification-trademarks", "10", "件", "unspecified", "new"),
    ("商标案件年度结案率 95% 以上", "trademark-case-closure-rate", "95", "%", "at-least", "rate"),
    ("商标投诉和举报的回复率达到 100%", "trademark-complaint-response-rate", "100", "%", "reach", "rate"),
    ("新增版权登记 1000 件", "copyright-registrations", "1000", "件", "unspecified", "new"),
    ("累计达到 5000 件以上", "copyright-registrations", "5000", "件", "at-least", "cumulative"),
    ("新增农业植物新品种权 30 件", "agricultural-plant-variety-rights", "30", "件", "unspecified", "new"),
    ("累计 200 件以上", "agricultural-plant-variety-rights", "200", "件", "at-least", "cumulative"),
    ("新增林木良种 10 件", "improved-forest-tree-varieties", "10", "件", "unspecified", "new"),
    ("累计 25 件以上", "improved-forest-tree-varieties", "25", "件", "at-least", "cumulative"),
    ("制定林业行业技术标准 2 项", "forestry-industry-technical-standards", "2", "项", "unspecified", "new"),
    ("地理标志保护产品累计 9 个以上", "gi-protected-products", "9", "个", "at-least", "cumulative"),
    ("新增软件企业认定 50 家", "certified-software-enterprises", "50", "家", "unspecified", "new"),
    ("累计达到 150 家", "certified-software-enterprises", "150", "家", "reach", "cumulative"),
    ("新增软件产品登记和备案 390 件", "software-product-registrations", "390", "件", "unspecified", "new"),
    ("累计达到 1000 件", "software-product-registrations", "1000", "件", "reach", "cumulative"),
]

# 四、保障措施 （一）–（四） and the bodies each names, by department key:
#   （一）市知识产权工作领导小组, 市知识产权局, 市知识产权工作领导小组办公室, 各成员单位, 各县市区
#   （二）市知识产权工作领导小组
#   （三）财税、科技、经济和信息化等部门 以及 专利、商标、版权等知识产权主管部门
#   （四）市、县两级政府（管委）
SAFEGUARDS = {
    "加强组织实施": {"leading-group", "ip-office", "leading-group-office", "leading-group-members",
               "county-governments"},
    "加强督促检查": {"leading-group"},
    "加强政策引导": {"finance", "taxation", "science-technology", "industry-it", "ip-office",
               "trademark-authority", "copyright-authority"},
    "加大投入力度": {"municipal-government", "county-governments"},
}


def test_plan_header(store):
    (row,) = rows(store, f"""
        SELECT ?number ?issuer ?start ?end ?signed ?issued ?practice ?kind WHERE {{
          <{PLAN}> ipkg:documentNumber ?number ; ipkg:issuer ?issuer ; ipkg:periodStart ?start ;
                   ipkg:periodEnd ?end ; ipkg:signedDate ?signed ; dcterms:issued ?issued ;
                   ipkg:assignmentPractice ?practice ; ipkg:planKind ?kind .
        }}""")
    assert row["number"] == "烟政办发〔2015〕71号"
    assert row["issuer"] == ORG + "government-office"            # 烟台市人民政府办公室
    assert (row["start"], row["end"]) == ("2016", "2020")         # （2016—2020年）
    assert row["signed"] == "2015-11-20"                          # 落款 2015年11月20日
    assert row["issued"] == "2015-11-20"                          # 2015年11月20日印发
    assert row["practice"] == VOCAB + "assignment-practice/none"
    assert row["kind"] == VOCAB + "plan-kind/strategy-outline"
    assert rows(store, f"SELECT ?p WHERE {{ <{PLAN}> ipkg:notStatedInText ?p }}") == []


def test_tasks_count_titles_and_order(store):
    found = rows(store, f"""
        SELECT ?path ?label ?number ?order WHERE {{
          <{PLAN}> ipkg:hasTask ?t . ?t ipkg:numberingPath ?path ; rdfs:label ?label ; ipkg:printedNumber ?number ;
             ipkg:order ?order . FILTER(lang(?label) = "zh")
        }} ORDER BY ?order""")
    assert len(found) == 29                                       # 4 + 6 + 6 + 5 + 5 + 3 items
    assert {r["path"]: r["label"] for r in found} == TASKS
    assert [r["path"] for r in found] == list(TASKS)
    assert all(r["number"] == r["path"].rsplit("-", 1)[1] + "." for r in found)


def test_tasks_per_group(store):
    found = rows(store, f"""
        SELECT ?section (COUNT(?t) AS ?n) WHERE {{
          <{PLAN}> ipkg:hasTask ?t . ?t ipkg:inSection/ipkg:numberingPath ?section .
        }} GROUP BY ?section""")
    assert {r["section"]: r["n"] for r in found} == {"3-1": 4, "3-2": 6, "3-3": 6, "3-4": 5, "3-5": 5, "3-6": 3}


def test_no_task_has_an_assignment(store):
    # No task names a responsible unit; bodies are named only in 四、保障措施.
    assert assignment_summary(store, PLAN) == {"stated": {False: 29}, "assignments": 0, "departments": 0,
                                               "shortcuts": 0}


@pytest.mark.parametrize("title", ["弘扬与激励全民创新热情", "拓展知识产权金融服务领域", "加大知识产权执法力度",
                                   "继续推进软件正版化", "借力社团组织拓展服务领域", "加强知识产权人才队伍建设"])
def test_specific_tasks_have_no_lead(store, title):
    # 3-1-3 names 工会、共青团、妇联、科协 and 3-5-5 the 知识产权协会 as social actors, not as assigned
    # units; no task has a lead, stated or inferred.
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
    assert len(found) == 23
    got = [(r["phrase"], r["metric"].rsplit("/", 1)[1], r["value"], r["unit"], r["comparator"].rsplit("/", 1)[1],
            r["kind"].rsplit("/", 1)[1]) for r in found]
    assert got == [(normalise(p), m, Decimal(v), u, c, k) for p, m, v, u, c, k in INDICATORS]
    assert all(r["max"] is None for r in found)                   # no range target
    assert {(r["year"], r["stated"]) for r in found} == {("2020", False)}


def test_indicators_per_goal(store):
    found = rows(store, f"""
        SELECT ?label (COUNT(?i) AS ?n) WHERE {{
          <{PLAN}> ipkg:hasGoal ?g . ?g rdfs:label ?label . FILTER(lang(?label) = "zh")
          OPTIONAL {{ ?i ipkg:goal ?g }}
        }} GROUP BY ?label""")
    assert {r["label"]: r["n"] for r in found} == {
        "总体目标": 0, "专利": 4, "商标": 7, "版权与非物质文化遗产保护": 2, "植物新品种": 5, "地理标志": 1,
        "软件及集成电路布图": 4, "商业秘密及其他知识产权": 0,
    }


def test_citations(store, sources):
    # re.findall('《[^》]*》') gives 2: the outline's own title in the notice (self, no citation node)
    # and 《企业知识产权管理规范》 in 主要指标 1. The preamble's "落实国家、省知识产权战略纲要和国家知识产权
    # 战略行动计划" names three more documents without 《》 (basis): 4 distinct documents in all.
    assert re.findall(r"《[^》]*》", sources[SLUG]) == ["《烟台市知识产权战略纲要(2016-2020年)》", "《企业知识产权管理规范》"]
    found = rows(store, f"""
        SELECT ?doc ?role ?printed ?bracketed ?in WHERE {{
          <{PLAN}> ipkg:qualifiedCitation ?c .
          ?c ipkg:citedDocument ?doc ; ipkg:citationRole ?role ; ipkg:printedTitle ?printed ; ipkg:bracketed ?bracketed .
          OPTIONAL {{ ?c ipkg:citedIn/rdfs:label ?in FILTER(lang(?in) = "zh") }}
        }}""")
    got = {(r["doc"][len(DOC):], r["role"].rsplit("/", 1)[1], r["printed"], r["bracketed"], r["in"]) for r in found}
    assert got == {
        ("national-ip-strategy-outline-2008", "basis", "国家、省知识产权战略纲要", False, None),
        ("shandong-ip-strategy-outline", "basis", "省知识产权战略纲要", False, None),
        ("national-ip-strategy-action-plan-2014-2020", "basis", "国家知识产权战略行动计划", False, None),
        ("gb-t-29490-2013", "mention", "《企业知识产权管理规范》", True, "专利"),
    }
    cited = {r["d"] for r in rows(store, f"SELECT ?d WHERE {{ <{PLAN}> ipkg:cites ?d }}")}
    assert len(cited) == 4


def test_no_phases(store):
    # The outline has no timetable of phases.
    assert rows(store, f"SELECT ?p WHERE {{ <{PLAN}> ipkg:hasPhase ?p }}") == []


def test_safeguards_and_bodies(store):
    found = rows(store, f"""
        SELECT ?label ?order ?body WHERE {{
          <{PLAN}> ipkg:hasSafeguard ?s . ?s rdfs:label ?label ; ipkg:order ?order ; ipkg:namesBody ?body .
          FILTER(lang(?label) = "zh")
        }} ORDER BY ?order""")
    got: dict[str, set[str]] = {}
    for r in found:
        got.setdefault(r["label"], set()).add(r["body"][len(ORG):])
    assert list(got) == list(SAFEGUARDS)
    assert got == SAFEGUARDS


def test_departments(store):
    # The issuer plus the twelve bodies the safeguards name (财税 split into finance and taxation;
    # 市、县两级政府（管委） into the municipal government and the county-level collective).
    found = rows(store, f"""
        SELECT ?d ?cls ?fn WHERE {{
          ?d a ?cls ; ipkg:functionType ?fn .
          VALUES ?cls {{ ipkg:Department ipkg:CollectiveActor ipkg:HigherLevelBody }}
          FILTER(STRSTARTS(STR(?d), "{ORG}"))
        }}""")
    got = {r["d"][len(ORG):]: (r["cls"].rsplit("#", 1)[1], r["fn"].rsplit("/", 1)[1]) for r in found}
    assert got == {
        "government-office": ("Department", "government-office"),
        "leading-group": ("Department", "leading-group"),
        "ip-office": ("Department", "ip-office"),
        "leading-group-office": ("Department", "leading-group-office"),
        "leading-group-members": ("CollectiveActor", "leading-group-members"),
        "county-governments": ("CollectiveActor", "county-governments"),
        "municipal-government": ("Department", "government"),
        "finance": ("Department", "finance"),
        "taxation": ("Department", "taxation"),
        "science-technology": ("Department", "science-technology"),
        "industry-it": ("Department", "industry-it"),
        "trademark-authority": ("Department", "industry-commerce"),
        "copyright-authority": ("Department", "copyright"),
    }


def _spans(store, cls: str, extra: str = "", extra_vars: str = "") -> list[dict]:
    return spans_of_class(store, PLAN, cls, extra, extra_vars)


def test_task_spans(store, sources):
    text = sources[SLUG]
    found = _spans(store, "Task", '?x rdfs:label ?label ; ipkg:printedNumber ?number . FILTER(lang(?label) = "zh")',
                   "?label ?number")
    assert len(found) == 29
    ordered = sorted(found, key=lambda r: r["start"])
    for r in ordered:
        exact = text[r["start"]:r["end"]]
        assert exact == r["exact"]
        assert normalise(exact).startswith(normalise(r["number"] + r["label"] + "。")), r["x"]
        assert exact.endswith("。"), r["x"]
    for a, b in zip(ordered, ordered[1:]):
        gap = text[a["end"]:b["start"]].strip()
        assert gap == "" or re.fullmatch(r"（[一二三四五六]）\S+。", gap), gap
    assert text[ordered[-1]["end"]:].strip().startswith("四、保障措施")


def test_indicator_spans(store, sources):
    text = sources[SLUG]
    found = _spans(store, "Indicator", "?x ipkg:targetValue ?value ; ipkg:phrase ?phrase .", "?value ?phrase")
    assert len(found) == 23
    for r in found:
        exact = text[r["start"]:r["end"]]
        assert exact == r["exact"] and normalise(exact) == r["phrase"]
        assert str(r["value"]) in exact


def test_citation_spans(store, sources):
    text = sources[SLUG]
    found = _spans(store, "Citation", "?x ipkg:printedTitle ?printed .", "?printed")
    assert len(found) == 4
    for r in found:
        assert text[r["start"]:r["end"]] == r["exact"] == r["printed"]
    # the three unbracketed names sit together in the preamble sentence
    preamble = {r["printed"]: r["start"] for r in found if not r["printed"].startswith("《")}
    assert text[min(preamble.values()):].startswith("国家、省知识产权战略纲要和国家知识产权战略行动计划")


def test_assignment_spans(store, sources):
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
