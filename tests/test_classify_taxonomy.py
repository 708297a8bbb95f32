"""The classification scheme loads, matches the shared vocabularies, and rejects broken files clearly."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from cbec_policy.classify.taxonomy import load_taxonomy, parse_taxonomy
from cbec_policy.errors import ReferenceDataError
from cbec_policy.labels import POLICY_TYPES, THEMES

BUNDLED = Path(__file__).parents[1] / "src" / "cbec_policy" / "classify" / "taxonomy.yaml"


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(BUNDLED.read_text(encoding="utf-8"))


def test_types_and_themes_follow_the_paper_order_and_labels() -> None:
    taxonomy = load_taxonomy()
    assert [(c.code, c.zh) for c in taxonomy.types] == [(label.code, label.zh) for label in POLICY_TYPES]
    assert taxonomy.type_codes() == ["tax", "supervision", "management", "law", "norm", "standard", "comprehensive"]
    assert [(c.code, c.zh) for c in taxonomy.themes] == [(label.code, label.zh) for label in THEMES]
    assert len(taxonomy.themes) == 7


def test_instruments_cover_the_three_rothwell_zegveld_sides() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.side_codes() == ["supply", "environment", "demand"]
    assert [s.zh for s in taxonomy.sides] == ["供给型", "环境型", "需求型"]
    by_side = {side: [c.code for c in taxonomy.instruments if c.side == side] for side in taxonomy.side_codes()}
    assert all(len(codes) >= 4 for codes in by_side.values())
    assert "environment.tax_incentive" in by_side["environment"]


def test_every_label_is_defined_in_both_languages_with_cues() -> None:
    taxonomy = load_taxonomy()
    for category in [taxonomy.relevance, *taxonomy.types, *taxonomy.themes, *taxonomy.sides, *taxonomy.instruments]:
        assert category.definition_zh and category.definition_en and category.zh and category.en
    for category in [*taxonomy.types, *taxonomy.themes, *taxonomy.instruments]:
        assert category.terms or category.title_patterns


def test_structural_cues_of_the_paper_types() -> None:
    taxonomy = load_taxonomy()
    standard = taxonomy.find("type", "标准类")
    assert any(cue.pattern.search("gb/t 43291-2023") for cue in standard.doc_number_patterns)
    law = taxonomy.find("type", "law")
    assert any(cue.pattern.search("中华人民共和国电子商务法") for cue in law.title_patterns)
    comprehensive = taxonomy.find("type", "comprehensive")
    assert any(cue.pattern.search("关于同意设立跨境电子商务综合试验区的批复") for cue in comprehensive.title_patterns)


def test_find_accepts_code_chinese_and_english_and_names_bad_values() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.find("theme", "金融支付").code == "finance"
    assert taxonomy.find("theme", "Customs Clearance").code == "customs"
    assert taxonomy.find("instrument", "人才培养").code == "supply.talent"
    assert taxonomy.find("instrument", "需求型").code == "demand"
    with pytest.raises(Exception, match="unknown type '税务类'"):
        taxonomy.find("type", "税务类")


@pytest.mark.parametrize(
    ("mutate", "where", "reason"),
    [
        (lambda d: d["types"].reverse(), "types", "must be"),
        (lambda d: d["themes"][0].update(code="taxes"), "themes", "must be"),
        (lambda d: d["types"][0]["terms"].update({"退税": 0}), "types[0].terms.退税", "non-zero"),
        (lambda d: d["types"][0]["title_patterns"].append({"pattern": "税(", "weight": 1}),
         "types[0].title_patterns[3].pattern", "bad regular expression"),
        (lambda d: d["types"][1]["terms"].update({"ＡＢ": 1, "ab": 1}), "types[1].terms", "duplicate term"),
        (lambda d: d["instruments"]["items"][0].update(side="sideways"), "instruments.items[0].side", "unknown side"),
        (lambda d: d["scoring"]["themes"].update(threshold=1.5), "scoring.themes.threshold", "below 1"),
        (lambda d: d["types"][2].pop("definition_zh"), "types[2].definition_zh", "non-empty"),
        # a type's labels live once, in vocabularies.yaml
        (lambda d: d["types"][3].update(zh="法律类"), "types[3].zh", "vocabularies.yaml"),
        (lambda d: d["themes"][1].update(en="customs"), "themes[1].en", "vocabularies.yaml"),
    ],
)  # fmt: skip
def test_broken_schemes_name_the_place(raw: dict, mutate, where: str, reason: str) -> None:
    data = copy.deepcopy(raw)
    mutate(data)
    with pytest.raises(ReferenceDataError) as error:
        parse_taxonomy(data, "my_taxonomy.yaml")
    message = str(error.value)
    assert "my_taxonomy.yaml" in message and where in message and reason in message


def test_researcher_file_is_loaded_from_a_path(tmp_path: Path, raw: dict) -> None:
    data = copy.deepcopy(raw)
    data["types"][0]["terms"]["出口退税"] = 5
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert load_taxonomy(path).types[0].terms["出口退税"] == 5.0
    (tmp_path / "broken.yaml").write_text("types: [", encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=r"broken\.yaml.*malformed YAML"):
        load_taxonomy(tmp_path / "broken.yaml")
