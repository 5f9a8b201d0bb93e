"""Taixing 2024 (泰兴市国家知识产权强县建设试点县工作方案（2024-2026年）) against its source text.

Every expected number and fact below was counted by a reviewer reading data/sources/taixing-2024.txt
line by line (``cat -n``), independently of the curation record; the comment at each constant says
how. The graph is queried through SPARQL on the embedded store (default graph = union of graphs).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from plan_facts import check_exact as _check_exact, rows as q, spans as _spans

SLUG = "taixing-2024"
PLAN = f"<https://w3id.org/ipkg/id/plan/{SLUG}>"


@pytest.fixture(scope="module")
def text(sources):
    return sources[SLUG]


# ----------------------------------------------------------------------------- the plan itself


def test_plan_header(store):
    rows = q(store, f"""
        SELECT ?number ?issuer ?start ?end WHERE {{
          {PLAN} ipkg:documentNumber ?number ; ipkg:issuer ?o ; ipkg:periodStart ?start ; ipkg:periodEnd ?end .
          ?o skos:prefLabel ?issuer . FILTER(lang(?issuer) = "zh")
        }}""")
    # Lines 2-3 and 9: 发布机构 泰兴市人民政府办公室, 文号 泰政办发〔2024〕18号; title line 25: (2024-2026年).
    assert rows == [{"number": "泰政办发〔2024〕18号", "issuer": "泰兴市人民政府办公室", "start": "2024", "end": "2026"}]


# ----------------------------------------------------------------------------- tasks

# 二、重点任务 has five groups (一)–(五) with items 1.–13. numbered continuously across groups:
# (一) 1.–3., (二) 4.–7., (三) 8.–9., (四) 10.–11., (五) 12.–13.
TASK_PATHS = ["2-1-1", "2-1-2", "2-1-3", "2-2-4", "2-2-5", "2-2-6", "2-2-7", "2-3-8", "2-3-9",
              "2-4-10", "2-4-11", "2-5-12", "2-5-13"]


def test_tasks(store):
    rows = q(store, f"""
        SELECT ?path ?stated WHERE {{
          {PLAN} ipkg:hasTask ?t . ?t ipkg:numberingPath ?path ; ipkg:assignmentStated ?stated .
        }}""")
    assert sorted(r["path"] for r in rows) == sorted(TASK_PATHS)
    # Every one of the 13 items ends with "(牵头单位:…。配合单位:…)".
    assert all(r["stated"] for r in rows)
    assert len(rows) == 13


def test_task_titles(store):
    # The short title of each item: its first sentence up to the first 。
    rows = q(store, f"""
        SELECT ?path ?label WHERE {{
          {PLAN} ipkg:hasTask ?t . ?t ipkg:numberingPath ?path ; rdfs:label ?label . FILTER(lang(?label) = "zh")
        }}""")
    titles = {r["path"]: r["label"] for r in rows}
    assert titles["2-1-1"] == "加强知识产权发展顶层设计"
    assert titles["2-2-5"] == "实施零专利企业知识产权“消零”"
    assert titles["2-3-9"] == "创新知识产权运营模式和金融服务"
    assert titles["2-5-13"] == "加强知识产权人才培育"


# ----------------------------------------------------------------------------- assignments

# Distinct units in the 13 task parentheses, counted from the text (lines 65–105); each 〔〕-name
# (市市场监督管理局〔知识产权局〕, 市新闻出版局〔版权局〕) is one body; 各乡镇〔街道〕 and 园区 are two
# units (separated by 、):
ASSIGNED_DEPARTMENTS = {
    "泰兴市市场监督管理局（泰兴市知识产权局）",  # lead of all 13
    "泰兴市财政局",  # joint lead of 2.
    "泰兴市知识产权工作领导小组成员单位",  # 1. 3. 12. 13.
    "泰兴市各乡镇（街道）",  # 1. 2. 3. 12. 13.
    "泰兴市各园区",  # 1. 2. 3. 12. 13.
    "泰兴市工业和信息化局",  # 2. 4.–8.
    "泰兴市科学技术局",  # 4.–9.
    "泰兴市农业农村局",  # 7. 11.
    "泰兴市新闻出版局（泰兴市版权局）",  # 8.
    "中国人民银行泰兴市支行",  # 9. (printed 人行)
    "泰兴市司法局",  # 10.
    "泰兴市公安局",  # 10. 11.
    "泰兴市人民检察院",  # 10. 11.
    "泰兴市人民法院",  # 10.
    "泰兴市自然资源和规划局",  # 11.
}


def test_distinct_assigned_departments(store):
    rows = q(store, f"""
        SELECT DISTINCT ?name WHERE {{
          ?a ipkg:inPlan {PLAN} ; ipkg:task ?t ; ipkg:department ?d .
          ?d skos:prefLabel ?name . FILTER(lang(?name) = "zh")
        }}""")
    assert {r["name"] for r in rows} == ASSIGNED_DEPARTMENTS
    assert len(rows) == 15


def _assignments(store, path: str) -> list[tuple]:
    rows = q(store, f"""
        SELECT ?pos ?printed ?role ?lead ?basis WHERE {{
          ?a ipkg:task <https://w3id.org/ipkg/id/task/{SLUG}/{path}> ; ipkg:listPosition ?pos ;
             ipkg:printedName ?printed ; ipkg:role ?r ; ipkg:isLead ?lead .
          ?r skos:notation ?role .
          OPTIONAL {{ ?a ipkg:leadBasis ?b . ?b skos:notation ?basis }}
        }} ORDER BY ?pos""")
    return [(r["printed"], r["role"], r["lead"], r.get("basis")) for r in rows]


MSA = "市市场监督管理局〔知识产权局〕"


def test_assignment_order_and_roles(store):
    # Item 2.: "(牵头单位:市市场监督管理局〔知识产权局〕、市财政局。配合单位:市工信局、各乡镇〔街道〕、园区)"
    assert _assignments(store, "2-1-2") == [
        (MSA, "lead", True, "explicit"),
        ("市财政局", "lead", True, "explicit"),
        ("市工信局", "cooperating", False, None),
        ("各乡镇〔街道〕", "cooperating", False, None),
        ("园区", "cooperating", False, None),
    ]
    # Item 1.: "(牵头单位:市市场监督管理局〔知识产权局〕。配合单位:市知识产权工作领导小组成员单位、各乡镇〔街道〕、园区)"
    assert _assignments(store, "2-1-1") == [
        (MSA, "lead", True, "explicit"),
        ("市知识产权工作领导小组成员单位", "cooperating", False, None),
        ("各乡镇〔街道〕", "cooperating", False, None),
        ("园区", "cooperating", False, None),
    ]
    # Item 8.: "配合单位:市科技局、市工信局、市新闻出版局〔版权局〕"
    assert [a[0] for a in _assignments(store, "2-3-8")] == [MSA, "市科技局", "市工信局", "市新闻出版局〔版权局〕"]
    # Item 9.: "配合单位:市科技局、人行"
    assert [a[0] for a in _assignments(store, "2-3-9")] == [MSA, "市科技局", "人行"]
    # Item 10.: "配合单位:市司法局、市公安局、市检察院、市法院"
    assert [a[0] for a in _assignments(store, "2-4-10")] == [MSA, "市司法局", "市公安局", "市检察院", "市法院"]
    # Item 11.: "配合单位:市公安局、市检察院、市农业农村局、市自然资源和规划局"
    assert [a[0] for a in _assignments(store, "2-4-11")] == [
        MSA, "市公安局", "市检察院", "市农业农村局", "市自然资源和规划局"]


def test_leads_by_task_label(store):
    rows = q(store, f"""
        SELECT ?title ?lead ?basis WHERE {{
          {PLAN} ipkg:hasTask ?t . ?t rdfs:label ?title . FILTER(lang(?title) = "zh")
          ?a ipkg:task ?t ; ipkg:isLead true ; ipkg:department ?d ; ipkg:leadBasis ?b .
          ?d skos:prefLabel ?lead . FILTER(lang(?lead) = "zh")
          ?b skos:notation ?basis .
        }}""")
    leads: dict[str, set] = {}
    for r in rows:
        leads.setdefault(r["title"], set()).add((r["lead"], r["basis"]))
    msa = ("泰兴市市场监督管理局（泰兴市知识产权局）", "explicit")
    # Every lead is printed after 牵头单位: (explicit); none is inferred.
    assert leads["加强知识产权发展顶层设计"] == {msa}
    assert leads["完善高质量发展政策体系"] == {msa, ("泰兴市财政局", "explicit")}
    assert leads["实施高价值专利培育工程"] == {msa}
    assert leads["打造区域优质品牌"] == {msa}
    assert leads["健全知识产权保护网络"] == {msa}
    assert leads["保持打击侵权高压态势"] == {msa}
    assert leads["优化知识产权服务供给"] == {msa}
    assert len(leads) == 13
    assert sum(len(v) for v in leads.values()) == 14  # 13 tasks, item 2. has two leads
    joint = q(store, f"SELECT ?t WHERE {{ {PLAN} ipkg:hasTask ?t . ?t ipkg:jointLead true }}")
    assert [r["t"].rsplit("/", 1)[-1] for r in joint] == ["2-1-2"]


# ----------------------------------------------------------------------------- goals and indicators

# (三)发展目标 has five numbered goals 1.–5. (lines 49–57). Quantified targets, in order:
#   1. 有效发明专利量达3500件 · 高维持发明专利拥有量达650件 · 万人发明专利拥有量达29件 ·
#      全市注册商标总量达14600件 · 万企有效注册商标数达660件                                     (5)
#   2. 试点示范园区2个 · 高企贯标备案率超90% · 贯标绩效评价合格单位30家 · 国家知识产权优势(示范)企业达9家 ·
#      知识产权密集型企业达20家 · 专利标准融合创新企业达60家以上 · 质押融资额累计达20亿元以上      (7)
#   3. 行政查处率超过90% · 纠纷调解率达90%以上                                                   (2)
#   4. 知识产权服务机构达30家以上                                                                (1)
#   5. 累计培训企业知识产权高管、知识产权工程师300人次                                            (1)
# = 16. Not targets: "新增一批…高端人才" (一批), 建成泰兴分中心, 探索建立联盟. Year: "到2026年" heads the goals.


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
    assert len(goals) == 5
    indicators = _indicators(store)
    assert len(indicators) == 16
    assert all(r["year"] == "2026" and r["stated"] for r in indicators.values())


@pytest.mark.parametrize("phrase, metric, value, unit, comparator, kind", [
    ("有效发明专利量达3500件", "effective-invention-patents", 3500, "件", "reach", "stock"),
    ("万人发明专利拥有量达29件", "invention-patents-per-10k-people", 29, "件", "reach", "stock"),
    ("全市注册商标总量达14600件", "registered-trademarks", 14600, "件", "reach", "stock"),
    ("万企有效注册商标数达660件", "registered-trademarks-per-10k-enterprises", 660, "件", "reach", "stock"),
    ("高企贯标备案率超90%", "high-tech-enterprise-ip-standard-filing-rate", 90, "%", "exceed", "rate"),
    ("国家知识产权优势(示范)企业达9家", "national-ip-advantage-demonstration-enterprises", 9, "家", "reach", "stock"),
    ("专利标准融合创新企业达60家以上", "patent-standard-integration-enterprises", 60, "家", "at-least", "stock"),
    ("专利、商标等知识产权质押融资额累计达20亿元以上", "ip-pledge-financing", 20, "亿元", "at-least", "cumulative"),
    ("知识产权纠纷调解率达90%以上", "ip-dispute-mediation-rate", 90, "%", "at-least", "rate"),
    ("知识产权服务机构达30家以上", "ip-service-institutions", 30, "家", "at-least", "stock"),
    ("累计培训企业知识产权高管、知识产权工程师300人次", "enterprise-ip-training-person-times", 300, "人次",
     "unspecified", "cumulative"),
])
def test_indicator_values(store, phrase, metric, value, unit, comparator, kind):
    row = _indicators(store)[phrase]
    assert (row["metric"], row["value"], row["unit"], row["comparator"], row["kind"]) == (
        metric, Decimal(value), unit, comparator, kind)


# ----------------------------------------------------------------------------- citations

# 《…》 occurrences in the text: 12 — the plan's own title 4 times (notice title line 5, notice body
# line 13, phases (二) and (三) lines 115/119), 7 in the preamble (line 29: six under 为贯彻落实 and one
# under 根据, all the plan's basis), and 《泰兴市促进实体经济高质量发展的若干意见》 in task 2. (a mention).
BASIS = {
    "ip-power-outline-2021-2035", "national-ip-protection-use-plan-14th", "jiangsu-ip-development-plan-14th",
    "jiangsu-ip-province-outline-2021-2035", "taizhou-ip-development-plan-14th", "taixing-ip-development-plan-14th",
    "cnipa-designation-pilot-cities-counties-2024",
}


def test_citations(store, text):
    assert text.count("《") == 12
    rows = q(store, f"""
        SELECT ?doc ?role ?in WHERE {{
          {PLAN} ipkg:qualifiedCitation ?c . ?c ipkg:citedDocument ?doc ; ipkg:citationRole/skos:notation ?role .
          OPTIONAL {{ ?c ipkg:citedIn ?in }}
        }}""")
    assert len(rows) == 8  # the 4 self-citations are not citations of another document
    by_doc = {r["doc"].rsplit("/", 1)[-1]: r for r in rows}
    assert set(by_doc) == BASIS | {"taixing-real-economy-opinions"}
    assert {k for k, r in by_doc.items() if r["role"] == "basis"} == BASIS
    assert by_doc["taixing-real-economy-opinions"]["role"] == "mention"
    assert by_doc["taixing-real-economy-opinions"]["in"].endswith("/task/taixing-2024/2-1-2")
    cited = q(store, f"SELECT DISTINCT ?doc WHERE {{ {PLAN} ipkg:cites ?doc }}")
    assert len(cited) == 8


# ----------------------------------------------------------------------------- phases and safeguards

# 三、实施计划: four stages with months printed in their headings (lines 109–123).
PHASES = [("启动阶段", "2024-01", "2024-04"), ("实施阶段", "2024-05", "2026-06"),
          ("评估阶段", "2026-07", "2026-08"), ("总结验收阶段", "2026-09", "2026-12")]


def test_phases(store):
    rows = q(store, f"""
        SELECT ?label ?start ?end WHERE {{
          {PLAN} ipkg:hasPhase ?p . ?p ipkg:order ?o ; rdfs:label ?label ; ipkg:startMonth ?start ; ipkg:endMonth ?end .
          FILTER(lang(?label) = "zh")
        }} ORDER BY ?o""")
    assert [(r["label"], r["start"], r["end"]) for r in rows] == PHASES


# 四、保障措施 (一)–(四) (lines 127–133) and the bodies each names:
#   (一) 市市场监督管理局(市知识产权局), 市各相关职能部门, 各乡镇(街道), 园区, 市知识产权联席会议, 各成员单位
#   (二) none
#   (三) 各乡镇(街道), 园区, 市财政
#   (四) 市各相关职能部门 (人大代表、政协委员 are persons, not bodies)
SAFEGUARDS = {
    "加强组织领导": {"泰兴市市场监督管理局（泰兴市知识产权局）", "泰兴市各相关职能部门", "泰兴市各乡镇（街道）",
                 "泰兴市各园区", "泰兴市知识产权联席会议", "泰兴市知识产权联席会议各成员单位"},
    "完善政策体系": set(),
    "加强经费保障": {"泰兴市各乡镇（街道）", "泰兴市各园区", "泰兴市财政局"},
    "严格考核监督": {"泰兴市各相关职能部门"},
}


def test_safeguards(store):
    measures = q(store, f"""
        SELECT ?label WHERE {{ {PLAN} ipkg:hasSafeguard ?m . ?m rdfs:label ?label . FILTER(lang(?label) = "zh") }}""")
    assert {r["label"] for r in measures} == set(SAFEGUARDS)
    rows = q(store, f"""
        SELECT ?label ?body WHERE {{
          {PLAN} ipkg:hasSafeguard ?m . ?m rdfs:label ?label ; ipkg:namesBody ?d .
          ?d skos:prefLabel ?body . FILTER(lang(?label) = "zh" && lang(?body) = "zh")
        }}""")
    named: dict[str, set] = {k: set() for k in SAFEGUARDS}
    for r in rows:
        named[r["label"]].add(r["body"])
    assert named == SAFEGUARDS


# ----------------------------------------------------------------------------- provenance spans


def test_task_spans(store, text):
    rows = _spans(store, f"{PLAN} ipkg:hasTask ?x .", "number", "?x ipkg:printedNumber ?number .")
    assert len(rows) == 13
    _check_exact(rows, text)
    for r in rows:
        assert r["exact"].startswith(r["number"])
        assert r["exact"].endswith(")")  # each item ends with its assignment parenthesis
        assert "牵头单位" in r["exact"] and r["exact"].count("牵头单位") == 1  # nothing of the next item


def test_assignment_spans(store, text):
    rows = _spans(store, f"?x ipkg:inPlan {PLAN} ; a ipkg:Assignment .", "printed", "?x ipkg:printedName ?printed .")
    # Units in the 13 parentheses, items 1.–13.: 4+5+4+3+3+3+4+4+3+5+5+4+4 = 51 (no safeguard
    # measure of this plan prints an assignment).
    assert len(rows) == 51
    _check_exact(rows, text)
    for r in rows:
        assert r["printed"] in r["exact"]


def test_indicator_spans(store, text):
    rows = _spans(store, f"{PLAN} ipkg:hasIndicator ?x .", "value", "?x ipkg:targetValue ?value .")
    assert len(rows) == 16
    _check_exact(rows, text)
    for r in rows:
        assert str(r["value"]) in r["exact"]


def test_citation_spans(store, text):
    rows = _spans(store, f"{PLAN} ipkg:qualifiedCitation ?x .", "title", "?x ipkg:printedTitle ?title .")
    assert len(rows) == 8
    _check_exact(rows, text)
    for r in rows:
        assert r["exact"] == r["title"]
