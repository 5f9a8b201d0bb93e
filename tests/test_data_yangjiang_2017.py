"""Yangjiang 2017 (阳江市国家知识产权试点城市建设工作方案) against its source text.

Every expected number and fact below was counted by a reviewer reading data/sources/yangjiang-2017.txt
line by line (``cat -n``), independently of the curation record; the comment at each constant says
how. The graph is queried through SPARQL on the embedded store (default graph = union of graphs).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from plan_facts import check_exact as _check_exact, rows as q, spans as _spans

SLUG = "yangjiang-2017"
PLAN = f"<https://w3id.org/ipkg/id/plan/{SLUG}>"


@pytest.fixture(scope="module")
def text(sources):
    return sources[SLUG]


# ----------------------------------------------------------------------------- the plan itself


def test_plan_header(store):
    # The text prints no issuer, no document number and no date; the pilot period is printed in the
    # preamble (line 4): "试点周期为2017年12月至2020年12月".
    rows = q(store, f"SELECT ?p WHERE {{ {PLAN} ipkg:notStatedInText ?p }}")
    not_stated = {r["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1] for r in rows}
    assert {"issuer", "documentNumber", "issued"} <= not_stated
    rows = q(store, f"SELECT ?s ?e WHERE {{ {PLAN} ipkg:periodStart ?s ; ipkg:periodEnd ?e }}")
    assert rows == [{"s": "2017", "e": "2020"}]
    assert q(store, f"SELECT ?o WHERE {{ {PLAN} ipkg:issuer ?o }}") == []


# ----------------------------------------------------------------------------- tasks

# 四、重点任务 has five groups (一)–(五) with items 1.–20. numbered continuously across groups:
# (一) 1.–3., (二) 4.–9., (三) 10.–13., (四) 14.–17., (五) 18.–20. (lines 39–86).
TASK_PATHS = (["4-1-1", "4-1-2", "4-1-3"] + [f"4-2-{n}" for n in range(4, 10)] + [f"4-3-{n}" for n in range(10, 14)]
              + [f"4-4-{n}" for n in range(14, 18)] + [f"4-5-{n}" for n in range(18, 21)])


def test_tasks(store):
    rows = q(store, f"""
        SELECT ?path ?stated WHERE {{
          {PLAN} ipkg:hasTask ?t . ?t ipkg:numberingPath ?path ; ipkg:assignmentStated ?stated .
        }}""")
    assert len(TASK_PATHS) == 20
    assert sorted(r["path"] for r in rows) == sorted(TASK_PATHS)
    # Every item ends with a 〔牵头单位：…；责任单位：…〕 or 〔负责单位：…〕 bracket.
    assert all(r["stated"] for r in rows)


def test_task_titles(store):
    rows = q(store, f"""
        SELECT ?path ?label WHERE {{
          {PLAN} ipkg:hasTask ?t . ?t ipkg:numberingPath ?path ; rdfs:label ?label . FILTER(lang(?label) = "zh")
        }}""")
    titles = {r["path"]: r["label"] for r in rows}
    assert titles["4-1-1"] == "健全知识产权行政管理体系"
    assert titles["4-2-5"] == "积极实施商标名牌战略"
    # Item 6. has no separate title: its only sentence before the bracket is the title.
    assert titles["4-2-6"].startswith("建立作品著作权登记资助机制")
    assert titles["4-3-10"] == "探索重大经济活动专利评议"
    assert titles["4-5-20"] == "推进中小学知识产权专题教育"


# ----------------------------------------------------------------------------- assignments

# Distinct units in the 20 task brackets (lines 41–86); 市文广新局（市版权局） is one body:
ASSIGNED_DEPARTMENTS = {
    "阳江市机构编制委员会办公室",  # 1. lead (市编办)
    "阳江市知识产权局",  # lead or 负责 of 15 items, responsible in 1. and 7.
    "阳江市工商行政管理局",  # 5. lead; responsible in 1. 2. 3. 7. 14.–17.
    "阳江市各县（市、区）人民政府",  # 1. 2. 14. 15. 18.
    "阳江市财政局",  # 2. 3. 10. 12. 13.
    "阳江市文化广电新闻出版局（阳江市版权局）",  # 6. 负责; 2. 3. 14.–17.
    "阳江市质量技术监督局",  # 7. lead; 2. 3.
    "阳江市农业局",  # 2. 5.
    "阳江市林业局",  # 2. 5.
    "阳江海关",  # 3. 16.
    "阳江市经济和信息化局",  # 4. 5. 10. 12.
    "阳江市发展和改革局",  # 10. (市发展改革局)
    "阳江市商务局",  # 10.
    "阳江市科学技术局",  # 12. lead
    "阳江市金融工作局",  # 13. (市金融局)
    "中国人民银行阳江市中心支行",  # 13. (人行阳江市中心支行)
    "中国银行业监督管理委员会阳江监管分局",  # 13. (阳江银监分局)
    "阳江市公安局",  # 15.
    "阳江市中级人民法院",  # 15. (市中级法院)
    "阳江市人民检察院",  # 15.
    "阳江市知识产权办公会议成员单位",  # 18.
    "中共阳江市委组织部",  # 19.
    "阳江市人力资源和社会保障局",  # 19. (市人力资源社会保障局)
    "阳江市教育局",  # 20.
}


def test_distinct_assigned_departments(store):
    rows = q(store, f"""
        SELECT DISTINCT ?name WHERE {{
          ?a ipkg:inPlan {PLAN} ; ipkg:task ?t ; ipkg:department ?d .
          ?d skos:prefLabel ?name . FILTER(lang(?name) = "zh")
        }}""")
    assert {r["name"] for r in rows} == ASSIGNED_DEPARTMENTS
    assert len(rows) == 24


def _assignments(store, owner: str) -> list[tuple]:
    rows = q(store, f"""
        SELECT ?pos ?printed ?role ?lead ?basis WHERE {{
          ?a ?link <https://w3id.org/ipkg/id/{owner}> ; a ipkg:Assignment ; ipkg:listPosition ?pos ;
             ipkg:printedName ?printed ; ipkg:role ?r ; ipkg:isLead ?lead .
          ?r skos:notation ?role .
          OPTIONAL {{ ?a ipkg:leadBasis ?b . ?b skos:notation ?basis }}
        }} ORDER BY ?pos""")
    return [(r["printed"], r["role"], r["lead"], r.get("basis")) for r in rows]


def test_assignment_order_and_roles(store):
    # 1.: "〔牵头单位：市编办；责任单位：市知识产权局、市工商局，各县（市、区）人民政府〕"
    assert _assignments(store, f"task/{SLUG}/4-1-1") == [
        ("市编办", "lead", True, "explicit"),
        ("市知识产权局", "responsible", False, None),
        ("市工商局", "responsible", False, None),
        ("各县（市、区）人民政府", "responsible", False, None),
    ]
    # 4.: "〔负责单位：市知识产权局；责任单位：市经济和信息化局〕"
    assert _assignments(store, f"task/{SLUG}/4-2-4") == [
        ("市知识产权局", "lead-responsible", True, "explicit"),
        ("市经济和信息化局", "responsible", False, None),
    ]
    # 6.: "〔负责单位：市文广新局（市版权局）〕"
    assert _assignments(store, f"task/{SLUG}/4-2-6") == [("市文广新局（市版权局）", "lead-responsible", True, "explicit")]
    # 13.: "〔负责单位：市知识产权局；责任单位：市金融局、市财政局、人行阳江市中心支行、阳江银监分局〕"
    assert [a[0] for a in _assignments(store, f"task/{SLUG}/4-3-13")] == [
        "市知识产权局", "市金融局", "市财政局", "人行阳江市中心支行", "阳江银监分局"]
    # 15.: "责任单位：市公安局、市中级法院、市检察院、市工商局、市文广新局（市版权局）、各县（市、区）人民政府"
    assert [a[0] for a in _assignments(store, f"task/{SLUG}/4-4-15")] == [
        "市知识产权局", "市公安局", "市中级法院", "市检察院", "市工商局", "市文广新局（市版权局）", "各县（市、区）人民政府"]
    # 2.: the longest list, 8 units.
    assert [a[1] for a in _assignments(store, f"task/{SLUG}/4-1-2")] == ["lead"] + ["responsible"] * 7


def test_leads_by_task_label(store):
    rows = q(store, f"""
        SELECT ?title ?lead ?basis ?role WHERE {{
          {PLAN} ipkg:hasTask ?t . ?t rdfs:label ?title . FILTER(lang(?title) = "zh")
          ?a ipkg:task ?t ; ipkg:isLead true ; ipkg:department ?d ; ipkg:leadBasis/skos:notation ?basis ;
             ipkg:role/skos:notation ?role .
          ?d skos:prefLabel ?lead . FILTER(lang(?lead) = "zh")
        }}""")
    leads = {}
    for r in rows:
        assert r["title"] not in leads  # one lead per task
        leads[r["title"]] = (r["lead"], r["role"], r["basis"])
    assert len(leads) == 20
    ip = "阳江市知识产权局"
    assert leads["健全知识产权行政管理体系"] == ("阳江市机构编制委员会办公室", "lead", "explicit")
    assert leads["积极实施商标名牌战略"] == ("阳江市工商行政管理局", "lead", "explicit")
    assert leads["支持企业参与标准制定"] == ("阳江市质量技术监督局", "lead", "explicit")
    assert leads["推行科技项目知识产权全过程管理"] == ("阳江市科学技术局", "lead", "explicit")
    assert leads["实施专利提质增量计划"] == (ip, "lead-responsible", "explicit")
    assert leads["推进知识产权质押融资"] == (ip, "lead-responsible", "explicit")
    assert leads["严格知识产权行政执法"] == (ip, "lead", "explicit")
    assert leads["加强知识产权人才培训"] == (ip, "lead", "explicit")
    # 牵头单位 in 14 items, 负责单位 in 6 (4. 6. 8. 9. 11. 13.); the IP office leads 15 of the 20.
    assert sum(1 for v in leads.values() if v[1] == "lead") == 14
    assert sum(1 for v in leads.values() if v[1] == "lead-responsible") == 6
    assert sum(1 for v in leads.values() if v[0] == ip) == 15


# ----------------------------------------------------------------------------- goals and indicators

# 三、工作目标 has four goals （一）–（四） (lines 15–35). Quantified targets:
#   （二）专利：专利申请量年均增长30%以上 · 三年试点期间专利申请总量达10000件以上;
#        商标：商标注册申请量年均增长10%以上 · 拥有有效注册商标16300件以上                       (4)
#   （三）推动15家以上企业实施《企业知识产权管理规范》                                            (1)
# = 5. Not targets (no number): 发明专利申请增长率达到全省平均水平, 版权…力争达到全省平均水平,
# 技术标准…有所突破, 植物新品种…逐步提高, 专利技术实施率逐步提高, 质押融资实现新突破.
# No target year is printed ("试点工作结束时", "三年试点期间"): 2020, the pilot's last year, not stated.


def _indicators(store) -> dict[str, dict]:
    rows = q(store, f"""
        SELECT ?metric ?phrase ?value ?unit ?comparator ?kind ?year ?stated WHERE {{
          {PLAN} ipkg:hasIndicator ?i .
          ?i ipkg:metric/skos:notation ?metric ; ipkg:phrase ?phrase ; ipkg:targetValue ?value ;
             ipkg:unit/skos:notation ?unit ; ipkg:comparator/skos:notation ?comparator ;
             ipkg:indicatorKind/skos:notation ?kind ; ipkg:targetYear ?year ; ipkg:targetYearStated ?stated .
        }}""")
    return {r["phrase"]: r for r in rows}


def test_goals_and_indicator_count(store):
    goals = q(store, f"SELECT ?g WHERE {{ {PLAN} ipkg:hasGoal ?g }}")
    assert len(goals) == 4
    indicators = _indicators(store)
    assert len(indicators) == 5
    assert all(r["year"] == "2020" and not r["stated"] for r in indicators.values())


@pytest.mark.parametrize("phrase, metric, value, unit, comparator, kind", [
    ("专利申请量年均增长30%以上", "patent-applications", 30, "%", "at-least", "annual-growth"),
    ("专利申请总量达10000件以上", "patent-applications", 10000, "件", "at-least", "cumulative"),
    ("商标注册申请量年均增长10%以上", "trademark-applications", 10, "%", "at-least", "annual-growth"),
    ("拥有有效注册商标16300件以上", "registered-trademarks", 16300, "件", "at-least", "stock"),
    ("推动15家以上企业实施《企业知识产权管理规范》", "ip-standard-enterprises", 15, "家", "at-least", "cumulative"),
])
def test_indicator_values(store, phrase, metric, value, unit, comparator, kind):
    row = _indicators(store)[phrase]
    assert (row["metric"], row["value"], row["unit"], row["comparator"], row["kind"]) == (
        metric, Decimal(value), unit, comparator, kind)


# ----------------------------------------------------------------------------- citations

# 《…》 occurrences: 5 — preamble 《国家知识产权试点、示范城市管理办法》 (根据…的要求, basis); 指导思想
# 《国务院关于新形势下加快知识产权强国建设的若干意见》 and 《“十三五”国家知识产权保护和运用规划》 (按照…决策部署,
# basis); 《企业知识产权管理规范》 in goal （三） and in task 9. (mentions). 4 distinct documents.


def test_citations(store, text):
    assert text.count("《") == 5
    rows = q(store, f"""
        SELECT ?doc ?role ?in WHERE {{
          {PLAN} ipkg:qualifiedCitation ?c . ?c ipkg:citedDocument ?doc ; ipkg:citationRole/skos:notation ?role .
          OPTIONAL {{ ?c ipkg:citedIn ?in }}
        }}""")
    assert len(rows) == 5
    pairs = sorted((r["doc"].rsplit("/", 1)[-1], r["role"]) for r in rows)
    assert pairs == sorted([
        ("national-ip-pilot-demo-city-measures-2016", "basis"),
        ("state-council-opinions-ip-power-2015", "basis"),
        ("national-ip-protection-use-plan-13th", "basis"),
        ("gb-t-29490-2013", "mention"),
        ("gb-t-29490-2013", "mention"),
    ])
    where = sorted(r["in"].split("/id/", 1)[1] for r in rows if r["role"] == "mention")
    assert where == [f"goal/{SLUG}/3", f"task/{SLUG}/4-2-9"]
    assert len(q(store, f"SELECT DISTINCT ?d WHERE {{ {PLAN} ipkg:cites ?d }}")) == 4


# ----------------------------------------------------------------------------- phases and safeguards


def test_no_phases(store):
    # The plan has no timetable (时序进度/实施计划); the pilot period is not a phase.
    assert q(store, f"SELECT ?p WHERE {{ {PLAN} ipkg:hasPhase ?p }}") == []


# 五、保障措施 (一)–(三) (lines 89–92), the bodies each names in its text and its bracket:
#   (一) 阳江市国家知识产权试点城市建设工作领导小组, 各县（市、区）人民政府; 〔牵头单位：市知识产权局；
#        责任单位：领导小组成员单位、各县（市、区）人民政府〕
#   (二) 各县（市、区）人民政府; 〔牵头单位：市财政局；责任单位：市知识产权局，各县（市、区）人民政府〕
#   (三) 各县（市、区）人民政府, 市直有关部门; 〔牵头单位：市知识产权局；责任单位：领导小组成员单位，
#        各县（市、区）人民政府〕
COUNTIES = "阳江市各县（市、区）人民政府"
MEMBERS = "阳江市国家知识产权试点城市建设工作领导小组成员单位"
SAFEGUARDS = {
    "强化组织领导": {"阳江市国家知识产权试点城市建设工作领导小组", COUNTIES, "阳江市知识产权局", MEMBERS},
    "加大投入力度": {COUNTIES, "阳江市财政局", "阳江市知识产权局"},
    "加强督办落实": {COUNTIES, "阳江市直有关部门", "阳江市知识产权局", MEMBERS},
}


def test_safeguards(store):
    rows = q(store, f"""
        SELECT ?label ?body WHERE {{
          {PLAN} ipkg:hasSafeguard ?m . ?m rdfs:label ?label ; ipkg:namesBody ?d .
          ?d skos:prefLabel ?body . FILTER(lang(?label) = "zh" && lang(?body) = "zh")
        }}""")
    named: dict[str, set] = {}
    for r in rows:
        named.setdefault(r["label"], set()).add(r["body"])
    assert named == SAFEGUARDS
    assert _assignments(store, f"safeguard/{SLUG}/2") == [
        ("市财政局", "lead", True, "explicit"),
        ("市知识产权局", "responsible", False, None),
        ("各县（市、区）人民政府", "responsible", False, None),
    ]
    assert [a[0] for a in _assignments(store, f"safeguard/{SLUG}/1")] == [
        "市知识产权局", "领导小组成员单位", "各县（市、区）人民政府"]


# ----------------------------------------------------------------------------- provenance spans


def test_task_spans(store, text):
    rows = _spans(store, f"{PLAN} ipkg:hasTask ?x .", "number", "?x ipkg:printedNumber ?number .")
    assert len(rows) == 20
    _check_exact(rows, text)
    for r in rows:
        assert r["exact"].startswith(r["number"])
        assert r["exact"].endswith("〕")  # each item ends with its assignment bracket
        assert r["exact"].count("〔") == 1  # nothing of the next item


def test_assignment_spans(store, text):
    rows = _spans(store, f"?x ipkg:inPlan {PLAN} ; a ipkg:Assignment .", "printed", "?x ipkg:printedName ?printed .")
    # Units in the 20 task brackets, items 1.–20.: 4+8+6+2+4+1+3+1+1+5+1+3+5+4+7+4+3+3+3+2 = 70,
    # plus 3+3+3 in the three safeguard brackets = 79.
    assert len(rows) == 79
    _check_exact(rows, text)
    for r in rows:
        assert r["printed"] in r["exact"]


def test_indicator_spans(store, text):
    rows = _spans(store, f"{PLAN} ipkg:hasIndicator ?x .", "value", "?x ipkg:targetValue ?value .")
    assert len(rows) == 5
    _check_exact(rows, text)
    for r in rows:
        assert str(r["value"]) in r["exact"]


def test_citation_spans(store, text):
    rows = _spans(store, f"{PLAN} ipkg:qualifiedCitation ?x .", "title", "?x ipkg:printedTitle ?title .")
    assert len(rows) == 5
    _check_exact(rows, text)
    for r in rows:
        assert r["exact"] == r["title"]
