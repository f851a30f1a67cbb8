"""The streaming reader on awkward files: encodings, BOMs, line endings, broken rows."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from graph_service.errors import LoadRefused
from loaders.mapping import get_mapping
from loaders.read import SAMPLE_BYTES, RegistryFile
from tests.loaders.conftest import FIXTURES, write

HEADER = "branch_uscc,parent_uscc"
ROW = "9213011071AQ7XXNXJ,91130102RG8E64XKKR"


Record = tuple[int, str, dict[str, str], str | None]


def records(path: Path, kind: str = "branches") -> list[Record]:
    source = RegistryFile(path, get_mapping(kind))
    return [(r.line, r.raw, r.values, r.problem) for r in source.records()]


def test_gb18030_sample_is_detected_and_decoded() -> None:
    source = RegistryFile(FIXTURES / "dishonest_debtors.csv", get_mapping("dishonest_debtors"))
    (record,) = list(source.records())
    assert source.encoding == "gb18030"
    assert record.values["debtor_name"] == "石家庄华北建设工程有限公司"
    assert source.unknown_columns == []


def test_wrong_encoding_guess_is_avoided_past_a_long_ascii_start(tmp_path: Path) -> None:
    # 100 KB of ASCII rows before the first Chinese text: a guess on the first 64 KB alone
    # would say UTF-8 and garble (or refuse) this GBK export.
    ascii_rows = [f"9213011071AQ7XXNXJ,91130102RG8E64XKKR,branch {i:06d}" for i in range(2500)]
    text = "branch_uscc,parent_uscc,note\n" + "\n".join(ascii_rows) + "\n"
    text += "9213011071AQ7XXNXJ,91130102RG8E64XKKR,石家庄分公司\n"
    assert len(text.encode("gb18030")) > SAMPLE_BYTES
    path = write(tmp_path, "branches.csv", text, "gb18030")
    source = RegistryFile(path, get_mapping("branches"))
    assert source.encoding == "gb18030"
    last = list(source.records())[-1]
    assert last.raw.endswith("石家庄分公司")


def test_mixed_encodings_are_refused_naming_the_file(tmp_path: Path) -> None:
    text = "branch_uscc,parent_uscc,note\n" + f"{ROW},石家庄\n"
    data = text.encode("utf-8") + f"{ROW},鹿泉分公司\n".encode("gb18030")
    path = tmp_path / "branches.csv"
    path.write_bytes(data)
    with pytest.raises(LoadRefused, match=r"branches.csv is neither .* on line 3"):
        records(path)


def test_encoding_change_far_into_the_file_is_refused(tmp_path: Path) -> None:
    text = "branch_uscc,parent_uscc,note\n" + f"{ROW},石家庄\n" * 5000
    data = text.encode("utf-8") + f"{ROW},鹿泉分公司\n".encode("gb18030")
    path = tmp_path / "branches.csv"
    path.write_bytes(data)
    with pytest.raises(LoadRefused, match=r"branches.csv: bytes after data row \d+ are not valid"):
        records(path)


def test_neither_utf8_nor_gb18030_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "branches.csv"
    path.write_bytes(HEADER.encode() + b"\n\xff\xfe\xff\xff,x\n")
    with pytest.raises(LoadRefused, match="neither UTF-8 nor GB18030"):
        records(path)


def test_bom_crlf_and_quoted_newlines(tmp_path: Path) -> None:
    text = "\ufeffdecision_no,party_id,violation,decided_on\r\n"
    text += 'A-1,91130102RG8E64XKKR,"第一行,\r\n第二行",2024-01-01\r\n'
    text += "A-2,91130102RG8E64XKKR,简单,2024-01-02\r\n"
    path = write(tmp_path, "admin_penalties.csv", text)
    rows = records(path, "admin_penalties")
    assert [r[0] for r in rows] == [2, 4]  # line numbers of the first line of each record
    assert rows[0][2]["decision_no"] == "A-1"  # the BOM is not part of the first column
    assert rows[0][2]["violation"] == "第一行,\r\n第二行"
    assert rows[0][1] == 'A-1,91130102RG8E64XKKR,"第一行,\r\n第二行",2024-01-01'


def test_chinese_headers_and_unknown_columns(tmp_path: Path) -> None:
    text = "分支机构统一社会信用代码,隶属企业统一社会信用代码,备注\n" + ROW + ",x\n"
    path = write(tmp_path, "branches.csv", text)
    source = RegistryFile(path, get_mapping("branches"))
    (record,) = list(source.records())
    assert record.values == {"branch_uscc": ROW[:18], "parent_uscc": ROW[19:]}
    assert source.unknown_columns == ["备注"]


def test_missing_required_column_refuses_the_file_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path, "shareholdings.csv", "company_uscc,holder_id\n91130102RG8E64XKKR,x\n")
    with pytest.raises(LoadRefused, match=r"required column stake_pct \(持股比例\) missing"):
        records(path, "shareholdings")


@pytest.mark.parametrize("content", ["", "\ufeff", "\n\n"])
def test_empty_file_is_refused(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, "branches.csv", content)
    with pytest.raises(LoadRefused, match="is empty"):
        records(path)


def test_row_with_too_many_or_too_few_fields_is_a_row_problem(tmp_path: Path) -> None:
    text = f"{HEADER}\n{ROW},extra\n{ROW}\n9213011071AQ7XXNXJ\n"
    rows = records(write(tmp_path, "branches.csv", text))
    assert [r[3] for r in rows] == [
        "has 3 fields, the header has 2",
        None,
        "has 1 fields, the header has 2",
    ]


def test_truncated_gzip_is_refused_after_counting_rows(tmp_path: Path) -> None:
    body = HEADER + "\n" + "\n".join([ROW] * 5000) + "\n"
    data = gzip.compress(body.encode())
    path = tmp_path / "branches.csv.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    source = RegistryFile(path, get_mapping("branches"))
    with pytest.raises(LoadRefused, match=r"branches.csv.gz: the gzip data ends early") as exc:
        list(source.records())
    assert 0 < exc.value.rows_read < 5000
    assert f"after {exc.value.rows_read} data rows" in str(exc.value)


def test_not_gzip_at_all_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "branches.csv", HEADER + "\n")
    gz = path.rename(tmp_path / "branches.csv.gz")
    with pytest.raises(LoadRefused, match="not valid gzip"):
        records(gz)


def test_unknown_file_type_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LoadRefused, match="unknown file type"):
        records(write(tmp_path, "branches.xlsx", "x"))


def test_jsonl_values_and_broken_lines(tmp_path: Path) -> None:
    text = (
        '{"party_id": "91130102RG8E64XKKR", "kind": "phone", "value": 31186661234, "x": 1}\n'
        "\n"
        "{not json}\n"
        '["a list"]\n'
    )
    rows = records(write(tmp_path, "contacts.jsonl", text), "contacts")
    assert rows[0][2] == {"party_id": "91130102RG8E64XKKR", "kind": "phone", "value": "31186661234"}
    assert rows[1][0] == 3 and rows[1][3] is not None and "not valid JSON" in rows[1][3]
    assert rows[2][3] == "is not a JSON object"
