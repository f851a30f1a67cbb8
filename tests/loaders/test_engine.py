"""The loader engine against the real Neo4j: every kind, idempotence, history, provenance."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from graph_service.db import Database
from graph_service.errors import LoadRefused
from loaders.engine import LoadOptions, list_loads, load_directory
from tests.loaders.conftest import FIXTURES, load, node, nodes, rejects, rels, write

COMPANIES_HEADER = "uscc,name,org_kind,legal_rep_name,legal_rep_id,status\n"
HUABEI = "91130102RG8E64XKKR"


def test_every_sample_registry_loads_and_a_second_load_changes_nothing(db: Database) -> None:
    first = load_directory(db, FIXTURES)
    assert [s.status for s in first] == ["done"] * 18
    assert {s.kind for s in first} == {s.kind for s in first if s.created == s.read}
    before = db.read("meta/count_nodes")[0]["nodes"]

    second = load_directory(db, FIXTURES)

    assert all(s.unchanged == s.read and s.created == s.updated == 0 for s in second)
    assert db.read("meta/count_nodes")[0]["nodes"] == before + 18  # only the new :Load nodes
    assert [s.kind for s in first][:2] == ["companies", "persons"]
    assert first[-1].kind == "record_updates"


def test_reload_of_the_same_file_writes_nothing(db: Database) -> None:
    load(db, "companies", FIXTURES / "companies.csv")
    stamped = node(db, "Company", "uscc", HUABEI)["loaded_at"]

    again = load(db, "companies", FIXTURES / "companies.csv")

    assert (again.read, again.unchanged, again.created, again.updated) == (11, 11, 0, 0)
    assert node(db, "Company", "uscc", HUABEI)["loaded_at"] == stamped


def test_a_corrected_row_updates_and_keeps_the_earlier_value_in_history(
    db: Database, tmp_path: Path
) -> None:
    load(db, "companies", FIXTURES / "companies.csv")
    corrected = COMPANIES_HEADER + f"{HUABEI},石家庄华北建设工程有限公司,enterprise,张伟,,吊销\n"
    path = write(tmp_path, "companies_2024-07.csv", corrected)

    summary = load(db, "companies", path)

    assert (summary.updated, summary.unchanged) == (1, 0)
    company = node(db, "Company", "uscc", HUABEI)
    assert company["status"] == "revoked"
    assert company["src_file"] == "companies_2024-07.csv"
    (earlier,) = [json.loads(e) for e in company["history"]]
    assert earlier["status"] == "active"
    assert earlier["src_file"] == "companies.csv" and earlier["src_row"] == 2
    assert not [r for r in rels(db, "LEGAL_REP_OF") if r[1] == HUABEI]  # no rep any more


def test_duplicate_keys_in_one_file_later_row_wins_earlier_goes_to_history(
    db: Database, tmp_path: Path
) -> None:
    text = COMPANIES_HEADER + "".join(
        [
            f"{HUABEI},旧名称,enterprise,,,active\n",  # line 2: superseded by line 4
            "91130104PQXR0QED47,恒泰,enterprise,,,active\n",  # line 3
            f"{HUABEI},新名称,enterprise,,,active\n",  # line 4: wins
            "91130104PQXR0QED47,恒泰,enterprise,,,active\n",  # line 5: exact duplicate
        ]
    )
    path = write(tmp_path, "companies.csv", text)

    summary = load(db, "companies", path)

    assert (summary.read, summary.loaded, summary.duplicates) == (4, 2, 2)
    assert (summary.exact_duplicates, summary.superseded_count) == (1, 1)
    assert summary.superseded == [{"line": 2, "by_line": 4, "key": HUABEI}]
    company = node(db, "Company", "uscc", HUABEI)
    assert company["name"] == "新名称" and company["src_row"] == 4
    (earlier,) = [json.loads(e) for e in company["history"]]
    assert (earlier["name"], earlier["src_row"], earlier["superseded_by_row"]) == ("旧名称", 2, 4)

    again = load(db, "companies", path)

    assert (again.unchanged, again.duplicates) == (2, 2)
    assert len(node(db, "Company", "uscc", HUABEI)["history"]) == 1  # not appended again


def test_provenance_on_nodes_relationships_records_and_the_load(db: Database) -> None:
    summary = load(db, "shareholdings", FIXTURES / "shareholdings.csv")
    load(db, "tax_violations", FIXTURES / "tax_violations.csv")

    liu_yang = "130102196508301272"
    (_, end, holding) = next(r for r in rels(db, "HOLDS_SHARES") if r[0] == liu_yang)
    assert (end, holding["stake_pct"], holding["src_row"]) == (HUABEI, 70.0, 2)
    assert holding["src_kind"] == "shareholdings" and holding["src_file"] == "shareholdings.csv"
    assert holding["load_id"] == summary.load_id and holding["loaded_at"] is not None
    record = node(db, "Record", "kind", "tax_violation")
    assert (record["src_kind"], record["src_row"], record["src_file"]) == (
        "tax_violations",
        2,
        "tax_violations.csv",
    )
    for _, _, props in rels(db, "NAMED_IN") + rels(db, "HAS_RECORD"):
        assert props["src_kind"] == "tax_violations" and props["load_id"]
    (entry,) = list_loads(db, kind="shareholdings")
    assert entry["status"] == "done" and entry["read"] == 12 and entry["created"] == 12


def test_parties_known_only_from_a_reference_are_created_then_completed(db: Database) -> None:
    summary = load(db, "shareholdings", FIXTURES / "shareholdings.csv")

    assert summary.referenced_created == 15  # 7 companies and 8 persons, none loaded yet
    holder = node(db, "Person", "party_id", "130102196508301272")
    assert holder["name"] == "刘洋" and holder["known_only_from"] == "shareholdings"
    assert holder["kind"] == "person" and holder["id_number"] == "130102196508301272"
    company = node(db, "Company", "party_id", "91130104PQXR0QED47")
    assert company["known_only_from"] == "shareholdings"

    load(db, "persons", FIXTURES / "persons.csv")

    holder = node(db, "Person", "party_id", "130102196508301272")
    assert "known_only_from" not in holder and holder["gender"] == "M"


def test_rejected_rows_go_unchanged_to_the_reject_file_with_line_and_reason(
    db: Database, tmp_path: Path
) -> None:
    text = "company_uscc,holder_id,holder_name,stake_pct,since\n" + "".join(
        [
            f"{HUABEI},130102196508301272,刘洋,70,2008-04-12\n",
            f"{HUABEI},91130102RG8E64XKKX,某公司,10,2008-04-12\n",  # check digit
            "91130104PQXR0QED47,130104198007224880,李娜,40,2015-02-30\n",  # impossible date
        ]
    )
    path = write(tmp_path, "shareholdings.csv", text)
    reject_file = tmp_path / "out" / "rejects.csv"

    summary = load(db, "shareholdings", path, reject_file=reject_file)

    assert (summary.read, summary.loaded, summary.rejected) == (3, 1, 2)
    assert summary.reject_file == str(reject_file)
    assert rejects(reject_file) == [
        {"line": "3", "reason": "holder_id 91130102RG8E64XKKX fails the USCC check digit",
         "raw": f"{HUABEI},91130102RG8E64XKKX,某公司,10,2008-04-12"},
        {"line": "4", "reason": "since 2015-02-30 is not a real date",
         "raw": "91130104PQXR0QED47,130104198007224880,李娜,40,2015-02-30"},
    ]  # fmt: skip


def test_stakes_over_100_reject_all_rows_of_that_company_only(db: Database, tmp_path: Path) -> None:
    text = "company_uscc,holder_id,stake_pct\n" + "".join(
        [
            f"{HUABEI},130102196508301272,70\n",
            "91130104PQXR0QED47,130104198007224880,40%\n",
            f"{HUABEI},130102197203158350,30.5\n",  # 100.5 > 100.01
            "91130104PQXR0QED47,91130102RG8E64XKKR,60.005\n",  # 100.005: within tolerance
        ]
    )
    summary = load(db, "shareholdings", write(tmp_path, "shareholdings.csv", text))

    assert (summary.loaded, summary.rejected) == (2, 2)
    assert {r[1] for r in rels(db, "HOLDS_SHARES")} == {"91130104PQXR0QED47"}
    reasons = {r["line"]: r["reason"] for r in rejects(Path("shareholdings.rejects.csv"))}
    assert set(reasons) == {"2", "4"}
    assert reasons["2"].startswith(f"stake_pct of company_uscc {HUABEI} add up to 100.5")


def test_missing_required_column_refuses_the_whole_file_before_writing(
    db: Database, tmp_path: Path
) -> None:
    path = write(tmp_path, "companies.csv", "uscc,status\n" + f"{HUABEI},active\n")
    with pytest.raises(LoadRefused, match=r"required column name \(企业名称\) missing"):
        load(db, "companies", path)
    assert db.read("meta/count_nodes")[0]["nodes"] == 0  # not even a :Load node


def test_truncated_gzip_refuses_the_file_with_nothing_written(db: Database, tmp_path: Path) -> None:

    body = COMPANIES_HEADER + "91130102RG8E64XKKX,校验位错误,enterprise,,,active\n"
    body += f"{HUABEI},石家庄华北建设工程有限公司,enterprise,,,active\n" * 4000
    data = gzip.compress(body.encode())
    path = tmp_path / "companies.csv.gz"
    path.write_bytes(data[: len(data) // 2])

    with pytest.raises(LoadRefused, match="truncated"):
        load(db, "companies", path)
    assert db.read("meta/count_nodes")[0]["nodes"] == 0
    assert not Path("companies.rejects.csv").exists()  # no half list of a refused file


def test_bom_crlf_quoted_newlines_and_too_many_fields_in_one_file(
    db: Database, tmp_path: Path
) -> None:
    text = (
        "\ufeff处罚决定书文号,相对人证件号码,违法行为,处罚决定日期\r\n"
        f'A-1,{HUABEI},"超范围经营,\r\n拒不整改",2024-01-01\r\n'
        f"A-2,{HUABEI},简单,2024-01-02,多余\r\n"
        f"A-3,{HUABEI},简单,2024/1/3\r\n"
    )
    summary = load(db, "admin_penalties", write(tmp_path, "行政处罚.csv", text))

    assert (summary.read, summary.loaded, summary.rejected) == (3, 2, 1)
    record = node(db, "Record", "ref", "A-1")
    assert record["violation"] == "超范围经营,\r\n拒不整改"
    (reject,) = rejects(Path("行政处罚.rejects.csv"))
    assert reject["line"] == "4" and reject["reason"] == "has 5 fields, the header has 4"


def test_gb18030_file_with_a_late_first_chinese_row_loads_correctly(
    db: Database, tmp_path: Path
) -> None:
    rows = [f"{HUABEI},Company {i:05d},enterprise,,,active\n" for i in range(3000)]
    chinese = "91130104PQXR0QED47,石家庄恒泰商贸有限公司,企业,,,存续\n"
    text = COMPANIES_HEADER + "".join(rows) + chinese
    summary = load(db, "companies", write(tmp_path, "companies.csv", text, "gb18030"))

    assert summary.encoding == "gb18030" and summary.loaded == 2
    assert node(db, "Company", "uscc", "91130104PQXR0QED47")["name"] == "石家庄恒泰商贸有限公司"


def test_record_updates_before_their_records_wait_and_then_apply(db: Database) -> None:
    updates = load(db, "record_updates", FIXTURES / "record_updates.csv")
    assert updates.created == 1
    assert nodes(db, "Record") == []

    load(db, "tax_violations", FIXTURES / "tax_violations.csv")

    record = node(db, "Record", "kind", "tax_violation")
    assert record["status"] == "repaired"
    assert str(record["voided_on"]) == "2024-01-10"
    assert str(record["start"]) == "2022-03-15" and str(record["end"]) == "2025-03-15"
    assert len(rels(db, "HAS_UPDATE")) == 1


def test_records_with_and_without_pending_updates_in_one_batch(
    db: Database, tmp_path: Path
) -> None:
    # load/records names the rows some update refers to (updates_pending): only those are
    # linked and get their status from the updates; the other record stays active, unlinked.
    load(db, "record_updates", FIXTURES / "record_updates.csv")
    lines = (FIXTURES / "tax_violations.csv").read_text(encoding="utf-8").splitlines()
    other = lines[1].replace("SW-130111-2022-003", "SW-130111-2022-099")
    load(db, "tax_violations", write(tmp_path, "tax_violations.csv", "\n".join([*lines, other])))

    status = {r["ref"]: (r["status"], r.get("voided_on")) for r in nodes(db, "Record")}
    assert {ref: (s, str(v)) for ref, (s, v) in status.items()} == {
        "SW-130111-2022-003": ("repaired", "2024-01-10"),
        "SW-130111-2022-099": ("active", "None"),
    }
    assert len(rels(db, "HAS_UPDATE")) == 1


def test_shared_contacts_link_parties_as_inferred(db: Database) -> None:
    load(db, "contacts", FIXTURES / "contacts.jsonl")

    (shared,) = rels(db, "SHARES_CONTACT")
    assert shared[:2] == (HUABEI, "9113010487EQ4WYWRH")
    assert shared[2]["inferred"] is True and shared[2]["via"] == "phone:031186661234"
    keys = {n["contact_key"] for n in nodes(db, "Contact")}
    assert "email:hengtai@example.cn" in keys


def test_dry_run_validates_and_writes_nothing(db: Database) -> None:
    summaries = load_directory(db, FIXTURES, LoadOptions(dry_run=True))

    assert all(s.status == "dry_run" and s.loaded == s.read for s in summaries)
    assert db.read("meta/count_nodes")[0]["nodes"] == 0


def test_unrecognised_and_refused_files_in_a_folder_do_not_stop_the_others(
    db: Database, tmp_path: Path
) -> None:
    write(tmp_path, "notes.csv", "a,b\n1,2\n")
    write(tmp_path, "persons.csv", "")
    branch = "branch_uscc,parent_uscc\n9213011071AQ7XXNXJ,91130102RG8E64XKKR\n"
    write(tmp_path, "branches.csv", branch)

    summaries = {s.file: s for s in load_directory(db, tmp_path)}

    assert summaries["notes.csv"].status == "skipped"
    assert summaries["persons.csv"].status == "refused"
    assert "is empty" in str(summaries["persons.csv"].error)
    assert summaries["branches.csv"].status == "done" and summaries["branches.csv"].created == 1
