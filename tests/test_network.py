"""Department networks (issue 7): graphs, analysis, exports, pictures, the HTML page, the CLI.

The expected networks are transcribed by hand from the assignment brackets of the source texts
in data/sources/ (牵头单位/配合单位/责任单位/负责单位 and "…等按职责分工负责"), one list per task, in
printed order, never from the code's output. Each test re-derives the counts it checks (distinct
units, assignments, pairs of units sharing a task, leads) from these transcriptions.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import struct
from collections import Counter
from pathlib import Path

import pytest

from ipkg import network

# ---------------------------------------------------------------------------------------- the texts

# Taixing: "（牵头单位：…。配合单位：…）" after each of the 13 tasks (data/sources/taixing-2024.txt).
M = "市市场监督管理局〔知识产权局〕"
LG, TS, PK = "市知识产权工作领导小组成员单位", "各乡镇〔街道〕", "园区"
TAIXING = [
    ([M], [LG, TS, PK]),
    ([M, "市财政局"], ["市工信局", TS, PK]),
    ([M], [LG, TS, PK]),
    ([M], ["市科技局", "市工信局"]),
    ([M], ["市科技局", "市工信局"]),
    ([M], ["市科技局", "市工信局"]),
    ([M], ["市科技局", "市工信局", "市农业农村局"]),
    ([M], ["市科技局", "市工信局", "市新闻出版局〔版权局〕"]),
    ([M], ["市科技局", "人行"]),
    ([M], ["市司法局", "市公安局", "市检察院", "市法院"]),
    ([M], ["市公安局", "市检察院", "市农业农村局", "市自然资源和规划局"]),
    ([M], [LG, TS, PK]),
    ([M], [LG, TS, PK]),
]

# Yancheng: "（A、B、C等按职责分工负责）" — the first-listed unit is the (inferred) lead — or
# "（市知识产权局负责）", an explicit lead alone; 23 tasks (data/sources/yancheng-2022.txt).
IP = "市知识产权局"
YANCHENG_LISTS = [
    ["领导小组各成员单位"],
    [IP, "市科技局", "市发改委", "市工信局", "市财政局", "市人社局", "市统计局"],
    [IP, "市农业农村局", "市人社局", "市教育局", "市文广旅局"],
    [IP, "市科技局", "市发改委", "市工信局"],
    [IP, "市科技局", "市工信局", "市商务局"],
    [IP, "市农业农村局"],
    ["市版权局", "市财政局", "市税务局"],
    [IP, "市科技局", "市工信局", "市发改委"],
    [IP, "市财政局"],
    ["市中级人民法院", "市人民检察院", "市公安局"],
    [IP, "市版权局", "市文广旅局", "市农业农村局", "市商务局", "盐城海关"],
    ["市中级人民法院", "市人民检察院", "市公安局", "市司法局", IP, "市版权局", "市文广旅局", "市农业农村局",
     "市商务局", "盐城仲裁委", "盐城海关"],
    [IP, "市地方金融监管局", "市人行", "市银保监局"],
    [IP, "市地方金融监管局", "市人行", "市银保监局", "市财政局"],
    [IP],
    [IP],
    [IP],
    [IP, "市委组织部"],
    [IP, "市委宣传部", "市教育局", "市文广旅局", "市卫健委", "市中级人民法院", "盐城仲裁委"],
    [IP],
    ["市人社局", "市教育局", IP],
    [IP],
    ["市委组织部", "市人社局", IP],
]
YANCHENG = [([units[0]], units[1:]) for units in YANCHENG_LISTS]
YANCHENG_EXPLICIT = 5  # the five "（市知识产权局负责）"

# Yangjiang: "〔牵头单位：…；责任单位：…〕" or "〔负责单位：…〕" after each of the 20 tasks
# (data/sources/yangjiang-2017.txt; the three brackets after them belong to the safeguards).
CULT, COUNTY, AIC = "市文广新局（市版权局）", "各县（市、区）人民政府", "市工商局"
YANGJIANG = [
    (["市编办"], [IP, AIC, COUNTY]),
    ([IP], ["市财政局", AIC, CULT, "市质监局", "市农业局", "市林业局", COUNTY]),
    ([IP], ["市财政局", AIC, CULT, "市质监局", "阳江海关"]),
    ([IP], ["市经济和信息化局"]),
    ([AIC], ["市经济和信息化局", "市农业局", "市林业局"]),
    ([CULT], []),
    (["市质监局"], [IP, AIC]),
    ([IP], []),
    ([IP], []),
    ([IP], ["市发展改革局", "市经济和信息化局", "市财政局", "市商务局"]),
    ([IP], []),
    (["市科技局"], ["市经济和信息化局", "市财政局"]),
    ([IP], ["市金融局", "市财政局", "人行阳江市中心支行", "阳江银监分局"]),
    ([IP], [AIC, CULT, COUNTY]),
    ([IP], ["市公安局", "市中级法院", "市检察院", AIC, CULT, COUNTY]),
    ([IP], [AIC, CULT, "阳江海关"]),
    ([IP], [AIC, CULT]),
    ([IP], ["市知识产权办公会议成员单位", COUNTY]),
    ([IP], ["市委组织部", "市人力资源社会保障局"]),
    ([IP], ["市教育局"]),
]

TEXTS = {"taixing-2024": TAIXING, "yancheng-2022": YANCHENG, "yangjiang-2017": YANGJIANG}
EMPTY = ("lianyungang-2016", "yantai-2016")


def short(printed: str) -> str:
    """How a printed name reads as a label: the leading 市 (the city) dropped, but not from 市委."""
    return printed[1:] if printed.startswith("市") and not printed.startswith("市委") else printed


def units(tasks) -> set[str]:
    return {short(u) for leads, others in tasks for u in leads + others}


def pair_weights(tasks) -> Counter:
    weights: Counter = Counter()
    for leads, others in tasks:
        names = sorted({short(u) for u in leads + others})
        weights.update(frozenset(p) for p in itertools.combinations(names, 2))
    return weights


def lead_counts(tasks) -> Counter:
    return Counter(short(u) for leads, _ in tasks for u in leads)


def by_label(graph) -> dict[str, str]:
    """Node id by short Chinese label (unique within one plan's network)."""
    labels = {graph.nodes[n]["short_zh"]: n for n in graph}
    assert len(labels) == graph.number_of_nodes(), "two departments of one plan share a label"
    return labels


@pytest.fixture(scope="module")
def corpus(store):
    return network.read_corpus(store)


# ---------------------------------------------------------------------------------------- the transcriptions


def test_transcriptions_match_the_source_texts(sources):
    """Every transcribed bracket is in the source text (page breaks ignored), in printed order."""
    for slug, tasks in TEXTS.items():
        text = re.sub(r"\s+", "", sources[slug])
        cursor = 0
        for leads, others in tasks:
            for name in leads + others:
                found = text.find(name, cursor)
                assert found >= 0, f"{slug}: {name} not found after offset {cursor}"
            cursor = text.find(leads[0], cursor)
    assert len(TAIXING) == sources["taixing-2024"].count("牵头单位")
    assert len(YANGJIANG) == sources["yangjiang-2017"].count("〔牵头单位") + sources["yangjiang-2017"].count("〔负责单位") - 3
    assert len(YANCHENG) == len(re.findall(r"负责\s*[)）]", sources["yancheng-2022"]))
    for slug in EMPTY:
        assert not re.search("牵头单位|责任单位|配合单位|负责单位|按职责分工负责", sources[slug])


# ---------------------------------------------------------------------------------------- graphs


@pytest.mark.parametrize("slug", sorted(TEXTS))
def test_coassignment_network_matches_the_text(slug, corpus):
    tasks = TEXTS[slug]
    graph = network.department_graph(slug, corpus=corpus)
    assert graph.number_of_nodes() == len(units(tasks))
    labels = by_label(graph)
    assert set(labels) == units(tasks)
    expected = pair_weights(tasks)
    got = {frozenset((graph.nodes[u]["short_zh"], graph.nodes[v]["short_zh"])): d["weight"]
           for u, v, d in graph.edges(data=True)}
    assert got == dict(expected)
    assert graph.number_of_edges() == len(expected)


def test_taixing_counts_by_hand(corpus):
    """Counted on paper from the 13 brackets: 15 units, 51 assignments, 39 linked pairs."""
    graph = network.department_graph("taixing-2024", corpus=corpus)
    bipartite = network.department_graph("taixing-2024", kind="bipartite", corpus=corpus)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (15, 39)
    assert (bipartite.number_of_nodes(), bipartite.number_of_edges()) == (15 + 13, 51)
    labels = by_label(graph)
    market, science, industry = labels[short(M)], labels["科技局"], labels["工信局"]
    assert graph.edges[market, science]["weight"] == 6  # tasks 4–9
    assert graph.edges[market, industry]["weight"] == 6  # tasks 2, 4–8
    assert graph.degree(market) == 14  # it works with every other unit


@pytest.mark.parametrize("slug", sorted(TEXTS))
def test_bipartite_network_matches_the_text(slug, corpus):
    tasks = TEXTS[slug]
    graph = network.department_graph(slug, kind="bipartite", corpus=corpus)
    task_nodes = [n for n, d in graph.nodes(data=True) if d["type"] == "task"]
    assert len(task_nodes) == len(tasks)
    assert len(network.department_nodes(graph)) == len(units(tasks))
    assert graph.number_of_edges() == sum(len(leads) + len(others) for leads, others in tasks)
    roles = Counter(d["role"] for *_, d in graph.edges(data=True))
    leads = Counter(d["lead"] for *_, d in graph.edges(data=True))
    assert leads[True] == sum(len(leads) for leads, _ in tasks)
    if slug == "yancheng-2022":
        assert roles["lead-responsible"] == YANCHENG_EXPLICIT
        assert roles["joint-member"] == graph.number_of_edges() - YANCHENG_EXPLICIT
        inferred = Counter(d["basis"] for *_, d in graph.edges(data=True) if d["lead"])
        assert inferred == {"explicit": YANCHENG_EXPLICIT, "inferred-first-listed": len(tasks) - YANCHENG_EXPLICIT}
    else:
        assert roles["lead"] + roles["lead-responsible"] == sum(len(leads) for leads, _ in tasks)
    # list positions restart at 1 in every task and follow the printed order
    for task in task_nodes:
        positions = sorted(d["position"] for *_, d in graph.edges(task, data=True))
        assert positions == list(range(1, len(positions) + 1))


@pytest.mark.parametrize("slug", sorted(TEXTS))
def test_directed_network_points_from_leads(slug, corpus):
    tasks = TEXTS[slug]
    graph = network.department_graph(slug, directed=True, corpus=corpus)
    assert graph.is_directed()
    expected: Counter = Counter()
    for leads, others in tasks:
        members = {short(u) for u in leads + others}
        expected.update((short(a), b) for a in set(leads) for b in members if b != short(a))
    got = {(graph.nodes[u]["short_zh"], graph.nodes[v]["short_zh"]): d["weight"] for u, v, d in graph.edges(data=True)}
    assert got == dict(expected)


@pytest.mark.parametrize("slug,top,count", [("taixing-2024", short(M), 13), ("yancheng-2022", "知识产权局", 17),
                                            ("yangjiang-2017", "知识产权局", 15)])
def test_top_lead_department_per_city(slug, top, count, corpus):
    hand = lead_counts(TEXTS[slug])
    assert hand.most_common(1) == [(top, count)]
    graph = network.department_graph(slug, corpus=corpus)
    leads = {graph.nodes[n]["short_zh"]: graph.nodes[n]["leads"] for n in graph}
    assert {k: v for k, v in leads.items() if v} == dict(hand)
    row = network.summary(graph)
    assert (row["top_lead"], row["top_lead_count"]) == (top, count)


@pytest.mark.parametrize("slug", EMPTY)
def test_plans_without_assignments_give_an_empty_network(slug, corpus):
    for kind in network.KINDS:
        graph = network.department_graph(slug, kind=kind, corpus=corpus)
        assert graph.number_of_nodes() == 0
        assert "assigns no departments" in graph.graph["note"] and slug in graph.graph["note"]
    assert network.summary(graph)["nodes"] == 0
    assert network.node_table(graph) == []


def test_cross_city_network_merges_by_function(corpus):
    merged = network.department_graph(merge_by="function", corpus=corpus)
    ip = merged.nodes["fn:ip-office"]
    assert ip["cities"] == "yancheng yangjiang"
    assert ip["n_members"] == 2
    assert ip["leads_yancheng"] == lead_counts(YANCHENG)["知识产权局"] == 17
    assert ip["leads_yangjiang"] == lead_counts(YANGJIANG)["知识产权局"] == 15
    assert ip["leads"] == 32
    assert "盐城市知识产权局" in ip["members_zh"] and "阳江市知识产权局" in ip["members_zh"]
    total_leads = sum(sum(lead_counts(tasks).values()) for tasks in TEXTS.values())
    assert sum(d["leads"] for _, d in merged.nodes(data=True)) == total_leads == 14 + 23 + 20
    assert not any(u == v for u, v in merged.edges())
    # every member of every merged node is a department of the per-city networks
    members = [m for _, d in merged.nodes(data=True) for m in d["members"].split()]
    assert len(members) == len(set(members)) == sum(len(units(t)) for t in TEXTS.values())
    # merging by the broader group gives fewer, larger nodes
    grouped = network.department_graph(merge_by="group", corpus=corpus)
    assert grouped.number_of_nodes() < merged.number_of_nodes()
    assert grouped.nodes["fn:government-department"]["n_cities"] == 3


def test_unknown_plan_and_bad_options_are_user_errors(corpus):
    with pytest.raises(network.NetworkError, match="unknown plan nowhere-2020"):
        network.department_graph("nowhere-2020", corpus=corpus)
    with pytest.raises(network.NetworkError):
        network.department_graph("taixing-2024", kind="tree", corpus=corpus)
    with pytest.raises(network.NetworkError):
        network.department_graph("taixing-2024", kind="bipartite", directed=True, corpus=corpus)


def test_network_is_read_through_the_named_queries():
    """The network module runs queries/network-*.rq and parses no Turtle itself."""
    source = Path(network.__file__).read_text(encoding="utf-8")
    assert "rdflib" not in source and ".parse(" not in source
    from ipkg.query import named_queries

    library = named_queries()
    for name in ("network-plans", "network-departments", "network-assignments"):
        assert name in library and library[name].title


# ---------------------------------------------------------------------------------------- analysis


def test_gini_and_concentration(corpus):
    def gini_by_pairs(values):  # the textbook definition: mean absolute difference / (2 × mean)
        n, mean = len(values), sum(values) / len(values)
        return sum(abs(a - b) for a in values for b in values) / (2 * n * n * mean)

    rows = {r["plan"]: r for r in network.compare(corpus=corpus)}
    for slug, tasks in TEXTS.items():
        hand = lead_counts(tasks)
        values = [hand.get(u, 0) for u in units(tasks)]
        assert rows[slug]["gini"] == pytest.approx(gini_by_pairs(values), abs=1e-5)
        assert rows[slug]["top_lead_count"] == max(values)
        assert rows[slug]["top_share"] == pytest.approx(max(values) / len(tasks), abs=1e-5)
        assert rows[slug]["departments"] == len(units(tasks))
    assert rows["taixing-2024"]["top_share"] == 1.0
    assert rows["yancheng-2022"]["leads_inferred"] == len(YANCHENG) - YANCHENG_EXPLICIT
    for slug in EMPTY:
        assert rows[slug]["gini"] is None and rows[slug]["note"]


def test_function_leads_table(corpus):
    rows = {r["function"]: r for r in network.function_leads(corpus=corpus)}
    assert rows["ip-office"]["yancheng-2022"] == 17 and rows["ip-office"]["yangjiang-2017"] == 15
    assert rows["market-regulation"]["taixing-2024"] == 13
    assert sum(r["total"] for r in rows.values()) == 14 + 23 + 20


def test_centrality_table_is_reproducible(corpus):
    graph = network.department_graph("yancheng-2022", corpus=corpus)
    first = network.node_table(graph, top=5)
    again = network.node_table(network.department_graph("yancheng-2022", corpus=corpus), top=5)
    assert first == again
    assert len(first) == 5 and first[0]["label"] == "知识产权局"
    # the IP office's degree: every unit named in a bracket with it (23: all but the leading-group
    # members, alone in task 1, and the tax bureau, named only with copyright and finance in task 7)
    partners = {short(u) for leads, others in YANCHENG if IP in leads + others for u in leads + others} - {short(IP)}
    assert first[0]["degree"] == len(partners) == len(units(YANCHENG)) - 3
    assert sum(r["pagerank"] for r in network.node_table(graph)) == pytest.approx(1.0, abs=1e-4)
    communities = network.communities(graph)
    assert communities == network.communities(graph)
    assert sorted(n for c in communities for n in c) == sorted(graph)
    english = network.node_table(graph, top=1, lang="en")
    assert english[0]["label"] == "Intellectual Property Office"


def test_a_citys_centrality_does_not_change_when_other_cities_join_the_graph(corpus):
    """Eigenvector centrality and betweenness are per connected component: on the five-city graph
    as a whole, power iteration gave every city but one zero eigenvector centrality."""
    together = network.centrality(network.department_graph(None, corpus=corpus))
    for slug in ("taixing-2024", "yancheng-2022", "yangjiang-2017"):
        alone = network.centrality(network.department_graph(slug, corpus=corpus))
        for node, values in alone.items():
            assert together[node]["eigenvector"] == values["eigenvector"], node
            assert together[node]["betweenness"] == values["betweenness"], node
        assert max(values["eigenvector"] for values in alone.values()) > 0.3


# ---------------------------------------------------------------------------------------- exports


def _same_graph(a, b) -> None:
    """Same nodes, edges and attributes (GEXF adds an edge ``id``, which is not ours)."""
    assert sorted(a.nodes) == sorted(b.nodes)
    for node in a:
        assert dict(b.nodes[node]) == dict(a.nodes[node]), node
    assert sorted(a.edges) == sorted(b.edges)
    for u, v, data in a.edges(data=True):
        assert {k: val for k, val in b.edges[u, v].items() if k != "id"} == data, (u, v)


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
@pytest.mark.parametrize("kind,merge_by,directed", [("coassignment", None, False), ("bipartite", None, False),
                                                    ("coassignment", "function", False),
                                                    ("coassignment", None, True)])
def test_exports_round_trip(fmt, kind, merge_by, directed, corpus, tmp_path):
    plan = None if merge_by else "yangjiang-2017"
    graph = network.department_graph(plan, kind=kind, merge_by=merge_by, directed=directed, corpus=corpus)
    path = tmp_path / f"net.{fmt}"
    network.export(graph, fmt, path)
    back = network.read_back(fmt, path)
    assert back.is_directed() == graph.is_directed()
    _same_graph(graph, back)
    first = path.read_bytes()
    network.export(network.department_graph(plan, kind=kind, merge_by=merge_by, directed=directed, corpus=corpus),
                   fmt, path)
    assert path.read_bytes() == first, "exports must be deterministic"


def test_gexf_has_labels_for_gephi(corpus):
    text = network.to_gexf(network.department_graph("taixing-2024", corpus=corpus))
    assert 'label="泰兴市财政局"' in text
    assert "lastmodifieddate" not in text
    assert '<attribute id="' in text and 'title="function"' in text


def test_csv_export(corpus, tmp_path):
    graph = network.department_graph("taixing-2024", corpus=corpus)
    written = network.export(graph, "csv", tmp_path / "taixing.csv")
    assert [p.name for p in written] == ["taixing.nodes.csv", "taixing.edges.csv"]
    nodes = list(csv.DictReader(io.StringIO(written[0].read_text(encoding="utf-8"))))
    edges = list(csv.DictReader(io.StringIO(written[1].read_text(encoding="utf-8"))))
    assert len(nodes) == 15 and len(edges) == 39
    assert sum(int(e["weight"]) for e in edges) == sum(pair_weights(TAIXING).values())
    assert {n["short_zh"] for n in nodes} == units(TAIXING)


def test_csv_export_writes_both_files_or_neither(corpus, monkeypatch, tmp_path):
    import ipkg.export
    from ipkg.errors import OutputError

    graph = network.department_graph("taixing-2024", corpus=corpus)
    (tmp_path / "h.edges.csv").mkdir()
    with pytest.raises(OutputError, match="h.edges.csv: it is a directory"):
        network.export(graph, "csv", tmp_path / "h.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.edges.csv"]

    staged = ipkg.export._staged

    def full_disk_at_edges(path, data):
        if ".edges.csv" in path.name:
            raise OSError(28, "No space left on device")
        return staged(path, data)

    monkeypatch.setattr(ipkg.export, "_staged", full_disk_at_edges)
    with pytest.raises(OutputError, match="t.edges.csv: No space left on device"):
        network.export(graph, "csv", tmp_path / "t.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.edges.csv"]


def test_csv_export_follows_links_and_keeps_modes(corpus, tmp_path):
    graph = network.department_graph("taixing-2024", corpus=corpus)
    (tmp_path / "kept.csv").write_text("old", encoding="utf-8")
    (tmp_path / "kept.csv").chmod(0o640)
    (tmp_path / "t.nodes.csv").symlink_to("kept.csv")
    network.export(graph, "csv", tmp_path / "t.csv")
    assert (tmp_path / "t.nodes.csv").is_symlink()
    assert (tmp_path / "kept.csv").read_text(encoding="utf-8").startswith("id,type,")
    assert (tmp_path / "kept.csv").stat().st_mode & 0o777 == 0o640


def test_empty_network_exports(corpus, tmp_path):
    graph = network.department_graph("yantai-2016", corpus=corpus)
    network.export(graph, "graphml", tmp_path / "yantai.graphml")
    assert network.read_back("graphml", tmp_path / "yantai.graphml").number_of_nodes() == 0


# ---------------------------------------------------------------------------------------- pictures

def _font_or_skip():
    try:
        return network.cjk_font()
    except network.NetworkError as exc:
        if os.environ.get("CI") or os.environ.get("IPKG_REQUIRE_BROWSER") == "1":
            raise
        pytest.skip(str(exc))


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_font_detection_says_what_to_install(monkeypatch):
    from matplotlib import font_manager

    monkeypatch.setattr(network, "_CJK_FAMILIES", ("No Such Font",))
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    with pytest.raises(network.NetworkError, match="fonts-noto-cjk"):
        network.cjk_font()


def test_font_has_every_glyph_of_the_labels(corpus):
    font = _font_or_skip()
    text = "".join(d["short_zh"] + d["label_zh"] for slug in TEXTS
                   for _, d in network.department_graph(slug, corpus=corpus).nodes(data=True))
    assert network.missing_glyphs(text, font) == ""


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_draw_one_network(suffix, corpus, tmp_path):
    _font_or_skip()
    graph = network.department_graph("taixing-2024", corpus=corpus)
    path = network.draw(graph, tmp_path / f"taixing.{suffix}", width=8, height=6, dpi=60)
    assert path.stat().st_size > 10_000
    if suffix == "png":
        assert png_size(path) == (480, 360)
    else:
        text = path.read_text(encoding="utf-8")
        assert text.lstrip().startswith("<?xml") and "<svg" in text
        assert 'width="576pt" height="432pt"' in text
        again = network.draw(network.department_graph("taixing-2024", corpus=corpus), tmp_path / "again.svg",
                             width=8, height=6, dpi=60)
        assert again.read_bytes() == path.read_bytes(), "the picture must be reproducible"


@pytest.mark.parametrize("color_by", ["group", "function", "community"])
def test_draw_variants(color_by, corpus, tmp_path):
    _font_or_skip()
    for graph in (network.department_graph("yancheng-2022", corpus=corpus),
                  network.department_graph("yancheng-2022", kind="bipartite", corpus=corpus),
                  network.department_graph(merge_by="function", corpus=corpus),
                  network.department_graph("yantai-2016", corpus=corpus)):
        path = network.draw(graph, tmp_path / "net.png", color_by=color_by, width=6, height=5, dpi=40)
        assert png_size(path) == (240, 200)


def test_small_multiples(corpus, tmp_path):
    _font_or_skip()
    path = network.draw_small_multiples(tmp_path / "cities.png", dpi=30, corpus=corpus)
    assert png_size(path) == (3 * 8 * 30, 2 * 7 * 30)  # five cities in a 3 × 2 grid of 8 × 7-inch panels
    assert path.stat().st_size > 20_000


def test_layout_keeps_labels_apart(corpus):
    """No two node-and-label boxes of a drawn network overlap after the layout."""
    for slug in TEXTS:
        graph = network.department_graph(slug, corpus=corpus)
        pos = network.layout(graph)
        half = {n: network._label_half_width(graph.nodes[n], "zh", 0.036) for n in graph}
        for a, b in itertools.combinations(sorted(graph), 2):
            overlap_x = half[a] + half[b] - abs(pos[a][0] - pos[b][0])
            overlap_y = 0.07 - abs(pos[a][1] - pos[b][1])
            assert overlap_x <= 1e-6 or overlap_y <= 1e-6, (slug, a, b)


# ---------------------------------------------------------------------------------------- the page


def test_page_data_and_escaping(corpus):
    data = network.page_data(corpus=corpus)
    assert len(data["nodes"]) == sum(len(units(t)) for t in TEXTS.values())
    assert len(data["edges"]) == sum(len(pair_weights(t)) for t in TEXTS.values())
    assert sorted(e["plan"] for e in data["empty"]) == sorted(EMPTY)
    node = next(n for n in data["nodes"] if n["id"] == "dept:taixing/finance")
    assert [t["zh"] for t in node["led"]] == ["完善高质量发展政策体系"]  # task 2, the one it co-leads
    assert network.embed_json({"x": "</script><script>alert(1)</script>"}).count("</") == 0
    page = network.html_page(corpus=corpus)
    assert page.count("</script>") == 2  # the data block and the code block, nothing closed early
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "the page must not load anything"


# ---------------------------------------------------------------------------------------- the command line


def test_cli_stats(cli):
    result = cli("network", "stats", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    summaries = {s["network"]: s for s in data["summary"]}
    assert summaries["taixing-2024"]["nodes"] == 15 and summaries["taixing-2024"]["edges"] == 39
    assert summaries["yantai-2016"]["nodes"] == 0 and summaries["yantai-2016"]["note"]
    assert {r["plan"] for r in data["compare"]} == set(TEXTS) | set(EMPTY)
    table = cli("network", "stats", "--plan", "yangjiang-2017", "--top", "3", "--lang", "en")
    assert table.exit_code == 0
    assert "Intellectual Property Office" in table.stdout and "comparison across cities" in table.stdout
    rows = list(csv.DictReader(io.StringIO(cli("network", "stats", "--format", "csv", "--top", "2").stdout)))
    assert len(rows) == 2 * len(TEXTS)
    merged = cli("network", "stats", "--merge-by", "function", "--table", "summary", "--format", "json")
    assert json.loads(merged.stdout)["summary"][0]["merge_by"] == "function"


def test_cli_empty_plan_is_a_message_not_an_error(cli, tmp_path):
    result = cli("network", "stats", "--plan", "lianyungang-2016")
    assert result.exit_code == 0
    assert "empty network" in result.stdout and "assigns no departments" in result.stdout
    out = tmp_path / "ly.graphml"
    exported = cli("network", "export", "--plan", "lianyungang-2016", "-o", out)
    assert exported.exit_code == 0 and out.exists()
    assert "assigns no departments" in exported.stderr


def test_cli_user_errors_exit_2(cli, tmp_path):
    result = cli("network", "stats", "--plan", "atlantis-2030")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "unknown plan atlantis-2030" in result.stderr
    assert cli("network", "export", "-o", tmp_path / "x.txt").exit_code == 2
    assert cli("network", "export", "--kind", "bipartite", "--directed", "-o", tmp_path / "x.json").exit_code == 2
    assert cli("network", "draw", "-o", tmp_path / "x.jpg").exit_code == 2


def test_cli_export_to_a_directory_writes_nothing(cli, tmp_path):
    (tmp_path / "h.edges.csv").mkdir()
    result = cli("network", "export", "--plan", "taixing-2024", "-o", tmp_path / "h.csv")
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "is a directory" in result.stderr
    assert not (tmp_path / "h.nodes.csv").exists()


@pytest.mark.parametrize("size", [("--width", "0"), ("--width", "-5"), ("--width", "nan"), ("--width", "1e6"),
                                  ("--height", "0"), ("--height", "inf")])
def test_cli_draw_size_out_of_range_is_a_user_error(size, cli, tmp_path):
    result = cli("network", "draw", "--plan", "taixing-2024", *size, "-o", tmp_path / "t.png")
    assert result.exit_code == 2
    assert re.search(r"not in the range 2<=x<=40|must be 2 to 40 inches", result.stderr), result.stderr
    assert not (tmp_path / "t.png").exists()


def test_draw_size_out_of_range_is_a_network_error(corpus, tmp_path):
    graph = network.department_graph("taixing-2024", corpus=corpus)
    for width, height in ((float("nan"), 10), (0, 10), (14, 1e6)):
        with pytest.raises(network.NetworkError, match="must be 2 to 40 inches"):
            network.draw(graph, tmp_path / "t.png", width=width, height=height)


def test_cli_empty_plans_directory_is_a_user_error(cli, monkeypatch, tmp_path):
    empty = tmp_path / "plans"
    empty.mkdir()
    monkeypatch.setenv("IPKG_PLANS_DIR", str(empty))
    for command in (["draw", "--small-multiples", "-o", tmp_path / "all.png"], ["draw", "-o", tmp_path / "one.png"],
                    ["export", "-o", tmp_path / "g.graphml"], ["stats"], ["html", "-o", tmp_path / "page.html"]):
        result = cli("network", *command)
        assert result.exit_code == 2, command
        assert result.stderr.strip() == f"Error: no plans found in {empty}", command
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plans"]


def test_cli_export_draw_html(cli, tmp_path):
    for fmt in ("graphml", "gexf", "json"):
        out = tmp_path / f"yc.{fmt}"
        assert cli("network", "export", "--plan", "yancheng-2022", "-o", out).exit_code == 0
        assert network.read_back(fmt, out).number_of_nodes() == len(units(YANCHENG))
    assert cli("network", "export", "--plan", "yancheng-2022", "--format", "csv", "-o", tmp_path / "yc").exit_code == 0
    assert (tmp_path / "yc.nodes.csv").exists() and (tmp_path / "yc.edges.csv").exists()
    page = tmp_path / "page.html"
    result = cli("network", "html", "-o", page)
    assert result.exit_code == 0 and page.stat().st_size > 20_000
    if _font_or_skip():
        assert cli("network", "draw", "--plan", "taixing-2024", "-o", tmp_path / "t.png", "--dpi", "40").exit_code == 0
        assert png_size(tmp_path / "t.png") == (14 * 40, 10 * 40)
        assert cli("network", "draw", "--small-multiples", "-o", tmp_path / "all.svg").exit_code == 0
