"""yancheng-2022: the built graph against a second, independent reading of the source text.

Every expected number and fact below was counted by hand from data/sources/yancheng-2022.txt
(盐城市国家知识产权强市建设试点城市工作方案（2022—2025年）), not taken from the curation record;
the comment next to each says how it was counted (line numbers are those of `cat -n`).
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pytest

from plan_facts import rows as q

PLAN = "https://w3id.org/ipkg/id/plan/yancheng-2022"
TASK = "https://w3id.org/ipkg/id/task/yancheng-2022/"
DEPT = "https://w3id.org/ipkg/id/org/yancheng/"


def flat(text: str) -> str:
    """Drop the page-break blank lines and stray spaces of the extracted text."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def text(sources):
    return sources["yancheng-2022"]


# ------------------------------------------------------------------------------------ tasks

# 四、重点任务 has six groups （一）…(六); items counted under each:
# （一）1.–3., （二）1.–6., （三）1.–3., (四)1.–4., （五）1.–4., (六)1.–3.  → 3+6+3+4+4+3 = 23.
EXPECTED_TASKS = {
    "4-1-1": "健全知识产权行政管理体制机制", "4-1-2": "完善知识产权促进创新创业政策体系",
    "4-1-3": "统筹城乡知识产权融合发展",
    "4-2-1": "大力培育高价值专利", "4-2-2": "大力培育高知名商标", "4-2-3": "加大地理标志品牌培育力度",
    "4-2-4": "加大培育高影响力版权", "4-2-5": "打造知识产权优势企业集群", "4-2-6": "规范知识产权奖励政策",
    "4-3-1": "强化司法保护", "4-3-2": "严格行政保护", "4-3-3": "加强协同保护",
    "4-4-1": "加强知识产权运用转化体系建设", "4-4-2": "加强知识产权金融创新",
    "4-4-3": "完善知识产权公共服务机制", "4-4-4": "提升知识产权运用能力",
    "4-5-1": "加大知识产权服务供给", "4-5-2": "完善知识产权服务网络", "4-5-3": "深化知识产权社会共治",
    "4-5-4": "引导知识产权服务业高端发展",
    "4-6-1": "加强高端专业人才培养", "4-6-2": "强化知识产权实务人才培养", "4-6-3": "优化知识产权人才发展环境",
}

# Every task's closing parenthesis, read in order (units as printed, page breaks joined).
# 18 are joint lists "（A、B…等按职责分工负责）" (4-1-1 names one collective; 4-3-1 has no 等);
# 5 are "（市知识产权局负责）": 4-4-3, 4-4-4, 4-5-1, 4-5-4, 4-6-2.
EXPECTED_UNITS = {
    "4-1-1": ["领导小组各成员单位"],
    "4-1-2": ["市知识产权局", "市科技局", "市发改委", "市工信局", "市财政局", "市人社局", "市统计局"],
    "4-1-3": ["市知识产权局", "市农业农村局", "市人社局", "市教育局", "市文广旅局"],
    "4-2-1": ["市知识产权局", "市科技局", "市发改委", "市工信局"],
    "4-2-2": ["市知识产权局", "市科技局", "市工信局", "市商务局"],
    "4-2-3": ["市知识产权局", "市农业农村局"],
    "4-2-4": ["市版权局", "市财政局", "市税务局"],
    "4-2-5": ["市知识产权局", "市科技局", "市工信局", "市发改委"],
    "4-2-6": ["市知识产权局", "市财政局"],
    "4-3-1": ["市中级人民法院", "市人民检察院", "市公安局"],
    "4-3-2": ["市知识产权局", "市版权局", "市文广旅局", "市农业农村局", "市商务局", "盐城海关"],
    "4-3-3": ["市中级人民法院", "市人民检察院", "市公安局", "市司法局", "市知知识产权局", "市版权局",
              "市文广旅局", "市农业农村局", "市商务局", "盐城仲裁委", "盐城海关"],
    "4-4-1": ["市知识产权局", "市地方金融监管局", "市人行", "市银保监局"],
    "4-4-2": ["市知识产权局", "市地方金融监管局", "市人行", "市银保监局", "市财政局"],
    "4-4-3": ["市知识产权局"],
    "4-4-4": ["市知识产权局"],
    "4-5-1": ["市知识产权局"],
    "4-5-2": ["市知识产权局", "市委组织部"],
    "4-5-3": ["市知识产权局", "市委宣传部", "市教育局", "市文广旅局", "市卫健委", "市中级人民法院", "盐城仲裁委"],
    "4-5-4": ["市知识产权局"],
    "4-6-1": ["市人社局", "市教育局", "市知识产权局"],
    "4-6-2": ["市知识产权局"],
    "4-6-3": ["市委组织部", "市人社局", "市知识产权局"],
}
# "（市知识产权局负责）" — the single unit is stated as responsible, an explicit lead.
SOLE_RESPONSIBLE = {"4-4-3", "4-4-4", "4-5-1", "4-5-4", "4-6-2"}


def test_task_count_and_titles(store):
    rows = q(store, f"""SELECT ?path ?zh WHERE {{ <{PLAN}> ipkg:hasTask ?t . ?t ipkg:numberingPath ?path ;
        rdfs:label ?zh . FILTER(lang(?zh) = "zh") }}""")
    assert len(rows) == 23
    assert {r["path"]: r["zh"] for r in rows} == EXPECTED_TASKS


def test_every_task_has_an_assignment(store):
    # all 23 task paragraphs end with a department parenthesis
    rows = q(store, f"""SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ <{PLAN}> ipkg:hasTask ?t .
        ?t ipkg:assignmentStated true ; ipkg:qualifiedAssignment ?a }}""")
    assert rows[0]["n"] == 23
    assert not q(store, f"""SELECT ?t WHERE {{ <{PLAN}> ipkg:hasTask ?t . ?t ipkg:assignmentStated false }}""")


def test_assignment_units_in_printed_order(store):
    rows = q(store, f"""SELECT ?path ?pos ?name WHERE {{ <{PLAN}> ipkg:hasTask ?t . ?t ipkg:numberingPath ?path ;
        ipkg:qualifiedAssignment ?a . ?a ipkg:listPosition ?pos ; ipkg:printedName ?name }}""")
    found: dict[str, list[tuple[int, str]]] = {}
    for r in rows:
        found.setdefault(r["path"], []).append((r["pos"], r["name"]))
    got = {path: [name for _, name in sorted(units)] for path, units in found.items()}
    assert got == EXPECTED_UNITS
    # 81 unit mentions in all: the lengths of the lists above
    # (1+7+5 + 4+4+2+3+4+2 + 3+6+11 + 4+5+1+1 + 1+2+7+1 + 3+1+3)
    assert len(rows) == sum(len(v) for v in EXPECTED_UNITS.values()) == 81


def test_distinct_departments_in_assignments(store):
    # Distinct bodies in the 23 parentheses (市知知识产权局 is the IP office split by a page break):
    # 领导小组各成员单位, 市知识产权局, 市科技局, 市发改委, 市工信局, 市财政局, 市人社局, 市统计局,
    # 市农业农村局, 市教育局, 市文广旅局, 市商务局, 市版权局, 市税务局, 市中级人民法院, 市人民检察院,
    # 市公安局, 市司法局, 盐城海关, 盐城仲裁委, 市地方金融监管局, 市人行, 市银保监局, 市委组织部,
    # 市委宣传部, 市卫健委 → 26.
    rows = q(store, f"""SELECT DISTINCT ?d WHERE {{ <{PLAN}> ipkg:hasTask ?t . ?t ipkg:qualifiedAssignment ?a .
        ?a ipkg:department ?d }}""")
    assert len(rows) == 26
    # the IP office is one node under both printed forms
    ip = q(store, f"""SELECT DISTINCT ?name WHERE {{ ?a ipkg:department <{DEPT}ip-office> ;
        ipkg:inPlan <{PLAN}> ; ipkg:printedName ?name }}""")
    assert {r["name"] for r in ip} == {"市知识产权局", "市知知识产权局"}
    # the IP office appears in 20 of the 23 parentheses (all but 4-1-1, 4-2-4 and 4-3-1)
    tasks_with_ip = {p for p, units in EXPECTED_UNITS.items() if any("知识产权局" in u for u in units)}
    assert len(tasks_with_ip) == 20
    got = q(store, f"""SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {{ ?t ipkg:inPlan <{PLAN}> ;
        ipkg:qualifiedAssignment ?a . ?a ipkg:department <{DEPT}ip-office> }}""")
    assert got[0]["n"] == 20


def _leads(store, path):
    return q(store, f"""SELECT ?name ?basis WHERE {{ <{TASK}{path}> ipkg:qualifiedAssignment ?a .
        ?a ipkg:isLead true ; ipkg:printedName ?name ; ipkg:leadBasis ?basis }}""")


@pytest.mark.parametrize("title, lead, basis", [
    # first-listed unit of a joint list → lead inferred by the first-listed convention
    ("健全知识产权行政管理体制机制", "领导小组各成员单位", "inferred-first-listed"),
    ("加大培育高影响力版权", "市版权局", "inferred-first-listed"),
    ("强化司法保护", "市中级人民法院", "inferred-first-listed"),
    ("加强协同保护", "市中级人民法院", "inferred-first-listed"),
    ("加强高端专业人才培养", "市人社局", "inferred-first-listed"),
    ("优化知识产权人才发展环境", "市委组织部", "inferred-first-listed"),
    ("大力培育高价值专利", "市知识产权局", "inferred-first-listed"),
    # "（市知识产权局负责）" → explicit
    ("完善知识产权公共服务机制", "市知识产权局", "explicit"),
    ("强化知识产权实务人才培养", "市知识产权局", "explicit"),
])
def test_lead_by_task_title(store, title, lead, basis):
    rows = q(store, f"""SELECT ?name ?basis WHERE {{ ?t ipkg:inPlan <{PLAN}> ; a ipkg:Task ; rdfs:label "{title}"@zh ;
        ipkg:qualifiedAssignment ?a . ?a ipkg:isLead true ; ipkg:printedName ?name ; ipkg:leadBasis ?basis }}""")
    assert len(rows) == 1
    assert rows[0]["name"] == lead
    assert rows[0]["basis"].endswith("/" + basis)


def test_exactly_one_lead_per_task_and_roles(store):
    for path, units in EXPECTED_UNITS.items():
        leads = _leads(store, path)
        assert len(leads) == 1, path
        assert leads[0]["name"] == units[0], path
        expected_basis = "explicit" if path in SOLE_RESPONSIBLE else "inferred-first-listed"
        assert leads[0]["basis"].endswith(expected_basis), path
    roles = q(store, f"""SELECT ?role (COUNT(?a) AS ?n) WHERE {{ ?a a ipkg:Assignment ; ipkg:inPlan <{PLAN}> ;
        ipkg:role ?role }} GROUP BY ?role""")
    assert {r["role"].rsplit("/", 1)[1]: r["n"] for r in roles} == {"joint-member": 76, "lead-responsible": 5}


def test_department_kinds(store):
    rows = q(store, f"""SELECT ?d ?kind WHERE {{ ?d ipkg:city <https://w3id.org/ipkg/id/place/yancheng> ;
        a ?kind . FILTER(?kind IN (ipkg:Department, ipkg:CollectiveActor, ipkg:HigherLevelBody))
        FILTER(STRSTARTS(STR(?d), "{DEPT}")) }}""")
    kinds = {r["d"][len(DEPT):]: r["kind"].rsplit("#", 1)[1] for r in rows}
    # collectives: 领导小组各成员单位 (task 4-1-1) and 各县（市、区）知识产权局 (safeguard 1)
    assert {k for k, v in kinds.items() if v == "CollectiveActor"} == {"leading-group-members", "county-ip-offices"}
    assert "HigherLevelBody" not in kinds.values()
    fn = q(store, f"""SELECT ?fn WHERE {{ <{DEPT}county-ip-offices> ipkg:functionType ?fn }}""")
    assert [r["fn"] for r in fn] == ["https://w3id.org/ipkg/vocab/function-type/county-ip-offices"]


# ------------------------------------------------------------------------------------ goals and indicators

# 三、主要目标: six goal headings （一）…（六） (lines 23–47); the quantified targets, read phrase by phrase:
# （一） 6 件, 800 户, 新增 150 件, 新增 50 件 (4); （二） 10000 件以上, 不低于 60 亿元 (2);
# （三） 100%, 80% 以上 (2); （四） 新增 300 家, 5 家 (2); （五） 超过 200 家, 5 亿元左右 (2);
# （六） 3000 人以上 (1) → 13. No goal prints a year, so every target year is the period end 2025.
EXPECTED_INDICATORS = [
    # (goal, value, unit, comparator, kind, phrase digits)
    ("1", "6", "件", "reach", "stock", "万人高价值发明专利拥有量"),
    ("1", "800", "户", "reach", "stock", "万户企业有效注册商标企业数"),
    ("1", "150", "件", "reach", "new", "新增海外发明专利授权数量"),
    ("1", "50", "件", "reach", "new", "新增马德里国际商标注册量"),
    ("2", "10000", "件", "at-least", "cumulative", "专利商标实施许可转让合同备案数"),
    ("2", "60", "亿元", "at-least", "cumulative", "知识产权质押融资总额"),
    ("3", "100", "%", "reach", "rate", "法定期限内结案率"),
    ("3", "80", "%", "at-least", "rate", "全社会知识产权保护满意度"),
    ("4", "300", "家", "unspecified", "new", "贯标”企业新增"),
    ("4", "5", "家", "unspecified", "stock", "国家知识产权强县建设试点示范县"),
    ("5", "200", "家", "exceed", "stock", "知识产权服务机构数量"),
    ("5", "5", "亿元", "about", "stock", "主营业务收入"),
    ("6", "3000", "人", "at-least", "stock", "专业人才"),
]


def _indicators(store):
    return q(store, f"""SELECT ?i ?order ?goal ?value ?unit ?cmp ?kind ?year ?stated ?phrase WHERE {{
        <{PLAN}> ipkg:hasIndicator ?i . ?i ipkg:order ?order ; ipkg:goal ?g ; ipkg:targetValue ?value ;
        ipkg:unit ?u ; ipkg:comparator ?c ; ipkg:indicatorKind ?k ; ipkg:targetYear ?year ;
        ipkg:targetYearStated ?stated ; ipkg:phrase ?phrase . ?g ipkg:order ?goal . ?u skos:notation ?unit .
        ?c skos:notation ?cmp . ?k skos:notation ?kind }} ORDER BY ?order""")


def test_goals(store):
    rows = q(store, f"""SELECT ?zh WHERE {{ <{PLAN}> ipkg:hasGoal ?g . ?g rdfs:label ?zh ; ipkg:order ?o .
        FILTER(lang(?zh) = "zh") }} ORDER BY ?o""")
    assert [r["zh"] for r in rows] == ["知识产权创造质量显著提高", "知识产权运用能力大幅增强", "知识产权保护环境更加优化",
                                       "知识产权管理效能有力发挥", "知识产权服务水平全面提升", "知识产权人才集聚效应加速显现"]


def test_indicators(store):
    rows = _indicators(store)
    assert len(rows) == 13
    for row, (goal, value, unit, cmp, kind, words) in zip(rows, EXPECTED_INDICATORS):
        assert str(row["goal"]) == goal, row
        assert row["value"] == Decimal(value), row
        assert row["unit"] == unit, row
        assert row["cmp"] == cmp, row
        assert row["kind"] == kind, row
        assert str(row["year"]) == "2025" and row["stated"] is False, row
        assert words in row["phrase"] and value in row["phrase"], row
    assert not q(store, f"""SELECT ?i WHERE {{ <{PLAN}> ipkg:hasIndicator ?i . ?i ipkg:targetValueMax ?m }}""")


def test_specific_targets_by_metric(store):
    rows = q(store, f"""SELECT ?metric ?value ?unit ?year WHERE {{ <{PLAN}> ipkg:hasIndicator ?i .
        ?i ipkg:metric ?m ; ipkg:targetValue ?value ; ipkg:unit ?u ; ipkg:targetYear ?year .
        ?u skos:notation ?unit . BIND(STRAFTER(STR(?m), "/metric/") AS ?metric) }}""")
    got = {r["metric"]: (r["value"], r["unit"], str(r["year"])) for r in rows}
    assert got["high-value-invention-patents-per-10k-people"] == (Decimal(6), "件", "2025")
    assert got["madrid-trademark-registrations"] == (Decimal(50), "件", "2025")
    assert got["ip-pledge-financing"] == (Decimal(60), "亿元", "2025")
    assert got["ip-protection-satisfaction"] == (Decimal(80), "%", "2025")
    assert got["ip-standard-enterprises"] == (Decimal(300), "家", "2025")
    assert got["ip-service-professionals"] == (Decimal(3000), "人", "2025")


# ------------------------------------------------------------------------------------ citations

# Five 《…》 in the text: four in the preamble (line 5: 按照《纲要》《“十四五”…规划》《江苏省…规划》等任务部署，
# 根据《国家知识产权局办公室…通知》要求 — the plan's basis) and 《企业知识产权管理规范》 in task 4-4-4 (a mention).
EXPECTED_CITATIONS = [
    ("《知识产权强国建设纲要（2021—2035年）》", "ip-power-outline-2021-2035", "basis"),
    ("《“十四五”国家知识产权保护和运用规划》", "national-ip-protection-use-plan-14th", "basis"),
    ("《江苏省“十四五”知识产权发展规划》", "jiangsu-ip-development-plan-14th", "basis"),
    ("《国家知识产权局办公室关于面向城市、县域、园区开展知识产权强国建设试点示范工作的通知》",
     "cnipa-notice-pilot-demonstration-2021", "basis"),
    ("《企业知识产权管理规范》", "gb-t-29490-2013", "mention"),
]


def test_citations(store, text):
    assert re.findall(r"《[^》]*》", text) == [c[0] for c in EXPECTED_CITATIONS]
    rows = q(store, f"""SELECT ?printed ?doc ?role ?in WHERE {{ <{PLAN}> ipkg:qualifiedCitation ?c .
        ?c ipkg:printedTitle ?printed ; ipkg:citedDocument ?d ; ipkg:citationRole ?r ; ipkg:order ?o .
        OPTIONAL {{ ?c ipkg:citedIn ?in }}
        BIND(STRAFTER(STR(?d), "/doc/") AS ?doc) BIND(STRAFTER(STR(?r), "/citation-role/") AS ?role) }}
        ORDER BY ?o""")
    assert [(r["printed"], r["doc"], r["role"]) for r in rows] == EXPECTED_CITATIONS
    assert rows[-1]["in"] == TASK + "4-4-4"
    docs = q(store, f"""SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ <{PLAN}> ipkg:cites ?d }}""")
    assert docs[0]["n"] == 5


# ------------------------------------------------------------------------------------ phases, safeguards, header

def test_phases(store):
    # 五、时序进度: （一）2022年8月—2022年9月, （二）2022年10月—2025年4月, （三）2025年5月—2025年6月
    rows = q(store, f"""SELECT ?zh ?s ?e WHERE {{ <{PLAN}> ipkg:hasPhase ?p . ?p rdfs:label ?zh ; ipkg:order ?o ;
        ipkg:startMonth ?s ; ipkg:endMonth ?e . FILTER(lang(?zh) = "zh") }} ORDER BY ?o""")
    assert [(r["zh"], str(r["s"]), str(r["e"])) for r in rows] == [
        ("宣传发动阶段", "2022-08", "2022-09"),
        ("组织实施阶段", "2022-10", "2025-04"),
        ("总结提升阶段", "2025-05", "2025-06"),
    ]


def test_safeguards(store):
    # 六、保障措施: four measures; only （一） and （二） name bodies:
    # （一） …领导小组办公室 and 各县（市、区）知识产权局; （二） 领导小组办公室.
    rows = q(store, f"""SELECT ?key ?zh ?body WHERE {{ <{PLAN}> ipkg:hasSafeguard ?m . ?m rdfs:label ?zh ;
        ipkg:order ?key . FILTER(lang(?zh) = "zh") OPTIONAL {{ ?m ipkg:namesBody ?b }}
        BIND(STRAFTER(STR(?b), "/org/yancheng/") AS ?body) }}""")
    measures: dict[int, tuple[str, set]] = {}
    for r in rows:
        zh, bodies = measures.setdefault(r["key"], (r["zh"], set()))
        if r["body"]:
            bodies.add(r["body"])
    assert measures == {
        1: ("明确工作分工", {"leading-group-office", "county-ip-offices"}),
        2: ("强化督查考核", {"leading-group-office"}),
        3: ("落实资金支持", set()),
        4: ("营造良好氛围", set()),
    }


def test_plan_header_absences(store):
    # The text prints no issuer, document number or date of its own (2022年8月4日 is CNIPA's designation).
    rows = q(store, f"""SELECT ?p WHERE {{ <{PLAN}> ipkg:notStatedInText ?p }}""")
    assert {r["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1] for r in rows} == {"issuer", "documentNumber", "issued"}
    period = q(store, f"""SELECT ?s ?e WHERE {{ <{PLAN}> ipkg:periodStart ?s ; ipkg:periodEnd ?e }}""")
    assert (str(period[0]["s"]), str(period[0]["e"])) == ("2022", "2025")


# ------------------------------------------------------------------------------------ provenance spans

SPAN = """?x ipkg:textSpan ?sp . ?sp oa:hasSelector ?pos , ?quote . ?pos oa:start ?start ; oa:end ?end .
        ?quote oa:exact ?exact ."""


def _check_spans(rows, text):
    assert rows
    for r in rows:
        assert text[r["start"]:r["end"]] == r["exact"], r


def test_task_spans(store, text):
    rows = q(store, f"""SELECT ?x ?path ?zh ?start ?end ?exact WHERE {{ <{PLAN}> ipkg:hasTask ?x .
        ?x ipkg:numberingPath ?path ; rdfs:label ?zh . FILTER(lang(?zh) = "zh") {SPAN} }}""")
    assert len(rows) == 23
    _check_spans(rows, text)
    for r in rows:
        body = flat(r["exact"])
        number = r["path"].rsplit("-", 1)[1]
        assert body.startswith(f"{number}.{r['zh']}。"), r["path"]
        assert body.endswith("负责）") or body.endswith("负责)"), r["path"]
        # the span holds its own task only: no following item number at a line start
        assert not re.search(r"\n\d+\. ", r["exact"]), r["path"]


def test_assignment_spans(store, text):
    rows = q(store, f"""SELECT ?x ?name ?start ?end ?exact ?tstart ?tend WHERE {{ ?x a ipkg:Assignment ;
        ipkg:inPlan <{PLAN}> ; ipkg:printedName ?name ; ipkg:task ?t . ?t ipkg:textSpan ?tsp .
        ?tsp oa:hasSelector ?tpos . ?tpos oa:start ?tstart ; oa:end ?tend . {SPAN} }}""")
    assert len(rows) == 81
    _check_spans(rows, text)
    for r in rows:
        assert flat(r["exact"]) == r["name"], r
        assert r["tstart"] <= r["start"] and r["end"] <= r["tend"], r


def test_indicator_spans(store, text):
    rows = q(store, f"""SELECT ?x ?value ?start ?end ?exact ?gstart ?gend WHERE {{ <{PLAN}> ipkg:hasIndicator ?x .
        ?x ipkg:targetValue ?value ; ipkg:goal ?g . ?g ipkg:textSpan ?gsp . ?gsp oa:hasSelector ?gpos .
        ?gpos oa:start ?gstart ; oa:end ?gend . {SPAN} }}""")
    assert len(rows) == 13
    _check_spans(rows, text)
    for r in rows:
        assert str(int(r["value"])) in flat(r["exact"]), r
        assert r["gstart"] <= r["start"] and r["end"] <= r["gend"], r


def test_citation_spans(store, text):
    rows = q(store, f"""SELECT ?x ?printed ?start ?end ?exact WHERE {{ <{PLAN}> ipkg:qualifiedCitation ?x .
        ?x ipkg:printedTitle ?printed . {SPAN} }}""")
    assert len(rows) == 5
    _check_spans(rows, text)
    for r in rows:
        assert r["exact"] == r["printed"], r


def test_goal_phase_safeguard_spans(store, text):
    rows = q(store, f"""SELECT ?x ?start ?end ?exact WHERE {{
        {{ <{PLAN}> ipkg:hasGoal ?x }} UNION {{ <{PLAN}> ipkg:hasPhase ?x }} UNION {{ <{PLAN}> ipkg:hasSafeguard ?x }}
        {SPAN} }}""")
    assert len(rows) == 6 + 3 + 4
    _check_spans(rows, text)
    # every body a safeguard names occurs in the measure's span under one of its printed forms
    bodies = q(store, f"""SELECT ?x ?d ?form ?exact WHERE {{ <{PLAN}> ipkg:hasSafeguard ?x . ?x ipkg:namesBody ?d .
        {{ ?d skos:altLabel ?form }} UNION {{ ?d skos:prefLabel ?form . FILTER(lang(?form) = "zh") }} {SPAN} }}""")
    hits = Counter()
    pairs = set()
    for r in bodies:
        pairs.add((r["x"], r["d"]))
        if r["form"] in flat(r["exact"]):
            hits[(r["x"], r["d"])] += 1
    assert len(pairs) == 3 and all(hits[p] for p in pairs), (pairs, hits)
